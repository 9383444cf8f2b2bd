#pragma once
/// @file tsne.hpp
/// @brief t-distributed stochastic neighbour embedding: exact gradients for small n, Barnes-Hut
/// (quadtree, 2-D) for large n, following scikit-learn's `TSNE` step by step.
///
/// @see L. van der Maaten, G. Hinton (2008). Visualizing data using t-SNE. JMLR 9:2579-2605.
/// @see L. van der Maaten (2014). Accelerating t-SNE using tree-based algorithms. JMLR 15:3221-3245.
///
/// What follows scikit-learn 1.2 (`sklearn/manifold/_t_sne.py`, `_utils.pyx`, `_barnes_hut_tsne.pyx`):
/// - perplexity calibration: per point a binary search on the precision beta (start 1, doubling /
///   halving until bracketed, at most 100 steps, |entropy - log(perplexity)| <= 1e-5, natural log),
///   `conditional_probabilities`;
/// - exact method: conditional P over all other points, P = (C + C^T) / sum, floored at machine
///   epsilon (`joint_probabilities`); Barnes-Hut: C over the k = min(n - 1, floor(3 perplexity + 1))
///   nearest neighbours, P = (C + C^T) / sum, sparse (`joint_probabilities_nn`);
/// - the KL divergence and its gradient with Student-t degrees of freedom max(dims - 1, 1)
///   (`kl_divergence_exact` equals sklearn's `_kl_divergence`);
/// - optimisation: 250 iterations with P multiplied by `early_exaggeration` (12) and momentum 0.5,
///   then momentum 0.8 up to `max_iterations` (1000), each phase starting from zero update and unit
///   gains; gains +0.2 where update and gradient disagree in sign, x0.8 otherwise, at least 0.01;
///   convergence checked every 50 iterations (no progress for 300 iterations, gradient norm <= 1e-7);
///   learning rate "auto" = max(n / early_exaggeration / 4, 50);
/// - initialisation "pca": the first `num_components` principal components (randomised solver),
///   scaled so that the first column has standard deviation 1e-4; "random": N(0, 1e-4^2).
/// Differences: computations are in double precision (scikit-learn rounds distances and the
/// embedding to float32); the Barnes-Hut quadtree is this file's own (a cell is summarised when
/// width^2 < angle^2 dist^2 to its centre of mass; leaves are visited point by point, skipping
/// only the point itself); Barnes-Hut supports 2-D embeddings only.
///
/// Determinism: the result depends on the seed and not on `num_threads` (every reduction is summed
/// per point and then in index order).

#include <Eigen/Dense>
#include <Eigen/SparseCore>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/core/parallelize.hpp"
#include "c2s/core/progress.hpp"
#include "c2s/reduce/common.hpp"
#include "c2s/reduce/knn.hpp"
#include "c2s/reduce/pca.hpp"

