#pragma once
/// @file quality.hpp
/// @brief How well an embedding keeps neighbourhoods: trustworthiness (scikit-learn's definition)
/// and k-NN preservation.
///
/// @see J. Venna, S. Kaski (2001). Neighborhood preservation in nonlinear projection methods: an
///      experimental study. ICANN 2001.
///
/// trustworthiness(k) = 1 - 2 / (n k (2n - 3k - 1)) * sum_i sum_{j in N_k^emb(i)} max(0, r(i, j) - k),
/// where r(i, j) is the rank of j among i's neighbours in the original space (1 = nearest, the
/// point itself excluded) and N_k^emb(i) are the k nearest neighbours in the embedding, both by
/// Euclidean distance, exactly as `sklearn.manifold.trustworthiness`. Ties in the original space are
/// ranked by index (scikit-learn's argsort leaves their order to the sort; with distinct distances
/// the two agree exactly). Results do not depend on the number of threads.

#include <Eigen/Dense>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/core/parallelize.hpp"
#include "c2s/reduce/common.hpp"
#include "c2s/reduce/knn.hpp"

namespace c2s::reduce {

namespace detail {
inline void check_quality_args(const char* where, const Eigen::Ref<const Eigen::MatrixXd>& x,
                               const Eigen::Ref<const Eigen::MatrixXd>& embedding, std::size_t k) {
    if (embedding.rows() != x.rows())
        fail_argument(where, "'embedding' has ", embedding.rows(), " rows but 'x' has ", x.rows());
    if (k < 1) fail_argument(where, "'num_neighbors' is 0 but must be at least 1");
    check_finite(where, x, "x");
    check_finite(where, embedding, "embedding");
}
}  // namespace detail

/**
 * @brief scikit-learn's trustworthiness of `embedding` (n x q) for the data `x` (n x p).
 * @param num_neighbors k; must be < n / 2 (as scikit-learn requires).
 */
[[nodiscard]] inline double trustworthiness(const Eigen::Ref<const Eigen::MatrixXd>& x,
                                            const Eigen::Ref<const Eigen::MatrixXd>& embedding,
                                            std::size_t num_neighbors = 5, int num_threads = 1) {
    constexpr const char* where = "c2s::reduce::trustworthiness";
    detail::check_quality_args(where, x, embedding, num_neighbors);
    const auto n = static_cast<std::size_t>(x.rows());
    const std::size_t k = num_neighbors;
    if (static_cast<double>(k) >= static_cast<double>(n) / 2.0)
        fail_argument(where, "'num_neighbors' is ", k, " but must be less than half the number of samples (", n, ")");
    KnnOptions ko;
    ko.num_neighbors = k;
    ko.num_threads = num_threads;
    const auto emb_nn = knn_euclidean(embedding, ko);
    std::vector<double> penalty(n, 0.0);
    c2s::parallelize(resolve_num_threads(num_threads), n, [&](int, std::size_t start, std::size_t length) {
        Eigen::VectorXd d(static_cast<Eigen::Index>(n));
        for (std::size_t i = start; i < start + length; ++i) {
            const auto I = static_cast<Eigen::Index>(i);
            for (std::size_t j = 0; j < n; ++j) d(static_cast<Eigen::Index>(j)) = (x.row(I) - x.row(static_cast<Eigen::Index>(j))).squaredNorm();
            double sum = 0.0;
            for (Eigen::Index c = 0; c < emb_nn.indices.cols(); ++c) {
                const auto j = static_cast<std::size_t>(emb_nn.indices(I, c));
                const double dj = d(static_cast<Eigen::Index>(j));
                std::size_t rank = 1;  // 1 + points strictly closer (or equally close with a lower index)
                for (std::size_t l = 0; l < n; ++l) {
                    if (l == i || l == j) continue;
                    const double dl = d(static_cast<Eigen::Index>(l));
                    if (dl < dj || (dl == dj && l < j)) ++rank;
                }
                if (rank > k) sum += static_cast<double>(rank - k);
            }
            penalty[i] = sum;
        }
    });
    double total = 0.0;
    for (double v : penalty) total += v;
    const double nd = static_cast<double>(n), kd = static_cast<double>(k);
    return 1.0 - total * (2.0 / (nd * kd * (2.0 * nd - 3.0 * kd - 1.0)));
}

/// Mean over points of |N_k(x, i) ∩ N_k(embedding, i)| / k (exact Euclidean neighbours, self excluded).
[[nodiscard]] inline double knn_preservation(const Eigen::Ref<const Eigen::MatrixXd>& x,
                                             const Eigen::Ref<const Eigen::MatrixXd>& embedding,
                                             std::size_t num_neighbors = 15, int num_threads = 1) {
    constexpr const char* where = "c2s::reduce::knn_preservation";
    detail::check_quality_args(where, x, embedding, num_neighbors);
    if (num_neighbors >= static_cast<std::size_t>(x.rows()))
        fail_argument(where, "'num_neighbors' is ", num_neighbors, " but 'x' has only ", x.rows(), " rows");
    KnnOptions ko;
    ko.num_neighbors = num_neighbors;
    ko.num_threads = num_threads;
    const auto a = knn_euclidean(x, ko), b = knn_euclidean(embedding, ko);
    double total = 0.0;
    std::vector<std::int32_t> ra, rb;
    for (Eigen::Index i = 0; i < a.indices.rows(); ++i) {
        ra.assign(a.indices.row(i).begin(), a.indices.row(i).end());
        rb.assign(b.indices.row(i).begin(), b.indices.row(i).end());
        std::sort(ra.begin(), ra.end());
        std::sort(rb.begin(), rb.end());
        std::vector<std::int32_t> common;
        std::set_intersection(ra.begin(), ra.end(), rb.begin(), rb.end(), std::back_inserter(common));
        total += static_cast<double>(common.size()) / static_cast<double>(num_neighbors);
    }
    return total / static_cast<double>(a.indices.rows());
}

}  // namespace c2s::reduce
