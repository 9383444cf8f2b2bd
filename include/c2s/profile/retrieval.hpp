#pragma once
/// @file retrieval.hpp
/// @brief MoA retrieval: 1-nearest-neighbour accuracy under NSC (not-same-compound) and NSCB
/// (not-same-compound-or-batch), and mean average precision with permutation p-values as the
/// copairs package defines it.
/// @see Ljosa V et al. (2013) J Biomol Screen 18:1321 (NSC, NSCB);
///      Kalinin AA et al. (2025) Nat Commun (copairs, mAP).

#include <Eigen/Dense>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/profile/groups.hpp"
#include "c2s/profile/similarity.hpp"

namespace c2s::profile {

/// Splits "Week1;Week2" into its parts (a treatment aggregated over several batches).
[[nodiscard]] inline std::set<std::string> split_set(const std::string& s, char sep = ';') {
    std::set<std::string> out;
    std::stringstream in(s);
    std::string item;
    while (std::getline(in, item, sep)) out.insert(item);
    return out;
}

struct NearestNeighbourOptions {
    Similarity similarity = Similarity::pearson;
    /// NSCB: the neighbour may not share a batch either (batches given as "A" or "A;B" sets), and
    /// labels present in only one batch are left out as queries and as neighbours.
    bool exclude_same_batch = false;
};

struct NearestNeighbourResult {
    /// Rows that were evaluated (queries), their neighbour row, and whether the labels match.
    std::vector<std::size_t> queries, neighbours;
    std::vector<char> correct;
    std::size_t num_correct = 0;
    double accuracy = 0;
    /// NSCB: labels left out because they occur in one batch only.
    std::vector<std::string> labels_left_out;
    /// Queries that had no admissible neighbour (counted as wrong).
    std::vector<std::size_t> without_neighbour;
};

/// 1-NN label accuracy over the rows of `x` (treatment profiles). The neighbour of row i is the most
/// similar row j with compound[j] != compound[i] (and, for NSCB, no batch in common); the first
/// such row wins ties.
[[nodiscard]] inline NearestNeighbourResult nearest_neighbour_accuracy(const Eigen::Ref<const Eigen::MatrixXd>& x,
                                                                       const std::vector<std::string>& labels,
                                                                       const std::vector<std::string>& compounds,
                                                                       const std::vector<std::string>& batches = {},
                                                                       const NearestNeighbourOptions& o = {}) {
    constexpr const char* where = "c2s::profile::nearest_neighbour_accuracy";
    check_rows(where, "labels", labels.size(), x.rows());
    check_rows(where, "compounds", compounds.size(), x.rows());
    if (o.exclude_same_batch) check_rows(where, "batches", batches.size(), x.rows());
    const auto n = static_cast<std::size_t>(x.rows());
    if (n < 2) fail_argument(where, "'x' has ", n, " rows; 1-NN needs at least 2");
    const Eigen::MatrixXd s = similarity_matrix(x, o.similarity);
    NearestNeighbourResult res;
    std::vector<std::set<std::string>> bset(n);
    std::vector<char> usable(n, 1);
    if (o.exclude_same_batch) {
        std::map<std::string, std::set<std::string>> label_batches;
        for (std::size_t i = 0; i < n; ++i) {
            bset[i] = split_set(batches[i]);
            label_batches[labels[i]].insert(bset[i].begin(), bset[i].end());
        }
        for (const auto& [l, bs] : label_batches)
            if (bs.size() < 2) res.labels_left_out.push_back(l);
        for (std::size_t i = 0; i < n; ++i) usable[i] = label_batches[labels[i]].size() >= 2;
    }
    auto share_batch = [&](std::size_t i, std::size_t j) {
        for (const auto& b : bset[i])
            if (bset[j].count(b)) return true;
        return false;
    };
    for (std::size_t i = 0; i < n; ++i) {
        if (!usable[i]) continue;
        std::size_t best = n;
        double best_s = -std::numeric_limits<double>::infinity();
        for (std::size_t j = 0; j < n; ++j) {
            if (j == i || !usable[j] || compounds[j] == compounds[i]) continue;
            if (o.exclude_same_batch && share_batch(i, j)) continue;
            const double v = s(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
            if (best == n || v > best_s) {
                best = j;
                best_s = v;
            }
        }
        res.queries.push_back(i);
        res.neighbours.push_back(best);
        const bool ok = best < n && labels[best] == labels[i];
        if (best == n) res.without_neighbour.push_back(i);
        res.correct.push_back(ok);
        res.num_correct += ok ? 1 : 0;
    }
    if (res.queries.empty()) fail_runtime(where, "no row can be evaluated (every label sits in a single batch)");
    res.accuracy = static_cast<double>(res.num_correct) / static_cast<double>(res.queries.size());
    return res;
}

// ---------------------------------------------------------------------------------------------
struct MapOptions {
    Similarity similarity = Similarity::cosine;  ///< copairs uses cosine
    /// Null distribution size per (positives, total) configuration; larger = finer p-values.
    std::size_t null_size = 10000;
    std::uint64_t seed = 0;
    /// Significance threshold for below_p / below_corrected_p.
    double threshold = 0.05;
};

struct AveragePrecision {
    std::size_t row = 0;
    double average_precision = 0;
    std::size_t num_positives = 0, num_total = 0;
};

struct MeanAveragePrecision {
    std::string label;
    std::size_t queries = 0;
    double mean_average_precision = 0, p_value = 1, corrected_p_value = 1;
    bool below_p = false, below_corrected_p = false;
};

struct MapResult {
    std::vector<AveragePrecision> per_query;
    std::vector<MeanAveragePrecision> per_label;
    /// Mean of the per-label mAPs, and the share of labels with corrected p below the threshold.
    double mean_map = 0, fraction_significant = 0;
    std::vector<std::string> warnings;
};

namespace detail {

/// Average precision of a ranked 0/1 list.
inline double average_precision(const std::vector<char>& rel) {
    double tp = 0, sum = 0;
    for (std::size_t k = 0; k < rel.size(); ++k)
        if (rel[k]) {
            tp += 1;
            sum += tp / static_cast<double>(k + 1);
        }
    return tp > 0 ? sum / tp : std::numeric_limits<double>::quiet_NaN();
}

/// `null_size` APs of `num_pos` positives placed uniformly at random among `total` ranks.
inline std::vector<double> random_ap(std::size_t num_pos, std::size_t total, std::size_t null_size, std::uint64_t seed) {
    std::mt19937_64 rng(seed ^ (0x9E3779B97F4A7C15ULL * (num_pos * 1000003ULL + total)));
    std::vector<double> out(null_size);
    std::vector<std::size_t> idx(total);
    for (std::size_t t = 0; t < null_size; ++t) {
        for (std::size_t k = 0; k < total; ++k) idx[k] = k;
        // Partial Fisher-Yates: the first num_pos entries are a uniform random subset.
        for (std::size_t k = 0; k < num_pos; ++k) {
            std::uniform_int_distribution<std::size_t> d(k, total - 1);
            std::swap(idx[k], idx[d(rng)]);
        }
        std::sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(num_pos));
        double sum = 0;
        for (std::size_t k = 0; k < num_pos; ++k) sum += static_cast<double>(k + 1) / static_cast<double>(idx[k] + 1);
        out[t] = sum / static_cast<double>(num_pos);
    }
    return out;
}

/// Benjamini-Hochberg adjusted p-values (statsmodels' fdr_bh).
inline std::vector<double> benjamini_hochberg(const std::vector<double>& p) {
    const std::size_t n = p.size();
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });
    std::vector<double> q(n);
    double running = 1.0;
    for (std::size_t k = n; k-- > 0;) {
        const double v = p[order[k]] * static_cast<double>(n) / static_cast<double>(k + 1);
        running = std::min(running, v);
        q[order[k]] = std::min(1.0, running);
    }
    return q;
}

}  // namespace detail