namespace c2s::reduce {

using SparseRowMatrix = Eigen::SparseMatrix<double, Eigen::RowMajor, std::int64_t>;

enum class TsneMethod {
    exact,      ///< O(n^2) gradient over all pairs; any number of dimensions
    barnes_hut  ///< sparse P over 3 perplexity neighbours, quadtree negative forces; 2-D only
};

enum class TsneInit {
    pca,    ///< principal components scaled to std 1e-4 (scikit-learn's default)
    random  ///< N(0, 1e-4^2)
};

struct TsneOptions {
    /// Dimensions of the embedding.
    std::size_t num_components = 2;
    /// Effective number of neighbours; larger = more global structure. Must be < number of samples.
    double perplexity = 30.0;
    /// Factor on P during the first `exaggeration_iterations`; larger = tighter, farther clusters.
    double early_exaggeration = 12.0;
    /// Step size (unset: scikit-learn's "auto", max(n / early_exaggeration / 4, 50)).
    std::optional<double> learning_rate;
    /// Total gradient steps (scikit-learn's n_iter), including the exaggeration phase.
    int max_iterations = 1000;
    /// Steps with early exaggeration and momentum 0.5.
    int exaggeration_iterations = 250;
    /// Stop when the (checked every 50 steps) error did not improve for this many steps.
    int iterations_without_progress = 300;
    /// Stop when the gradient norm falls below this.
    double min_grad_norm = 1e-7;
    TsneMethod method = TsneMethod::barnes_hut;
    /// Barnes-Hut accuracy: larger = coarser and faster.
    double angle = 0.5;
    TsneInit init = TsneInit::pca;
    std::uint64_t seed = 0;
    /// Worker threads; < 1 = all cores. The result does not depend on it.
    int num_threads = 1;
    Progress* progress = nullptr;
};

struct TsneResults {
    RowMatrix embedding;           ///< n x num_components
    double kl_divergence = 0.0;    ///< KL(P || Q) at the end (Barnes-Hut: with the approximate Q)
    int iterations = 0;            ///< gradient steps taken
    double learning_rate = 0.0;    ///< the step size used
    std::vector<std::string> warnings;
};

namespace detail {

inline constexpr double machine_epsilon = std::numeric_limits<double>::epsilon();

inline void check_perplexity(const char* where, double perplexity, std::size_t n) {
    if (!(perplexity > 0.0) || !std::isfinite(perplexity))
        fail_argument(where, "'perplexity' is ", perplexity, " but must be positive");
    if (perplexity >= static_cast<double>(n))
        fail_argument(where, "'perplexity' is ", perplexity, " but must be less than the number of samples (", n, ")");
}

}  // namespace detail

/**
 * @brief Conditional probabilities p_{j|i} with the perplexity calibrated per row (scikit-learn's
 * `_binary_search_perplexity`).
 * @param sq_distances n x m squared distances: m = n (all points; the diagonal is skipped) or m < n
 *        (distances to each row's m neighbours, all used).
 */
[[nodiscard]] inline RowMatrix conditional_probabilities(const Eigen::Ref<const RowMatrix>& sq_distances, double perplexity,
                                                         int num_threads = 1) {
    constexpr const char* where = "c2s::reduce::conditional_probabilities";
    const auto n = sq_distances.rows(), m = sq_distances.cols();
    if (!(perplexity > 0.0)) fail_argument(where, "'perplexity' is ", perplexity, " but must be positive");
    if (m > n) fail_argument(where, "'sq_distances' has ", m, " columns but only ", n, " rows");
    detail::check_finite(where, sq_distances, "sq_distances");
    const bool using_neighbors = m < n;
    const double desired_entropy = std::log(perplexity);
    constexpr int steps = 100;
    constexpr double tolerance = 1e-5;
    RowMatrix p = RowMatrix::Zero(n, m);
    c2s::parallelize(num_threads, static_cast<std::size_t>(n), [&](int, std::size_t start, std::size_t length) {
        for (auto i = static_cast<Eigen::Index>(start); i < static_cast<Eigen::Index>(start + length); ++i) {
            double beta = 1.0, beta_min = -std::numeric_limits<double>::infinity(),
                   beta_max = std::numeric_limits<double>::infinity();
            for (int step = 0; step < steps; ++step) {
                double sum_p = 0.0;
                for (Eigen::Index j = 0; j < m; ++j) {
                    if (j != i || using_neighbors) {
                        p(i, j) = std::exp(-sq_distances(i, j) * beta);
                        sum_p += p(i, j);
                    }
                }
                if (sum_p == 0.0) sum_p = 1e-8;
                double sum_dist_p = 0.0;
                for (Eigen::Index j = 0; j < m; ++j) {
                    p(i, j) /= sum_p;
                    sum_dist_p += sq_distances(i, j) * p(i, j);
                }
                const double entropy = std::log(sum_p) + beta * sum_dist_p;
                const double diff = entropy - desired_entropy;
                if (std::abs(diff) <= tolerance) break;
                if (diff > 0) {
                    beta_min = beta;
                    beta = beta_max == std::numeric_limits<double>::infinity() ? beta * 2.0 : (beta + beta_max) / 2.0;
                } else {
                    beta_max = beta;
                    beta = beta_min == -std::numeric_limits<double>::infinity() ? beta / 2.0 : (beta + beta_min) / 2.0;
                }
            }
        }
    });
    return p;
}

/// Dense joint probabilities of the exact method from all squared distances (n x n, symmetric):
/// P = (C + C^T) / sum(C + C^T), off-diagonal entries at least machine epsilon, diagonal 0.
/// (scikit-learn's `_joint_probabilities` returns the upper triangle; this is its square form.)
[[nodiscard]] inline RowMatrix joint_probabilities(const Eigen::Ref<const RowMatrix>& sq_distances, double perplexity,
                                                   int num_threads = 1) {
    constexpr const char* where = "c2s::reduce::joint_probabilities";
    if (sq_distances.rows() != sq_distances.cols())
        fail_argument(where, "'sq_distances' is ", sq_distances.rows(), " x ", sq_distances.cols(), " but must be square");
    detail::check_perplexity(where, perplexity, static_cast<std::size_t>(sq_distances.rows()));
    const RowMatrix c = conditional_probabilities(sq_distances, perplexity, num_threads);
    RowMatrix p = c + c.transpose();
    const double sum = std::max(p.sum(), detail::machine_epsilon);
    p /= sum;
    for (Eigen::Index i = 0; i < p.rows(); ++i)
        for (Eigen::Index j = 0; j < p.cols(); ++j) p(i, j) = i == j ? 0.0 : std::max(p(i, j), detail::machine_epsilon);
    return p;
}

/// Sparse joint probabilities of the Barnes-Hut method from a kNN table (self excluded):
/// C over the neighbours, P = (C + C^T) / sum (scikit-learn's `_joint_probabilities_nn`).
[[nodiscard]] inline SparseRowMatrix joint_probabilities_nn(const KnnResults& knn, double perplexity, int num_threads = 1) {
    const auto n = knn.indices.rows(), k = knn.indices.cols();
    const RowMatrix sq = knn.distances.array().square().matrix();
    const RowMatrix c = conditional_probabilities(sq, perplexity, num_threads);
    std::vector<Eigen::Triplet<double, std::int64_t>> triplets;
    triplets.reserve(static_cast<std::size_t>(2 * n * k));
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j < k; ++j) {
            triplets.emplace_back(i, knn.indices(i, j), c(i, j));
            triplets.emplace_back(knn.indices(i, j), i, c(i, j));
        }
    SparseRowMatrix p(n, n);
    p.setFromTriplets(triplets.begin(), triplets.end());
    p.makeCompressed();
    double sum = 0.0;
    for (Eigen::Index t = 0; t < p.nonZeros(); ++t) sum += p.valuePtr()[t];
    p /= std::max(sum, detail::machine_epsilon);
    return p;
}

