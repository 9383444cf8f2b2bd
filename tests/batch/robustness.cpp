// Robustness cases of c2s::batch::combat: each asserts the outcome and the message.
#include <doctest/doctest.h>

#include <random>

#include "c2s/batch/combat.hpp"
#include "test_support.hpp"

namespace {

struct Synthetic {
    Eigen::MatrixXd x;
    std::vector<std::string> batch;
};

/// Samples × features with additive and multiplicative batch effects.
Synthetic make_data(const std::vector<int>& sizes, Eigen::Index features, unsigned seed = 7) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal;
    Eigen::Index n = 0;
    for (int s : sizes) n += s;
    Synthetic d;
    d.x.resize(n, features);
    Eigen::Index row = 0;
    for (std::size_t b = 0; b < sizes.size(); ++b) {
        Eigen::VectorXd shift(features), scale(features);
        for (Eigen::Index g = 0; g < features; ++g) {
            shift[g] = normal(rng);
            scale[g] = 0.5 + std::abs(normal(rng));
        }
        for (int i = 0; i < sizes[b]; ++i, ++row) {
            d.batch.push_back(c2s::concat("b", b));
            for (Eigen::Index g = 0; g < features; ++g) d.x(row, g) = 5.0 + 0.1 * static_cast<double>(g % 7) + shift[g] + scale[g] * normal(rng);
        }
    }
    return d;
}

bool has_warning(const std::vector<std::string>& warnings, const std::string& part) {
    for (const auto& w : warnings)
        if (w.find(part) != std::string::npos) return true;
    return false;
}

}  // namespace

static_assert(c2s::batch_corrector<c2s::batch::Combat, Eigen::MatrixXd, std::vector<std::string>>);
static_assert(c2s::batch_corrector<c2s::batch::Combat, Eigen::MatrixXf, std::vector<int>>);

TEST_CASE("combat removes batch mean differences on synthetic data") {
    const auto d = make_data({20, 30, 25}, 40);
    const auto r = c2s::batch::combat(d.x, d.batch);
    CHECK(r.warnings.empty());
    CHECK(r.corrected.allFinite());
    // Per-batch means after correction are much closer than before.
    auto spread = [&](const Eigen::MatrixXd& m) {
        Eigen::MatrixXd means = Eigen::MatrixXd::Zero(3, m.cols());
        Eigen::VectorXd n = Eigen::VectorXd::Zero(3);
        for (Eigen::Index i = 0; i < m.rows(); ++i) {
            const int b = d.batch[static_cast<std::size_t>(i)][1] - '0';
            means.row(b) += m.row(i);
            n[b] += 1;
        }
        for (int b = 0; b < 3; ++b) means.row(b) /= n[b];
        return (means.colwise().maxCoeff() - means.colwise().minCoeff()).mean();
    };
    CHECK(spread(r.corrected) < 0.2 * spread(d.x));
    // The fitter interface (batch_corrector) gives the same numbers.
    const auto fitted = c2s::batch::Combat{}.fit(d.x, d.batch);
    CHECK((fitted.apply(d.x, d.batch) - r.corrected).cwiseAbs().maxCoeff() < 1e-12);
}

TEST_CASE("combat leaves features with zero variance within a batch or overall uncorrected, never NaN") {
    auto d = make_data({10, 12, 9}, 30);
    for (Eigen::Index i = 0; i < 10; ++i) d.x(i, 4) = 3.25;     // constant within batch b0 only
    d.x.col(7).setConstant(1.5);                                  // constant overall
    const auto r = c2s::batch::combat(d.x, d.batch);
    CHECK(r.corrected.allFinite());
    CHECK((r.corrected.col(4) - d.x.col(4)).cwiseAbs().maxCoeff() == 0.0);
    CHECK((r.corrected.col(7) - d.x.col(7)).cwiseAbs().maxCoeff() == 0.0);
    CHECK(r.model.corrected_feature[4] == 0);
    CHECK(r.model.corrected_feature[7] == 0);
    CHECK(r.model.corrected_feature[5] == 1);
    CHECK((r.corrected.col(5) - d.x.col(5)).cwiseAbs().maxCoeff() > 0.0);
    CHECK(has_warning(r.warnings, "2 feature(s) are constant within a batch (first: feature 4)"));
    // Non-parametric too.
    c2s::batch::CombatOptions o;
    o.parametric = false;
    CHECK(c2s::batch::combat(d.x, d.batch, nullptr, o).corrected.allFinite());
}

