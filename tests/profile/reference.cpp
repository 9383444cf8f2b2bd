// Each profile operation against the independent numpy / scipy / scikit-learn computation in
// scripts/fixtures/profile/make_profile_fixtures.py (fixtures in tests/fixtures/profile/).

#include <doctest/doctest.h>

#include <sstream>

#include "c2s/profile/centroid.hpp"
#include "c2s/profile/mantel.hpp"
#include "c2s/profile/normalize.hpp"
#include "c2s/profile/retrieval.hpp"
#include "c2s/profile/select.hpp"
#include "fixtures.hpp"

namespace cp = c2s::profile;
using c2s::test::load_csv;
using c2s::test::load_matrix;
using c2s::test::max_abs_diff;

namespace {

struct NormCase {
    std::vector<std::string> plate;
    std::vector<bool> ref;
};
NormCase norm_meta() {
    const auto doc = load_csv("profile/norm_meta.csv");
    NormCase c;
    c.plate = doc.column_values("plate");
    for (const auto& r : doc.column_values("ref")) c.ref.push_back(r == "1");
    return c;
}

}  // namespace

TEST_CASE("normalize: standardize, robustize and MAD per plate match numpy/sklearn/scipy") {
    const auto x = load_matrix("profile/norm_x.csv");
    const auto m = norm_meta();
    cp::NormalizeOptions o;
    o.ddof = 1;
    CHECK(max_abs_diff(cp::normalize(x, m.plate, m.ref, o).normalized, load_matrix("profile/norm_standardize1.csv")) < 1e-12);
    o.ddof = 0;
    CHECK(max_abs_diff(cp::normalize(x, m.plate, m.ref, o).normalized, load_matrix("profile/norm_standardize0.csv")) < 1e-12);
    o.method = cp::NormalizeMethod::robustize;
    CHECK(max_abs_diff(cp::normalize(x, m.plate, m.ref, o).normalized, load_matrix("profile/norm_robustize.csv")) < 1e-12);
    o.method = cp::NormalizeMethod::mad_robustize;
    CHECK(max_abs_diff(cp::normalize(x, m.plate, m.ref, o).normalized, load_matrix("profile/norm_mad.csv")) < 1e-9);
}

TEST_CASE("normalize: ZCA and PCA sphering fitted on the reference rows match numpy") {
    const auto x = load_matrix("profile/norm_x.csv");
    const auto m = norm_meta();
    for (const double eps : {1e-6, 0.5}) {
        std::ostringstream tag;
        tag << eps;
        cp::NormalizeOptions o;
        o.method = cp::NormalizeMethod::spherize_zca;
        o.epsilon = eps;
        const auto zca = cp::normalize(x, {}, m.ref, o);
        CHECK(max_abs_diff(zca.normalized, load_matrix("profile/norm_zca_" + tag.str() + ".csv")) < 1e-7);
        o.method = cp::NormalizeMethod::spherize_pca;
        const auto pca = cp::normalize(x, {}, m.ref, o);
        CHECK(max_abs_diff(pca.normalized.cwiseAbs(), load_matrix("profile/norm_pca_abs_" + tag.str() + ".csv")) < 1e-7);
    }
    // With a tiny regulariser, the reference rows come out with identity covariance.
    cp::NormalizeOptions o;
    o.method = cp::NormalizeMethod::spherize_zca;
    o.epsilon = 0;
    const auto z = cp::normalize(x, {}, m.ref, o).normalized;
    Eigen::MatrixXd r(8, x.cols());
    for (Eigen::Index i = 0, k = 0; i < x.rows(); ++i)
        if (m.ref[static_cast<std::size_t>(i)]) r.row(k++) = z.row(i);
    const Eigen::MatrixXd cov = (r.transpose() * r) / 7.0;
    CHECK(max_abs_diff(cov, Eigen::MatrixXd::Identity(x.cols(), x.cols())) < 1e-8);
}

TEST_CASE("select: caret findCorrelation (fast and exact) matches the Python transcription") {
    const auto x = load_matrix("profile/corr_x.csv");
    const auto doc = load_csv("profile/corr_dropped.csv");
    const auto c = cp::column_correlation(x);
    for (std::size_t r = 0; r < doc.num_rows(); ++r) {
        cp::CorrelationThresholdOptions o;
        o.cutoff = std::stod(doc.rows[r][1]);
        o.method = doc.rows[r][0] == "fast" ? cp::FindCorrelationMethod::fast : cp::FindCorrelationMethod::exact;
        auto got = cp::find_correlation(c, o);
        std::sort(got.begin(), got.end());
        std::string s;
        for (auto k : got) {
            if (!s.empty()) s.push_back(' ');
            s.append(std::to_string(k));
        }
        INFO(doc.rows[r][0] << " cutoff " << o.cutoff);
        CHECK(s == doc.rows[r][2]);
    }
    // 12 columns: the automatic choice is caret's (exact below 100 features).
    const auto sel = cp::correlation_threshold(x, {0.95, cp::FindCorrelationMethod::automatic});
    CHECK(sel.dropped.size() == 8);
}