/// KL divergence and its gradient (n x dims).
struct KlGradient {
    double kl_divergence = 0.0;
    RowMatrix gradient;
};

/**
 * @brief Exact KL(P || Q) and gradient for the embedding `y` (scikit-learn's `_kl_divergence`).
 * @param p   n x n symmetric joint probabilities (as `joint_probabilities`), diagonal ignored.
 * @param y   n x dims embedding.
 * @param degrees_of_freedom Student-t degrees of freedom (t-SNE: max(dims - 1, 1)).
 */
[[nodiscard]] inline KlGradient kl_divergence_exact(const Eigen::Ref<const RowMatrix>& p, const Eigen::Ref<const RowMatrix>& y,
                                                    double degrees_of_freedom, int num_threads = 1) {
    constexpr const char* where = "c2s::reduce::kl_divergence_exact";
    const auto n = y.rows(), dims = y.cols();
    if (p.rows() != n || p.cols() != n)
        fail_argument(where, "'p' is ", p.rows(), " x ", p.cols(), " but 'y' has ", n, " rows");
    if (!(degrees_of_freedom > 0)) fail_argument(where, "'degrees_of_freedom' is ", degrees_of_freedom, " but must be positive");
    const double exponent = (degrees_of_freedom + 1.0) / -2.0;
    auto kernel = [&](Eigen::Index i, Eigen::Index j) {
        const double d = (y.row(i) - y.row(j)).squaredNorm();
        const double base = d / degrees_of_freedom + 1.0;
        return degrees_of_freedom == 1.0 ? 1.0 / base : std::pow(base, exponent);
    };
    // Per-row sums of the kernel over j > i, then summed in row order.
    std::vector<double> row_sum(static_cast<std::size_t>(n), 0.0);
    c2s::parallelize(num_threads, static_cast<std::size_t>(n), [&](int, std::size_t s, std::size_t l) {
        for (auto i = static_cast<Eigen::Index>(s); i < static_cast<Eigen::Index>(s + l); ++i) {
            double acc = 0.0;
            for (Eigen::Index j = i + 1; j < n; ++j) acc += kernel(i, j);
            row_sum[static_cast<std::size_t>(i)] = acc;
        }
    });
    double total = 0.0;
    for (double v : row_sum) total += v;
    const double norm = 2.0 * total;
    KlGradient r;
    r.gradient.setZero(n, dims);
    std::vector<double> row_kl(static_cast<std::size_t>(n), 0.0);
    const double c = 2.0 * (degrees_of_freedom + 1.0) / degrees_of_freedom;
    c2s::parallelize(num_threads, static_cast<std::size_t>(n), [&](int, std::size_t s, std::size_t l) {
        for (auto i = static_cast<Eigen::Index>(s); i < static_cast<Eigen::Index>(s + l); ++i) {
            double kl = 0.0;
            for (Eigen::Index j = 0; j < n; ++j) {
                if (j == i) continue;
                const double w = kernel(i, j);
                const double q = std::max(w / norm, detail::machine_epsilon);
                if (j > i) kl += p(i, j) * std::log(std::max(p(i, j), detail::machine_epsilon) / q);
                r.gradient.row(i) += ((p(i, j) - q) * w) * (y.row(i) - y.row(j));
            }
            r.gradient.row(i) *= c;
            row_kl[static_cast<std::size_t>(i)] = kl;
        }
    });
    double kl = 0.0;
    for (double v : row_kl) kl += v;
    r.kl_divergence = 2.0 * kl;
    return r;
}

