#pragma once
/// @file groups.hpp
/// @brief Small helpers shared by the profile steps: group labels to dense ids, row checks, quantiles.

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "c2s/core/error.hpp"

namespace c2s::profile {

/// Dense group ids for a label vector, in order of first appearance.
struct GroupIndex {
    std::vector<std::size_t> id;        ///< per row: the group's index
    std::vector<std::string> names;     ///< per group: its label
    std::vector<std::vector<std::size_t>> members;  ///< per group: its rows, in row order

    [[nodiscard]] std::size_t size() const noexcept { return names.size(); }
};

[[nodiscard]] inline GroupIndex index_groups(const std::vector<std::string>& labels) {
    GroupIndex g;
    g.id.resize(labels.size());
    std::map<std::string, std::size_t> pos;
    for (std::size_t r = 0; r < labels.size(); ++r) {
        auto [it, fresh] = pos.emplace(labels[r], g.names.size());
        if (fresh) {
            g.names.push_back(labels[r]);
            g.members.emplace_back();
        }
        g.id[r] = it->second;
        g.members[it->second].push_back(r);
    }
    return g;
}

/// Throws unless `labels` has one entry per row of a matrix with `rows` rows.
inline void check_rows(std::string_view where, std::string_view what, std::size_t have, Eigen::Index rows) {
    if (have != static_cast<std::size_t>(rows))
        fail_argument(where, "'", what, "' has ", have, " entries but 'x' has ", rows, " rows");
}

namespace detail {

/// numpy's default (linear) percentile of a sorted sample, q in [0, 1].
[[nodiscard]] inline double quantile_sorted(const std::vector<double>& v, double q) {
    if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
    const double h = q * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(h));
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (h - static_cast<double>(lo)) * (v[hi] - v[lo]);
}
[[nodiscard]] inline double quantile(std::vector<double> v, double q) {
    std::sort(v.begin(), v.end());
    return quantile_sorted(v, q);
}
[[nodiscard]] inline double median(std::vector<double> v) { return quantile(std::move(v), 0.5); }

/// Pearson correlation of two equally long vectors (NaN when either is constant).
template <class A, class B>
[[nodiscard]] double pearson(const A& a, const B& b) {
    const auto n = static_cast<double>(a.size());
    const double ma = a.sum() / n, mb = b.sum() / n;
    double sab = 0, saa = 0, sbb = 0;
    for (Eigen::Index i = 0; i < a.size(); ++i) {
        const double da = a[i] - ma, db = b[i] - mb;
        sab += da * db;
        saa += da * da;
        sbb += db * db;
    }
    return sab / std::sqrt(saa * sbb);
}

/// Average ranks (1-based; ties share their mean rank), as scipy.stats.rankdata.
[[nodiscard]] inline Eigen::VectorXd average_ranks(const Eigen::Ref<const Eigen::VectorXd>& v) {
    const auto n = static_cast<std::size_t>(v.size());
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return v[static_cast<Eigen::Index>(a)] < v[static_cast<Eigen::Index>(b)];
    });
    Eigen::VectorXd r(v.size());
    for (std::size_t i = 0; i < n;) {
        std::size_t j = i;
        while (j + 1 < n && v[static_cast<Eigen::Index>(order[j + 1])] == v[static_cast<Eigen::Index>(order[i])]) ++j;
        const double rank = 0.5 * static_cast<double>(i + j) + 1.0;
        for (std::size_t k = i; k <= j; ++k) r[static_cast<Eigen::Index>(order[k])] = rank;
        i = j + 1;
    }
    return r;
}

}  // namespace detail
}  // namespace c2s::profile