TEST_CASE("select: replicate correlation medians match numpy") {
    const auto x = load_matrix("profile/repcor_x.csv");
    const auto groups = load_csv("profile/repcor_groups.csv").column_values("group");
    const auto expected = load_matrix("profile/repcor_median.csv");
    const auto rc = cp::replicate_correlation(x, groups, {}, {3, 0.5});
    CHECK(rc.groups_used == 10);
    for (Eigen::Index j = 0; j < x.cols(); ++j) CHECK(rc.median[j] == doctest::Approx(expected(0, j)).epsilon(1e-12));
    // Noise grows across features: the noisiest falls below 0.5.
    for (auto k : rc.selection.dropped) CHECK(rc.median[static_cast<Eigen::Index>(k)] < 0.5);
    for (auto k : rc.selection.kept) CHECK(rc.median[static_cast<Eigen::Index>(k)] >= 0.5);
}

TEST_CASE("select: near-zero variance follows caret's rule") {
    Eigen::MatrixXd x(40, 4);
    for (Eigen::Index i = 0; i < 40; ++i) {
        x(i, 0) = 1.0;                       // constant: zero variance
        x(i, 1) = i < 39 ? 0.0 : 1.0;        // freqRatio 39 > 19, 2 unique = 5% <= 10%: near zero
        x(i, 2) = static_cast<double>(i);    // all unique
        x(i, 3) = i < 36 ? 0.0 : 1.0;        // freqRatio 9 <= 19: kept
    }
    const auto s = cp::near_zero_variance(x);
    CHECK(s.dropped == std::vector<std::size_t>{0, 1});
    CHECK(s.kept == std::vector<std::size_t>{2, 3});
}

TEST_CASE("retrieval: NSC and NSCB on a hand-checkable toy") {
    // Six treatments on a line; labels A/B; compounds c1..c4; weeks.
    //  row  value   label compound week
    //   0   (1,0)    A     c1      w1
    //   1   (0.9,0.1)A     c1      w1   same compound as 0: not a neighbour of 0
    //   2   (0.8,0.2)B     c2      w1   nearest other-compound row for 0 and 1 -> wrong
    //   3   (0.1,0.9)B     c3      w2
    //   4   (0.2,0.8)A     c4      w2
    //   5   (0,1)    B     c3      w2
    Eigen::MatrixXd x(6, 2);
    x << 1, 0, 0.9, 0.1, 0.8, 0.2, 0.1, 0.9, 0.2, 0.8, 0, 1;
    const std::vector<std::string> label{"A", "A", "B", "B", "A", "B"}, comp{"c1", "c1", "c2", "c3", "c4", "c3"},
        week{"w1", "w1", "w1", "w2", "w2", "w2"};
    const auto nsc = cp::nearest_neighbour_accuracy(x, label, comp, {}, {cp::Similarity::cosine, false});
    // Neighbours by cosine: 0->2 (B, wrong), 1->2 (wrong), 2->1 (A, wrong), 3->4 (A, wrong),
    // 4->3 (B, wrong), 5->4 (A, wrong).
    CHECK(nsc.neighbours == std::vector<std::size_t>{2, 2, 1, 4, 3, 4});
    CHECK(nsc.num_correct == 0);
    // NSCB: both labels span both weeks, so all rows are evaluated; neighbours come from the
    // other week. cos(2,4) = 0.32/0.68 = 0.47 > cos(2,3) = 0.26/0.747 = 0.35, so 2->4 (A, wrong);
    // 0->4 (A ok), 1->4 (ok), 3->2 (B ok), 4->2 (B wrong; 0.47 > cos(4,1) = 0.35), 5->2 (ok).
    const auto nscb = cp::nearest_neighbour_accuracy(x, label, comp, week, {cp::Similarity::cosine, true});
    CHECK(nscb.neighbours == std::vector<std::size_t>{4, 4, 4, 2, 2, 2});
    CHECK(nscb.num_correct == 4);
    CHECK(nscb.accuracy == doctest::Approx(4.0 / 6.0));
    // A label present in one week only is left out.
    const std::vector<std::string> week2{"w1", "w1", "w1", "w1", "w1", "w2"};
    const auto left = cp::nearest_neighbour_accuracy(x, label, comp, week2, {cp::Similarity::cosine, true});
    CHECK(left.labels_left_out == std::vector<std::string>{"A"});
    CHECK(left.queries == std::vector<std::size_t>{2, 3, 5});
}