TEST_CASE("combat falls back to mean-only when a batch has a single sample, and says so") {
    const auto d = make_data({10, 1, 9}, 25);
    const auto r = c2s::batch::combat(d.x, d.batch);
    CHECK(r.corrected.allFinite());
    CHECK(r.model.mean_only);
    CHECK((r.model.delta_star.array() == 1.0).all());
    CHECK(has_warning(r.warnings, "batch(es) 'b1' have a single sample, so the mean-only model is used"));
    c2s::batch::CombatOptions o;
    o.mean_only = true;
    const auto explicit_mean_only = c2s::batch::combat(d.x, d.batch, nullptr, o);
    CHECK((explicit_mean_only.corrected - r.corrected).cwiseAbs().maxCoeff() == 0.0);
    CHECK(explicit_mean_only.warnings.empty());
}

TEST_CASE("combat fails on NaN naming sample and feature, unless told to leave such features") {
    auto d = make_data({8, 8}, 12);
    d.x(11, 5) = std::numeric_limits<double>::quiet_NaN();
    C2S_CHECK_THROWS_WITH_SUBSTR(c2s::batch::combat(d.x, d.batch), std::invalid_argument,
                                 "c2s::batch::combat: 'x' has NaN at sample (row) 11, feature (column) 5");
    c2s::batch::CombatOptions o;
    o.nan_policy = c2s::batch::NanPolicy::leave_feature_uncorrected;
    const auto r = c2s::batch::combat(d.x, d.batch, nullptr, o);
    CHECK(std::isnan(r.corrected(11, 5)));
    CHECK(r.corrected.col(4).allFinite());
    CHECK(r.corrected.col(6).allFinite());
    CHECK((r.corrected.col(5).head(11) - d.x.col(5).head(11)).cwiseAbs().maxCoeff() == 0.0);
    CHECK(r.model.corrected_feature[5] == 0);
    CHECK(has_warning(r.warnings, "1 feature(s) holding NaN (first: sample 11, feature 5) were left uncorrected"));
}

TEST_CASE("combat fails when batch is confounded with a covariate, naming them") {
    const auto d = make_data({6, 6, 6}, 10);
    // 'compound' = 1 exactly in batch b2 (as BBBC021 compounds sit in one week).
    Eigen::MatrixXd cov = Eigen::MatrixXd::Zero(18, 2);
    for (Eigen::Index i = 0; i < 18; ++i) cov(i, 0) = (i % 2 == 0) ? 1.0 : 0.0;
    for (Eigen::Index i = 12; i < 18; ++i) cov(i, 1) = 1.0;
    c2s::batch::CombatOptions o;
    o.covariate_names = {"dose", "compound=taxol"};
    C2S_CHECK_THROWS_WITH_SUBSTR(c2s::batch::combat(d.x, d.batch, &cov, o), std::invalid_argument,
                                 "batch is confounded with covariate 'compound=taxol'");
    C2S_CHECK_THROWS_WITH_SUBSTR(c2s::batch::combat(d.x, d.batch, &cov, o), std::invalid_argument, "batch 'b2'");
    // Covariates that depend on each other.
    Eigen::MatrixXd dup(18, 2);
    dup.col(0) = cov.col(0);
    dup.col(1) = 2.0 * cov.col(0);
    o.covariate_names = {"a", "b"};
    C2S_CHECK_THROWS_WITH_SUBSTR(c2s::batch::combat(d.x, d.batch, &dup, o), std::invalid_argument,
                                 "the covariates are confounded with each other (linearly dependent: covariate 'a', covariate 'b')");
    // A covariate that is not confounded works, and an all-ones column is dropped like sva does.
    Eigen::MatrixXd ok(18, 2);
    ok.col(0) = cov.col(0);
    ok.col(1).setOnes();
    const auto r = c2s::batch::combat(d.x, d.batch, &ok, o);
    CHECK(r.corrected.allFinite());
    CHECK(r.model.covariate_names == std::vector<std::string>{"a"});
    CHECK(has_warning(r.warnings, "covariate 'b' is 1 for every sample (an intercept) and was dropped"));
}

