// t-SNE and UMAP against the peers (scikit-learn's TSNE, umap-js) on digits and seeded blobs: the
// peers' trustworthiness and embeddings are committed fixtures (scripts/fixtures/reduce/).
#include <doctest/doctest.h>

#include "c2s/reduce/quality.hpp"
#include "c2s/reduce/tsne.hpp"
#include "c2s/reduce/umap.hpp"
#include "helpers.hpp"

using c2s::test::load_matrix;
namespace r = c2s::reduce;

namespace {

/// Fraction of points whose k nearest embedded neighbours' majority label is their own.
double knn_label_agreement(const Eigen::MatrixXd& y, const Eigen::MatrixXd& labels, std::size_t k) {
    r::KnnOptions ko;
    ko.num_neighbors = k;
    ko.num_threads = 2;
    const auto nn = r::knn_euclidean(y, ko);
    std::size_t good = 0;
    for (Eigen::Index i = 0; i < y.rows(); ++i) {
        std::size_t same = 0;
        for (Eigen::Index c = 0; c < nn.indices.cols(); ++c) same += labels(nn.indices(i, c), 0) == labels(i, 0) ? 1 : 0;
        if (2 * same > k) ++good;
    }
    return static_cast<double>(good) / static_cast<double>(y.rows());
}

void compare(const std::string& data, const std::string& peer, const Eigen::MatrixXd& x, const Eigen::MatrixXd& y) {
    const auto peers = c2s::test::load_peers();
    const auto labels = load_matrix(data + "_labels.npy");
    for (int k : {5, 15}) {
        const double t = r::trustworthiness(x, y, static_cast<std::size_t>(k), 2);
        const double ref = peers.at(data + "." + peer + "_trustworthiness_k" + std::to_string(k));
        MESSAGE(data << " vs " << peer << " trustworthiness k=" << k << ": c2s " << t << ", peer " << ref);
        CHECK(t > ref - 0.01);
    }
    const double agree = knn_label_agreement(y, labels, 15);
    const double agree_peer = knn_label_agreement(load_matrix(data + "_" + peer + ".npy"), labels, 15);
    MESSAGE(data << " 15-NN label agreement: c2s " << agree << ", " << peer << " " << agree_peer);
    CHECK(agree > agree_peer - 0.02);
}

/// Every blob is separated: each point is nearer its own blob's embedded centre than any other's.
void check_blobs_separated(const Eigen::MatrixXd& y) {
    const auto labels = load_matrix("blobs_labels.npy");
    const auto k = static_cast<Eigen::Index>(labels.maxCoeff()) + 1;
    Eigen::MatrixXd centre = Eigen::MatrixXd::Zero(k, y.cols());
    Eigen::VectorXd count = Eigen::VectorXd::Zero(k);
    for (Eigen::Index i = 0; i < y.rows(); ++i) {
        centre.row(static_cast<Eigen::Index>(labels(i, 0))) += y.row(i);
        count(static_cast<Eigen::Index>(labels(i, 0))) += 1;
    }
    centre.array().colwise() /= count.array();
    std::size_t wrong = 0;
    for (Eigen::Index i = 0; i < y.rows(); ++i) {
        Eigen::Index best = 0;
        (centre.rowwise() - y.row(i)).rowwise().squaredNorm().minCoeff(&best);
        if (best != static_cast<Eigen::Index>(labels(i, 0))) ++wrong;
    }
    MESSAGE("blobs: " << wrong << " points nearer another blob's centre");
    CHECK(wrong == 0);
}

}  // namespace

TEST_CASE("reduce: Barnes-Hut t-SNE on digits reaches scikit-learn's TSNE trustworthiness within 0.01") {
    const auto x = load_matrix("digits_x.npy");
    r::TsneOptions o;
    o.num_threads = 2;
    const auto res = r::tsne(x, o);
    MESSAGE("digits t-SNE: " << res.iterations << " iterations, KL " << res.kl_divergence);
    compare("digits", "sklearn_tsne", x, res.embedding);
}

TEST_CASE("reduce: Barnes-Hut t-SNE on seeded blobs reaches scikit-learn's trustworthiness and separates the blobs") {
    const auto x = load_matrix("blobs_x.npy");
    r::TsneOptions o;
    o.num_threads = 2;
    const auto res = r::tsne(x, o);
    compare("blobs", "sklearn_tsne", x, res.embedding);
    check_blobs_separated(res.embedding);
}

TEST_CASE("reduce: UMAP on digits reaches umap-js's trustworthiness within 0.01") {
    const auto x = load_matrix("digits_x.npy");
    r::UmapOptions o;
    o.num_threads = 2;
    const auto res = r::umap(x, o);
    MESSAGE("digits UMAP: spectral " << res.spectral_initialisation << ", edges " << res.num_edges << ", a " << res.a << ", b " << res.b);
    for (const auto& w : res.warnings) MESSAGE("warning: " << w);
    compare("digits", "umapjs", x, res.embedding);
}

TEST_CASE("reduce: UMAP on seeded blobs reaches umap-js's trustworthiness and separates the blobs") {
    const auto x = load_matrix("blobs_x.npy");
    r::UmapOptions o;
    o.num_threads = 2;
    const auto res = r::umap(x, o);
    for (const auto& w : res.warnings) MESSAGE("warning: " << w);
    compare("blobs", "umapjs", x, res.embedding);
    check_blobs_separated(res.embedding);
}
