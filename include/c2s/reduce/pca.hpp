#pragma once
/// @file pca.hpp
/// @brief Principal component analysis: exact (thin SVD) and randomised (Halko et al.), numerically
/// matching scikit-learn's `PCA` (`svd_solver="full"` / `"randomized"`).
///
/// @see N. Halko, P.-G. Martinsson, J. A. Tropp (2011). Finding structure with randomness:
///      probabilistic algorithms for constructing approximate matrix decompositions. SIAM Review 53(2).
///
/// What follows scikit-learn 1.2:
/// - the data are centred by the column means; `explained_variance = s^2 / (n - 1)`, the ratio divides
///   by the total variance of all columns (ddof 1), so randomised ratios are comparable with exact ones;
/// - signs follow `svd_flip(U, Vt)` with `u_based_decision=True`: in each column of U the entry of
///   largest absolute value (the first such) is positive;
/// - the randomised solver draws a Gaussian test matrix with `num_components + oversamples` columns
///   (default 10) and runs `power_iterations` (default: 7 if num_components < 0.1 min(n, p), else 4)
///   with QR re-orthonormalisation (scikit-learn normalises with LU; the subspace is the same);
/// - `PcaSolver::automatic` picks exact when max(n, p) <= 500 or num_components >= 0.8 min(n, p),
///   randomised otherwise (scikit-learn's "auto" rule).
/// The random test matrix comes from `c2s::reduce::Random`, so randomised components agree with
/// scikit-learn's only as far as both approximate the exact ones. Results depend on the seed only
/// (not on the number of threads: Eigen runs single-threaded here).

#include <Eigen/Dense>
#include <Eigen/SVD>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/core/progress.hpp"
#include "c2s/reduce/common.hpp"

namespace c2s::reduce {

enum class PcaSolver {
    automatic,  ///< scikit-learn's "auto" rule (see the file comment)
    exact,      ///< thin SVD of the centred matrix (Eigen::BDCSVD)
    randomized  ///< Halko et al. range finder + SVD of the small projected matrix
};

struct PcaOptions {
    /// Number of components kept (at most min(rows, columns)).
    std::size_t num_components = 2;
    /// Which solver; see `PcaSolver`.
    PcaSolver solver = PcaSolver::automatic;
    /// Extra random directions of the randomised solver; larger = more accurate, slower.
    std::size_t oversamples = 10;
    /// Power iterations of the randomised solver (unset: 7 if num_components < 0.1 min(n, p), else 4);
    /// more iterations sharpen the spectrum, so slowly decaying spectra are resolved better.
    std::optional<int> power_iterations;
    /// Seed of the randomised solver's test matrix.
    std::uint64_t seed = 0;
    /// Optional progress reporting / interruption.
    Progress* progress = nullptr;
};

/// A fitted PCA; `transform` applies it to new samples.
struct PcaModel {
    Eigen::VectorXd mean;                      ///< column means of the training data (p)
    Eigen::MatrixXd components;                ///< k x p, rows are unit principal axes
    Eigen::VectorXd singular_values;           ///< k
    Eigen::VectorXd explained_variance;        ///< k, s^2 / (n - 1)
    Eigen::VectorXd explained_variance_ratio;  ///< k, explained_variance / total_variance
    double total_variance = 0.0;               ///< sum of the column variances (ddof 1)
    std::size_t num_samples = 0;