TEST_CASE("combat rejects mismatched lengths, unknown reference batches and a single batch") {
    const auto d = make_data({5, 5}, 6);
    std::vector<std::string> short_batch(d.batch.begin(), d.batch.end() - 1);
    C2S_CHECK_THROWS_WITH_SUBSTR(c2s::batch::combat(d.x, short_batch), std::invalid_argument,
                                 "c2s::batch::combat: 'batch' has 9 entries but 'x' has 10 rows");
    Eigen::MatrixXd cov = Eigen::MatrixXd::Zero(9, 1);
    C2S_CHECK_THROWS_WITH_SUBSTR(c2s::batch::combat(d.x, d.batch, &cov), std::invalid_argument,
                                 "'covariates' has 9 rows but 'x' has 10 rows");
    c2s::batch::CombatOptions o;
    o.reference_batch = "b7";
    C2S_CHECK_THROWS_WITH_SUBSTR(c2s::batch::combat(d.x, d.batch, nullptr, o), std::invalid_argument,
                                 "'reference_batch' is 'b7', which is not one of the batches ('b0', 'b1')");
    std::vector<std::string> one(10, "w1");
    C2S_CHECK_THROWS_WITH_SUBSTR(c2s::batch::combat(d.x, one), std::invalid_argument,
                                 "'batch' has 1 distinct value(s) ('w1'); ComBat needs at least 2 batches");
    // Applying a model to an unknown batch or the wrong width.
    const auto r = c2s::batch::combat(d.x, d.batch);
    std::vector<std::string> other(10, "b9");
    C2S_CHECK_THROWS_WITH_SUBSTR((void)r.model.apply(d.x, other), std::invalid_argument,
                                 "batch 'b9' was not seen when the model was fitted (known: 'b0', 'b1')");
    C2S_CHECK_THROWS_WITH_SUBSTR((void)r.model.apply(d.x.leftCols(5), d.batch), std::invalid_argument,
                                 "'x' has 5 features (columns) but the model was fitted on 6");
}

TEST_CASE("combat with a reference batch leaves that batch unchanged") {
    const auto d = make_data({7, 9, 8}, 15);
    c2s::batch::CombatOptions o;
    o.reference_batch = "b1";
    const auto r = c2s::batch::combat(d.x, d.batch, nullptr, o);
    CHECK((r.corrected.middleRows(7, 9) - d.x.middleRows(7, 9)).cwiseAbs().maxCoeff() == 0.0);
    CHECK((r.corrected.topRows(7) - d.x.topRows(7)).cwiseAbs().maxCoeff() > 0.0);
}

