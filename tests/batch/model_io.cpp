// Saving, loading and applying a fitted ComBat model to new samples of known batches.
#include <doctest/doctest.h>

#include <fstream>
#include <random>

#include "c2s/batch/combat.hpp"
#include "test_support.hpp"

namespace {
Eigen::MatrixXd noisy(Eigen::Index n, Eigen::Index g, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal;
    Eigen::MatrixXd x(n, g);
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j < g; ++j) x(i, j) = 2.0 + normal(rng) + (i % 3 == 0 ? 1.5 : 0.0) * static_cast<double>(1 + j % 4);
    return x;
}
}  // namespace

TEST_CASE("a saved and loaded ComBat model corrects new samples like the fitted one") {
    const Eigen::MatrixXd x = noisy(60, 20, 3);
    std::vector<std::string> batch;
    for (int i = 0; i < 60; ++i) batch.push_back(i % 3 == 0 ? "plate A" : (i % 3 == 1 ? "plate B" : "plate C"));
    Eigen::MatrixXd cov(60, 1);
    for (Eigen::Index i = 0; i < 60; ++i) cov(i, 0) = static_cast<double>((i / 2) % 2);
    c2s::batch::CombatOptions o;
    o.covariate_names = {"treated"};
    o.reference_batch = "plate B";
    const auto r = c2s::batch::combat(x, batch, &cov, o);
    // Applying the model to the training samples reproduces the corrected matrix.
    CHECK((r.model.apply(x, batch, &cov) - r.corrected).cwiseAbs().maxCoeff() < 1e-12);

    c2s::test::TempDir dir;
    r.model.save(dir / "model.txt");
    const auto loaded = c2s::batch::CombatModel::load(dir / "model.txt");
    CHECK(loaded.batches == r.model.batches);
    CHECK(loaded.reference_batch == r.model.reference_batch);
    CHECK(loaded.covariate_names == r.model.covariate_names);
    CHECK((loaded.gamma_star - r.model.gamma_star).cwiseAbs().maxCoeff() == 0.0);
    CHECK((loaded.delta_star - r.model.delta_star).cwiseAbs().maxCoeff() == 0.0);
    CHECK((loaded.covariate_coefficients - r.model.covariate_coefficients).cwiseAbs().maxCoeff() == 0.0);

    // New samples of known batches (a subset, in another order).
    const Eigen::MatrixXd fresh = noisy(9, 20, 99);
    const std::vector<std::string> fresh_batch{"plate C", "plate A", "plate A", "plate B", "plate C",
                                               "plate A", "plate B", "plate B", "plate C"};
    Eigen::MatrixXd fresh_cov = Eigen::MatrixXd::Zero(9, 1);
    fresh_cov(2, 0) = 1;
    const Eigen::MatrixXd a = r.model.apply(fresh, fresh_batch, &fresh_cov);
    const Eigen::MatrixXd b = loaded.apply(fresh, fresh_batch, &fresh_cov);
    CHECK((a - b).cwiseAbs().maxCoeff() == 0.0);
    // Reference-batch samples are unchanged; the others are moved by the fitted per-batch shifts.
    CHECK((a.row(3) - fresh.row(3)).cwiseAbs().maxCoeff() == 0.0);
    CHECK((a.row(0) - fresh.row(0)).cwiseAbs().maxCoeff() > 0.0);
    // Sample-by-sample: applying to one sample alone equals its row of the batch application.
    const Eigen::MatrixXd cov5 = fresh_cov.row(5);
    const Eigen::MatrixXd one = r.model.apply(fresh.row(5), {"plate A"}, &cov5);
    CHECK((one.row(0) - a.row(5)).cwiseAbs().maxCoeff() == 0.0);
}

TEST_CASE("loading a damaged ComBat model fails naming file and line") {
    c2s::test::TempDir dir;
    c2s::test::write_text(dir / "bad.txt", "hello\n");
    C2S_CHECK_THROWS_WITH_SUBSTR(c2s::batch::CombatModel::load(dir / "bad.txt"), std::runtime_error,
                                 "line 1: not a c2s ComBat model file");
    const Eigen::MatrixXd x = noisy(12, 4, 1);
    std::vector<std::string> batch(12, "a");
    for (int i = 6; i < 12; ++i) batch[static_cast<std::size_t>(i)] = "b";
    const auto r = c2s::batch::combat(x, batch);
    r.model.save(dir / "m.txt");
    std::string text;
    {
        std::ifstream in(dir / "m.txt");
        text.assign(std::istreambuf_iterator<char>(in), {});
    }
    const auto pos = text.find("pooled_variance");
    c2s::test::write_text(dir / "cut.txt", text.substr(0, pos) + "pooled_variance 1 2\n");
    C2S_CHECK_THROWS_WITH_SUBSTR(c2s::batch::CombatModel::load(dir / "cut.txt"), std::runtime_error,
                                 "'pooled_variance' has 2 values, expected 4");
    C2S_CHECK_THROWS_WITH_SUBSTR(c2s::batch::CombatModel::load(dir / "missing.txt"), std::runtime_error, "cannot open");
}
