#pragma once
/// @file centroid.hpp
/// @brief Per-group centroid analysis of the founding study: each vector's cosine distance to its
/// group centroid (per compound, per MoA), the share of vectors within a similarity threshold of
/// the centroid, and IQR (Tukey fence) outlier filtering with an optional refit-and-repeat.

#include <Eigen/Dense>

#include <string>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/profile/groups.hpp"

namespace c2s::profile {

struct CentroidOptions {
    /// A vector is "within" its centroid when cosine similarity >= this (the study: 0.9).
    double similarity_threshold = 0.9;
    /// Tukey fence multiplier: outliers lie outside [Q1 - k IQR, Q3 + k IQR] of the group's
    /// distances (quartiles as numpy's linear percentile). Larger k removes fewer rows.
    double iqr_k = 1.5;
    /// Filter outliers at all.
    bool filter_outliers = true;
    /// After removing outliers, recompute the centroid from the kept rows and filter again, until
    /// nothing is removed or `max_rounds` rounds ran.
    bool refit = false;
    std::size_t max_rounds = 10;
};

struct RemovedRow {
    std::size_t row = 0;
    std::string group;
    double distance = 0;
    std::size_t round = 1;  ///< 1 = first pass
};

struct GroupSummary {
    std::string group;
    std::size_t size = 0, kept = 0;
    /// Over the kept rows, against the final centroid.
    double mean_distance = 0, median_distance = 0, share_within = 0;
    double lower_fence = 0, upper_fence = 0;  ///< of the last round
};

struct CentroidResult {
    /// Per row: cosine distance to its group's centroid before any filtering, and after the last
    /// refit (equal when `refit` is off; NaN for removed rows).
    Eigen::VectorXd distance, final_distance;
    std::vector<char> kept;
    std::vector<GroupSummary> groups;
    std::vector<RemovedRow> removed;
    /// Share of all kept rows within the similarity threshold of their centroid.
    double share_within = 0;
    std::vector<std::string> warnings;
};

namespace detail {
inline double cosine_distance(const Eigen::Ref<const Eigen::RowVectorXd>& a, const Eigen::Ref<const Eigen::RowVectorXd>& b) {
    const double na = a.norm(), nb = b.norm();
    if (!(na > 0) || !(nb > 0)) return std::numeric_limits<double>::quiet_NaN();
    return 1.0 - a.dot(b) / (na * nb);
}
}  // namespace detail

/// Runs the centroid analysis of the rows of `x` grouped by `groups`. A group with one member has
/// distance 0 by definition, is never filtered, and is named in a warning. A zero vector (or zero
/// centroid) fails naming the row/group.
[[nodiscard]] inline CentroidResult centroid_analysis(const Eigen::Ref<const Eigen::MatrixXd>& x,
                                                      const std::vector<std::string>& groups,
                                                      const CentroidOptions& o = {}) {
    constexpr const char* where = "c2s::profile::centroid_analysis";
    check_rows(where, "groups", groups.size(), x.rows());
    if (!(o.iqr_k >= 0)) fail_argument(where, "'iqr_k' is ", o.iqr_k, "; expected >= 0");
    if (!(o.similarity_threshold >= -1 && o.similarity_threshold <= 1))
        fail_argument(where, "'similarity_threshold' is ", o.similarity_threshold, "; expected a value in [-1, 1]");
    if (!x.allFinite()) fail_argument(where, "'x' has missing or infinite values");
    const GroupIndex g = index_groups(groups);
    const auto n = static_cast<std::size_t>(x.rows());
    CentroidResult res;
    res.distance.setConstant(x.rows(), std::numeric_limits<double>::quiet_NaN());
    res.final_distance = res.distance;
    res.kept.assign(n, 1);
    for (std::size_t gi = 0; gi < g.size(); ++gi) {
        const auto& rows = g.members[gi];
        GroupSummary sum;
        sum.group = g.names[gi];
        sum.size = rows.size();
        if (rows.size() == 1)
            res.warnings.push_back(concat("group '", g.names[gi], "' has one member (row ", rows[0],
                                          "); its distance is 0 by definition and it is never filtered"));
        std::vector<std::size_t> live = rows;
        std::size_t round = 0;
        while (true) {
            ++round;
            Eigen::RowVectorXd c = Eigen::RowVectorXd::Zero(x.cols());
            for (auto r : live) c += x.row(static_cast<Eigen::Index>(r));
            c /= static_cast<double>(live.size());
            if (!(c.norm() > 0)) fail_runtime(where, "group '", g.names[gi], "' has a zero centroid; cosine distances are undefined");
            std::vector<double> d;
            for (auto r : live) {
                const auto ri = static_cast<Eigen::Index>(r);
                if (!(x.row(ri).norm() > 0)) fail_argument(where, "row ", r, " (group '", g.names[gi], "') is all zero");
                const double v = live.size() == 1 ? 0.0 : std::max(0.0, detail::cosine_distance(x.row(ri), c));
                d.push_back(v);
                if (round == 1) res.distance[ri] = v;
                res.final_distance[ri] = v;
            }
            if (!o.filter_outliers || live.size() < 2) break;
            std::vector<double> sorted = d;
            std::sort(sorted.begin(), sorted.end());
            const double q1 = detail::quantile_sorted(sorted, 0.25), q3 = detail::quantile_sorted(sorted, 0.75);
            sum.lower_fence = q1 - o.iqr_k * (q3 - q1);
            sum.upper_fence = q3 + o.iqr_k * (q3 - q1);
            std::vector<std::size_t> next;
            for (std::size_t k = 0; k < live.size(); ++k) {
                if (d[k] < sum.lower_fence || d[k] > sum.upper_fence) {
                    res.removed.push_back({live[k], g.names[gi], d[k], round});
                    res.kept[live[k]] = 0;
                    res.final_distance[static_cast<Eigen::Index>(live[k])] = std::numeric_limits<double>::quiet_NaN();
                } else {
                    next.push_back(live[k]);
                }
            }
            const bool removed_any = next.size() != live.size();
            live = std::move(next);
            if (!removed_any || !o.refit) break;
            if (round >= o.max_rounds) {
                // Last round: distances of the kept rows against the centroid of the kept rows.
                Eigen::RowVectorXd cf = Eigen::RowVectorXd::Zero(x.cols());
                for (auto r : live) cf += x.row(static_cast<Eigen::Index>(r));
                cf /= static_cast<double>(live.size());
                for (auto r : live)
                    res.final_distance[static_cast<Eigen::Index>(r)] =
                        live.size() == 1 ? 0.0 : std::max(0.0, detail::cosine_distance(x.row(static_cast<Eigen::Index>(r)), cf));
                res.warnings.push_back(concat("group '", g.names[gi], "' still lost rows after ", o.max_rounds, " rounds"));
                break;
            }
        }
        sum.kept = live.size();
        std::vector<double> d;
        std::size_t within = 0;
        for (auto r : live) {
            const double v = res.final_distance[static_cast<Eigen::Index>(r)];
            d.push_back(v);
            within += (1.0 - v) >= o.similarity_threshold ? 1 : 0;
        }
        double s = 0;
        for (double v : d) s += v;
        sum.mean_distance = s / static_cast<double>(d.size());
        sum.median_distance = detail::median(d);
        sum.share_within = static_cast<double>(within) / static_cast<double>(d.size());
        res.groups.push_back(sum);
    }
    std::size_t kept = 0, within = 0;
    for (std::size_t r = 0; r < n; ++r)
        if (res.kept[r]) {
            ++kept;
            within += (1.0 - res.final_distance[static_cast<Eigen::Index>(r)]) >= o.similarity_threshold ? 1 : 0;
        }
    res.share_within = kept ? static_cast<double>(within) / static_cast<double>(kept) : 0.0;
    return res;
}

}  // namespace c2s::profile
