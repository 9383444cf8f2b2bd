#pragma once
/// @file normalize.hpp
/// @brief Normalisation fitted on a reference subset (usually the DMSO wells of each plate):
/// standardize, robustize (median/IQR), MAD-robustize, and PCA/ZCA sphering.
///
/// Definitions follow pycytominer (`pycytominer.operations.transform`, `normalize`) and cytominer:
/// - standardize:   (x - mean_ref) / sd_ref, sd with `ddof` (1 = R's sd as cytominer, 0 = sklearn's
///   StandardScaler as pycytominer);
/// - robustize:     (x - median_ref) / IQR_ref (sklearn RobustScaler, quantiles 25 and 75, linear);
/// - mad_robustize: (x - median_ref) / (1.4826 * MAD_ref + epsilon) (pycytominer RobustMAD);
/// - spherize_pca / spherize_zca: (x - mean_ref) W^T with C = cov(ref) = U diag(s) U^T and
///   W = diag(1/sqrt(s + epsilon)) U^T (PCA) or U diag(1/sqrt(s + epsilon)) U^T (ZCA), as pycytominer's
///   Spherize; `epsilon` is the regulariser: a larger one whitens less.
/// Each stratum (plate) is fitted on its own reference rows and transforms its own rows.
/// @see Way GP et al. (2022) pycytominer; Bray MA et al. (2016) Nat Protoc 11:1757 (cytominer).

#include <Eigen/Dense>

#include <optional>
#include <string>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/io/table.hpp"
#include "c2s/profile/groups.hpp"

