#pragma once
/// @file cross_decomposition.hpp
/// @brief CCA (optionally ridge-regularised), PLSCanonical and PLSRegression, equal to scikit-learn
/// 1.2's `CCA`, `PLSCanonical` and `PLSRegression` (`scale=True`) at convergence: scikit-learn runs
/// the NIPALS power method until the squared change of the x weights is below `tol`; here each
/// component is the power method's fixed point, computed in closed form (kernel.hpp), followed by
/// scikit-learn's sign convention (largest |x weight| positive), deflation, rotations
/// `W (P'W)^+` and coefficients `x_rotations y_loadings' * y_std`.
///
/// @see Wegelin, "A survey of Partial Least Squares (PLS) methods, with emphasis on the two-block
/// case" (2000); regularised CCA: Vinod (1976), "Canonical ridge and econometrics of joint production".

#include <Eigen/Dense>

#include <cstddef>
#include <string>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/translate/kernel.hpp"
#include "c2s/translate/standardize.hpp"

namespace c2s::translate {

struct CrossDecompositionOptions {
    /// Components to extract; more components keep more of the shared structure (and more noise).
    std::size_t n_components = 2;
    CrossDecompositionMethod method = CrossDecompositionMethod::cca;
    /// Centre and scale both blocks (ddof = 1), as scikit-learn's `scale=True`; false only centres.
    bool scale = true;
    /// CCA only: ridge added to each block's covariance, relative to the block's mean kernel
    /// eigenvalue `trace(X X') / n`. 0 is scikit-learn's CCA (needs n > p, q); larger values move
    /// CCA towards PLSCanonical and make it usable with more features than samples.
    double regularization = 0.0;
    /// Kernel eigenvalues below this times the largest are treated as zero (the pseudo-inverses
    /// of unregularised CCA).
    double rank_tolerance = 1e-12;
};

/// A fitted cross-decomposition; matrices as scikit-learn's attributes (features × components).
struct CrossDecomposition {
    CrossDecompositionMethod method = CrossDecompositionMethod::cca;
    Standardizer x_standardizer, y_standardizer;
    Eigen::MatrixXd x_weights, y_weights, x_loadings, y_loadings, x_rotations, y_rotations;
    Eigen::MatrixXd coef;          ///< X features × Y features: `predict(X) = std(X) coef + intercept`
    Eigen::RowVectorXd intercept;  ///< Y means
    Eigen::MatrixXd x_scores, y_scores;  ///< training scores
    std::size_t n_components = 0;  ///< may be below the requested number (see warnings)
    double x_regularization = 0.0, y_regularization = 0.0;  ///< absolute ridge used (CCA)
    std::vector<std::string> warnings;

