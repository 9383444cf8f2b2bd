#pragma once
/// @file search.hpp
/// @brief Nearest neighbours on fingerprints: top-k per query and threshold search with
/// popcount-bound pruning (as in chemfp and FPSim2).
///
/// - `bit_top_k(queries, library, metric, k)`: the k most similar library rows of each query,
///   best first, ties broken by the lower library index (so results are deterministic and equal to
///   a stable sort of each row of the full matrix). With one set, `exclude_self` skips j == i.
///   The library is sorted by popcount once; each query skips the chunks whose popcount bound is
///   below its current k-th best score (see `detail::top_k_impl`); `TopK::pairs_computed` counts
///   the pairs actually compared.
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
    /// Pairs whose similarity was computed (the rest were skipped by the popcount bound).
    std::size_t pairs_computed = 0;
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

/// A library sorted by (popcount, index): `rows` (row r = original row `order[r]`), `popcounts`.
struct PopcountSorted {
    std::vector<std::uint32_t> order;
    FingerprintSet rows;
    std::vector<std::uint32_t> popcounts;
    explicit PopcountSorted(const FingerprintSet& library) : order(library.size()), rows(library.size(), library.num_bits()) {
        std::iota(order.begin(), order.end(), 0U);
        std::stable_sort(order.begin(), order.end(),
                         [&](std::uint32_t x, std::uint32_t y) { return library.popcount(x) < library.popcount(y); });
        popcounts.resize(library.size());
        for (std::size_t r = 0; r < library.size(); ++r) {
            rows.assign_row(r, library.row(order[r]));
            popcounts[r] = library.popcount(order[r]);
        }
    }
};

/// The largest similarity (as the kernels compute it, float) a row with popcount in [pmin, pmax]
/// can have with a query of popcount `pa`: the intersection is at most min(pa, pb), every metric
/// grows with the intersection and, over pb, peaks at pb = pa; float rounding keeps the order.
inline float popcount_bound(BitMetric metric, std::uint32_t pa, std::uint32_t pmin, std::uint32_t pmax) noexcept {
    const std::uint32_t pb = pa < pmin ? pmin : pa > pmax ? pmax : pa;
    return similarity_from_counts(metric, std::min(pa, pb), pa, pb);
}

/**
 * Top-k with popcount-bound pruning (chemfp's idea, here on chunks of 2,048 rows of a
 * popcount-sorted library): each query visits the chunks in order of their bound (popcount_bound),
 * starting at its own popcount and walking outwards, and stops as soon as it has k results and the
 * best remaining bound is below its k-th best score (the bounds only fall further out). Equal
 * scores are kept by the lower library index, and a chunk whose bound equals the k-th score is
 * still scanned, so the result is exactly the brute-force one.
 */
inline TopK top_k_impl(const FingerprintSet& queries, const FingerprintSet& library, BitMetric metric, std::size_t k,
                       bool exclude_self, const MatrixOptions& options, const char* where) {
    const std::size_t candidates = library.size() - (exclude_self && library.size() > 0 ? 1 : 0);
    const std::size_t cols = std::min(k, candidates);
    TopK out;
    out.indices.resize(static_cast<Eigen::Index>(queries.size()), static_cast<Eigen::Index>(cols));
    out.scores.resize(static_cast<Eigen::Index>(queries.size()), static_cast<Eigen::Index>(cols));
    if (queries.size() == 0 || cols == 0) return out;
    if (library.size() > std::size_t{0xffffffff})
        fail_argument(where, "'library' has ", library.size(), " rows; at most 2^32 - 1 are supported");
    const PopcountSorted sorted(library);
    const BitEngine engine(sorted.rows, metric, options.kernel, where);
    const std::size_t chunks = (library.size() + search_chunk - 1) / search_chunk;
    std::vector<std::size_t> computed(static_cast<std::size_t>(resolve_num_threads(options.num_threads)), 0);
    auto chunk_bound = [&](std::uint32_t pa, std::size_t chunk) {
        const std::size_t c0 = chunk * search_chunk, c1 = std::min(library.size(), c0 + search_chunk);
        return popcount_bound(metric, pa, sorted.popcounts[c0], sorted.popcounts[c1 - 1]);
    };
    parallelize(options.num_threads, queries.size(), [&](int thread, std::size_t start, std::size_t length) {
        BitScratch scratch;
        std::vector<float, AlignedAllocator<float>> buffer(search_chunk);
        std::vector<std::vector<ScoredIndex>> heaps(length);
        for (auto& h : heaps) h.reserve(cols);
        std::size_t pairs = 0;
        auto scan = [&](std::size_t q, std::size_t chunk) {
            auto& heap = heaps[q - start];
            const std::size_t c0 = chunk * search_chunk, c1 = std::min(library.size(), c0 + search_chunk);
            engine.compute(queries.row_data(q), queries.popcount(q), c0, c1, buffer.data(), scratch);
            pairs += c1 - c0;
            // Only scores >= the current k-th score can enter (equal ones by a lower index).
            float worst = heap.size() == cols ? heap.front().score : -std::numeric_limits<float>::infinity();
            for (std::size_t j = c0; j < c1; ++j) {
                if (buffer[j - c0] < worst) continue;
                const ScoredIndex item{buffer[j - c0], static_cast<std::int64_t>(sorted.order[j])};
                if (heap.size() == cols && !better(item, heap.front())) continue;
                if (exclude_self && static_cast<std::size_t>(item.index) == q) continue;
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
        };
        for (std::size_t q = start; q < start + length; ++q) {
            // Best-first: start at the chunk holding the query's popcount and walk outwards, always
            // taking the side with the higher bound; stop once both sides are below the k-th score.
            const std::uint32_t pa = queries.popcount(q);
            const auto pos = static_cast<std::size_t>(
                std::lower_bound(sorted.popcounts.begin(), sorted.popcounts.end(), pa) - sorted.popcounts.begin());
            std::size_t hi = std::min(pos, library.size() - 1) / search_chunk;  // next chunk upwards
            std::size_t lo = hi;                                                // chunks below lo remain
            const auto& heap = heaps[q - start];
            while (lo > 0 || hi < chunks) {
                const float up = hi < chunks ? chunk_bound(pa, hi) : -1.0f;
                const float down = lo > 0 ? chunk_bound(pa, lo - 1) : -1.0f;
                const bool take_up = up >= down;
                if (heap.size() == cols && (take_up ? up : down) < heap.front().score) break;
                if (take_up) scan(q, hi++);
                else scan(q, --lo);
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
        computed[static_cast<std::size_t>(thread)] = pairs;
    });
    out.pairs_computed = std::accumulate(computed.begin(), computed.end(), std::size_t{0});
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
    const detail::PopcountSorted by_popcount(library);
    const auto& order = by_popcount.order;
    const auto& sorted_pop = by_popcount.popcounts;
    const BitEngine engine(by_popcount.rows, metric, options.kernel, where);
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