namespace c2s::profile {

enum class NormalizeMethod { standardize, robustize, mad_robustize, spherize_pca, spherize_zca };

[[nodiscard]] inline const char* to_string(NormalizeMethod m) noexcept {
    switch (m) {
        case NormalizeMethod::standardize: return "standardize";
        case NormalizeMethod::robustize: return "robustize";
        case NormalizeMethod::mad_robustize: return "mad_robustize";
        case NormalizeMethod::spherize_pca: return "spherize_pca";
        case NormalizeMethod::spherize_zca: return "spherize_zca";
    }
    return "?";
}
[[nodiscard]] inline NormalizeMethod parse_normalize_method(std::string_view s) {
    if (s == "standardize") return NormalizeMethod::standardize;
    if (s == "robustize") return NormalizeMethod::robustize;
    if (s == "mad_robustize") return NormalizeMethod::mad_robustize;
    if (s == "spherize_pca" || s == "pca") return NormalizeMethod::spherize_pca;
    if (s == "spherize_zca" || s == "zca") return NormalizeMethod::spherize_zca;
    fail_argument("c2s::profile::parse_normalize_method", "'method' is '", s,
                  "'; expected standardize, robustize, mad_robustize, spherize_pca or spherize_zca");
}

struct NormalizeOptions {
    NormalizeMethod method = NormalizeMethod::standardize;
    /// standardize: degrees of freedom of the sd (1: R/cytominer; 0: sklearn/pycytominer).
    int ddof = 1;
    /// mad_robustize: added to the scale (pycytominer: 1e-18). Spherize: added to the eigenvalues
    /// (pycytominer: 1e-6); a larger value whitens less.
    std::optional<double> epsilon;
    /// Sphering: number of leading components kept (PCA only; all when unset).
    std::optional<std::size_t> components;
};

/// Parameters fitted on one stratum.
struct NormalizeFit {
    std::string stratum;
    std::size_t reference_rows = 0;
    Eigen::RowVectorXd center;
    Eigen::RowVectorXd scale;   ///< standardize / robustize / mad_robustize
    Eigen::MatrixXd whitening;  ///< sphering: W (components × features)
};

struct NormalizeResult {
    Eigen::MatrixXd normalized;
    std::vector<NormalizeFit> fits;
    /// e.g. "feature 12 has zero scale on stratum 'Week1_22123'; its values there are NaN".
    std::vector<std::string> warnings;
};

namespace detail {

inline double epsilon_of(const NormalizeOptions& o) {
    if (o.epsilon) return *o.epsilon;
    return o.method == NormalizeMethod::mad_robustize ? 1e-18 : 1e-6;
}

inline NormalizeFit fit_stratum(const Eigen::MatrixXd& ref, const NormalizeOptions& o) {
    NormalizeFit f;
    const Eigen::Index p = ref.cols(), n = ref.rows();
    f.reference_rows = static_cast<std::size_t>(n);
    const double eps = epsilon_of(o);
    switch (o.method) {
        case NormalizeMethod::standardize: {
            f.center = ref.colwise().mean();
            f.scale.resize(p);
            for (Eigen::Index j = 0; j < p; ++j) {
                const double ss = (ref.col(j).array() - f.center[j]).square().sum();
                f.scale[j] = std::sqrt(ss / static_cast<double>(n - o.ddof));
            }
            break;
        }
        case NormalizeMethod::robustize:
        case NormalizeMethod::mad_robustize: {
            f.center.resize(p);
            f.scale.resize(p);
            for (Eigen::Index j = 0; j < p; ++j) {
                std::vector<double> v(ref.col(j).data(), ref.col(j).data() + n);
                std::sort(v.begin(), v.end());
                const double med = quantile_sorted(v, 0.5);
                f.center[j] = med;
                if (o.method == NormalizeMethod::robustize) {
                    f.scale[j] = quantile_sorted(v, 0.75) - quantile_sorted(v, 0.25);
                } else {
                    for (auto& x : v) x = std::abs(x - med);
                    f.scale[j] = 1.482602218505602 * median(v) + eps;
                }
            }
            break;
        }
        case NormalizeMethod::spherize_pca:
        case NormalizeMethod::spherize_zca: {
            f.center = ref.colwise().mean();
            const Eigen::MatrixXd c = ref.rowwise() - f.center;
            const Eigen::MatrixXd cov = (c.transpose() * c) / static_cast<double>(n - 1);
            Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(cov);
            if (es.info() != Eigen::Success)
                fail_runtime("c2s::profile::normalize", "the eigen-decomposition of the reference covariance failed");
            // Descending eigenvalues, as a PCA orders its components.
            const Eigen::VectorXd s = es.eigenvalues().reverse();
            const Eigen::MatrixXd u = es.eigenvectors().rowwise().reverse();
            Eigen::VectorXd inv(p);
            for (Eigen::Index k = 0; k < p; ++k) inv[k] = 1.0 / std::sqrt(std::max(s[k], 0.0) + eps);
            Eigen::MatrixXd w = inv.asDiagonal() * u.transpose();
            if (o.method == NormalizeMethod::spherize_zca) w = u * w;
            else if (o.components && *o.components < static_cast<std::size_t>(p))
                w = w.topRows(static_cast<Eigen::Index>(*o.components)).eval();
            f.whitening = std::move(w);
            break;
        }
    }
    return f;
}

}  // namespace detail

/// Normalises `x` (samples × features). Rows with the same `strata` value form one stratum (empty
/// `strata`: one stratum); each is fitted on its rows where `is_reference` is true (empty: all rows).
/// A stratum without reference rows fails naming it; a zero scale gives NaN and a warning.
[[nodiscard]] inline NormalizeResult normalize(const Eigen::Ref<const Eigen::MatrixXd>& x,
                                               const std::vector<std::string>& strata,
                                               const std::vector<bool>& is_reference,
                                               const NormalizeOptions& options = {}) {
    constexpr const char* where = "c2s::profile::normalize";
    if (!strata.empty()) check_rows(where, "strata", strata.size(), x.rows());
    if (!is_reference.empty()) check_rows(where, "is_reference", is_reference.size(), x.rows());
    if (options.ddof < 0) fail_argument(where, "'ddof' is ", options.ddof, "; expected 0 or 1");
    if (options.epsilon && !(*options.epsilon >= 0)) fail_argument(where, "'epsilon' is ", *options.epsilon, "; expected >= 0");
    const std::vector<std::string> one(static_cast<std::size_t>(x.rows()), "all");
    const GroupIndex g = index_groups(strata.empty() ? one : strata);
    const bool sphere = options.method == NormalizeMethod::spherize_pca || options.method == NormalizeMethod::spherize_zca;
    NormalizeResult res;
    Eigen::Index out_cols = x.cols();
    if (options.method == NormalizeMethod::spherize_pca && options.components)
        out_cols = std::min<Eigen::Index>(x.cols(), static_cast<Eigen::Index>(*options.components));
    res.normalized.resize(x.rows(), out_cols);
    const std::size_t min_ref = options.method == NormalizeMethod::standardize
                                    ? static_cast<std::size_t>(options.ddof) + 1
                                    : (sphere ? 2u : 1u);
    for (std::size_t s = 0; s < g.size(); ++s) {
        std::vector<std::size_t> ref;
        for (auto r : g.members[s])
            if (is_reference.empty() || is_reference[r]) ref.push_back(r);
        if (ref.size() < min_ref)
            fail_runtime(where, "stratum '", g.names[s], "' has ", ref.size(), " reference row(s), fewer than the ",
                         min_ref, " that ", to_string(options.method),
                         " needs; choose another reference subset or normalise without strata");
        Eigen::MatrixXd rx(static_cast<Eigen::Index>(ref.size()), x.cols());
        for (std::size_t i = 0; i < ref.size(); ++i) rx.row(static_cast<Eigen::Index>(i)) = x.row(static_cast<Eigen::Index>(ref[i]));
        NormalizeFit fit = detail::fit_stratum(rx, options);
        fit.stratum = g.names[s];
        if (!sphere)
            for (Eigen::Index j = 0; j < x.cols(); ++j)
                if (!(fit.scale[j] > 0))
                    res.warnings.push_back(concat("feature ", j, " has zero scale on stratum '", g.names[s],
                                                  "'; its values there are NaN"));
        for (auto r : g.members[s]) {
            const auto ri = static_cast<Eigen::Index>(r);
            if (sphere) {
                res.normalized.row(ri) = (fit.whitening * (x.row(ri) - fit.center).transpose()).transpose();
            } else {
                for (Eigen::Index j = 0; j < x.cols(); ++j)
                    res.normalized(ri, j) = fit.scale[j] > 0 ? (x(ri, j) - fit.center[j]) / fit.scale[j]
                                                             : std::numeric_limits<double>::quiet_NaN();
            }
        }
        res.fits.push_back(std::move(fit));
    }
    return res;
}

/// Which rows of a table are the reference: `column == value` (e.g. Metadata_Compound == DMSO).
struct ReferenceSpec {
    std::string strata_column = "Metadata_Plate";  ///< empty: one stratum
    std::string reference_column = "Metadata_Compound";  ///< empty: all rows
    std::string reference_value = "DMSO";
};

/// Normalises a table's features as `normalize` does; sphering with fewer components renames the
/// features PC1..PCk. Warnings are appended to `warnings` when given.
[[nodiscard]] inline io::Table normalize_table(const io::Table& table, const ReferenceSpec& spec,
                                               const NormalizeOptions& options = {},
                                               std::vector<std::string>* warnings = nullptr) {
    std::vector<std::string> strata;
    if (!spec.strata_column.empty()) strata = table.metadata_column(spec.strata_column);
    std::vector<bool> ref;
    if (!spec.reference_column.empty()) {
        const auto& col = table.metadata_column(spec.reference_column);
        ref.resize(col.size());
        std::size_t n = 0;
        for (std::size_t r = 0; r < col.size(); ++r) n += (ref[r] = col[r] == spec.reference_value) ? 1 : 0;
        if (n == 0)
            fail_argument("c2s::profile::normalize_table", "no row has ", spec.reference_column, " == '",
                          spec.reference_value, "'");
    }
    auto res = normalize(table.features, strata, ref, options);
    io::Table out;
    out.metadata_names = table.metadata_names;
    out.metadata = table.metadata;
    out.features = std::move(res.normalized);
    if (out.features.cols() == static_cast<Eigen::Index>(table.num_features()) &&
        options.method != NormalizeMethod::spherize_pca)
        out.feature_names = table.feature_names;
    else
        for (Eigen::Index k = 0; k < out.features.cols(); ++k)
            out.feature_names.push_back(concat(options.method == NormalizeMethod::spherize_pca ? "PC" : "ZCA", k + 1));
    if (warnings) warnings->insert(warnings->end(), res.warnings.begin(), res.warnings.end());
    return out;
}

}  // namespace c2s::profile
