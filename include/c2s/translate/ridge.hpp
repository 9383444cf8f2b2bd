#pragma once
/// @file ridge.hpp
/// @brief Multi-output ridge regression in closed form, equal to `sklearn.linear_model.Ridge(alpha,
/// fit_intercept=True)`: `B = argmin ||Yc - Xc B||^2 + alpha ||B||^2` on centred X and Y, intercept
/// `mean(Y) - mean(X) B`. Solved in the primal (p×p) or dual (n×n) form, whichever is smaller; both
/// are the same closed form.

#include <Eigen/Dense>

#include "c2s/core/error.hpp"

namespace c2s::translate {

struct RidgeOptions {
    /// L2 penalty (> 0 unless the design has full column rank); a larger value shrinks the
    /// coefficients towards zero (predictions towards the training mean).
    double alpha = 1.0;
    /// Centre X and Y (sklearn's fit_intercept); when false the model has no intercept.
    bool fit_intercept = true;
};

struct RidgeModel {
    Eigen::MatrixXd coef;          ///< features × targets (sklearn's `coef_.T`)
    Eigen::RowVectorXd intercept;  ///< one per target
    double alpha = 0.0;

    /// Predictions for the rows of `x`.
    [[nodiscard]] Eigen::MatrixXd predict(const Eigen::Ref<const Eigen::MatrixXd>& x) const {
        if (x.cols() != coef.rows())
            fail_argument("c2s::translate::RidgeModel::predict", "'x' has ", x.cols(), " columns but the model has ", coef.rows(),
                          " features");
        return (x * coef).rowwise() + intercept;
    }
};

/**
 * @brief Fits ridge regression of `y` on `x`.
 * @param x Samples × features.
 * @param y Samples × targets (same rows).
 */
[[nodiscard]] inline RidgeModel fit_ridge(const Eigen::Ref<const Eigen::MatrixXd>& x, const Eigen::Ref<const Eigen::MatrixXd>& y,
                                          const RidgeOptions& options = {}) {
    constexpr const char* where = "c2s::translate::fit_ridge";
    if (x.rows() != y.rows()) fail_argument(where, "'x' has ", x.rows(), " rows but 'y' has ", y.rows());
    if (x.rows() < 1 || x.cols() < 1 || y.cols() < 1)
        fail_argument(where, "empty input (", x.rows(), " x ", x.cols(), " and ", y.rows(), " x ", y.cols(), ")");
    if (!(options.alpha >= 0.0)) fail_argument(where, "'alpha' is ", options.alpha, "; it must be >= 0");
    RidgeModel m;
    m.alpha = options.alpha;
    Eigen::RowVectorXd xm = Eigen::RowVectorXd::Zero(x.cols()), ym = Eigen::RowVectorXd::Zero(y.cols());
    if (options.fit_intercept) {
        xm = x.colwise().mean();
        ym = y.colwise().mean();
    }
    const Eigen::MatrixXd xc = x.rowwise() - xm, yc = y.rowwise() - ym;
    if (x.cols() <= x.rows()) {
        Eigen::MatrixXd a = xc.transpose() * xc;
        a.diagonal().array() += options.alpha;
        Eigen::LDLT<Eigen::MatrixXd> ldlt(a);
        if (ldlt.info() != Eigen::Success || !ldlt.isPositive())
            fail_runtime(where, "X'X + alpha I is singular (alpha = ", options.alpha, "); use alpha > 0");
        m.coef = ldlt.solve(xc.transpose() * yc);
    } else {
        Eigen::MatrixXd k = xc * xc.transpose();
        k.diagonal().array() += options.alpha;
        Eigen::LDLT<Eigen::MatrixXd> ldlt(k);
        if (ldlt.info() != Eigen::Success || !ldlt.isPositive() || options.alpha == 0.0)
            fail_runtime(where, "XX' + alpha I is singular (alpha = ", options.alpha, ", ", x.cols(), " features > ", x.rows(),
                         " samples); use alpha > 0");
        m.coef = xc.transpose() * ldlt.solve(yc);
    }
    m.intercept = ym - xm * m.coef;
    return m;
}

}  // namespace c2s::translate
