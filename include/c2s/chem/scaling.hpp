#pragma once
/// @file scaling.hpp
/// @brief Explicit handling of missing (NaN / non-finite) descriptor values, then min-max or
/// z-score scaling, column by column.
///
/// The founding study filled missing descriptors with -999 before scaling, which turns one
/// uncomputable value into an extreme outlier; here the caller chooses: drop the columns that hold
/// any non-finite value (default), impute the column median, or fail naming the compound and
/// descriptor. Constant columns scale to 0 (as scikit-learn's MinMaxScaler and StandardScaler do)
/// or can be dropped. Needs no RDKit.

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "c2s/core/error.hpp"

namespace c2s::chem {

enum class MissingValues {
    drop_columns,   ///< drop every descriptor with a non-finite value for any compound
    impute_median,  ///< replace non-finite values by the median of the column's finite values
    fail,           ///< throw, naming the first compound and descriptor
};
enum class Scaling {
    min_max,  ///< (x - min) / (max - min) -> [0, 1]  (scikit-learn MinMaxScaler)
    z_score,  ///< (x - mean) / sd, population sd      (scikit-learn StandardScaler)
    none,
};

struct ScalingOptions {
    Scaling method = Scaling::min_max;
    MissingValues missing = MissingValues::drop_columns;
    /// Also drop columns that are constant after the missing-value step (they carry no information
    /// and scale to 0 otherwise).
    bool drop_constant = false;
};

/// Parses "minmax"/"min-max", "zscore"/"z-score", "none".
[[nodiscard]] inline Scaling parse_scaling(std::string_view s) {
    if (s == "minmax" || s == "min-max" || s == "min_max") return Scaling::min_max;
    if (s == "zscore" || s == "z-score" || s == "z_score") return Scaling::z_score;
    if (s == "none") return Scaling::none;
    fail_argument("c2s::chem::parse_scaling", "'", s, "' is not 'minmax', 'zscore' or 'none'");
}
/// Parses "drop", "median", "fail".
[[nodiscard]] inline MissingValues parse_missing_values(std::string_view s) {
    if (s == "drop") return MissingValues::drop_columns;
    if (s == "median") return MissingValues::impute_median;
    if (s == "fail") return MissingValues::fail;
    fail_argument("c2s::chem::parse_missing_values", "'", s, "' is not 'drop', 'median' or 'fail'");
}

struct ScaledDescriptors {
    std::vector<std::string> ids;
    std::vector<std::string> names;  ///< kept columns
    Eigen::MatrixXd values;          ///< ids.size() x names.size()
    /// Per kept column: value = (x - center) / scale (so new compounds can be scaled alike).
    Eigen::VectorXd center, scale;
    /// Dropped columns with the reason ("BCUT2D_MWHI: 3 non-finite values (cisplatin, ...)").
    std::vector<std::string> dropped;
    /// Imputations made ("MaxPartialCharge: 2 values set to the median 0.25 (cisplatin, carboplatin)").
    std::vector<std::string> imputed;
};

/// Handles missing values as `options.missing` says, then scales each column.
/// @param values ids.size() x names.size()
[[nodiscard]] inline ScaledDescriptors scale_descriptors(const std::vector<std::string>& ids,
                                                         const std::vector<std::string>& names,
                                                         const Eigen::MatrixXd& values,
                                                         const ScalingOptions& options = {}) {
    static constexpr const char* where = "c2s::chem::scale_descriptors";
    if (static_cast<std::size_t>(values.rows()) != ids.size() || static_cast<std::size_t>(values.cols()) != names.size())
        fail_argument(where, "'values' is ", values.rows(), " x ", values.cols(), " but there are ", ids.size(),
                      " ids and ", names.size(), " names");
    if (ids.empty()) fail_argument(where, "'values' has no rows");
    ScaledDescriptors out;
    out.ids = ids;
    std::vector<Eigen::VectorXd> columns;
    std::vector<double> centers, scales;
    for (Eigen::Index j = 0; j < values.cols(); ++j) {
        Eigen::VectorXd col = values.col(j);
        const auto& name = names[static_cast<std::size_t>(j)];
        std::vector<std::size_t> bad;
        std::vector<double> finite;
        for (Eigen::Index i = 0; i < col.size(); ++i)
            (std::isfinite(col(i)) ? (void)finite.push_back(col(i)) : (void)bad.push_back(static_cast<std::size_t>(i)));
        if (!bad.empty()) {
            std::string who;
            for (std::size_t k = 0; k < bad.size(); ++k) who += (k ? ", " : "") + ids[bad[k]];
            if (options.missing == MissingValues::fail)
                fail_runtime(where, "descriptor '", name, "' is ", col(static_cast<Eigen::Index>(bad[0])),
                             " for compound '", ids[bad[0]], "' (", bad.size(),
                             " non-finite value(s) in the column); choose missing = drop_columns or impute_median");
            if (options.missing == MissingValues::drop_columns || finite.empty()) {
                out.dropped.push_back(concat(name, ": ", bad.size(), " non-finite value(s) (", who, ")"));
                continue;
            }
            std::sort(finite.begin(), finite.end());
            const std::size_t m = finite.size();
            const double median = m % 2 ? finite[m / 2] : 0.5 * (finite[m / 2 - 1] + finite[m / 2]);
            for (auto i : bad) col(static_cast<Eigen::Index>(i)) = median;
            out.imputed.push_back(concat(name, ": ", bad.size(), " value(s) set to the median ", median, " (", who, ")"));
        }
        const double lo = col.minCoeff(), hi = col.maxCoeff();
        if (options.drop_constant && lo == hi) {
            out.dropped.push_back(concat(name, ": constant (", lo, ")"));
            continue;
        }
        double center = 0, scale = 1;
        if (options.method == Scaling::min_max) {
            center = lo;
            scale = hi - lo;
        } else if (options.method == Scaling::z_score) {
            center = col.mean();
            scale = std::sqrt((col.array() - center).square().mean());
        }
        if (scale == 0 || !std::isfinite(scale)) scale = 1;
        centers.push_back(center);
        scales.push_back(scale);
        columns.push_back((col.array() - center) / scale);
        out.names.push_back(name);
    }
    out.values.resize(values.rows(), static_cast<Eigen::Index>(columns.size()));
    for (std::size_t j = 0; j < columns.size(); ++j) out.values.col(static_cast<Eigen::Index>(j)) = columns[j];
    out.center = Eigen::Map<const Eigen::VectorXd>(centers.data(), static_cast<Eigen::Index>(centers.size()));
    out.scale = Eigen::Map<const Eigen::VectorXd>(scales.data(), static_cast<Eigen::Index>(scales.size()));
    return out;
}

}  // namespace c2s::chem
