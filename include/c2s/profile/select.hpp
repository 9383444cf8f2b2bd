#pragma once
/// @file select.hpp
/// @brief Feature selection as cytominer/caret define it: near-zero variance (caret::nearZeroVar),
/// correlation threshold (caret::findCorrelation, exact and fast variants), columns with missing
/// values (cytominer::drop_na_columns) and the replicate-correlation filter
/// (cytominer::replicate_correlation).
/// @see Kuhn M (2008) caret, J Stat Softw 28(5); cytominer (github.com/cytomining/cytominer).

#include <Eigen/Dense>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/io/table.hpp"
#include "c2s/profile/groups.hpp"

namespace c2s::profile {

/// Which columns a selection keeps and which it drops (indices into the input's columns).
struct Selection {
    std::vector<std::size_t> kept;
    std::vector<std::size_t> dropped;
    std::vector<std::string> warnings;
};

namespace detail {
inline Selection from_drop_mask(const std::vector<char>& drop) {
    Selection s;
    for (std::size_t j = 0; j < drop.size(); ++j) (drop[j] ? s.dropped : s.kept).push_back(j);
    return s;
}
}  // namespace detail

// ---------------------------------------------------------------------------------------------
struct NearZeroVarianceOptions {
    /// Ratio of the most common value's count to the second most common's; above it (and with few
    /// distinct values) a feature is dropped. caret: 95/5.
    double freq_cut = 95.0 / 5.0;
    /// Percentage of distinct values among the rows; at or below it (and with a high frequency
    /// ratio) a feature is dropped. caret: 10.
    double unique_cut = 10.0;
};

/// caret::nearZeroVar: drops a feature when it has one distinct value (NaN ignored; all-NaN too),
/// or when freqRatio > freq_cut and percentUnique <= unique_cut. Values are compared exactly (R's
/// table() compares them after printing with 15 significant digits; see docs/profile.md).
[[nodiscard]] inline Selection near_zero_variance(const Eigen::Ref<const Eigen::MatrixXd>& x,
                                                  const NearZeroVarianceOptions& o = {}) {
    std::vector<char> drop(static_cast<std::size_t>(x.cols()), 0);
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
        std::map<double, std::size_t> counts;
        for (Eigen::Index i = 0; i < x.rows(); ++i)
            if (!std::isnan(x(i, j))) ++counts[x(i, j)];
        if (counts.size() <= 1) {
            drop[static_cast<std::size_t>(j)] = 1;
            continue;
        }
        std::size_t first = 0, second = 0;
        for (const auto& [v, c] : counts) {
            if (c > first) {
                second = first;
                first = c;
            } else if (c > second) {
                second = c;
            }
        }
        const double freq_ratio = static_cast<double>(first) / static_cast<double>(second);
        const double percent_unique = 100.0 * static_cast<double>(counts.size()) / static_cast<double>(x.rows());
        drop[static_cast<std::size_t>(j)] = freq_ratio > o.freq_cut && percent_unique <= o.unique_cut;
    }
    return detail::from_drop_mask(drop);
}

/// Drops features whose (sample, ddof 0) variance is <= `threshold` (sklearn VarianceThreshold).
[[nodiscard]] inline Selection variance_threshold(const Eigen::Ref<const Eigen::MatrixXd>& x, double threshold = 0) {
    std::vector<char> drop(static_cast<std::size_t>(x.cols()), 0);
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
        const double m = x.col(j).mean();
        const double v = (x.col(j).array() - m).square().mean();
        drop[static_cast<std::size_t>(j)] = !(v > threshold);
    }
    return detail::from_drop_mask(drop);
}

/// cytominer::drop_na_columns: drops features whose share of non-finite values exceeds `cutoff`.
[[nodiscard]] inline Selection drop_na_columns(const Eigen::Ref<const Eigen::MatrixXd>& x, double cutoff = 0.05) {
    std::vector<char> drop(static_cast<std::size_t>(x.cols()), 0);
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
        Eigen::Index bad = 0;
        for (Eigen::Index i = 0; i < x.rows(); ++i) bad += std::isfinite(x(i, j)) ? 0 : 1;
        drop[static_cast<std::size_t>(j)] = static_cast<double>(bad) / static_cast<double>(x.rows()) > cutoff;
    }
    return detail::from_drop_mask(drop);
}

