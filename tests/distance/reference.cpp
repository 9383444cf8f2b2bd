// Parity with RDKit (Bulk{Tanimoto,Dice,Cosine}Similarity), scipy (pdist jaccard, cdist cosine) and
// scikit-learn (cosine_similarity) on committed fixtures (scripts/fixtures/distance/make_fixtures.py).

#include "c2s/distance/all.hpp"
#include "c2s/io/npy.hpp"
#include "test_support.hpp"

namespace cd = c2s::distance;
using c2s::test::fixture;

namespace {
c2s::FingerprintSet load_fps() {
    const auto words = c2s::io::read_npy<std::uint64_t>(fixture("distance/fps.npy"));
    return c2s::FingerprintSet::from_words(words.data, words.shape[0], words.shape[1], 2048);
}
Eigen::MatrixXd load_square(const std::string& name) {
    const auto a = c2s::io::read_npy<double>(fixture("distance/" + name));
    return Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
        a.data.data(), Eigen::Index(a.shape[0]), Eigen::Index(a.shape[1]));
}
}  // namespace

TEST_CASE("Tanimoto, Dice and cosine on Morgan fingerprints match RDKit within 1e-6 (every kernel)") {
    const auto fps = load_fps();
    REQUIRE(fps.size() == 81);
    CHECK(fps.popcount(80) == 0);  // the empty fingerprint
    std::vector<cd::Kernel> kernels{cd::Kernel::automatic, cd::Kernel::serial, cd::Kernel::sliced_serial};
    for (auto k : {cd::Kernel::avx2, cd::Kernel::avx512, cd::Kernel::sliced_avx512})
        if (cd::kernel_available(k)) kernels.push_back(k);
    for (auto [metric, file] : {std::pair{cd::BitMetric::tanimoto, "rdkit_tanimoto.npy"}, {cd::BitMetric::dice, "rdkit_dice.npy"},
                                {cd::BitMetric::cosine, "rdkit_cosine.npy"}}) {
        const Eigen::MatrixXd want = load_square(file);
        for (auto k : kernels) {
            INFO(cd::to_string(metric) << " " << cd::to_string(k));
            const Eigen::MatrixXf got = cd::bit_similarity_matrix(fps, metric, {2, k});
            CHECK((got.cast<double>() - want).cwiseAbs().maxCoeff() <= 1e-6);
        }
    }
    // RDKit's conventions on the empty fingerprint, as recorded in the fixture
    CHECK(load_square("rdkit_tanimoto.npy")(80, 80) == 1.0);
    CHECK(load_square("rdkit_dice.npy")(80, 80) == 0.0);
    CHECK(load_square("rdkit_cosine.npy")(80, 80) == 0.0);
}

TEST_CASE("the condensed Tanimoto triangle matches 1 - scipy pdist(jaccard)") {
    const auto fps = load_fps();
    const auto want = c2s::io::read_npy<double>(fixture("distance/scipy_jaccard_pdist.npy"));
    const auto got = cd::condensed_bit_similarity(fps, cd::BitMetric::tanimoto, {2});
    REQUIRE(got.size() == want.data.size());
    double worst = 0;
    for (std::size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::abs(double(got[i]) - want.data[i]));
    CHECK(worst <= 1e-6);
}

TEST_CASE("dense cosine matches scikit-learn (zero row: 0) and scipy cdist where scipy is defined") {
    const auto e = c2s::io::read_npy<float>(fixture("distance/emb.npy"));
    const Eigen::MatrixXf x = Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
        e.data.data(), Eigen::Index(e.shape[0]), Eigen::Index(e.shape[1]));
    const Eigen::MatrixXd sk = load_square("sklearn_cosine.npy"), sp = load_square("scipy_cosine.npy");
    for (int threads : {1, 2}) {
        const Eigen::MatrixXf f = cd::cosine_similarity_matrix(x, {threads});
        const Eigen::MatrixXf fx = cd::cosine_similarity_matrix(x, x, {threads});
        const Eigen::MatrixXd d = cd::cosine_similarity_matrix(Eigen::MatrixXd(x.cast<double>()), {threads});
        CHECK((f.cast<double>() - sk).cwiseAbs().maxCoeff() <= 1e-6);
        CHECK((fx.cast<double>() - sk).cwiseAbs().maxCoeff() <= 1e-6);
        CHECK((d - sk).cwiseAbs().maxCoeff() <= 1e-12);
        CHECK(!f.array().isNaN().any());
        std::size_t nan_in_scipy = 0;
        for (Eigen::Index i = 0; i < sp.rows(); ++i)
            for (Eigen::Index j = 0; j < sp.cols(); ++j) {
                if (std::isnan(sp(i, j))) {
                    ++nan_in_scipy;
                    CHECK(f(i, j) == 0.0f);  // scipy: NaN; c2s (and sklearn): 0
                } else {
                    CHECK(std::abs(double(f(i, j)) - sp(i, j)) <= 1e-6);
                }
            }
        CHECK(nan_in_scipy == 2 * 30 - 1);  // row 3 and column 3
    }
}
