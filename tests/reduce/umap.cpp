#include <doctest/doctest.h>

#include "c2s/reduce/umap.hpp"
#include "helpers.hpp"

using c2s::test::load_matrix;
namespace r = c2s::reduce;

TEST_CASE("reduce: UMAP a/b fitted from min_dist/spread equal umap-learn's find_ab_params (scipy curve_fit)") {
    const auto ref = load_matrix("umap_ab.npy");  // spread, min_dist, a, b
    for (Eigen::Index i = 0; i < ref.rows(); ++i) {
        const auto ab = r::find_ab_params(ref(i, 0), ref(i, 1));
        INFO("spread " << ref(i, 0) << " min_dist " << ref(i, 1) << ": a " << ab.a << " vs " << ref(i, 2) << ", b " << ab.b << " vs " << ref(i, 3));
        // scipy stops at its ftol/xtol of 1.5e-8; this fit converges further
        CHECK(std::abs(ab.a - ref(i, 2)) < 1e-6 * ref(i, 2));
        CHECK(std::abs(ab.b - ref(i, 3)) < 1e-6 * ref(i, 3));
    }
    C2S_CHECK_THROWS_WITH_SUBSTR(r::find_ab_params(1.0, 2.0), std::invalid_argument, "'min_dist' is 2 but must be in [0, spread = 1]");
}

TEST_CASE("reduce: UMAP smooth_knn_dist calibrates every point to log2(k) and the fuzzy graph is a symmetric fuzzy union") {
    const Eigen::MatrixXd x = load_matrix("blobs_x.npy").topRows(300);
    r::KnnOptions ko;
    ko.num_neighbors = 15;
    ko.include_self = true;
    const auto knn = r::knn_euclidean(x, ko);
    const auto s = r::smooth_knn_distances(knn.distances, 15.0);
    for (Eigen::Index i = 0; i < knn.distances.rows(); ++i) {
        const auto I = static_cast<std::size_t>(i);
        CHECK(s.rho[I] == knn.distances(i, 1));  // local_connectivity 1: nearest other point
        double psum = 0;
        for (Eigen::Index j = 1; j < 15; ++j) psum += std::exp(-std::max(knn.distances(i, j) - s.rho[I], 0.0) / s.sigma[I]);
        CHECK(std::abs(psum - std::log2(15.0)) < 1e-4);
    }
    const auto g = r::fuzzy_simplicial_set(knn);
    const r::RowMatrix dense(g);
    CHECK((dense - dense.transpose()).cwiseAbs().maxCoeff() == 0.0);
    CHECK(dense.maxCoeff() <= 1.0);
    CHECK(dense.diagonal().cwiseAbs().maxCoeff() == 0.0);
    // the nearest neighbour of every point has membership 1 in the union
    for (Eigen::Index i = 0; i < knn.indices.rows(); ++i) CHECK(dense(i, knn.indices(i, 1)) > 1.0 - 1e-12);
}

TEST_CASE("reduce: UMAP is deterministic for a seed and independent of the thread count; spectral init on a connected graph") {
    const Eigen::MatrixXd x = load_matrix("digits_x.npy").topRows(400);
    r::UmapOptions o;
    o.num_epochs = 100;
    o.seed = 5;
    const auto a = r::umap(x, o);
    o.num_threads = 2;
    const auto b = r::umap(x, o);
    CHECK((a.embedding - b.embedding).cwiseAbs().maxCoeff() == 0.0);
    CHECK(a.spectral_initialisation);
    CHECK(a.warnings.empty());
    o.seed = 6;
    CHECK((r::umap(x, o).embedding - a.embedding).cwiseAbs().maxCoeff() > 0.0);
    CHECK(a.a == doctest::Approx(load_matrix("umap_ab.npy")(0, 2)).epsilon(1e-6));
}

TEST_CASE("reduce: UMAP bad input names the argument and value") {
    Eigen::MatrixXd x = Eigen::MatrixXd::Random(10, 3);
    r::UmapOptions o;
    C2S_CHECK_THROWS_WITH_SUBSTR(r::umap(x, o), std::invalid_argument,
                                 "c2s::reduce::umap: 'num_neighbors' is 15 but 'x' has only 10 rows; need more rows than neighbours");
    o.num_neighbors = 4;
    x(2, 0) = std::nan("");
    C2S_CHECK_THROWS_WITH_SUBSTR(r::umap(x, o), std::invalid_argument, "'x' has a non-finite value (nan) at row 2, column 0");
    C2S_CHECK_THROWS_WITH_SUBSTR(r::umap(Eigen::MatrixXd::Zero(10, 3), o), std::invalid_argument,
                                 "'x' has 10 rows that are all identical (duplicate points only)");
    o.min_dist = 3;
    C2S_CHECK_THROWS_WITH_SUBSTR(r::umap(Eigen::MatrixXd::Random(10, 3), o), std::invalid_argument, "'min_dist' is 3 but must be in [0, spread = 1]");
    o.min_dist = 0.1;
    o.num_epochs = 0;
    C2S_CHECK_THROWS_WITH_SUBSTR(r::umap(Eigen::MatrixXd::Random(10, 3), o), std::invalid_argument, "'num_epochs' is 0 but must be at least 1");
}