// ---------------------------------------------------------------------------------------------
/// Pearson correlation matrix of the columns of `x` (R's cor()). A constant column fails, naming it.
[[nodiscard]] inline Eigen::MatrixXd column_correlation(const Eigen::Ref<const Eigen::MatrixXd>& x,
                                                        std::string_view where = "c2s::profile::column_correlation") {
    if (x.rows() < 2) fail_argument(where, "'x' has ", x.rows(), " rows; correlations need at least 2");
    Eigen::MatrixXd z = x.rowwise() - x.colwise().mean();
    for (Eigen::Index j = 0; j < z.cols(); ++j) {
        if (!z.col(j).allFinite()) fail_argument(where, "column ", j, " has a missing or infinite value");
        const double norm = z.col(j).norm();
        if (!(norm > 0))
            fail_argument(where, "column ", j, " is constant, so its correlations are undefined; ",
                          "drop it first (near_zero_variance)");
        z.col(j) /= norm;
    }
    Eigen::MatrixXd c = z.transpose() * z;
    c.diagonal().setOnes();
    return c;
}

enum class FindCorrelationMethod {
    automatic,  ///< caret's default: exact when there are fewer than 100 features
    exact,      ///< caret's findCorrelation_exact (iterative, recomputes mean correlations)
    fast        ///< caret's findCorrelation_fast (one pass over the pairs above the cutoff)
};

struct CorrelationThresholdOptions {
    /// Pairs with |r| above it are resolved by dropping one member. cytominer default 0.9.
    double cutoff = 0.9;
    FindCorrelationMethod method = FindCorrelationMethod::automatic;
};

namespace detail {

/// Ranks as R's as.numeric(as.factor(v)): equal values (after printing with 15 significant digits)
/// share a rank.
inline std::vector<std::size_t> factor_ranks(const std::vector<double>& v) {
    std::vector<double> printed(v.size());
    char buf[64];
    for (std::size_t i = 0; i < v.size(); ++i) {
        std::snprintf(buf, sizeof buf, "%.15g", v[i]);
        printed[i] = std::strtod(buf, nullptr);
    }
    std::set<double> levels(printed.begin(), printed.end());
    std::vector<double> lv(levels.begin(), levels.end());
    std::vector<std::size_t> r(v.size());
    for (std::size_t i = 0; i < v.size(); ++i)
        r[i] = static_cast<std::size_t>(std::lower_bound(lv.begin(), lv.end(), printed[i]) - lv.begin());
    return r;
}

inline std::vector<std::size_t> find_correlation_fast(const Eigen::MatrixXd& c, double cutoff) {
    const auto p = static_cast<std::size_t>(c.rows());
    std::vector<double> avg(p);
    for (std::size_t j = 0; j < p; ++j) avg[j] = c.col(static_cast<Eigen::Index>(j)).cwiseAbs().mean();
    const auto rank = factor_ranks(avg);
    std::vector<std::size_t> cols_discard, rows_discard;
    // R's which() over the upper triangle walks column-major: column j, rows 0..j-1.
    for (std::size_t j = 0; j < p; ++j)
        for (std::size_t i = 0; i < j; ++i)
            if (std::abs(c(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j))) > cutoff) {
                if (rank[j] > rank[i]) cols_discard.push_back(j);
                else rows_discard.push_back(i);
            }
    std::vector<std::size_t> out;
    std::vector<char> seen(p, 0);
    for (const auto* list : {&cols_discard, &rows_discard})
        for (auto k : *list)
            if (!seen[k]) {
                seen[k] = 1;
                out.push_back(k);
            }
    return out;
}