/// Average precision of retrieving same-label rows, per query row, then per label (copairs'
/// average_precision + mean_average_precision). For query i, the candidates are every other row
/// except those of the same `exclude_group` (e.g. the same compound; empty: none excluded), ranked by
/// decreasing similarity; positives share i's label. Queries without positives are skipped. A
/// label's p-value compares its mAP with the mean of its queries' null APs:
/// (#{null > mAP} + 1) / (null_size + 1); p-values are BH-corrected across labels.
[[nodiscard]] inline MapResult mean_average_precision(const Eigen::Ref<const Eigen::MatrixXd>& x,
                                                      const std::vector<std::string>& labels,
                                                      const std::vector<std::string>& exclude_group = {},
                                                      const MapOptions& o = {}) {
    constexpr const char* where = "c2s::profile::mean_average_precision";
    check_rows(where, "labels", labels.size(), x.rows());
    if (!exclude_group.empty()) check_rows(where, "exclude_group", exclude_group.size(), x.rows());
    if (o.null_size == 0) fail_argument(where, "'null_size' is 0");
    const auto n = static_cast<std::size_t>(x.rows());
    const Eigen::MatrixXd s = similarity_matrix(x, o.similarity);
    MapResult res;
    for (std::size_t i = 0; i < n; ++i) {
        std::vector<std::pair<double, char>> cand;  // similarity, positive
        for (std::size_t j = 0; j < n; ++j) {
            if (j == i) continue;
            if (!exclude_group.empty() && exclude_group[j] == exclude_group[i]) continue;
            cand.emplace_back(s(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)), labels[j] == labels[i]);
        }
        // Decreasing similarity; ties put positives first (copairs concatenates positives first and
        // sorts stably).
        std::stable_sort(cand.begin(), cand.end(), [](const auto& a, const auto& b) {
            if (a.first != b.first) return a.first > b.first;
            return a.second > b.second;
        });
        std::vector<char> rel(cand.size());
        std::size_t npos = 0;
        for (std::size_t k = 0; k < cand.size(); ++k) npos += (rel[k] = cand[k].second) ? 1 : 0;
        if (npos == 0) {
            res.warnings.push_back(concat("row ", i, " (label '", labels[i], "') has no positive; skipped"));
            continue;
        }
        res.per_query.push_back({i, detail::average_precision(rel), npos, cand.size()});
    }
    if (res.per_query.empty()) fail_runtime(where, "no row has a positive (no label occurs twice outside its group)");
    // Null distributions per configuration.
    std::map<std::pair<std::size_t, std::size_t>, std::vector<double>> nulls;
    for (const auto& q : res.per_query) {
        auto key = std::pair{q.num_positives, q.num_total};
        if (!nulls.count(key)) nulls[key] = detail::random_ap(q.num_positives, q.num_total, o.null_size, o.seed);
    }
    std::map<std::string, std::vector<std::size_t>> by_label;
    for (std::size_t k = 0; k < res.per_query.size(); ++k) by_label[labels[res.per_query[k].row]].push_back(k);
    std::vector<double> pvals;
    for (const auto& [label, qs] : by_label) {
        MeanAveragePrecision m;
        m.label = label;
        m.queries = qs.size();
        std::vector<double> null(o.null_size, 0.0);
        for (auto k : qs) {
            m.mean_average_precision += res.per_query[k].average_precision;
            const auto& nd = nulls[{res.per_query[k].num_positives, res.per_query[k].num_total}];
            for (std::size_t t = 0; t < o.null_size; ++t) null[t] += nd[t];
        }
        m.mean_average_precision /= static_cast<double>(qs.size());
        std::size_t above = 0;
        for (std::size_t t = 0; t < o.null_size; ++t) above += null[t] / static_cast<double>(qs.size()) > m.mean_average_precision ? 1 : 0;
        m.p_value = static_cast<double>(above + 1) / static_cast<double>(o.null_size + 1);
        pvals.push_back(m.p_value);
        res.per_label.push_back(m);
    }
    const auto q = detail::benjamini_hochberg(pvals);
    std::size_t sig = 0;
    for (std::size_t k = 0; k < res.per_label.size(); ++k) {
        auto& m = res.per_label[k];
        m.corrected_p_value = q[k];
        m.below_p = m.p_value < o.threshold;
        m.below_corrected_p = m.corrected_p_value < o.threshold;
        sig += m.below_corrected_p ? 1 : 0;
        res.mean_map += m.mean_average_precision;
    }
    res.mean_map /= static_cast<double>(res.per_label.size());
    res.fraction_significant = static_cast<double>(sig) / static_cast<double>(res.per_label.size());
    return res;
}

}  // namespace c2s::profile
