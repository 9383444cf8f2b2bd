#pragma once
/// @file kernel.hpp
/// @brief The sample-space (kernel) form of the linear translators, on which both the public
/// models (ridge.hpp, cross_decomposition.hpp) and the cross-validated evaluation run.
///
/// With standardised X (n×p) and Y (n×q), every quantity of ridge, PLS and (regularised) CCA is a
/// function of the linear kernels `Kx = X X'` and `Ky = Y Y'` (n×n): the deflation of NIPALS is a
/// projection in sample space (`X_k = P_k X`), the mode-B update `(X'X + r I)^+ X'` equals
/// `X' (XX' + r I)^+`, and weights are `X' b` for a coefficient vector `b`. With n (compounds) far
/// below p and q (features, fingerprint bits) this costs O(n^3) per component instead of O(p q n).

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "c2s/core/error.hpp"

namespace c2s::translate {

/// The three cross-decompositions of scikit-learn's `_PLS` family.
enum class CrossDecompositionMethod {
    pls_canonical,   ///< `PLSCanonical`: mode A both sides, canonical deflation, unit y weights
    pls_regression,  ///< `PLSRegression`: mode A, regression deflation (Y deflated on the x scores)
    cca,             ///< `CCA`: mode B both sides, canonical deflation; optionally ridge-regularised
};

[[nodiscard]] inline const char* to_string(CrossDecompositionMethod m) noexcept {
    switch (m) {
        case CrossDecompositionMethod::pls_canonical: return "pls-canonical";
        case CrossDecompositionMethod::pls_regression: return "pls-regression";
        case CrossDecompositionMethod::cca: return "cca";
    }
    return "?";
}

/// A cross-decomposition in sample space: weights `W = X' x_coef`, `V = Y' y_coef`, loadings
/// `P = X' x_load`, `Q = Y' y_load`, rotations `W (P'W)^+ = X' x_coef x_rot`.
struct KernelDecomposition {
    Eigen::MatrixXd x_coef, y_coef;  ///< n × k
    Eigen::MatrixXd x_load, y_load;  ///< n × k
    Eigen::MatrixXd x_rot, y_rot;    ///< k × k: `(P'W)^+`, `(Q'V)^+`
    Eigen::MatrixXd x_scores, y_scores;  ///< n × k training scores (t_k, s_k of NIPALS)
    std::size_t n_components = 0;
    std::vector<std::string> warnings;
};

namespace detail {

/// Symmetric eigen-decomposition with eigenvalues below `tol * max` set to zero.
struct SymEig {
    Eigen::MatrixXd vectors;
    Eigen::VectorXd values;
};

inline SymEig sym_eig(const Eigen::MatrixXd& k, double tol) {
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(0.5 * (k + k.transpose()));
    SymEig e{es.eigenvectors(), es.eigenvalues()};
    const double top = e.values.size() ? std::max(0.0, e.values.maxCoeff()) : 0.0;
    for (Eigen::Index i = 0; i < e.values.size(); ++i)
        if (!(e.values(i) > tol * top)) e.values(i) = 0.0;
    return e;
}

inline Eigen::MatrixXd pinv(const Eigen::MatrixXd& a) {
    Eigen::CompleteOrthogonalDecomposition<Eigen::MatrixXd> cod(a);
    return cod.pseudoInverse();
}

}  // namespace detail

/**
 * @brief NIPALS cross-decomposition in sample space, at its converged fixed point.
 *
 * Each component is the dominant eigenvector of the power iteration's operator (`Kx Ky` in mode A,
 * `Hx Hy` with `H = K (K + r I)^+` in mode B), computed in closed form from a symmetric n×n
 * eigenproblem; deflation and scaling follow scikit-learn 1.2's `_PLS.fit`. Signs are arbitrary
 * here (the primal wrapper applies scikit-learn's sign convention).
 *
 * @param kx, ky  n×n kernels of the standardised blocks.
 * @param method  Which decomposition.
 * @param n_components Components to extract (stops early, with a warning, when Y's residual is zero).
 * @param rx, ry  CCA only: absolute ridge added to `X'X` and `Y'Y` (0 = scikit-learn's CCA).
 * @param rank_tolerance Eigenvalues of a kernel below this times its largest are zero (pseudo-inverse).
 */
[[nodiscard]] inline KernelDecomposition kernel_decomposition(const Eigen::MatrixXd& kx, const Eigen::MatrixXd& ky,
                                                              CrossDecompositionMethod method, std::size_t n_components,
                                                              double rx = 0.0, double ry = 0.0, double rank_tolerance = 1e-12) {
    constexpr const char* where = "c2s::translate::kernel_decomposition";
    const Eigen::Index n = kx.rows();
    if (kx.cols() != n || ky.rows() != n || ky.cols() != n)
        fail_argument(where, "kernels must be square and of one size (", kx.rows(), "x", kx.cols(), ", ", ky.rows(), "x", ky.cols(), ")");
    if (n_components < 1) fail_argument(where, "'n_components' is 0");
    if (!(rx >= 0.0) || !(ry >= 0.0)) fail_argument(where, "regularisation must be >= 0 (", rx, ", ", ry, ")");
    const bool mode_b = method == CrossDecompositionMethod::cca;
    const bool regression = method == CrossDecompositionMethod::pls_regression;
    KernelDecomposition d;
    const auto k = static_cast<Eigen::Index>(n_components);
    d.x_coef = d.y_coef = d.x_load = d.y_load = d.x_scores = d.y_scores = Eigen::MatrixXd::Zero(n, k);
    Eigen::MatrixXd px = Eigen::MatrixXd::Identity(n, n), py = px;
    const double ky_trace = ky.trace();
    Eigen::Index done = 0;
    for (Eigen::Index c = 0; c < k; ++c) {
        const Eigen::MatrixXd kxk = px * kx * px, kyk = py * ky * py;
        if (!(kyk.trace() > 1e-12 * ky_trace)) {
            d.warnings.push_back(concat("Y residual is constant at component ", c, "; ", c, " components kept"));
            break;
        }
        // Operators of the power iteration and the mode-B inverses.
        Eigen::MatrixXd hx, hy, gx, gy;
        const auto ex = detail::sym_eig(kxk, rank_tolerance), ey = detail::sym_eig(kyk, rank_tolerance);
        if (mode_b) {
            auto op = [](const detail::SymEig& e, double r, Eigen::MatrixXd& h, Eigen::MatrixXd& g) {
                Eigen::VectorXd hv(e.values.size()), gv(e.values.size());
                for (Eigen::Index i = 0; i < e.values.size(); ++i) {
                    const double l = e.values(i);
                    hv(i) = l > 0 ? l / (l + r) : 0.0;
                    gv(i) = l > 0 ? 1.0 / (l + r) : 0.0;
                }
                h = e.vectors * hv.asDiagonal() * e.vectors.transpose();
                g = e.vectors * gv.asDiagonal() * e.vectors.transpose();
            };
            op(ex, rx, hx, gx);
            op(ey, ry, hy, gy);
        } else {
            hx = kxk;
            hy = kyk;
        }
        // Dominant eigenvector t of hx * hy via the symmetric form with hy = L L'.
        Eigen::VectorXd root(ey.values.size());
        if (mode_b) {
            for (Eigen::Index i = 0; i < root.size(); ++i) {
                const double l = ey.values(i);
                root(i) = l > 0 ? std::sqrt(l / (l + ry)) : 0.0;
            }
        } else {
            for (Eigen::Index i = 0; i < root.size(); ++i) root(i) = std::sqrt(std::max(0.0, ey.values(i)));
        }
        const Eigen::MatrixXd l = ey.vectors * root.asDiagonal();
        const Eigen::MatrixXd s = l.transpose() * hx * l;
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(0.5 * (s + s.transpose()));
        const Eigen::VectorXd z = es.eigenvectors().col(n - 1);
        const Eigen::VectorXd t0 = hx * (l * z);
        const Eigen::VectorXd shat = hy * t0;
        // x weights u = X_k' a_x, unit norm.
        Eigen::VectorXd ax = mode_b ? Eigen::VectorXd(gx * shat) : shat;
        const double ux = std::sqrt(std::max(0.0, ax.dot(kxk * ax)));
        if (!(ux > 0)) {
            d.warnings.push_back(concat("X residual is zero at component ", c, "; ", c, " components kept"));
            break;
        }
        const Eigen::VectorXd bx = px * ax / ux;
        const Eigen::VectorXd t = px * (kx * bx);
        const double tt = t.dot(t);
        Eigen::VectorXd by, sc;
        if (regression) {
            by = py * t / tt;
            const double yss = by.dot(ky * by);
            sc = py * (ky * by) / yss;
        } else {
            Eigen::VectorXd ay = mode_b ? Eigen::VectorXd(gy * t) : t;
            const double uy = std::sqrt(std::max(0.0, ay.dot(kyk * ay)));
            by = py * ay / uy;
            sc = py * (ky * by);
        }
        d.x_coef.col(c) = bx;
        d.y_coef.col(c) = by;
        d.x_scores.col(c) = t;
        d.y_scores.col(c) = sc;
        d.x_load.col(c) = t / tt;
        px -= t * t.transpose() / tt;
        if (regression) {
            d.y_load.col(c) = t / tt;
            py -= t * t.transpose() / tt;
        } else {
            const double ss = sc.dot(sc);
            d.y_load.col(c) = sc / ss;
            py -= sc * sc.transpose() / ss;
        }
        done = c + 1;
    }
    d.n_components = static_cast<std::size_t>(done);
    auto keep = [&](Eigen::MatrixXd& m) { m.conservativeResize(Eigen::NoChange, done); };
    for (auto* m : {&d.x_coef, &d.y_coef, &d.x_load, &d.y_load, &d.x_scores, &d.y_scores}) keep(*m);
    d.x_rot = detail::pinv(d.x_load.transpose() * kx * d.x_coef);
    d.y_rot = detail::pinv(d.y_load.transpose() * ky * d.y_coef);
    return d;
}

/// Dual ridge: `(K + alpha I)^{-1}` applied to `rhs` (K symmetric PSD, alpha > 0).
[[nodiscard]] inline Eigen::MatrixXd kernel_ridge_solve(const Eigen::MatrixXd& k, double alpha, const Eigen::MatrixXd& rhs) {
    if (!(alpha > 0)) fail_argument("c2s::translate::kernel_ridge_solve", "'alpha' is ", alpha, "; it must be > 0");
    Eigen::MatrixXd a = k;
    a.diagonal().array() += alpha;
    Eigen::LLT<Eigen::MatrixXd> llt(a);
    if (llt.info() != Eigen::Success)
        fail_runtime("c2s::translate::kernel_ridge_solve", "K + alpha I is not positive definite (alpha = ", alpha, ")");
    return llt.solve(rhs);
}

}  // namespace c2s::translate