TEST_CASE("the column-streaming passes (column-major double) equal the tiled passes; combat_into equals combat") {
    auto d = make_data({9, 14, 7, 11}, 13, 21);  // 13 features: not a multiple of the 4-column sweep
    // Interleave the batches so consecutive samples hit different per-batch accumulators.
    std::vector<Eigen::Index> order(static_cast<std::size_t>(d.x.rows()));
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<Eigen::Index>((i * 17) % order.size());
    Eigen::MatrixXd x(d.x.rows(), d.x.cols());
    std::vector<std::string> batch(order.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
        x.row(static_cast<Eigen::Index>(i)) = d.x.row(order[i]);
        batch[i] = d.batch[static_cast<std::size_t>(order[i])];
    }
    for (int threads : {1, 2}) {
        c2s::batch::CombatOptions o;
        o.num_threads = threads;
        const auto columns = c2s::batch::combat(x, batch, nullptr, o);
        const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> xr = x;  // tiled path
        const auto tiles = c2s::batch::combat_any(xr, batch, nullptr, o);
        CHECK((columns.corrected - Eigen::MatrixXd(tiles.corrected)).cwiseAbs().maxCoeff() < 1e-12);
        CHECK((columns.model.delta_star - tiles.model.delta_star).cwiseAbs().maxCoeff() < 1e-12);
        CHECK((columns.corrected - x).cwiseAbs().maxCoeff() > 0.1);  // something was corrected
        Eigen::MatrixXd out = Eigen::MatrixXd::Constant(3, 2, 42.0);
        std::vector<std::string> warnings;
        for (int rep = 0; rep < 2; ++rep) {  // second call reuses the buffer
            const auto m = c2s::batch::combat_into(x, batch, out, warnings, nullptr, o);
            CHECK(out.rows() == x.rows());
            CHECK((out - columns.corrected).cwiseAbs().maxCoeff() == 0.0);
            CHECK((m.gamma_star - columns.model.gamma_star).cwiseAbs().maxCoeff() == 0.0);
        }
    }
}

TEST_CASE("combat_in_place and combat(std::move(x)) equal combat, with covariates, in double and float") {
    auto d = make_data({8, 12, 10}, 11, 33);
    Eigen::MatrixXd cov(d.x.rows(), 1);
    for (Eigen::Index i = 0; i < cov.rows(); ++i) cov(i, 0) = static_cast<double>(i % 3 == 0);
    for (int threads : {1, 2}) {
        c2s::batch::CombatOptions o;
        o.num_threads = threads;
        const auto expected = c2s::batch::combat(d.x, d.batch, &cov, o);

        Eigen::MatrixXd work = d.x;
        std::vector<std::string> warnings;
        const auto m = c2s::batch::combat_in_place(work, d.batch, warnings, &cov, o);
        CHECK((work - expected.corrected).cwiseAbs().maxCoeff() == 0.0);
        CHECK((m.gamma_star - expected.model.gamma_star).cwiseAbs().maxCoeff() == 0.0);

        Eigen::MatrixXd owned = d.x;
        const double* storage = owned.data();
        const auto moved = c2s::batch::combat(std::move(owned), d.batch, &cov, o);
        CHECK(moved.corrected.data() == storage);  // corrected in the caller's memory, no new matrix
        CHECK((moved.corrected - expected.corrected).cwiseAbs().maxCoeff() == 0.0);

        Eigen::MatrixXf xf = d.x.cast<float>();
        const auto expected_f = c2s::batch::combat_any(xf, d.batch, &cov, o);
        std::vector<std::string> warnings_f;
        c2s::batch::combat_in_place(xf, d.batch, warnings_f, &cov, o);
        CHECK((xf - expected_f.corrected).cwiseAbs().maxCoeff() == 0.0f);
    }
}

TEST_CASE("combat_in_place leaves x untouched when it rejects the input") {
    auto d = make_data({5, 6}, 4, 5);
    d.x(3, 2) = std::numeric_limits<double>::quiet_NaN();
    Eigen::MatrixXd work = d.x;
    std::vector<std::string> warnings;
    C2S_CHECK_THROWS_WITH_SUBSTR(c2s::batch::combat_in_place(work, d.batch, warnings), std::invalid_argument,
                                 "'x' has NaN at sample (row) 3, feature (column) 2");
    CHECK(work.array().isNaN().count() == 1);
    CHECK(((work.array() == d.x.array()) || work.array().isNaN()).all());
}