TEST_CASE("retrieval: average precision and mAP p-values match the copairs definition (numpy)") {
    const auto x = load_matrix("profile/map_x.csv");
    const auto meta = load_csv("profile/map_meta.csv");
    const auto ap = load_csv("profile/map_ap.csv");
    const auto lab = load_csv("profile/map_labels.csv");
    cp::MapOptions o;
    o.null_size = 20000;
    o.seed = 7;
    const auto res = cp::mean_average_precision(x, meta.column_values("label"), meta.column_values("compound"), o);
    REQUIRE(res.per_query.size() == ap.num_rows());
    for (std::size_t i = 0; i < ap.num_rows(); ++i) {
        CHECK(res.per_query[i].average_precision == doctest::Approx(std::stod(ap.rows[i][0])).epsilon(1e-12));
        CHECK(res.per_query[i].num_positives == std::stoul(ap.rows[i][1]));
        CHECK(res.per_query[i].num_total == std::stoul(ap.rows[i][2]));
    }
    REQUIRE(res.per_label.size() == lab.num_rows());
    for (std::size_t k = 0; k < lab.num_rows(); ++k) {
        CHECK(res.per_label[k].label == lab.rows[k][0]);
        CHECK(res.per_label[k].mean_average_precision == doctest::Approx(std::stod(lab.rows[k][1])).epsilon(1e-12));
        // Different random generators: p-values agree to Monte Carlo error (null_size 20000).
        const double p = std::stod(lab.rows[k][2]);
        CHECK(std::abs(res.per_label[k].p_value - p) < 4 * std::sqrt(p * (1 - p) / 20000.0) + 2e-4);
    }
}

TEST_CASE("mantel: statistic matches scipy; permutation p-values match the exact enumeration") {
    const auto a = load_matrix("profile/mantel_a.csv");
    const auto b = load_matrix("profile/mantel_b.csv");
    const auto exp = load_csv("profile/mantel_expected.csv");
    for (std::size_t r = 0; r < exp.num_rows(); ++r) {
        cp::MantelOptions o;
        o.method = exp.rows[r][0] == "pearson" ? cp::MantelMethod::pearson : cp::MantelMethod::spearman;
        o.permutations = 20000;
        const auto two = cp::mantel(a, b, o);
        CHECK(two.statistic == doctest::Approx(std::stod(exp.rows[r][1])).epsilon(1e-12));
        const double p2 = std::stod(exp.rows[r][2]);
        CHECK(std::abs(two.p_value - p2) < 4 * std::sqrt(p2 * (1 - p2) / 20000.0) + 1e-4);
        o.alternative = cp::Alternative::greater;
        const auto one = cp::mantel(a, b, o);
        const double p1 = std::stod(exp.rows[r][3]);
        CHECK(std::abs(one.p_value - p1) < 4 * std::sqrt(p1 * (1 - p1) / 20000.0) + 1e-4);
        // Same seed, same answer.
        CHECK(cp::mantel(a, b, o).p_value == one.p_value);
    }
}

TEST_CASE("centroid: distances to the group centroid, share within 0.9, Tukey fences with refit") {
    // Group g: five vectors near (1,0) and one far off; group h: two vectors.
    Eigen::MatrixXd x(8, 2);
    x << 1, 0, 1, 0.05, 1, -0.05, 1, 0.1, 1, -0.1, 0, 1, 1, 1, 1, 0.8;
    const std::vector<std::string> g{"g", "g", "g", "g", "g", "g", "h", "h"};
    cp::CentroidOptions o;
    const auto res = cp::centroid_analysis(x, g, o);
    // Independent check of the first-pass distances.
    Eigen::RowVectorXd c = x.topRows(6).colwise().mean();
    for (Eigen::Index i = 0; i < 6; ++i)
        CHECK(res.distance[i] == doctest::Approx(1 - x.row(i).dot(c) / (x.row(i).norm() * c.norm())));
    REQUIRE(res.removed.size() == 1);
    CHECK(res.removed[0].row == 5);
    CHECK(res.removed[0].group == "g");
    CHECK(res.groups[0].kept == 5);
    CHECK(res.groups[1].kept == 2);
    // Refit: the centroid of the five kept rows is (1,0); distances shrink.
    o.refit = true;
    const auto refit = cp::centroid_analysis(x, g, o);
    CHECK(refit.final_distance[3] == doctest::Approx(1 - 1 / std::sqrt(1.01)));
    CHECK(res.final_distance[3] == res.distance[3]);
    CHECK(std::isnan(refit.final_distance[5]));
    CHECK(refit.groups[0].share_within == doctest::Approx(1.0));
}
