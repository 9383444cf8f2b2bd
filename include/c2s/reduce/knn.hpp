#pragma once
/// @file knn.hpp
/// @brief Exact Euclidean k-nearest neighbours of dense rows, parallelised with `c2s::parallelize`.
///
/// Candidates come from blocks of squared distances computed as |q|^2 + |x|^2 - 2 q.x (one matrix
/// product per block of 64 queries); the kept neighbours' distances are then recomputed directly
/// from the coordinates, so they carry no cancellation error. Neighbours are sorted by distance,
/// ties by index. The blocks do not depend on the number of threads, so the result does not either.
/// (`c2s/distance/` serves fingerprints and cosine profiles; t-SNE and UMAP need Euclidean distances
/// of dense floats, which this header provides.)

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/core/parallelize.hpp"
#include "c2s/core/progress.hpp"
#include "c2s/reduce/common.hpp"

namespace c2s::reduce {

struct KnnOptions {
    /// Neighbours per point.
    std::size_t num_neighbors = 15;
    /// Count the point itself as its first neighbour (umap-learn's convention); false excludes it
    /// (scikit-learn's `kneighbors()` without a query, used by t-SNE).
    bool include_self = false;
    /// Worker threads; < 1 = all cores. The result does not depend on it.
    int num_threads = 1;
    Progress* progress = nullptr;
};

/// n x k neighbour table, row i sorted by increasing distance.
struct KnnResults {
    Eigen::Matrix<std::int32_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> indices;
    RowMatrix distances;  ///< Euclidean (not squared)
};

/// Exact Euclidean kNN of the rows of `x` among themselves.
[[nodiscard]] inline KnnResults knn_euclidean(const Eigen::Ref<const Eigen::MatrixXd>& x, const KnnOptions& options = {}) {
    constexpr const char* where = "c2s::reduce::knn_euclidean";
    const auto n = static_cast<std::size_t>(x.rows());
    const std::size_t k = options.num_neighbors;
    if (k < 1) fail_argument(where, "'num_neighbors' is 0 but must be at least 1");
    const std::size_t others = options.include_self ? k - 1 : k;
    if (others >= n || (options.include_self && k > n))
        fail_argument(where, "'num_neighbors' is ", k, " but 'x' has only ", n, " rows; need more rows than neighbours",
                      options.include_self ? " (the point itself counts as one)" : "");
    if (n > static_cast<std::size_t>(INT32_MAX)) fail_argument(where, "'x' has ", n, " rows, more than int32 indices hold");
    detail::check_finite(where, x);

    KnnResults r;
    r.indices.resize(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(k));
    r.distances.resize(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(k));
    const Eigen::VectorXd norms = x.rowwise().squaredNorm();
    constexpr std::size_t block = 64;
    const std::size_t num_blocks = (n + block - 1) / block;
    const int threads = resolve_num_threads(options.num_threads);
    c2s::parallelize(threads, num_blocks, [&](int t, std::size_t start, std::size_t length) {
        Eigen::MatrixXd dots;
        std::vector<std::pair<double, std::int32_t>> cand(n);
        for (std::size_t b = start; b < start + length; ++b) {
            if (options.progress) {
                options.progress->check_interrupt(where);
                if (t == 0) options.progress->report(b - start, length, "exact nearest neighbours");
            }
            const std::size_t q0 = b * block, qn = std::min(block, n - q0);
            dots.noalias() = x * x.middleRows(static_cast<Eigen::Index>(q0), static_cast<Eigen::Index>(qn)).transpose();
            for (std::size_t qq = 0; qq < qn; ++qq) {
                const std::size_t i = q0 + qq;
                std::size_t m = 0;
                for (std::size_t j = 0; j < n; ++j) {
                    if (j == i) continue;
                    const double d = norms(static_cast<Eigen::Index>(i)) + norms(static_cast<Eigen::Index>(j)) -
                                     2.0 * dots(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(qq));
                    cand[m++] = {d, static_cast<std::int32_t>(j)};
                }
                // Keep a few extra candidates so the exact recomputation can reorder near-ties.
                const std::size_t keep = std::min(m, others + 8);
                std::nth_element(cand.begin(), cand.begin() + static_cast<std::ptrdiff_t>(keep - 1), cand.begin() + static_cast<std::ptrdiff_t>(m));
                for (std::size_t c = 0; c < keep; ++c) {
                    const auto j = static_cast<Eigen::Index>(cand[c].second);
                    cand[c].first = (x.row(static_cast<Eigen::Index>(i)) - x.row(j)).squaredNorm();
                }
                std::sort(cand.begin(), cand.begin() + static_cast<std::ptrdiff_t>(keep));
                const auto I = static_cast<Eigen::Index>(i);
                Eigen::Index c0 = 0;
                if (options.include_self) {
                    r.indices(I, 0) = static_cast<std::int32_t>(i);
                    r.distances(I, 0) = 0.0;
                    c0 = 1;
                }
                for (std::size_t c = 0; c < others; ++c) {
                    r.indices(I, c0 + static_cast<Eigen::Index>(c)) = cand[c].second;
                    r.distances(I, c0 + static_cast<Eigen::Index>(c)) = std::sqrt(cand[c].first);
                }
            }
        }
    });
    return r;
}

}  // namespace c2s::reduce