    /// Scores of new X rows (scikit-learn's `transform(X)`).
    [[nodiscard]] Eigen::MatrixXd transform_x(const Eigen::Ref<const Eigen::MatrixXd>& x) const {
        return x_standardizer.apply(x) * x_rotations;
    }
    /// Scores of new Y rows (scikit-learn's `transform(X, Y)[1]`).
    [[nodiscard]] Eigen::MatrixXd transform_y(const Eigen::Ref<const Eigen::MatrixXd>& y) const {
        return y_standardizer.apply(y) * y_rotations;
    }
    /// Y predicted from X (scikit-learn's `predict`).
    [[nodiscard]] Eigen::MatrixXd predict(const Eigen::Ref<const Eigen::MatrixXd>& x) const {
        return (x_standardizer.apply(x) * coef).rowwise() + intercept;
    }
};

/**
 * @brief Fits a cross-decomposition of `x` and `y`.
 * @param x Samples × X features.
 * @param y Samples × Y features (same rows).
 */
[[nodiscard]] inline CrossDecomposition fit_cross_decomposition(const Eigen::Ref<const Eigen::MatrixXd>& x,
                                                                const Eigen::Ref<const Eigen::MatrixXd>& y,
                                                                const CrossDecompositionOptions& options = {}) {
    constexpr const char* where = "c2s::translate::fit_cross_decomposition";
    if (x.rows() != y.rows()) fail_argument(where, "'x' has ", x.rows(), " rows but 'y' has ", y.rows());
    if (x.rows() < 2) fail_argument(where, "need at least 2 samples, got ", x.rows());
    if (x.cols() < 1 || y.cols() < 1) fail_argument(where, "'x' and 'y' need at least one column each");
    const auto p = static_cast<std::size_t>(x.cols()), q = static_cast<std::size_t>(y.cols()),
               n = static_cast<std::size_t>(x.rows());
    const std::size_t bound = options.method == CrossDecompositionMethod::pls_regression ? p : std::min({n, p, q});
    if (options.n_components < 1 || options.n_components > bound)
        fail_argument(where, "'n_components' is ", options.n_components, "; it must be in [1, ", bound, "] for ",
                      to_string(options.method), " with ", n, " samples, ", p, " x features and ", q, " y features");
    if (!(options.regularization >= 0.0)) fail_argument(where, "'regularization' is ", options.regularization, "; it must be >= 0");
    CrossDecomposition m;
    m.method = options.method;
    m.x_standardizer = fit_standardizer(x, options.scale);
    m.y_standardizer = fit_standardizer(y, options.scale);
    const Eigen::MatrixXd xs = m.x_standardizer.apply(x), ys = m.y_standardizer.apply(y);
    const Eigen::MatrixXd kx = xs * xs.transpose(), ky = ys * ys.transpose();
    if (options.method == CrossDecompositionMethod::cca) {
        m.x_regularization = options.regularization * kx.trace() / static_cast<double>(n);
        m.y_regularization = options.regularization * ky.trace() / static_cast<double>(n);
    }
    auto d = kernel_decomposition(kx, ky, options.method, options.n_components, m.x_regularization, m.y_regularization,
                                  options.rank_tolerance);
    m.n_components = d.n_components;
    m.warnings = std::move(d.warnings);
    m.x_weights = xs.transpose() * d.x_coef;
    m.y_weights = ys.transpose() * d.y_coef;
    m.x_loadings = xs.transpose() * d.x_load;
    m.y_loadings = ys.transpose() * d.y_load;
    m.x_scores = d.x_scores;
    m.y_scores = d.y_scores;
    // scikit-learn's sign convention: the largest |x weight| of each component is positive.
    for (Eigen::Index c = 0; c < m.x_weights.cols(); ++c) {
        Eigen::Index at = 0;
        m.x_weights.col(c).cwiseAbs().maxCoeff(&at);
        if (m.x_weights(at, c) < 0) {
            for (auto* mat : {&m.x_weights, &m.y_weights, &m.x_loadings, &m.y_loadings, &m.x_scores, &m.y_scores}) mat->col(c) *= -1.0;
        }
    }
    m.x_rotations = m.x_weights * detail::pinv(m.x_loadings.transpose() * m.x_weights);
    m.y_rotations = m.y_weights * detail::pinv(m.y_loadings.transpose() * m.y_weights);
    m.coef = (m.x_rotations * m.y_loadings.transpose()).array().rowwise() * m.y_standardizer.scale.array();
    m.intercept = m.y_standardizer.mean;
    return m;
}

/// CCA with `n_components` components and relative ridge `regularization` (0 = scikit-learn's CCA).
[[nodiscard]] inline CrossDecomposition fit_cca(const Eigen::Ref<const Eigen::MatrixXd>& x, const Eigen::Ref<const Eigen::MatrixXd>& y,
                                                std::size_t n_components = 2, double regularization = 0.0) {
    CrossDecompositionOptions o;
    o.n_components = n_components;
    o.regularization = regularization;
    return fit_cross_decomposition(x, y, o);
}

/// PLSCanonical (or PLSRegression with `regression = true`).
[[nodiscard]] inline CrossDecomposition fit_pls(const Eigen::Ref<const Eigen::MatrixXd>& x, const Eigen::Ref<const Eigen::MatrixXd>& y,
                                                std::size_t n_components = 2, bool regression = false) {
    CrossDecompositionOptions o;
    o.n_components = n_components;
    o.method = regression ? CrossDecompositionMethod::pls_regression : CrossDecompositionMethod::pls_canonical;
    return fit_cross_decomposition(x, y, o);
}

}  // namespace c2s::translate
