#pragma once
/// @file matrix.hpp
/// @brief Similarity matrices: Tanimoto / Dice / cosine on fingerprints, cosine on dense rows.
///
/// - `tanimoto_similarity_matrix(a)` (N×N), `(a, b)` (N×M, entry (i, j) = sim(a_i, b_j)), float32.
/// - `bit_similarity_matrix(a, b, metric)` for any `BitMetric`; `condensed_bit_similarity(a, metric)`
///   gives the strict upper triangle in `scipy.spatial.distance.pdist` order.
/// - `cosine_similarity_matrix(a)` / `(a, b)`: rows are samples; zero rows give 0 (cosine.hpp).
///
/// Conventions are in bits.hpp (two empty fingerprints: Tanimoto 1, Dice 0, cosine 0 — RDKit's).
/// Fingerprint lengths must match (else `std::invalid_argument` naming both lengths).
/// Tiled traversal and the `.npy` writer are in tiles.hpp, top-k and threshold search in search.hpp.

#include <Eigen/Dense>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/core/fingerprints.hpp"
#include "c2s/core/parallelize.hpp"
#include "c2s/distance/bits.hpp"
#include "c2s/distance/cosine.hpp"
#include "c2s/distance/engine.hpp"

namespace c2s::distance {

namespace detail {

/// Queries per block and library rows per chunk: a block of queries sweeps one chunk of the library
/// (whose sliced tiles then stay in L2) before moving to the next chunk.
inline constexpr std::size_t query_block = 256;
inline constexpr std::size_t library_chunk = 8 * SlicedFingerprints::tile_rows;

/// out[q * ld + c] = sim(query q, library c) for queries [0, nq) of `queries` and all library rows.
inline void fill_rows(const BitEngine& engine, const FingerprintSet& queries, float* out, std::size_t ld,
                      int num_threads) {
    const std::size_t nq = queries.size(), nl = engine.library().size();
    parallelize(num_threads, nq, [&](int, std::size_t start, std::size_t length) {
        BitScratch scratch;
        for (std::size_t q0 = start; q0 < start + length; q0 += query_block) {
            const std::size_t q1 = std::min(start + length, q0 + query_block);
            for (std::size_t c0 = 0; c0 < nl; c0 += library_chunk) {
                const std::size_t c1 = std::min(nl, c0 + library_chunk);
                for (std::size_t q = q0; q < q1; ++q)
                    engine.compute(queries.row_data(q), queries.popcount(q), c0, c1, out + q * ld + c0, scratch);
            }
        }
    });
}

}  // namespace detail

/**
 * @brief Similarity of every row of `a` with every row of `b` (|a| × |b|, float32).
 * @param a, b    Fingerprints of equal length.
 * @param metric  Tanimoto, Dice, cosine or intersection count (bits.hpp).
 * @param options Threads and kernel.
 */
[[nodiscard]] inline Eigen::MatrixXf bit_similarity_matrix(const FingerprintSet& a, const FingerprintSet& b, BitMetric metric,
                                                           const MatrixOptions& options = {}) {
    constexpr const char* where = "c2s::distance::bit_similarity_matrix";
    detail::check_same_bits(where, a, b);
    Eigen::MatrixXf out(static_cast<Eigen::Index>(a.size()), static_cast<Eigen::Index>(b.size()));
    if (a.size() == 0 || b.size() == 0) return out;
    detail::advise_huge_pages(out.data(), static_cast<std::size_t>(out.size()) * sizeof(float));
    // Column-major: column j (query b_j) is contiguous over the rows of `a` (the library).
    const BitEngine engine(a, metric, options.kernel, where);
    detail::fill_rows(engine, b, out.data(), a.size(), options.num_threads);
    return out;
}

/**
 * @brief Like `bit_similarity_matrix(a, b, metric)` but writes into `out`, which must already be
 * |a| × |b| (column-major): no allocation, so repeated calls skip the page faults of a fresh matrix.
 */
inline void bit_similarity_matrix_into(const FingerprintSet& a, const FingerprintSet& b, BitMetric metric,
                                       Eigen::Ref<Eigen::MatrixXf> out, const MatrixOptions& options = {}) {
    constexpr const char* where = "c2s::distance::bit_similarity_matrix_into";
    detail::check_same_bits(where, a, b);
    if (out.rows() != static_cast<Eigen::Index>(a.size()) || out.cols() != static_cast<Eigen::Index>(b.size()))
        fail_argument(where, "'out' is ", out.rows(), " x ", out.cols(), " but 'a' and 'b' need ", a.size(), " x ", b.size());
    if (out.outerStride() != out.rows())
        fail_argument(where, "'out' must be contiguous (outer stride ", out.outerStride(), ", rows ", out.rows(), ")");
    if (a.size() == 0 || b.size() == 0) return;
    const BitEngine engine(a, metric, options.kernel, where);
    detail::fill_rows(engine, b, out.data(), a.size(), options.num_threads);
}

/// Similarity of every pair of rows of `a` (N × N, symmetric).
[[nodiscard]] inline Eigen::MatrixXf bit_similarity_matrix(const FingerprintSet& a, BitMetric metric,
                                                           const MatrixOptions& options = {}) {
    constexpr const char* where = "c2s::distance::bit_similarity_matrix";
    detail::check_bits(where, a);
    Eigen::MatrixXf out(static_cast<Eigen::Index>(a.size()), static_cast<Eigen::Index>(a.size()));
    if (a.size() == 0) return out;
    detail::advise_huge_pages(out.data(), static_cast<std::size_t>(out.size()) * sizeof(float));
    const BitEngine engine(a, metric, options.kernel, where);
    detail::fill_rows(engine, a, out.data(), a.size(), options.num_threads);
    return out;
}

/// Tanimoto similarity matrix of the rows of `a` (N × N, float32; two empty fingerprints give 1).
[[nodiscard]] inline Eigen::MatrixXf tanimoto_similarity_matrix(const FingerprintSet& a, const MatrixOptions& options = {}) {
    return bit_similarity_matrix(a, BitMetric::tanimoto, options);
}
/// Tanimoto similarity of each row of `a` with each row of `b` (|a| × |b|, float32).
[[nodiscard]] inline Eigen::MatrixXf tanimoto_similarity_matrix(const FingerprintSet& a, const FingerprintSet& b,
                                                                const MatrixOptions& options = {}) {
    return bit_similarity_matrix(a, b, BitMetric::tanimoto, options);
}
/// Dice similarity matrices (two empty fingerprints give 0).
[[nodiscard]] inline Eigen::MatrixXf dice_similarity_matrix(const FingerprintSet& a, const MatrixOptions& options = {}) {
    return bit_similarity_matrix(a, BitMetric::dice, options);
}
[[nodiscard]] inline Eigen::MatrixXf dice_similarity_matrix(const FingerprintSet& a, const FingerprintSet& b,
                                                            const MatrixOptions& options = {}) {
    return bit_similarity_matrix(a, b, BitMetric::dice, options);
}

/// Index of pair (i, j), i < j, in a condensed matrix of `n` rows (scipy `pdist` order).
[[nodiscard]] constexpr std::size_t condensed_index(std::size_t n, std::size_t i, std::size_t j) noexcept {
    return n * i - i * (i + 1) / 2 + (j - i - 1);
}

/**
 * @brief The strict upper triangle of the similarity matrix of `a`, row by row (`pdist` order:
 * (0,1), (0,2), …, (0,N-1), (1,2), …), N(N-1)/2 values.
 *
 * Work is balanced over threads by pairing row `k` with row `N-1-k`.
 */
[[nodiscard]] inline std::vector<float> condensed_bit_similarity(const FingerprintSet& a, BitMetric metric,
                                                                 const MatrixOptions& options = {}) {
    constexpr const char* where = "c2s::distance::condensed_bit_similarity";
    detail::check_bits(where, a);
    const std::size_t n = a.size();
    std::vector<float> out(n < 2 ? 0 : n * (n - 1) / 2);
    if (n < 2) return out;
    const BitEngine engine(a, metric, options.kernel, where);
    const std::size_t pairs = (n + 1) / 2;
    parallelize(options.num_threads, pairs, [&](int, std::size_t start, std::size_t length) {
        BitScratch scratch;
        for (std::size_t k = start; k < start + length; ++k) {
            const std::size_t rows[2] = {k, n - 1 - k};
            for (std::size_t r = 0; r < (rows[0] == rows[1] ? 1 : 2); ++r) {
                const std::size_t i = rows[r];
                if (i + 1 < n)
                    engine.compute(a.row_data(i), a.popcount(i), i + 1, n, out.data() + condensed_index(n, i, i + 1), scratch);
            }
        }
    });
    return out;
}

/// Cosine similarity of every pair of rows of `a` (rows = samples). Zero rows give 0.
template <class Float_>
[[nodiscard]] Eigen::Matrix<Float_, Eigen::Dynamic, Eigen::Dynamic> cosine_similarity_matrix(
    const Eigen::Matrix<Float_, Eigen::Dynamic, Eigen::Dynamic>& a, const MatrixOptions& options = {}) {
    static_assert(std::is_floating_point_v<Float_>, "c2s::distance::cosine_similarity_matrix needs float or double");
    const auto an = normalize_rows<Float_>(a, options.num_threads);
    return detail::product_aat<Float_>(an, options.num_threads);
}

/// Cosine similarity of each row of `a` with each row of `b` (|a| × |b|). Column counts must match.
template <class Float_>
[[nodiscard]] Eigen::Matrix<Float_, Eigen::Dynamic, Eigen::Dynamic> cosine_similarity_matrix(
    const Eigen::Matrix<Float_, Eigen::Dynamic, Eigen::Dynamic>& a,
    const Eigen::Matrix<Float_, Eigen::Dynamic, Eigen::Dynamic>& b, const MatrixOptions& options = {}) {
    static_assert(std::is_floating_point_v<Float_>, "c2s::distance::cosine_similarity_matrix needs float or double");
    if (a.cols() != b.cols())
        fail_argument("c2s::distance::cosine_similarity_matrix", "'a' has ", a.cols(), " columns but 'b' has ", b.cols(),
                      " (rows are samples; the feature counts must match)");
    const auto an = normalize_rows<Float_>(a, options.num_threads);
    const auto bn = normalize_rows<Float_>(b, options.num_threads);
    return detail::product_abt<Float_>(an, bn, options.num_threads);
}

}  // namespace c2s::distance