namespace detail {

/// 2-D quadtree over the embedding for the Barnes-Hut negative forces.
class QuadTree {
public:
    struct Node {
        double cx = 0, cy = 0, width = 0;  // cell centre and side
        double mx = 0, my = 0;             // centre of mass
        std::size_t count = 0;
        std::uint32_t begin = 0, end = 0;  // points (leaves): order_[begin, end)
        std::array<std::int32_t, 4> child{-1, -1, -1, -1};
        bool leaf = true;
    };

    void build(const RowMatrix& y) {
        const auto n = static_cast<std::size_t>(y.rows());
        nodes_.clear();
        order_.resize(n);
        scratch_.resize(n);
        for (std::size_t i = 0; i < n; ++i) order_[i] = static_cast<std::uint32_t>(i);
        const double x0 = y.col(0).minCoeff(), x1 = y.col(0).maxCoeff(), y0 = y.col(1).minCoeff(), y1 = y.col(1).maxCoeff();
        const double w = std::max({x1 - x0, y1 - y0, 1e-12}) * (1.0 + 1e-9);
        nodes_.reserve(2 * n + 1);
        nodes_.push_back(Node{});
        nodes_[0].cx = (x0 + x1) / 2;
        nodes_[0].cy = (y0 + y1) / 2;
        nodes_[0].width = w;
        split(y, 0, 0, static_cast<std::uint32_t>(n), 0, w);
    }

