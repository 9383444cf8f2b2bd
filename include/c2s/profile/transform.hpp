#pragma once
/// @file transform.hpp
/// @brief Element-wise feature transforms: the generalised log (glog), as used to tame heavy tails
/// of normalised morphological features before profiles are averaged and compared.
///
/// glog(x; c) = asinh(x / c) = ln(x / c + sqrt((x / c)^2 + 1)). It is linear near 0 (slope 1/c) and
/// logarithmic for |x| >> c, odd, and defined for negative values. Up to the constant ln(c) it is the
/// generalised log of Durbin et al. (2002) / Huber et al. (2002), ln(x + sqrt(x^2 + c^2)). Applied
/// after a z-score against the controls (c = 1: one control standard deviation), values within a few
/// control sds are nearly unchanged while extreme ones are compressed logarithmically.
/// NaN stays NaN (a later `drop_na_columns` decides about such columns).
/// @see Durbin BP et al. (2002) Bioinformatics 18:S105; Huber W et al. (2002) Bioinformatics 18:S96.

#include <Eigen/Dense>

#include <cmath>

#include "c2s/core/error.hpp"
#include "c2s/io/table.hpp"

namespace c2s::profile {

struct GlogOptions {
    /// c: the scale below which the transform is linear (> 0, finite). On z-scored data, 1 = one
    /// control standard deviation.
    double scale = 1.0;
};

/// glog(x; c) = asinh(x / c) element-wise; see the file comment.
[[nodiscard]] inline Eigen::MatrixXd generalized_log(const Eigen::Ref<const Eigen::MatrixXd>& x, const GlogOptions& o = {}) {
    if (!(o.scale > 0) || !std::isfinite(o.scale))
        fail_argument("c2s::profile::generalized_log", "'scale' is ", o.scale, "; expected a finite value > 0");
    return x.unaryExpr([c = o.scale](double v) { return std::asinh(v / c); });
}

/// `generalized_log` on a table's features; names and metadata are kept.
[[nodiscard]] inline io::Table generalized_log_table(const io::Table& table, const GlogOptions& o = {}) {
    io::Table out = table;
    out.features = generalized_log(table.features, o);
    return out;
}

}  // namespace c2s::profile