    /// Projects samples (rows of `x`, p columns) onto the components: (x - mean) * components^T.
    [[nodiscard]] Eigen::MatrixXd transform(const Eigen::Ref<const Eigen::MatrixXd>& x) const {
        if (x.cols() != mean.size())
            fail_argument("c2s::reduce::PcaModel::transform", "'x' has ", x.cols(), " columns but the model was fitted on ",
                          mean.size());
        detail::check_finite("c2s::reduce::PcaModel::transform", x);
        return (x.rowwise() - mean.transpose()) * components.transpose();
    }
};

struct PcaResults {
    PcaModel model;
    Eigen::MatrixXd embedding;  ///< n x k: the training samples projected (U * S)
    PcaSolver solver_used = PcaSolver::exact;
    std::vector<std::string> warnings;
};

namespace detail {

/// scikit-learn's svd_flip with u_based_decision=True on the first k columns of U / rows of Vt.
inline void svd_flip_u(Eigen::MatrixXd& u, Eigen::MatrixXd& vt) {
    for (Eigen::Index j = 0; j < u.cols(); ++j) {
        Eigen::Index arg = 0;
        double best = -1.0;
        for (Eigen::Index i = 0; i < u.rows(); ++i)
            if (std::abs(u(i, j)) > best) {
                best = std::abs(u(i, j));
                arg = i;
            }
        if (u(arg, j) < 0) {
            u.col(j) *= -1.0;
            vt.row(j) *= -1.0;
        }
    }
}

/// Orthonormal basis of the columns of `y` (thin Householder QR).
inline Eigen::MatrixXd orthonormal_basis(const Eigen::MatrixXd& y) {
    Eigen::HouseholderQR<Eigen::MatrixXd> qr(y);
    return qr.householderQ() * Eigen::MatrixXd::Identity(y.rows(), y.cols());
}

}  // namespace detail

/**
 * @brief Fits a PCA to `x` (samples x features) and projects it.
 * @param x       n x p data, n >= 2, finite.
 * @param options See `PcaOptions`.
 */
[[nodiscard]] inline PcaResults pca(const Eigen::Ref<const Eigen::MatrixXd>& x, const PcaOptions& options = {}) {
    constexpr const char* where = "c2s::reduce::pca";
    if (x.cols() < 1) fail_argument(where, "'x' has no columns");
    if (x.rows() < 2) fail_argument(where, "'x' has ", x.rows(), " rows; at least 2 are needed");
    const auto n = static_cast<std::size_t>(x.rows()), p = static_cast<std::size_t>(x.cols());
    const std::size_t k = options.num_components;
    if (k < 1 || k > std::min(n, p))
        fail_argument(where, "'num_components' is ", k, " but must be between 1 and min(rows, columns) = ", std::min(n, p));
    detail::check_finite(where, x);

    PcaResults r;
    PcaSolver solver = options.solver;
    if (solver == PcaSolver::automatic)
        solver = (std::max(n, p) <= 500 || static_cast<double>(k) >= 0.8 * static_cast<double>(std::min(n, p)))
                     ? PcaSolver::exact
                     : PcaSolver::randomized;
    r.solver_used = solver;
    r.model.num_samples = n;
    r.model.mean = x.colwise().mean().transpose();
    const Eigen::MatrixXd centred = x.rowwise() - r.model.mean.transpose();
    const double dof = static_cast<double>(n - 1);
    r.model.total_variance = centred.squaredNorm() / dof;
    if (options.progress) options.progress->check_interrupt(where);

    Eigen::MatrixXd u, vt;
    Eigen::VectorXd s;
    if (solver == PcaSolver::exact) {
        Eigen::BDCSVD<Eigen::MatrixXd> svd(centred, Eigen::ComputeThinU | Eigen::ComputeThinV);
        u = svd.matrixU();
        vt = svd.matrixV().transpose();
        s = svd.singularValues();
    } else {
        const std::size_t l = std::min(k + options.oversamples, std::min(n, p));
        const int iterations = options.power_iterations.value_or(
            static_cast<double>(k) < 0.1 * static_cast<double>(std::min(n, p)) ? 7 : 4);
        if (iterations < 0) fail_argument(where, "'power_iterations' is ", iterations, " but must be >= 0");
        Random rng(options.seed);
        Eigen::MatrixXd omega(static_cast<Eigen::Index>(p), static_cast<Eigen::Index>(l));
        for (Eigen::Index j = 0; j < omega.cols(); ++j)
            for (Eigen::Index i = 0; i < omega.rows(); ++i) omega(i, j) = rng.normal();
        Eigen::MatrixXd q = detail::orthonormal_basis(centred * omega);
        for (int it = 0; it < iterations; ++it) {
            if (options.progress) {
                options.progress->check_interrupt(where);
                options.progress->report(static_cast<std::size_t>(it), static_cast<std::size_t>(iterations),
                                         "pca power iterations");
            }
            const Eigen::MatrixXd z = detail::orthonormal_basis(centred.transpose() * q);
            q = detail::orthonormal_basis(centred * z);
        }
        const Eigen::MatrixXd b = q.transpose() * centred;  // l x p
        Eigen::BDCSVD<Eigen::MatrixXd> svd(b, Eigen::ComputeThinU | Eigen::ComputeThinV);
        u = q * svd.matrixU();
        vt = svd.matrixV().transpose();
        s = svd.singularValues();
    }
    const auto K = static_cast<Eigen::Index>(k);
    Eigen::MatrixXd uk = u.leftCols(K), vk = vt.topRows(K);
    detail::svd_flip_u(uk, vk);
    r.model.components = vk;
    r.model.singular_values = s.head(K);
    r.model.explained_variance = r.model.singular_values.array().square() / dof;
    r.model.explained_variance_ratio = r.model.total_variance > 0
                                           ? Eigen::VectorXd(r.model.explained_variance / r.model.total_variance)
                                           : Eigen::VectorXd::Zero(K);
    if (r.model.total_variance <= 0) r.warnings.push_back("all columns of 'x' are constant: every component explains 0 variance");
    r.embedding = uk * r.model.singular_values.asDiagonal();
    return r;
}

}  // namespace c2s::reduce