    /// Negative force (unnormalised) on `point` and its share of the normaliser sum_Q.
    void negative(const RowMatrix& y, std::size_t point, double theta2, double& fx, double& fy, double& sum_q) const {
        const double px = y(static_cast<Eigen::Index>(point), 0), py = y(static_cast<Eigen::Index>(point), 1);
        std::int32_t stack[256];
        int top = 0;
        stack[top++] = 0;
        fx = fy = sum_q = 0.0;
        while (top > 0) {
            const Node& nd = nodes_[static_cast<std::size_t>(stack[--top])];
            if (nd.leaf) {
                for (std::uint32_t t = nd.begin; t < nd.end; ++t) {
                    const std::uint32_t j = order_[t];
                    if (j == point) continue;
                    const double dx = px - y(j, 0), dy = py - y(j, 1);
                    const double q = 1.0 / (1.0 + dx * dx + dy * dy);
                    sum_q += q;
                    fx += q * q * dx;
                    fy += q * q * dy;
                }
                continue;
            }
            const double dx = px - nd.mx, dy = py - nd.my, d2 = dx * dx + dy * dy;
            if (nd.width * nd.width < theta2 * d2) {
                const double q = 1.0 / (1.0 + d2), c = static_cast<double>(nd.count);
                sum_q += c * q;
                fx += c * q * q * dx;
                fy += c * q * q * dy;
            } else {
                for (auto ch : nd.child)
                    if (ch >= 0) stack[top++] = ch;
            }
        }
    }

private:
    void split(const RowMatrix& y, std::size_t node, std::uint32_t begin, std::uint32_t end, int depth, double root_width) {
        double mx = 0, my = 0;
        for (std::uint32_t t = begin; t < end; ++t) {
            mx += y(order_[t], 0);
            my += y(order_[t], 1);
        }
        const double cnt = static_cast<double>(end - begin);
        nodes_[node].mx = mx / cnt;
        nodes_[node].my = my / cnt;
        nodes_[node].count = end - begin;
        nodes_[node].begin = begin;
        nodes_[node].end = end;
        if (end - begin <= 1 || depth >= 60 || nodes_[node].width < 1e-13 * root_width) return;
        nodes_[node].leaf = false;
        const double cx = nodes_[node].cx, cy = nodes_[node].cy, half = nodes_[node].width / 2;
        std::array<std::uint32_t, 5> offsets{};
        auto quadrant = [&](std::uint32_t i) { return (y(i, 0) >= cx ? 1 : 0) + (y(i, 1) >= cy ? 2 : 0); };
        for (std::uint32_t t = begin; t < end; ++t) ++offsets[static_cast<std::size_t>(quadrant(order_[t]) + 1)];
        for (std::size_t q = 1; q < 5; ++q) offsets[q] += offsets[q - 1];
        std::array<std::uint32_t, 4> fill{};
        for (std::uint32_t t = begin; t < end; ++t) {
            const auto q = static_cast<std::size_t>(quadrant(order_[t]));
            scratch_[begin + offsets[q] + fill[q]++] = order_[t];
        }
        std::copy(scratch_.begin() + begin, scratch_.begin() + end, order_.begin() + begin);
        for (std::size_t q = 0; q < 4; ++q) {
            if (offsets[q + 1] == offsets[q]) continue;
            Node child;
            child.width = half;
            child.cx = cx + ((q & 1) ? half / 2 : -half / 2);
            child.cy = cy + ((q & 2) ? half / 2 : -half / 2);
            nodes_.push_back(child);
            const auto id = nodes_.size() - 1;
            nodes_[node].child[q] = static_cast<std::int32_t>(id);
            split(y, id, begin + offsets[q], begin + offsets[q + 1], depth + 1, root_width);
        }
    }

