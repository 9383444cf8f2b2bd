#pragma once
/// @file umap.hpp
/// @brief Uniform manifold approximation and projection, following umap-learn's steps.
///
/// @see L. McInnes, J. Healy, J. Melville (2018). UMAP: Uniform Manifold Approximation and
///      Projection for Dimension Reduction. arXiv:1802.03426.
///
/// Steps (umap-learn 0.5 names in brackets):
/// 1. exact Euclidean kNN with the point itself as first neighbour (`nearest_neighbors`; umap-learn
///    switches to NN-descent above 4096 points, this file stays exact);
/// 2. per point rho (distance to the `local_connectivity`-th nearest non-identical neighbour,
///    interpolated) and sigma by 64 bisection steps so that sum_j exp(-(d_j - rho)/sigma) =
///    log2(k) over the k - 1 other neighbours; sigma at least 1e-3 times the mean neighbour distance
///    (`smooth_knn_dist`);
/// 3. memberships exp(-(d - rho)/sigma) (1 within rho, 0 for the point itself), fuzzy union
///    A + A^T - A∘A^T (`fuzzy_simplicial_set`, set_op_mix_ratio 1);
/// 4. edges below max / n_epochs dropped, epochs per sample = n_epochs / (n_epochs w / max w);
///    n_epochs 500 for n <= 10000, else 200 (`simplicial_set_embedding`);
/// 5. spectral initialisation: eigenvectors 2..dims+1 of the normalised Laplacian, scaled to
///    max |.| = 10 plus N(0, 1e-4^2) noise (`spectral_layout`); graphs with several connected
///    components, or when the eigensolver does not converge, fall back to uniform(-10, 10) (as
///    libscran/umappp does; umap-learn lays components out separately), with a warning; then
///    each column is rescaled to [0, 10];
/// 6. SGD with negative sampling (`optimize_layout_euclidean`): attraction
///    -2ab d^(2(b-1)) / (1 + a d^(2b)), repulsion 2 gamma b / ((0.001 + d^2)(1 + a d^(2b))),
///    gradients clipped at 4, learning rate decaying linearly from 1, `negative_sample_rate` (5)
///    negative samples per positive one, both ends of an edge moved;
/// a and b are fitted to min_dist / spread by least squares of 1/(1 + a x^(2b)) against
/// the offset exponential on 300 points of [0, 3 spread] (`find_ab_params`, which calls scipy's
/// `curve_fit`; here Levenberg-Marquardt with an analytic Jacobian).
///
/// The eigensolver is block subspace iteration on (I + D^-1/2 W D^-1/2) / 2 with the known top
/// eigenvector D^1/2 1 deflated, Rayleigh-Ritz every 10 steps, residual tolerance 1e-4.
/// Determinism: the SGD runs serially with `c2s::reduce::Random` seeded by `seed`; every other step
/// is per point. The embedding depends on the seed and not on `num_threads`.

#include <Eigen/Dense>
#include <Eigen/SparseCore>

#include <algorithm>
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
#include "c2s/reduce/tsne.hpp"  // SparseRowMatrix

