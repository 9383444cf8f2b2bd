#pragma once
/// @file cosine.hpp
/// @brief Cosine similarity between the rows of dense matrices: normalise once, then one GEMM.
///
/// Convention: a row whose norm is zero stays zero after normalisation, so its cosine with any row
/// (itself included) is **0** (scikit-learn's `cosine_similarity` convention; scipy's `cdist`
/// returns NaN there). The result is NaN only where an input row holds NaN (or ±inf).
///
/// With `C2S_HAVE_BLAS` (link `c2s::blas`) the product is OpenBLAS `sgemm`/`dgemm` (N×M) or
/// `ssyrk`/`dsyrk` (N×N, upper triangle then mirrored: half the FLOPs); otherwise Eigen's GEMM.
/// `num_threads` sets OpenBLAS's thread count for the call (restored afterwards).

#include <Eigen/Dense>
#include <cmath>
#include <cstddef>
#include <limits>
#include <type_traits>

#include "c2s/core/error.hpp"
#include "c2s/core/parallelize.hpp"

#if defined(C2S_HAVE_BLAS)
#if __has_include(<cblas.h>)
#include <cblas.h>
#define C2S_DISTANCE_CBLAS 1
#elif __has_include(<x86_64-linux-gnu/openblas-pthread/cblas.h>)
#include <x86_64-linux-gnu/openblas-pthread/cblas.h>
#define C2S_DISTANCE_CBLAS 1
#elif __has_include(<openblas/cblas.h>)
#include <openblas/cblas.h>
#define C2S_DISTANCE_CBLAS 1
#endif
#endif

namespace c2s::distance {

template <class Float_>
using DenseMatrix = Eigen::Matrix<Float_, Eigen::Dynamic, Eigen::Dynamic>;

/// Whether dense products go through an optimised BLAS in this build.
[[nodiscard]] constexpr bool cosine_uses_blas() noexcept {
#if defined(C2S_DISTANCE_CBLAS)
    return true;
#else
    return false;
#endif
}

/// Each row divided by its Euclidean norm; zero rows stay zero. Rows are normalised in parallel.
template <class Float_>
[[nodiscard]] DenseMatrix<Float_> normalize_rows(const DenseMatrix<Float_>& x, int num_threads = 1) {
    DenseMatrix<Float_> out(x.rows(), x.cols());
    const auto n = static_cast<std::size_t>(x.rows());
    // Column-major: accumulate squared norms column by column (contiguous), in double for float input.
    using Acc = std::conditional_t<std::is_same_v<Float_, float>, double, long double>;
    parallelize(num_threads, n, [&](int, std::size_t start, std::size_t length) {
        const auto s = static_cast<Eigen::Index>(start), l = static_cast<Eigen::Index>(length);
        Eigen::Matrix<Acc, Eigen::Dynamic, 1> sq = Eigen::Matrix<Acc, Eigen::Dynamic, 1>::Zero(l);
        for (Eigen::Index j = 0; j < x.cols(); ++j)
            for (Eigen::Index i = 0; i < l; ++i) {
                const Acc v = static_cast<Acc>(x(s + i, j));
                sq[i] += v * v;
            }
        for (Eigen::Index i = 0; i < l; ++i) {
            const Acc norm = std::sqrt(sq[i]);
            const Float_ scale = norm > 0 ? static_cast<Float_>(Acc{1} / norm) : Float_{0};
            // NaN input gives a NaN norm; `norm > 0` is false for NaN, so force NaN through.
            const Float_ factor = std::isnan(static_cast<double>(norm)) ? std::numeric_limits<Float_>::quiet_NaN() : scale;
            for (Eigen::Index j = 0; j < x.cols(); ++j) out(s + i, j) = x(s + i, j) * factor;
        }
    });
    return out;
}

namespace detail {

#if defined(C2S_DISTANCE_CBLAS)
struct BlasThreads {
    explicit BlasThreads(int n) : saved_(openblas_get_num_threads()) { openblas_set_num_threads(resolve_num_threads(n)); }
    ~BlasThreads() { openblas_set_num_threads(saved_); }
    BlasThreads(const BlasThreads&) = delete;
    BlasThreads& operator=(const BlasThreads&) = delete;
    int saved_;
};
#endif

/// `a * b^T` for column-major `a` (n×d) and `b` (m×d).
template <class Float_>
DenseMatrix<Float_> product_abt(const DenseMatrix<Float_>& a, const DenseMatrix<Float_>& b, [[maybe_unused]] int num_threads) {
    DenseMatrix<Float_> c(a.rows(), b.rows());
    if (a.rows() == 0 || b.rows() == 0) return c;
    if (a.cols() == 0) {
        c.setZero();
        return c;
    }
#if defined(C2S_DISTANCE_CBLAS)
    if constexpr (std::is_same_v<Float_, float> || std::is_same_v<Float_, double>) {
        BlasThreads threads(num_threads);
        const auto n = static_cast<blasint>(a.rows()), m = static_cast<blasint>(b.rows()), d = static_cast<blasint>(a.cols());
        if constexpr (std::is_same_v<Float_, float>)
            cblas_sgemm(CblasColMajor, CblasNoTrans, CblasTrans, n, m, d, 1.0f, a.data(), n, b.data(), m, 0.0f, c.data(), n);
        else
            cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, n, m, d, 1.0, a.data(), n, b.data(), m, 0.0, c.data(), n);
        return c;
    }
#endif
    c.noalias() = a * b.transpose();
    return c;
}

/// `a * a^T` (symmetric).
template <class Float_>
DenseMatrix<Float_> product_aat(const DenseMatrix<Float_>& a, [[maybe_unused]] int num_threads) {
    DenseMatrix<Float_> c(a.rows(), a.rows());
    if (a.rows() == 0) return c;
    if (a.cols() == 0) {
        c.setZero();
        return c;
    }
#if defined(C2S_DISTANCE_CBLAS)
    if constexpr (std::is_same_v<Float_, float> || std::is_same_v<Float_, double>) {
        BlasThreads threads(num_threads);
        const auto n = static_cast<blasint>(a.rows()), d = static_cast<blasint>(a.cols());
        if constexpr (std::is_same_v<Float_, float>)
            cblas_ssyrk(CblasColMajor, CblasUpper, CblasNoTrans, n, d, 1.0f, a.data(), n, 0.0f, c.data(), n);
        else
            cblas_dsyrk(CblasColMajor, CblasUpper, CblasNoTrans, n, d, 1.0, a.data(), n, 0.0, c.data(), n);
        c.template triangularView<Eigen::StrictlyLower>() = c.transpose();
        return c;
    }
#endif
    c.noalias() = a * a.transpose();
    return c;
}

}  // namespace detail

}  // namespace c2s::distance