    std::vector<Node> nodes_;
    std::vector<std::uint32_t> order_, scratch_;
};

/// Barnes-Hut gradient (times 4, as scikit-learn) into `grad`; returns the KL divergence with the
/// approximate Q when `compute_error`, else 0. `exaggeration` multiplies P.
inline double barnes_hut_gradient(const SparseRowMatrix& p, double exaggeration, const RowMatrix& y, double angle,
                                  QuadTree& tree, RowMatrix& grad, bool compute_error, int num_threads,
                                  std::vector<double>& scratch) {
    const auto n = static_cast<std::size_t>(y.rows());
    tree.build(y);
    scratch.assign(3 * n, 0.0);  // neg fx, fy, sum_q per point
    const double theta2 = angle * angle;
    c2s::parallelize(num_threads, n, [&](int, std::size_t s, std::size_t l) {
        for (std::size_t i = s; i < s + l; ++i) tree.negative(y, i, theta2, scratch[3 * i], scratch[3 * i + 1], scratch[3 * i + 2]);
    });
    double sum_q = 0.0;
    for (std::size_t i = 0; i < n; ++i) sum_q += scratch[3 * i + 2];
    sum_q = std::max(sum_q, machine_epsilon);
    std::vector<double> kl(compute_error ? n : 0, 0.0);
    c2s::parallelize(num_threads, n, [&](int, std::size_t s, std::size_t l) {
        for (std::size_t i = s; i < s + l; ++i) {
            const auto I = static_cast<Eigen::Index>(i);
            double px = 0, py = 0, c = 0;
            for (SparseRowMatrix::InnerIterator it(p, I); it; ++it) {
                const auto j = it.col();
                const double dx = y(I, 0) - y(j, 0), dy = y(I, 1) - y(j, 1);
                const double q = 1.0 / (1.0 + dx * dx + dy * dy);
                const double pij = it.value() * exaggeration;
                px += pij * q * dx;
                py += pij * q * dy;
                if (compute_error) {
                    constexpr double tiny = 1.17549435e-38;  // scikit-learn's FLOAT32_TINY
                    c += pij * std::log(std::max(pij, tiny) / std::max(q / sum_q, tiny));
                }
            }
            grad(I, 0) = 4.0 * (px - scratch[3 * i] / sum_q);
            grad(I, 1) = 4.0 * (py - scratch[3 * i + 1] / sum_q);
            if (compute_error) kl[i] = c;
        }
    });
    double total = 0.0;
    for (double v : kl) total += v;
    return total;
}

}  // namespace detail

/**
 * @brief Embeds the rows of `x` with t-SNE.
 * @param x n x p data: finite, not all rows identical, n > perplexity.
 */