inline std::vector<std::size_t> find_correlation_exact(const Eigen::MatrixXd& c0, double cutoff) {
    const auto p = static_cast<std::size_t>(c0.rows());
    const Eigen::MatrixXd a = c0.cwiseAbs();
    // Order by mean absolute off-diagonal correlation, decreasing; ties keep their order (R's order).
    std::vector<double> mean_off(p);
    for (std::size_t j = 0; j < p; ++j)
        mean_off[j] = (a.col(static_cast<Eigen::Index>(j)).sum() - a(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(j))) /
                      static_cast<double>(p - 1);
    std::vector<std::size_t> order(p);
    for (std::size_t i = 0; i < p; ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t u, std::size_t v) { return mean_off[u] > mean_off[v]; });
    Eigen::MatrixXd x(static_cast<Eigen::Index>(p), static_cast<Eigen::Index>(p));
    for (std::size_t i = 0; i < p; ++i)
        for (std::size_t j = 0; j < p; ++j)
            x(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
                a(static_cast<Eigen::Index>(order[i]), static_cast<Eigen::Index>(order[j]));
    // x2 = x with NA on the diagonal and on deleted rows/columns: track live cells, row sums and counts.
    std::vector<char> alive(p, 1), deleted(p, 0);
    std::vector<double> row_sum(p, 0.0);
    std::vector<double> row_cnt(p, 0.0);
    double total = 0, total_cnt = 0;
    for (std::size_t i = 0; i < p; ++i)
        for (std::size_t j = 0; j < p; ++j)
            if (i != j) {
                row_sum[i] += x(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
                row_cnt[i] += 1;
            }
    for (std::size_t i = 0; i < p; ++i) {
        total += row_sum[i];
        total_cnt += row_cnt[i];
    }
    auto kill = [&](std::size_t k) {
        deleted[k] = 1;
        // Remove row k and column k from x2.
        total -= row_sum[k];
        total_cnt -= row_cnt[k];
        row_sum[k] = 0;
        row_cnt[k] = 0;
        for (std::size_t r = 0; r < p; ++r)
            if (r != k && alive[r]) {
                const double v = x(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(k));
                row_sum[r] -= v;
                row_cnt[r] -= 1;
                total -= v;
                total_cnt -= 1;
            }
        alive[k] = 0;
    };
    auto any_above = [&] {
        for (std::size_t i = 0; i < p; ++i)
            if (alive[i])
                for (std::size_t j = i + 1; j < p; ++j)
                    if (alive[j] && x(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) > cutoff) return true;
        return false;
    };
    for (std::size_t i = 0; i + 1 < p; ++i) {
        if (!any_above()) break;
        if (deleted[i]) continue;
        for (std::size_t j = i + 1; j < p; ++j) {
            if (deleted[i] || deleted[j]) continue;
            if (x(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) > cutoff) {
                const double mn1 = row_sum[i] / row_cnt[i];                                       // mean(x2[i, ])
                const double mn2 = (total - row_sum[j]) / (total_cnt - row_cnt[j]);               // mean(x2[-j, ])
                if (mn1 > mn2) kill(i);
                else kill(j);
            }
        }
    }
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < p; ++i)
        if (deleted[i]) out.push_back(order[i]);
    return out;
}

}  // namespace detail

/// caret::findCorrelation on a correlation matrix: the indices of the columns to remove.
[[nodiscard]] inline std::vector<std::size_t> find_correlation(const Eigen::Ref<const Eigen::MatrixXd>& correlation,
                                                               const CorrelationThresholdOptions& o = {}) {
    constexpr const char* where = "c2s::profile::find_correlation";
    if (correlation.rows() != correlation.cols())
        fail_argument(where, "'correlation' is ", correlation.rows(), " x ", correlation.cols(), ", not square");
    if (correlation.rows() < 2) fail_argument(where, "only ", correlation.rows(), " variable given");
    if (!correlation.allFinite()) fail_argument(where, "'correlation' has missing or infinite values");
    if (!(o.cutoff >= 0 && o.cutoff <= 1)) fail_argument(where, "'cutoff' is ", o.cutoff, "; expected a value in [0, 1]");
    const Eigen::MatrixXd c = correlation;
    if (!c.isApprox(c.transpose(), 1e-12)) fail_argument(where, "'correlation' is not symmetric");
    const bool exact = o.method == FindCorrelationMethod::exact ||
                       (o.method == FindCorrelationMethod::automatic && c.cols() < 100);
    return exact ? detail::find_correlation_exact(c, o.cutoff) : detail::find_correlation_fast(c, o.cutoff);
}

/// cytominer::correlation_threshold: Pearson correlations of the columns of `x`, then
/// caret::findCorrelation.
[[nodiscard]] inline Selection correlation_threshold(const Eigen::Ref<const Eigen::MatrixXd>& x,
                                                     const CorrelationThresholdOptions& o = {}) {
    const auto c = column_correlation(x, "c2s::profile::correlation_threshold");
    const auto del = find_correlation(c, o);
    std::vector<char> drop(static_cast<std::size_t>(x.cols()), 0);
    for (auto k : del) drop[k] = 1;
    return detail::from_drop_mask(drop);
}

// ---------------------------------------------------------------------------------------------
struct ReplicateCorrelationOptions {
    /// Only groups with exactly this many rows are used (cytominer's `replicates`).
    std::size_t replicates = 3;
    /// Features whose median replicate correlation is below it are dropped (cytominer vignette: 0.5).
    double threshold = 0.5;
};

struct ReplicateCorrelationResult {
    Selection selection;
    /// Per feature: median over batches of the median pairwise replicate correlation, and min/max
    /// over batches (one batch: all equal).
    Eigen::VectorXd median, min, max;
    std::size_t groups_used = 0;
};

