#include <doctest/doctest.h>

#include "c2s/reduce/quality.hpp"
#include "c2s/reduce/tsne.hpp"
#include "helpers.hpp"

using c2s::test::load_matrix;
using c2s::test::load_row_matrix;
namespace r = c2s::reduce;

TEST_CASE("reduce: t-SNE perplexity calibration equals scikit-learn's _binary_search_perplexity") {
    const r::RowMatrix sq = load_row_matrix("tsne_sqdist_f32.npy");  // the float32 distances sklearn calibrates on
    const auto c = r::conditional_probabilities(sq, 5.0);
    const double e = (c - load_row_matrix("tsne_conditional_p.npy")).cwiseAbs().maxCoeff();
    MESSAGE("conditional P max abs error " << e);
    CHECK(e < 1e-12);
    // each row's perplexity is 5: exp(entropy) within the 1e-5 entropy tolerance
    for (Eigen::Index i = 0; i < c.rows(); ++i) {
        double h = 0;
        for (Eigen::Index j = 0; j < c.cols(); ++j)
            if (c(i, j) > 0) h -= c(i, j) * std::log(c(i, j));
        CHECK(std::abs(h - std::log(5.0)) < 2e-5);
    }
}

TEST_CASE("reduce: t-SNE joint probabilities equal scikit-learn's _joint_probabilities (exact) and _joint_probabilities_nn") {
    const r::RowMatrix sq = load_row_matrix("tsne_sqdist_f32.npy");
    const auto p = r::joint_probabilities(sq, 5.0, 2);
    const double e = (p - load_row_matrix("tsne_p.npy")).cwiseAbs().maxCoeff();
    MESSAGE("exact P max abs error " << e);
    CHECK(e < 1e-12);
    CHECK(std::abs(p.sum() - 1.0) < 1e-12);
    // neighbour P from the library's own kNN in double precision; sklearn rounds distances to float32
    const auto x = load_matrix("tsne_x.npy");
    r::KnnOptions ko;
    ko.num_neighbors = 16;
    const auto pnn = r::joint_probabilities_nn(r::knn_euclidean(x, ko), 5.0);
    const r::RowMatrix dense = r::RowMatrix(pnn);
    const r::RowMatrix ref = load_row_matrix("tsne_p_nn.npy");
    const double enn = (dense - ref).cwiseAbs().maxCoeff();
    MESSAGE("neighbour P max abs error " << enn << " (max entry " << ref.maxCoeff() << ")");
    CHECK(enn < 1e-6 * ref.maxCoeff());
    CHECK(((dense.array() > 0) == (ref.array() > 0)).all());
}

TEST_CASE("reduce: exact t-SNE KL divergence and gradient equal scikit-learn's _kl_divergence (2-D and 3-D)") {
    const r::RowMatrix p = load_row_matrix("tsne_p.npy");
    const auto g = r::kl_divergence_exact(p, load_row_matrix("tsne_y.npy"), 1.0);
    const double kl_ref = load_matrix("tsne_kl.npy")(0, 0);
    const double eg = (g.gradient - load_row_matrix("tsne_grad.npy")).cwiseAbs().maxCoeff();
    MESSAGE("KL " << g.kl_divergence << " vs " << kl_ref << ", gradient max abs error " << eg);
    CHECK(std::abs(g.kl_divergence - kl_ref) < 1e-10 * std::abs(kl_ref));
    CHECK(eg < 1e-12);
    const auto g3 = r::kl_divergence_exact(p, load_row_matrix("tsne_y3.npy"), 2.0, 3);
    CHECK(std::abs(g3.kl_divergence - load_matrix("tsne_kl3.npy")(0, 0)) < 1e-10);
    CHECK((g3.gradient - load_row_matrix("tsne_grad3.npy")).cwiseAbs().maxCoeff() < 1e-12);
}

TEST_CASE("reduce: exact and Barnes-Hut t-SNE separate the two groups, are deterministic and thread-independent") {
    const auto x = load_matrix("tsne_x.npy");  // rows 0-14 and 15-29 are two shifted Gaussian groups
    r::TsneOptions o;
    o.perplexity = 5;
    o.method = r::TsneMethod::exact;
    o.max_iterations = 500;
    const auto a = r::tsne(x, o);
    o.num_threads = 2;
    const auto b = r::tsne(x, o);
    CHECK((a.embedding - b.embedding).cwiseAbs().maxCoeff() == 0.0);
    CHECK(a.kl_divergence < 1.0);
    o.method = r::TsneMethod::barnes_hut;
    const auto c = r::tsne(x, o);
    o.num_threads = 1;
    const auto d = r::tsne(x, o);
    CHECK((c.embedding - d.embedding).cwiseAbs().maxCoeff() == 0.0);
    for (const auto* e : {&a, &c}) {
        // every point is nearer its own group's centre than the other's
        const Eigen::RowVector2d m0 = e->embedding.topRows(15).colwise().mean(), m1 = e->embedding.bottomRows(15).colwise().mean();
        int wrong = 0;
        for (Eigen::Index i = 0; i < 30; ++i) {
            const double d0 = (e->embedding.row(i) - m0).norm(), d1 = (e->embedding.row(i) - m1).norm();
            if ((i < 15) != (d0 < d1)) ++wrong;
        }
        CHECK(wrong == 0);
        CHECK(r::trustworthiness(x, e->embedding, 5) > 0.9);
    }
}

TEST_CASE("reduce: t-SNE bad input names the argument and value") {
    Eigen::MatrixXd x = Eigen::MatrixXd::Random(20, 3);
    r::TsneOptions o;
    C2S_CHECK_THROWS_WITH_SUBSTR(r::tsne(x, o), std::invalid_argument, "'perplexity' is 30 but must be less than the number of samples (20)");
    o.perplexity = 5;
    o.num_components = 3;
    C2S_CHECK_THROWS_WITH_SUBSTR(r::tsne(x, o), std::invalid_argument, "'num_components' is 3 but the Barnes-Hut method embeds in 2 dimensions");
    o.num_components = 2;
    o.perplexity = -1;
    C2S_CHECK_THROWS_WITH_SUBSTR(r::tsne(x, o), std::invalid_argument, "'perplexity' is -1 but must be positive");
    o.perplexity = 5;
    Eigen::MatrixXd bad = x;
    bad(7, 1) = std::numeric_limits<double>::infinity();
    C2S_CHECK_THROWS_WITH_SUBSTR(r::tsne(bad, o), std::invalid_argument, "c2s::reduce::tsne: 'x' has a non-finite value (inf) at row 7, column 1");
    bad(7, 1) = std::nan("");
    C2S_CHECK_THROWS_WITH_SUBSTR(r::tsne(bad, o), std::invalid_argument, "(nan) at row 7, column 1");
    C2S_CHECK_THROWS_WITH_SUBSTR(r::tsne(Eigen::MatrixXd::Constant(20, 3, 2.5), o), std::invalid_argument,
                                 "'x' has 20 rows that are all identical (duplicate points only)");
    o.learning_rate = 0.0;
    C2S_CHECK_THROWS_WITH_SUBSTR(r::tsne(x, o), std::invalid_argument, "'learning_rate' is 0 but must be positive");
}