[[nodiscard]] inline TsneResults tsne(const Eigen::Ref<const Eigen::MatrixXd>& x, const TsneOptions& options = {}) {
    constexpr const char* where = "c2s::reduce::tsne";
    detail::check_input(where, x, 2);
    const auto n = static_cast<std::size_t>(x.rows());
    const std::size_t dims = options.num_components;
    if (dims < 1) fail_argument(where, "'num_components' is 0 but must be at least 1");
    if (options.method == TsneMethod::barnes_hut && dims != 2)
        fail_argument(where, "'num_components' is ", dims, " but the Barnes-Hut method embeds in 2 dimensions; use TsneMethod::exact");
    detail::check_perplexity(where, options.perplexity, n);
    if (!(options.early_exaggeration >= 1.0))
        fail_argument(where, "'early_exaggeration' is ", options.early_exaggeration, " but must be at least 1");
    if (options.learning_rate && !(*options.learning_rate > 0))
        fail_argument(where, "'learning_rate' is ", *options.learning_rate, " but must be positive");
    if (options.max_iterations < 1) fail_argument(where, "'max_iterations' is ", options.max_iterations, " but must be at least 1");
    if (!(options.angle >= 0.0 && options.angle <= 1.0)) fail_argument(where, "'angle' is ", options.angle, " but must be in [0, 1]");
    if (options.init == TsneInit::pca && dims > std::min<std::size_t>(n, static_cast<std::size_t>(x.cols())))
        fail_argument(where, "'num_components' is ", dims, " but PCA initialisation needs at most min(rows, columns) = ",
                      std::min<std::size_t>(n, static_cast<std::size_t>(x.cols())), "; use TsneInit::random");
    const int threads = resolve_num_threads(options.num_threads);

    TsneResults r;
    r.learning_rate = options.learning_rate.value_or(
        std::max(static_cast<double>(n) / options.early_exaggeration / 4.0, 50.0));

    // Affinities.
    RowMatrix p_dense;
    SparseRowMatrix p_sparse;
    if (options.method == TsneMethod::exact) {
        RowMatrix sq(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
        c2s::parallelize(threads, n, [&](int, std::size_t s, std::size_t l) {
            for (auto i = static_cast<Eigen::Index>(s); i < static_cast<Eigen::Index>(s + l); ++i)
                for (Eigen::Index j = 0; j < static_cast<Eigen::Index>(n); ++j) sq(i, j) = (x.row(i) - x.row(j)).squaredNorm();
        });
        p_dense = joint_probabilities(sq, options.perplexity, threads);
    } else {
        KnnOptions ko;
        ko.num_neighbors = std::min(n - 1, static_cast<std::size_t>(3.0 * options.perplexity + 1.0));
        ko.num_threads = threads;
        ko.progress = options.progress;
        p_sparse = joint_probabilities_nn(knn_euclidean(x, ko), options.perplexity, threads);
    }
    if (options.progress) options.progress->check_interrupt(where);

    // Initialisation.
    RowMatrix y(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(dims));
    if (options.init == TsneInit::pca) {
        PcaOptions po;
        po.num_components = dims;
        po.solver = PcaSolver::randomized;
        po.seed = options.seed;
        const auto fit = pca(x, po);
        y = fit.embedding;
        const double mean0 = y.col(0).mean();
        const double sd0 = std::sqrt((y.col(0).array() - mean0).square().mean());
        if (sd0 > 0) y *= 1e-4 / sd0;
    } else {
        Random rng(options.seed);
        for (Eigen::Index i = 0; i < y.rows(); ++i)
            for (Eigen::Index j = 0; j < y.cols(); ++j) y(i, j) = 1e-4 * rng.normal();
    }

    const double dof = std::max(static_cast<double>(dims) - 1.0, 1.0);
    detail::QuadTree tree;
    std::vector<double> scratch;
    RowMatrix grad(y.rows(), y.cols());
    auto objective = [&](double exaggeration, bool compute_error) -> double {
        if (options.method == TsneMethod::exact) {
            auto g = kl_divergence_exact(p_dense * exaggeration, y, dof, threads);
            grad = std::move(g.gradient);
            return g.kl_divergence;
        }
        return detail::barnes_hut_gradient(p_sparse, exaggeration, y, options.angle, tree, grad, compute_error, threads, scratch);
    };
    constexpr int check_every = 50;
    constexpr double min_gain = 0.01;
    auto descend = [&](int first, int last, double momentum, double exaggeration, int without_progress) -> int {
        RowMatrix update = RowMatrix::Zero(y.rows(), y.cols());
        RowMatrix gains = RowMatrix::Ones(y.rows(), y.cols());
        double best_error = std::numeric_limits<double>::max();
        int best_iter = first, i = first;
        for (i = first; i < last; ++i) {
            const bool check = (i + 1) % check_every == 0;
            const double error = objective(exaggeration, check || i == last - 1);
            for (Eigen::Index a = 0; a < y.rows(); ++a)
                for (Eigen::Index b = 0; b < y.cols(); ++b) {
                    double& gain = gains(a, b);
                    gain = update(a, b) * grad(a, b) < 0.0 ? gain + 0.2 : gain * 0.8;
                    gain = std::max(gain, min_gain);
                    grad(a, b) *= gain;
                    update(a, b) = momentum * update(a, b) - r.learning_rate * grad(a, b);
                    y(a, b) += update(a, b);
                }
            if (check) {
                if (options.progress) {
                    options.progress->check_interrupt(where);
                    options.progress->report(static_cast<std::size_t>(i + 1), static_cast<std::size_t>(options.max_iterations),
                                             "t-SNE gradient descent");
                }
                r.kl_divergence = error;
                if (error < best_error) {
                    best_error = error;
                    best_iter = i;
                } else if (i - best_iter > without_progress) {
                    break;
                }
                if (grad.norm() <= options.min_grad_norm) break;
            }
        }
        return std::min(i, last - 1);
    };
    const int explore = std::min(options.exaggeration_iterations, options.max_iterations);
    int it = explore > 0 ? descend(0, explore, 0.5, options.early_exaggeration, std::max(options.exaggeration_iterations, 0)) : -1;
    if (it + 1 < options.max_iterations) it = descend(it + 1, options.max_iterations, 0.8, 1.0, options.iterations_without_progress);
    r.iterations = it + 1;
    r.kl_divergence = objective(1.0, true);
    r.embedding = std::move(y);
    return r;
}

}  // namespace c2s::reduce
