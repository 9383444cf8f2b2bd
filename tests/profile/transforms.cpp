// Spearman similarity, the generalised log and whitening per batch against numpy / scipy
// (scripts/fixtures/profile/make_profile_fixtures.py, fixtures in tests/fixtures/profile/).

#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "c2s/profile/normalize.hpp"
#include "c2s/profile/retrieval.hpp"
#include "c2s/profile/similarity.hpp"
#include "c2s/profile/transform.hpp"
#include "fixtures.hpp"

namespace cp = c2s::profile;
using c2s::test::load_csv;
using c2s::test::load_matrix;
using c2s::test::max_abs_diff;

TEST_CASE("similarity: Spearman rows (average ranks for ties) match scipy.stats.spearmanr") {
    const auto x = load_matrix("profile/spearman_x.csv");
    CHECK(max_abs_diff(cp::row_ranks(x), load_matrix("profile/spearman_ranks.csv")) < 1e-12);
    const auto s = cp::similarity_matrix(x, cp::Similarity::spearman);
    CHECK(max_abs_diff(s, load_matrix("profile/spearman_sim.csv")) < 1e-12);
    CHECK(s(1, 4) == doctest::Approx(1.0));  // a monotone copy
    CHECK(cp::parse_similarity("spearman") == cp::Similarity::spearman);
    CHECK(std::string(cp::to_string(cp::Similarity::spearman)) == "spearman");
}

TEST_CASE("similarity: Spearman NSC uses ranks, so a monotone distortion of one row changes nothing") {
    // Three compounds of MoA a and b; row 3 is row 0 cubed (same ranks): its neighbour stays row 0's MoA.
    Eigen::MatrixXd x(4, 5);
    x << 1, 2, 3, 4, 5,  //
        5, 4, 3, 2, 1,   //
        1, 3, 2, 4, 5,   //
        1, 8, 27, 64, 125;
    const std::vector<std::string> label{"a", "b", "a", "a"}, comp{"c0", "c1", "c2", "c3"};
    const auto r = cp::nearest_neighbour_accuracy(x, label, comp, {}, {cp::Similarity::spearman, false});
    CHECK(r.num_correct == 3);  // rows 0, 2, 3 find each other; row 1 (b) has no other b
}

TEST_CASE("bad input: Spearman of a row with NaN or a constant row is named") {
    Eigen::MatrixXd x(2, 3);
    x << 1, 2, std::numeric_limits<double>::quiet_NaN(), 1, 2, 3;
    C2S_CHECK_THROWS_WITH_SUBSTR(cp::similarity_matrix(x, cp::Similarity::spearman), std::invalid_argument, "row 0 has a missing value");
    x << 1, 2, 3, 4, 4, 4;
    C2S_CHECK_THROWS_WITH_SUBSTR(cp::similarity_matrix(x, cp::Similarity::spearman), std::invalid_argument, "row 1 is constant");
    C2S_CHECK_THROWS_WITH_SUBSTR(cp::parse_similarity("kendall"), std::invalid_argument, "'similarity' is 'kendall'");
}

TEST_CASE("transform: generalised log = numpy arcsinh(x / c); NaN passes through; bad scale is named") {
    const auto x = load_matrix("profile/glog_x.csv");
    CHECK(max_abs_diff(cp::generalized_log(x), load_matrix("profile/glog_1.csv")) < 1e-12);
    CHECK(max_abs_diff(cp::generalized_log(x, {2.5}), load_matrix("profile/glog_2.5.csv")) < 1e-12);
    Eigen::MatrixXd n(1, 2);
    n << std::numeric_limits<double>::quiet_NaN(), -2.0;
    const auto g = cp::generalized_log(n);
    CHECK(std::isnan(g(0, 0)));
    CHECK(g(0, 1) == doctest::Approx(-std::asinh(2.0)));
    C2S_CHECK_THROWS_WITH_SUBSTR((void)cp::generalized_log(n, {0.0}), std::invalid_argument, "'scale' is 0");
    C2S_CHECK_THROWS_WITH_SUBSTR((void)cp::generalized_log(n, {-1.0}), std::invalid_argument,
                                 "c2s::profile::generalized_log");
}

TEST_CASE("normalize: ZCA whitening per batch, fitted on each batch's reference rows, matches numpy") {
    const auto x = load_matrix("profile/whiten_x.csv");
    const auto meta = load_csv("profile/whiten_meta.csv");
    const auto batch = meta.column_values("batch");
    std::vector<bool> ref;
    for (const auto& r : meta.column_values("ref")) ref.push_back(r == "1");
    cp::NormalizeOptions o;
    o.method = cp::NormalizeMethod::spherize_zca;
    o.epsilon = 0.1;
    const auto res = cp::normalize(x, batch, ref, o);
    CHECK(res.fits.size() == 2);
    CHECK(max_abs_diff(res.normalized, load_matrix("profile/whiten_zca_batch_0.1.csv")) < 1e-10);
    // With a tiny regulariser the reference rows of each batch come out white.
    o.epsilon = 1e-12;
    const auto white = cp::normalize(x, batch, ref, o);
    for (const std::string b : {"W1", "W2"}) {
        std::vector<Eigen::Index> rows;
        for (std::size_t r = 0; r < batch.size(); ++r)
            if (batch[r] == b && ref[r]) rows.push_back(static_cast<Eigen::Index>(r));
        Eigen::MatrixXd w(static_cast<Eigen::Index>(rows.size()), x.cols());
        for (std::size_t i = 0; i < rows.size(); ++i) w.row(static_cast<Eigen::Index>(i)) = white.normalized.row(rows[i]);
        const Eigen::MatrixXd c = w.rowwise() - w.colwise().mean();
        const Eigen::MatrixXd cov = c.transpose() * c / static_cast<double>(rows.size() - 1);
        CHECK(max_abs_diff(cov, Eigen::MatrixXd::Identity(x.cols(), x.cols())) < 1e-6);
    }
}
