#include <doctest/doctest.h>

#include "c2s/reduce/knn.hpp"
#include "c2s/reduce/quality.hpp"
#include "helpers.hpp"

using c2s::test::load_matrix;
namespace r = c2s::reduce;

TEST_CASE("reduce: trustworthiness equals sklearn.manifold.trustworthiness on the peers' digits and blobs embeddings") {
    const auto peers = c2s::test::load_peers();
    for (const std::string data : {"digits", "blobs"}) {
        const auto x = load_matrix(data + "_x.npy");
        for (const std::string peer : {"sklearn_tsne", "umapjs"}) {
            const auto y = load_matrix(data + "_" + peer + ".npy");
            for (int k : {5, 15}) {
                const double t = r::trustworthiness(x, y, static_cast<std::size_t>(k), 2);
                const double ref = peers.at(data + "." + peer + "_trustworthiness_k" + std::to_string(k));
                INFO(data << " " << peer << " k=" << k << ": c2s " << t << " sklearn " << ref);
                CHECK(std::abs(t - ref) < 1e-6);
            }
        }
    }
}

TEST_CASE("reduce: trustworthiness is 1 for an isometry and lower for a shuffled embedding; knn preservation likewise") {
    const Eigen::MatrixXd x = Eigen::MatrixXd::Random(200, 2);
    Eigen::Matrix2d rot;
    rot << 0.6, -0.8, 0.8, 0.6;
    const Eigen::MatrixXd y = (x * rot).array() * 3.0 + 1.0;
    CHECK(r::trustworthiness(x, y, 10) == doctest::Approx(1.0));
    CHECK(r::knn_preservation(x, y, 10) == doctest::Approx(1.0));
    Eigen::MatrixXd shuffled = y;
    shuffled.topRows(100).swap(shuffled.bottomRows(100));
    CHECK(r::trustworthiness(x, shuffled, 10) < 0.7);
    CHECK(r::knn_preservation(x, shuffled, 10) < 0.2);
    C2S_CHECK_THROWS_WITH_SUBSTR(r::trustworthiness(x, y, 100), std::invalid_argument,
                                 "'num_neighbors' is 100 but must be less than half the number of samples (200)");
    C2S_CHECK_THROWS_WITH_SUBSTR(r::trustworthiness(x, y.topRows(5), 5), std::invalid_argument, "'embedding' has 5 rows but 'x' has 200");
}

TEST_CASE("reduce: exact kNN matches brute force, independent of thread count, self optionally first") {
    const Eigen::MatrixXd x = Eigen::MatrixXd::Random(300, 7);
    r::KnnOptions o;
    o.num_neighbors = 6;
    const auto a = r::knn_euclidean(x, o);
    o.num_threads = 2;
    const auto b = r::knn_euclidean(x, o);
    CHECK((a.indices.array() == b.indices.array()).all());
    CHECK((a.distances.array() == b.distances.array()).all());
    for (Eigen::Index i = 0; i < 300; i += 37) {
        std::vector<std::pair<double, int>> all;
        for (Eigen::Index j = 0; j < 300; ++j)
            if (j != i) all.emplace_back((x.row(i) - x.row(j)).norm(), static_cast<int>(j));
        std::sort(all.begin(), all.end());
        for (Eigen::Index c = 0; c < 6; ++c) {
            CHECK(a.indices(i, c) == all[static_cast<std::size_t>(c)].second);
            CHECK(a.distances(i, c) == doctest::Approx(all[static_cast<std::size_t>(c)].first).epsilon(1e-14));
        }
    }
    o.include_self = true;
    const auto s = r::knn_euclidean(x, o);
    CHECK(s.indices(5, 0) == 5);
    CHECK(s.indices(5, 1) == a.indices(5, 0));
    o.num_neighbors = 300;
    o.include_self = false;
    C2S_CHECK_THROWS_WITH_SUBSTR(r::knn_euclidean(x, o), std::invalid_argument,
                                 "'num_neighbors' is 300 but 'x' has only 300 rows; need more rows than neighbours");
}
