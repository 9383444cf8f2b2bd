#pragma once
/// @file search.hpp
/// @brief Nearest neighbours on fingerprints: top-k per query and threshold search with
/// popcount-bound pruning (as in chemfp and FPSim2).
///
/// - `bit_top_k(queries, library, metric, k)`: the k most similar library rows of each query,
///   best first, ties broken by the lower library index (so results are deterministic and equal to
///   a stable sort of each row of the full matrix). With one set, `exclude_self` skips j == i.
/// - `bit_threshold_search(queries, library, threshold, metric)`: every library row with
///   similarity >= threshold. Every metric is bounded by the popcount ratio r = min(pa, pb) /
///   max(pa, pb): Tanimoto <= r, Dice <= 2r / (1 + r), cosine <= sqrt(r). The library is sorted by
///   popcount once, and each query compares only the rows whose popcount can reach the threshold;
///   the bound decides only which rows are compared, each hit is confirmed on its exact similarity.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

#include <Eigen/Dense>

#include "c2s/core/aligned.hpp"
#include "c2s/core/error.hpp"
#include "c2s/core/parallelize.hpp"
#include "c2s/distance/engine.hpp"

namespace c2s::distance {

/// The k best matches of each query: row q of `indices` / `scores`, best first. Columns =
/// min(k, candidates); all rows have the same number of columns.
struct TopK {
    Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> indices;
    Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> scores;
};

namespace detail {

inline constexpr std::size_t search_chunk = 4 * SlicedFingerprints::tile_rows;

struct ScoredIndex {
    float score;
    std::int64_t index;
};
/// "a is better than b": higher score, then lower index. As a heap comparator it keeps the worst on top.
inline bool better(const ScoredIndex& a, const ScoredIndex& b) noexcept {
    return a.score > b.score || (a.score == b.score && a.index < b.index);
}

inline TopK top_k_impl(const FingerprintSet& queries, const FingerprintSet& library, BitMetric metric, std::size_t k,
                       bool exclude_self, const MatrixOptions& options, const char* where) {
    const std::size_t candidates = library.size() - (exclude_self && library.size() > 0 ? 1 : 0);
    const std::size_t cols = std::min(k, candidates);
    TopK out;
    out.indices.resize(static_cast<Eigen::Index>(queries.size()), static_cast<Eigen::Index>(cols));
    out.scores.resize(static_cast<Eigen::Index>(queries.size()), static_cast<Eigen::Index>(cols));
    if (queries.size() == 0 || cols == 0) return out;
    const BitEngine engine(library, metric, options.kernel, where);
    parallelize(options.num_threads, queries.size(), [&](int, std::size_t start, std::size_t length) {
        BitScratch scratch;
        std::vector<float, AlignedAllocator<float>> buffer(search_chunk);
        std::vector<std::vector<ScoredIndex>> heaps(length);
        for (auto& h : heaps) h.reserve(cols);
        for (std::size_t c0 = 0; c0 < library.size(); c0 += search_chunk) {
            const std::size_t c1 = std::min(library.size(), c0 + search_chunk);
            for (std::size_t q = start; q < start + length; ++q) {
                auto& heap = heaps[q - start];
                engine.compute(queries.row_data(q), queries.popcount(q), c0, c1, buffer.data(), scratch);
                // Columns are visited in increasing index order, so a full heap only admits a
                // strictly higher score (an equal score has a higher index than everything kept).
                float worst = heap.size() == cols ? heap.front().score : -std::numeric_limits<float>::infinity();
                for (std::size_t j = c0; j < c1; ++j) {
                    const float s = buffer[j - c0];
                    if (heap.size() == cols && !(s > worst)) continue;
                    if (exclude_self && j == q) continue;
                    const ScoredIndex item{s, static_cast<std::int64_t>(j)};
                    if (heap.size() < cols) {
                        heap.push_back(item);
                        std::push_heap(heap.begin(), heap.end(), better);
                    } else {
                        std::pop_heap(heap.begin(), heap.end(), better);
                        heap.back() = item;
                        std::push_heap(heap.begin(), heap.end(), better);
                    }
                    if (heap.size() == cols) worst = heap.front().score;
                }
            }
        }
        for (std::size_t q = start; q < start + length; ++q) {
            auto& heap = heaps[q - start];
            std::sort(heap.begin(), heap.end(), better);
            for (std::size_t c = 0; c < cols; ++c) {
                out.indices(static_cast<Eigen::Index>(q), static_cast<Eigen::Index>(c)) = heap[c].index;
                out.scores(static_cast<Eigen::Index>(q), static_cast<Eigen::Index>(c)) = heap[c].score;
            }
        }
    });
    return out;
}

}  // namespace detail

/// The `k` most similar rows of `library` for each row of `queries` (|queries| × min(k, |library|)).
[[nodiscard]] inline TopK bit_top_k(const FingerprintSet& queries, const FingerprintSet& library, BitMetric metric,
                                    std::size_t k, const MatrixOptions& options = {}) {
    constexpr const char* where = "c2s::distance::bit_top_k";
    detail::check_same_bits(where, queries, library);
    return detail::top_k_impl(queries, library, metric, k, false, options, where);
}

/// The `k` most similar other rows of `a` for each row of `a` (`exclude_self`: skip j == i).
[[nodiscard]] inline TopK bit_top_k(const FingerprintSet& a, BitMetric metric, std::size_t k, bool exclude_self = true,
                                    const MatrixOptions& options = {}) {
    constexpr const char* where = "c2s::distance::bit_top_k";
    detail::check_bits(where, a);
    return detail::top_k_impl(a, a, metric, k, exclude_self, options, where);
}

/// Hits of a threshold search, grouped by query (CSR): the hits of query q are
/// `[offsets[q], offsets[q + 1])` of `indices` (library rows, increasing) and `scores`.
struct ThresholdHits {
    std::vector<std::size_t> offsets;
    std::vector<std::uint32_t> indices;
    std::vector<float> scores;
    /// Pairs whose similarity was computed (the rest were pruned by the popcount bound).
    std::size_t pairs_computed = 0;
};

/// The smallest popcount ratio min/max at which `metric` can reach `threshold` (0 = no pruning).
[[nodiscard]] inline double min_popcount_ratio(BitMetric metric, double threshold) noexcept {
    if (!(threshold > 0)) return 0;
    switch (metric) {
        case BitMetric::tanimoto: return threshold;
        case BitMetric::dice: return threshold >= 2 ? 1 : threshold / (2 - threshold);
        case BitMetric::cosine: return threshold * threshold;
        case BitMetric::intersection: return 0;
    }
    return 0;
}

/**
 * @brief Every pair (query, library row) with similarity >= `threshold`.
 * @param threshold Compared with the float32 similarity; values > 1 give no hits (except counts
 *                  for `intersection`), values <= 0 return every pair.
 */
[[nodiscard]] inline ThresholdHits bit_threshold_search(const FingerprintSet& queries, const FingerprintSet& library,
                                                        float threshold, BitMetric metric = BitMetric::tanimoto,
                                                        const MatrixOptions& options = {}) {
    constexpr const char* where = "c2s::distance::bit_threshold_search";
    detail::check_same_bits(where, queries, library);
    if (std::isnan(threshold)) fail_argument(where, "'threshold' is NaN");
    if (library.size() > std::size_t{0xffffffff})
        fail_argument(where, "'library' has ", library.size(), " rows; at most 2^32 - 1 are supported");
    ThresholdHits out;
    out.offsets.assign(queries.size() + 1, 0);
    if (queries.size() == 0 || library.size() == 0) return out;

    // The library sorted by (popcount, index).
    std::vector<std::uint32_t> order(library.size());
    std::iota(order.begin(), order.end(), 0U);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::uint32_t x, std::uint32_t y) { return library.popcount(x) < library.popcount(y); });
    FingerprintSet sorted(library.size(), library.num_bits());
    std::vector<std::uint32_t> sorted_pop(library.size());
    for (std::size_t r = 0; r < library.size(); ++r) {
        sorted.assign_row(r, library.row(order[r]));
        sorted_pop[r] = library.popcount(order[r]);
    }
    const BitEngine engine(sorted, metric, options.kernel, where);
    const double ratio = min_popcount_ratio(metric, threshold);

    std::vector<std::vector<std::pair<std::uint32_t, float>>> hits(queries.size());
    std::vector<std::size_t> computed(static_cast<std::size_t>(resolve_num_threads(options.num_threads)), 0);
    parallelize(options.num_threads, queries.size(), [&](int thread, std::size_t start, std::size_t length) {
        BitScratch scratch;
        std::vector<float, AlignedAllocator<float>> buffer(detail::search_chunk);
        for (std::size_t q = start; q < start + length; ++q) {
            const std::uint32_t pa = queries.popcount(q);
            std::size_t p0 = 0, p1 = library.size();
            if (ratio > 0) {
                // Conservative integer bounds (widened by a relative 1e-6); exact similarities decide.
                const auto lo = static_cast<std::uint32_t>(std::floor(ratio * pa * (1 - 1e-6)));
                const auto hi = pa == 0 ? 0U : static_cast<std::uint32_t>(std::ceil(pa / ratio * (1 + 1e-6)));
                p0 = static_cast<std::size_t>(std::lower_bound(sorted_pop.begin(), sorted_pop.end(), lo) - sorted_pop.begin());
                p1 = static_cast<std::size_t>(std::upper_bound(sorted_pop.begin(), sorted_pop.end(), hi) - sorted_pop.begin());
            }
            auto& mine = hits[q];
            for (std::size_t c0 = p0; c0 < p1; c0 += detail::search_chunk) {
                const std::size_t c1 = std::min(p1, c0 + detail::search_chunk);
                engine.compute(queries.row_data(q), pa, c0, c1, buffer.data(), scratch);
                for (std::size_t j = c0; j < c1; ++j)
                    if (buffer[j - c0] >= threshold) mine.emplace_back(order[j], buffer[j - c0]);
            }
            computed[static_cast<std::size_t>(thread)] += p1 > p0 ? p1 - p0 : 0;
            std::sort(mine.begin(), mine.end());
        }
    });
    for (std::size_t q = 0; q < queries.size(); ++q) out.offsets[q + 1] = out.offsets[q] + hits[q].size();
    out.indices.reserve(out.offsets.back());
    out.scores.reserve(out.offsets.back());
    for (auto& h : hits)
        for (auto [j, s] : h) {
            out.indices.push_back(j);
            out.scores.push_back(s);
        }
    out.pairs_computed = std::accumulate(computed.begin(), computed.end(), std::size_t{0});
    return out;
}

}  // namespace c2s::distance