namespace c2s::reduce {

enum class UmapInit {
    spectral,  ///< normalised-Laplacian eigenvectors, random when that fails (umap-learn's default)
    random     ///< uniform(-10, 10)
};

struct UmapOptions {
    /// Dimensions of the embedding.
    std::size_t num_components = 2;
    /// Neighbours per point, the point itself included; larger = more global structure.
    std::size_t num_neighbors = 15;
    /// Smallest distance between embedded points; smaller = tighter clusters.
    double min_dist = 0.1;
    /// Scale of the embedded distances (with min_dist it sets a and b).
    double spread = 1.0;
    /// Epochs of SGD (unset: 500 for n <= 10000, else 200); more = better converged, slower.
    std::optional<int> num_epochs;
    /// Initial SGD learning rate (decays linearly to 0).
    double learning_rate = 1.0;
    /// Weight of the repulsion (gamma).
    double repulsion_strength = 1.0;
    /// Negative samples per positive sample.
    int negative_sample_rate = 5;
    /// Number of nearest neighbours assumed connected (rho); larger = more locally connected.
    double local_connectivity = 1.0;
    /// 1 = fuzzy union of the two directed graphs, 0 = fuzzy intersection.
    double set_op_mix_ratio = 1.0;
    UmapInit init = UmapInit::spectral;
    /// Curve parameters; unset = fitted from min_dist and spread.
    std::optional<double> a, b;
    std::uint64_t seed = 0;
    /// Worker threads (kNN, smoothing); < 1 = all cores. The result does not depend on it.
    int num_threads = 1;
    Progress* progress = nullptr;
};

struct UmapResults {
    RowMatrix embedding;  ///< n x num_components
    double a = 0, b = 0;  ///< curve parameters used
    int num_epochs = 0;
    bool spectral_initialisation = false;  ///< false when the random fallback (or UmapInit::random) was used
    std::size_t num_edges = 0;             ///< directed edges of the fuzzy graph after pruning
    std::vector<std::string> warnings;
};

/// Curve parameters of 1/(1 + a x^(2b)).
struct AbParams {
    double a = 0, b = 0;
};

/// Fits a, b to spread and min_dist as umap-learn's `find_ab_params` (least squares on 300 points).
[[nodiscard]] inline AbParams find_ab_params(double spread, double min_dist) {
    constexpr const char* where = "c2s::reduce::find_ab_params";
    if (!(spread > 0)) fail_argument(where, "'spread' is ", spread, " but must be positive");
    if (!(min_dist >= 0) || min_dist > spread)
        fail_argument(where, "'min_dist' is ", min_dist, " but must be in [0, spread = ", spread, "]");
    constexpr int m = 300;
    Eigen::VectorXd xv(m), yv(m);
    for (int i = 0; i < m; ++i) {
        xv(i) = spread * 3.0 * i / (m - 1);
        yv(i) = xv(i) < min_dist ? 1.0 : std::exp(-(xv(i) - min_dist) / spread);
    }
    auto residuals = [&](double a, double b, Eigen::VectorXd& r, Eigen::MatrixXd* jac) {
        for (int i = 0; i < m; ++i) {
            const double x = xv(i);
            const double u = x > 0 ? std::pow(x, 2 * b) : 0.0;
            const double f = 1.0 / (1.0 + a * u);
            r(i) = f - yv(i);
            if (jac) {
                (*jac)(i, 0) = -u * f * f;
                (*jac)(i, 1) = x > 0 ? -a * u * 2.0 * std::log(x) * f * f : 0.0;
            }
        }
    };
    double a = 1.0, b = 1.0, lambda = 1e-3;
    Eigen::VectorXd r(m), rn(m);
    Eigen::MatrixXd j(m, 2);
    residuals(a, b, r, &j);
    double cost = r.squaredNorm();
    for (int it = 0; it < 1000; ++it) {
        const Eigen::Matrix2d jtj = j.transpose() * j;
        const Eigen::Vector2d g = j.transpose() * r;
        Eigen::Matrix2d h = jtj;
        h.diagonal() += lambda * jtj.diagonal();
        const Eigen::Vector2d step = -h.ldlt().solve(g);
        const double na = a + step(0), nb = b + step(1);
        residuals(na, nb, rn, nullptr);
        const double ncost = rn.squaredNorm();
        if (std::isfinite(ncost) && ncost <= cost) {
            a = na;
            b = nb;
            const bool done = std::abs(step(0)) <= 1e-14 * std::abs(a) && std::abs(step(1)) <= 1e-14 * std::abs(b);
            cost = ncost;
            residuals(a, b, r, &j);
            lambda = std::max(lambda / 10, 1e-12);
            if (done) break;
        } else {
            lambda *= 10;
            if (lambda > 1e12) break;
        }
    }
    return {a, b};
}

/// Per-point rho and sigma of umap-learn's `smooth_knn_dist`.
struct SmoothKnn {
    std::vector<double> sigma, rho;
};

/**
 * @brief umap-learn's `smooth_knn_dist` on a kNN distance table whose first column is the point
 * itself (distance 0).
 * @param distances n x k neighbour distances, sorted per row.
 * @param k         the target log2(k) (umap-learn passes the number of neighbours).
 */
[[nodiscard]] inline SmoothKnn smooth_knn_distances(const Eigen::Ref<const RowMatrix>& distances, double k,
                                                    double local_connectivity = 1.0, int num_threads = 1) {
    constexpr const char* where = "c2s::reduce::smooth_knn_distances";
    if (!(local_connectivity >= 0)) fail_argument(where, "'local_connectivity' is ", local_connectivity, " but must be >= 0");
    constexpr int iterations = 64;
    constexpr double tolerance = 1e-5, min_scale = 1e-3;
    const double target = std::log2(k);
    const auto n = distances.rows(), m = distances.cols();
    const double mean_all = distances.mean();
    SmoothKnn out;
    out.sigma.assign(static_cast<std::size_t>(n), 0.0);
    out.rho.assign(static_cast<std::size_t>(n), 0.0);
    c2s::parallelize(num_threads, static_cast<std::size_t>(n), [&](int, std::size_t s, std::size_t l) {
        std::vector<double> nonzero;
        for (auto i = static_cast<Eigen::Index>(s); i < static_cast<Eigen::Index>(s + l); ++i) {
            nonzero.clear();
            for (Eigen::Index j = 0; j < m; ++j)
                if (distances(i, j) > 0) nonzero.push_back(distances(i, j));
            double rho = 0.0;
            if (static_cast<double>(nonzero.size()) >= local_connectivity) {
                const auto index = static_cast<std::size_t>(std::floor(local_connectivity));
                const double interpolation = local_connectivity - static_cast<double>(index);
                if (index > 0) {
                    rho = nonzero[index - 1];
                    if (interpolation > tolerance) rho += interpolation * (nonzero[index] - nonzero[index - 1]);
                } else {
                    rho = interpolation * nonzero[0];
                }
            } else if (!nonzero.empty()) {
                rho = *std::max_element(nonzero.begin(), nonzero.end());
            }
            double lo = 0.0, hi = std::numeric_limits<double>::infinity(), mid = 1.0;
            for (int it = 0; it < iterations; ++it) {
                double psum = 0.0;
                for (Eigen::Index j = 1; j < m; ++j) {
                    const double d = distances(i, j) - rho;
                    psum += d > 0 ? std::exp(-(d / mid)) : 1.0;
                }
                if (std::abs(psum - target) < tolerance) break;
                if (psum > target) {
                    hi = mid;
                    mid = (lo + hi) / 2.0;
                } else {
                    lo = mid;
                    mid = hi == std::numeric_limits<double>::infinity() ? mid * 2 : (lo + hi) / 2.0;
                }
            }
            double sigma = mid;
            if (rho > 0.0) {
                const double mean_i = distances.row(i).mean();
                sigma = std::max(sigma, min_scale * mean_i);
            } else {
                sigma = std::max(sigma, min_scale * mean_all);
            }
            out.sigma[static_cast<std::size_t>(i)] = sigma;
            out.rho[static_cast<std::size_t>(i)] = rho;
        }
    });
    return out;
}

/**
 * @brief The symmetric fuzzy simplicial set (umap-learn's `fuzzy_simplicial_set`) of a kNN table
 * whose first column is the point itself.
 */
[[nodiscard]] inline SparseRowMatrix fuzzy_simplicial_set(const KnnResults& knn, double local_connectivity = 1.0,
                                                          double set_op_mix_ratio = 1.0, int num_threads = 1) {
    constexpr const char* where = "c2s::reduce::fuzzy_simplicial_set";
    if (!(set_op_mix_ratio >= 0 && set_op_mix_ratio <= 1))
        fail_argument(where, "'set_op_mix_ratio' is ", set_op_mix_ratio, " but must be in [0, 1]");
    const auto n = knn.indices.rows(), k = knn.indices.cols();
    const auto smooth = smooth_knn_distances(knn.distances, static_cast<double>(k), local_connectivity, num_threads);
    std::vector<Eigen::Triplet<double, std::int64_t>> triplets;
    triplets.reserve(static_cast<std::size_t>(n * k));
    for (Eigen::Index i = 0; i < n; ++i) {
        const double rho = smooth.rho[static_cast<std::size_t>(i)], sigma = smooth.sigma[static_cast<std::size_t>(i)];
        for (Eigen::Index j = 0; j < k; ++j) {
            const auto nb = knn.indices(i, j);
            if (nb == i) continue;  // value 0
            const double d = knn.distances(i, j) - rho;
            const double v = (d <= 0 || sigma == 0) ? 1.0 : std::exp(-(d / sigma));
            if (v != 0) triplets.emplace_back(i, nb, v);
        }
    }
    SparseRowMatrix a(n, n);
    a.setFromTriplets(triplets.begin(), triplets.end());
    const SparseRowMatrix at = a.transpose();
    const SparseRowMatrix prod = a.cwiseProduct(at);
    SparseRowMatrix g = set_op_mix_ratio * (SparseRowMatrix(a + at) - prod) + (1.0 - set_op_mix_ratio) * prod;
    g.prune(0.0);
    g.makeCompressed();
    return g;
}

namespace detail {

/// Number of connected components of a symmetric sparse graph.
inline std::size_t connected_components(const SparseRowMatrix& g) {
    const auto n = static_cast<std::size_t>(g.rows());
    std::vector<std::int64_t> label(n, -1), stack;
    std::size_t count = 0;
    for (std::size_t s = 0; s < n; ++s) {
        if (label[s] >= 0) continue;
        label[s] = static_cast<std::int64_t>(count);
        stack.push_back(static_cast<std::int64_t>(s));
        while (!stack.empty()) {
            const auto v = stack.back();
            stack.pop_back();
            for (SparseRowMatrix::InnerIterator it(g, v); it; ++it)
                if (label[static_cast<std::size_t>(it.col())] < 0) {
                    label[static_cast<std::size_t>(it.col())] = static_cast<std::int64_t>(count);
                    stack.push_back(it.col());
                }
        }
        ++count;
    }
    return count;
}

/// Eigenvectors 2..dims+1 of the normalised Laplacian (largest of D^-1/2 W D^-1/2 after the trivial
/// one); false when the subspace iteration did not converge.
inline bool spectral_embedding(const SparseRowMatrix& g, std::size_t dims, std::uint64_t seed, RowMatrix& out,
                               const Progress* progress) {
    const auto n = g.rows();
    Eigen::VectorXd deg = Eigen::VectorXd::Zero(n);
    for (Eigen::Index i = 0; i < n; ++i)
        for (SparseRowMatrix::InnerIterator it(g, i); it; ++it) deg(i) += it.value();
    if ((deg.array() <= 0).any()) return false;
    const Eigen::VectorXd dinv = deg.array().rsqrt();
    const Eigen::VectorXd v0 = deg.array().sqrt().matrix().normalized();
    const auto d = static_cast<Eigen::Index>(dims);
    const Eigen::Index block = std::min<Eigen::Index>(n - 1, d + 8);
    if (block < d) return false;
    auto apply = [&](const Eigen::MatrixXd& v) {  // (I + D^-1/2 W D^-1/2) / 2, v0 deflated
        Eigen::MatrixXd s = dinv.asDiagonal() * v;
        Eigen::MatrixXd w = g * s;
        Eigen::MatrixXd r = 0.5 * (v + dinv.asDiagonal() * w);
        r -= v0 * (v0.transpose() * r);
        return r;
    };
    Random rng(seed ^ 0x5bd1e995ULL);
    Eigen::MatrixXd v(n, block);
    for (Eigen::Index j = 0; j < block; ++j)
        for (Eigen::Index i = 0; i < n; ++i) v(i, j) = rng.normal();
    v -= v0 * (v0.transpose() * v);
    v = orthonormal_basis(v);
    constexpr int max_iterations = 3000, rr_every = 10;
    constexpr double tolerance = 1e-4;
    for (int it = 1; it <= max_iterations; ++it) {
        v = orthonormal_basis(apply(v));
        if (it % rr_every != 0) continue;
        if (progress) progress->check_interrupt("c2s::reduce::umap");
        const Eigen::MatrixXd mv = apply(v);
        const Eigen::MatrixXd h = v.transpose() * mv;
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(0.5 * (h + h.transpose()));
        // eigenvalues ascending: the top `d` are the last columns
        const Eigen::MatrixXd ritz = v * es.eigenvectors();
        const Eigen::MatrixXd mritz = mv * es.eigenvectors();
        bool converged = true;
        for (Eigen::Index j = block - d; j < block; ++j) {
            const double theta = es.eigenvalues()(j);
            if ((mritz.col(j) - theta * ritz.col(j)).norm() > tolerance * std::max(theta, 1e-12)) converged = false;
        }
        v = ritz;
        if (converged) {
            out.resize(n, d);
            for (Eigen::Index j = 0; j < d; ++j) out.col(j) = ritz.col(block - 1 - j);
            return true;
        }
    }
    return false;
}

}  // namespace detail

/**
 * @brief Embeds the rows of `x` with UMAP.
 * @param x n x p data: finite, not all rows identical, more rows than `num_neighbors`.
 */
[[nodiscard]] inline UmapResults umap(const Eigen::Ref<const Eigen::MatrixXd>& x, const UmapOptions& options = {}) {
    constexpr const char* where = "c2s::reduce::umap";
    if (options.num_neighbors < 2) fail_argument(where, "'num_neighbors' is ", options.num_neighbors, " but must be at least 2");
    if (static_cast<std::size_t>(x.rows()) <= options.num_neighbors)
        fail_argument(where, "'num_neighbors' is ", options.num_neighbors, " but 'x' has only ", x.rows(),
                      " rows; need more rows than neighbours");
    detail::check_input(where, x, 2);
    const std::size_t dims = options.num_components;
    if (dims < 1) fail_argument(where, "'num_components' is 0 but must be at least 1");
    if (options.num_epochs && *options.num_epochs < 1)
        fail_argument(where, "'num_epochs' is ", *options.num_epochs, " but must be at least 1");
    if (options.negative_sample_rate < 0)
        fail_argument(where, "'negative_sample_rate' is ", options.negative_sample_rate, " but must be >= 0");
    if (!(options.learning_rate > 0)) fail_argument(where, "'learning_rate' is ", options.learning_rate, " but must be positive");
    const auto n = static_cast<std::size_t>(x.rows());
    const int threads = resolve_num_threads(options.num_threads);
    UmapResults r;
    if (options.a && options.b) {
        r.a = *options.a;
        r.b = *options.b;
    } else {
        const auto ab = find_ab_params(options.spread, options.min_dist);
        r.a = ab.a;
        r.b = ab.b;
    }
    KnnOptions ko;
    ko.num_neighbors = options.num_neighbors;
    ko.include_self = true;
    ko.num_threads = threads;
    ko.progress = options.progress;
    SparseRowMatrix graph = fuzzy_simplicial_set(knn_euclidean(x, ko), options.local_connectivity, options.set_op_mix_ratio, threads);
    const int epochs = options.num_epochs.value_or(n <= 10000 ? 500 : 200);
    r.num_epochs = epochs;
    double wmax = 0.0;
    for (Eigen::Index t = 0; t < graph.nonZeros(); ++t) wmax = std::max(wmax, graph.valuePtr()[t]);
    if (wmax <= 0) fail_runtime(where, "the fuzzy graph has no edges; check 'x' for duplicate points");
    graph.prune([&](Eigen::Index, Eigen::Index, double v) { return v >= wmax / static_cast<double>(epochs); });
    graph.makeCompressed();
    if (options.progress) options.progress->check_interrupt(where);

    // Initialisation.
    RowMatrix y(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(dims));
    Random rng(options.seed);
    bool spectral = false;
    if (options.init == UmapInit::spectral) {
        const std::size_t components = detail::connected_components(graph);
        if (components > 1) {
            r.warnings.push_back(concat("the neighbour graph has ", components,
                                        " connected components; spectral initialisation replaced by random"));
        } else {
            RowMatrix s;
            if (detail::spectral_embedding(graph, dims, options.seed, s, options.progress)) {
                const double expansion = 10.0 / s.cwiseAbs().maxCoeff();
                for (Eigen::Index i = 0; i < y.rows(); ++i)
                    for (Eigen::Index j = 0; j < y.cols(); ++j) y(i, j) = s(i, j) * expansion + 1e-4 * rng.normal();
                spectral = true;
            } else {
                r.warnings.push_back("spectral initialisation did not converge; replaced by random");
            }
        }
    }
    if (!spectral)
        for (Eigen::Index i = 0; i < y.rows(); ++i)
            for (Eigen::Index j = 0; j < y.cols(); ++j) y(i, j) = -10.0 + 20.0 * rng.uniform();
    r.spectral_initialisation = spectral;
    for (Eigen::Index j = 0; j < y.cols(); ++j) {
        const double lo = y.col(j).minCoeff(), hi = y.col(j).maxCoeff();
        if (hi > lo) y.col(j) = (10.0 * (y.col(j).array() - lo) / (hi - lo)).matrix();
    }

    // Edges, in row order.
    std::vector<std::int32_t> head, tail;
    std::vector<double> epochs_per_sample;
    for (Eigen::Index i = 0; i < graph.rows(); ++i)
        for (SparseRowMatrix::InnerIterator it(graph, i); it; ++it) {
            head.push_back(static_cast<std::int32_t>(i));
            tail.push_back(static_cast<std::int32_t>(it.col()));
            const double samples = static_cast<double>(epochs) * (it.value() / wmax);
            epochs_per_sample.push_back(samples > 0 ? static_cast<double>(epochs) / samples : -1.0);
        }
    r.num_edges = head.size();
    const std::size_t edges = head.size();
    const double rate = static_cast<double>(options.negative_sample_rate);
    std::vector<double> per_negative(edges), next_negative(edges), next_sample(epochs_per_sample);
    for (std::size_t e = 0; e < edges; ++e) next_negative[e] = per_negative[e] = rate > 0 ? epochs_per_sample[e] / rate : std::numeric_limits<double>::infinity();

    const double a = r.a, b = r.b, gamma = options.repulsion_strength;
    const auto D = static_cast<Eigen::Index>(dims);
    auto clip = [](double v) { return std::clamp(v, -4.0, 4.0); };
    double* emb = y.data();
    for (int epoch = 0; epoch < epochs; ++epoch) {
        const double alpha = options.learning_rate * (1.0 - static_cast<double>(epoch) / static_cast<double>(epochs));
        const auto fe = static_cast<double>(epoch);
        for (std::size_t e = 0; e < edges; ++e) {
            if (next_sample[e] > fe) continue;
            double* cur = emb + static_cast<Eigen::Index>(head[e]) * D;
            double* oth = emb + static_cast<Eigen::Index>(tail[e]) * D;
            double d2 = 0;
            for (Eigen::Index c = 0; c < D; ++c) d2 += (cur[c] - oth[c]) * (cur[c] - oth[c]);
            if (d2 > 0) {
                const double coeff = (-2.0 * a * b * std::pow(d2, b - 1.0)) / (a * std::pow(d2, b) + 1.0);
                for (Eigen::Index c = 0; c < D; ++c) {
                    const double g = clip(coeff * (cur[c] - oth[c]));
                    cur[c] += g * alpha;
                    oth[c] -= g * alpha;
                }
            }
            next_sample[e] += epochs_per_sample[e];
            const auto negatives = static_cast<long>((fe - next_negative[e]) / per_negative[e]);
            for (long s = 0; s < negatives; ++s) {
                const std::size_t k = rng.below(n);
                double* neg = emb + static_cast<Eigen::Index>(k) * D;
                double nd2 = 0;
                for (Eigen::Index c = 0; c < D; ++c) nd2 += (cur[c] - neg[c]) * (cur[c] - neg[c]);
                double coeff = 0;
                if (nd2 > 0) coeff = 2.0 * gamma * b / ((0.001 + nd2) * (a * std::pow(nd2, b) + 1.0));
                else if (static_cast<std::int32_t>(k) == head[e]) continue;
                if (coeff <= 0) continue;
                for (Eigen::Index c = 0; c < D; ++c) cur[c] += clip(coeff * (cur[c] - neg[c])) * alpha;
            }
            next_negative[e] += static_cast<double>(negatives) * per_negative[e];
        }
        if (options.progress && epoch % 10 == 0) {
            options.progress->check_interrupt(where);
            options.progress->report(static_cast<std::size_t>(epoch), static_cast<std::size_t>(epochs), "UMAP epochs");
        }
    }
    r.embedding = std::move(y);
    return r;
}

}  // namespace c2s::reduce
