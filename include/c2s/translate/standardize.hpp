#pragma once
/// @file standardize.hpp
/// @brief Column centring and scaling fitted on training rows and applied to new rows, with
/// scikit-learn's conventions for cross-decomposition (`_center_scale_xy`): standard deviation with
/// ddof = 1, a zero standard deviation replaced by 1 (the column is centred only).

#include <Eigen/Dense>

#include <cmath>

#include "c2s/core/error.hpp"

namespace c2s::translate {

/// A fitted column centring / scaling.
struct Standardizer {
    Eigen::RowVectorXd mean;   ///< column means of the training rows
    Eigen::RowVectorXd scale;  ///< column standard deviations (ddof = 1; 1 where zero or not scaling)

    [[nodiscard]] Eigen::Index cols() const noexcept { return mean.size(); }

    /// `(x - mean) / scale`, row by row.
    [[nodiscard]] Eigen::MatrixXd apply(const Eigen::Ref<const Eigen::MatrixXd>& x) const {
        if (x.cols() != mean.size())
            fail_argument("c2s::translate::Standardizer::apply", "'x' has ", x.cols(), " columns but the standardizer was fitted on ",
                          mean.size());
        return (x.rowwise() - mean).array().rowwise() / scale.array();
    }
    /// The inverse: `z * scale + mean`.
    [[nodiscard]] Eigen::MatrixXd invert(const Eigen::Ref<const Eigen::MatrixXd>& z) const {
        if (z.cols() != mean.size())
            fail_argument("c2s::translate::Standardizer::invert", "'z' has ", z.cols(), " columns but the standardizer was fitted on ",
                          mean.size());
        return (z.array().rowwise() * scale.array()).matrix().rowwise() + mean;
    }
};

/**
 * @brief Fits a standardizer on the rows of `x`.
 * @param x     Samples × features (at least 2 rows when `scale`).
 * @param scale When false only centres (scale = 1).
 */
[[nodiscard]] inline Standardizer fit_standardizer(const Eigen::Ref<const Eigen::MatrixXd>& x, bool scale = true) {
    if (x.rows() < 1) fail_argument("c2s::translate::fit_standardizer", "'x' has no rows");
    Standardizer s;
    s.mean = x.colwise().mean();
    s.scale = Eigen::RowVectorXd::Ones(x.cols());
    if (scale) {
        if (x.rows() < 2) fail_argument("c2s::translate::fit_standardizer", "'x' has 1 row; scaling needs at least 2");
        for (Eigen::Index j = 0; j < x.cols(); ++j) {
            const double ss = (x.col(j).array() - s.mean(j)).square().sum();
            const double sd = std::sqrt(ss / static_cast<double>(x.rows() - 1));
            s.scale(j) = sd == 0.0 ? 1.0 : sd;
        }
    }
    return s;
}

}  // namespace c2s::translate