/// cytominer::replicate_correlation. Rows with the same `groups` value are replicates; groups with
/// exactly `replicates` rows are used, replicate k being the group's k-th row in row order. Per
/// feature and batch (`batches`, empty: one batch) the groups × replicates table gives a replicates ×
/// replicates Pearson matrix, whose upper-triangle median is that batch's value.
[[nodiscard]] inline ReplicateCorrelationResult replicate_correlation(const Eigen::Ref<const Eigen::MatrixXd>& x,
                                                                      const std::vector<std::string>& groups,
                                                                      const std::vector<std::string>& batches = {},
                                                                      const ReplicateCorrelationOptions& o = {}) {
    constexpr const char* where = "c2s::profile::replicate_correlation";
    check_rows(where, "groups", groups.size(), x.rows());
    if (!batches.empty()) check_rows(where, "batches", batches.size(), x.rows());
    if (o.replicates < 2) fail_argument(where, "'replicates' is ", o.replicates, "; expected at least 2");
    const std::vector<std::string> one(groups.size(), "all");
    const GroupIndex b = index_groups(batches.empty() ? one : batches);
    ReplicateCorrelationResult res;
    const Eigen::Index p = x.cols();
    std::vector<std::vector<double>> per_batch(static_cast<std::size_t>(p));
    for (std::size_t bi = 0; bi < b.size(); ++bi) {
        std::vector<std::string> sub;
        for (auto r : b.members[bi]) sub.push_back(groups[r]);
        const GroupIndex g = index_groups(sub);
        std::vector<std::vector<std::size_t>> used;
        for (const auto& m : g.members)
            if (m.size() == o.replicates) {
                std::vector<std::size_t> rows;
                for (auto k : m) rows.push_back(b.members[bi][k]);
                used.push_back(std::move(rows));
            }
        res.groups_used += used.size();
        if (used.size() < 3) {
            res.selection.warnings.push_back(concat("batch '", b.names[bi], "' has ", used.size(), " groups with exactly ",
                                                    o.replicates, " replicates; skipped"));
            continue;
        }
        const auto ng = static_cast<Eigen::Index>(used.size()), nr = static_cast<Eigen::Index>(o.replicates);
        Eigen::MatrixXd t(ng, nr);
        for (Eigen::Index j = 0; j < p; ++j) {
            for (Eigen::Index gi = 0; gi < ng; ++gi)
                for (Eigen::Index k = 0; k < nr; ++k)
                    t(gi, k) = x(static_cast<Eigen::Index>(used[static_cast<std::size_t>(gi)][static_cast<std::size_t>(k)]), j);
            std::vector<double> upper;
            for (Eigen::Index k = 0; k < nr; ++k)
                for (Eigen::Index l = k + 1; l < nr; ++l) upper.push_back(detail::pearson(t.col(k), t.col(l)));
            per_batch[static_cast<std::size_t>(j)].push_back(detail::median(upper));
        }
    }
    if (res.groups_used == 0 || per_batch.empty() || per_batch[0].empty())
        fail_runtime(where, "no batch has at least 3 groups with exactly ", o.replicates,
                     " replicates; set 'replicates' to the number of rows per group");
    res.median.resize(p);
    res.min.resize(p);
    res.max.resize(p);
    std::vector<char> drop(static_cast<std::size_t>(p), 0);
    for (Eigen::Index j = 0; j < p; ++j) {
        auto& v = per_batch[static_cast<std::size_t>(j)];
        res.median[j] = detail::median(v);
        res.min[j] = *std::min_element(v.begin(), v.end());
        res.max[j] = *std::max_element(v.begin(), v.end());
        // NaN (a constant feature) is dropped too.
        drop[static_cast<std::size_t>(j)] = !(res.median[j] >= o.threshold);
    }
    auto warnings = std::move(res.selection.warnings);
    res.selection = detail::from_drop_mask(drop);
    res.selection.warnings = std::move(warnings);
    return res;
}

/// The table restricted to the selection's kept features.
[[nodiscard]] inline io::Table select_features(const io::Table& table, const Selection& s) {
    io::Table out;
    out.metadata_names = table.metadata_names;
    out.metadata = table.metadata;
    out.features.resize(table.features.rows(), static_cast<Eigen::Index>(s.kept.size()));
    for (std::size_t k = 0; k < s.kept.size(); ++k) {
        if (s.kept[k] >= table.num_features())
            fail_argument("c2s::profile::select_features", "kept column ", s.kept[k], " >= ", table.num_features());
        out.features.col(static_cast<Eigen::Index>(k)) = table.features.col(static_cast<Eigen::Index>(s.kept[k]));
        out.feature_names.push_back(table.feature_names[s.kept[k]]);
    }
    return out;
}

}  // namespace c2s::profile
