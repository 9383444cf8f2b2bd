// Parity with R's sva::ComBat on the bladderbatch data (fixtures made by
// scripts/fixtures/batch/make_bladderbatch_fixtures.R; see docs/batch.md).
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "c2s/batch/combat.hpp"
#include "c2s/io/csv.hpp"
#include "c2s/io/table.hpp"
#include "test_support.hpp"

namespace {

struct Bladder {
    c2s::io::Table input;
    std::vector<std::string> batch;
    Eigen::MatrixXd cancer_design;  // model.matrix(~cancer)[, -1]: Cancer vs Biopsy, Normal vs Biopsy
    // case -> (gene index -> 57 corrected values)
    std::map<std::string, std::map<Eigen::Index, Eigen::VectorXd>> expected;
    void add(const c2s::io::CsvDocument& doc) {
        for (const auto& row : doc.rows) {
            Eigen::VectorXd v(static_cast<Eigen::Index>(row.size() - 2));
            for (std::size_t j = 2; j < row.size(); ++j) v[static_cast<Eigen::Index>(j - 2)] = std::stod(row[j]);
            expected[row[0]][std::stol(row[1])] = v;
        }
    }
};

const Bladder& bladder() {
    static const Bladder b = [] {
        Bladder out;
        out.input = c2s::io::read_table(c2s::test::fixture("batch/bladderbatch_input.csv.gz"));
        out.batch = out.input.metadata_column("Metadata_batch");
        const auto& cancer = out.input.metadata_column("Metadata_cancer");
        const auto n = static_cast<Eigen::Index>(cancer.size());
        out.cancer_design.setZero(n, 2);
        for (Eigen::Index i = 0; i < n; ++i) {
            out.cancer_design(i, 0) = cancer[static_cast<std::size_t>(i)] == "Cancer" ? 1.0 : 0.0;
            out.cancer_design(i, 1) = cancer[static_cast<std::size_t>(i)] == "Normal" ? 1.0 : 0.0;
        }
        out.add(c2s::io::read_csv(c2s::test::fixture("batch/bladderbatch_combat.csv.gz")));
        out.add(c2s::io::read_csv(c2s::test::fixture("batch/bladderbatch_nonparametric.csv.gz")));
        return out;
    }();
    return b;
}

/// Max |ours - sva| over the committed genes, relative to the data's scale (max |x|).
double relative_difference(const Eigen::MatrixXd& corrected, const std::string& name) {
    const auto& b = bladder();
    const auto it = b.expected.find(name);
    REQUIRE(it != b.expected.end());
    REQUIRE(it->second.size() >= 200);
    const double scale = b.input.features.leftCols(corrected.cols()).cwiseAbs().maxCoeff();
    double worst = 0;
    for (const auto& [g, v] : it->second) {
        REQUIRE(v.size() == corrected.rows());
        worst = std::max(worst, (corrected.col(g) - v).cwiseAbs().maxCoeff());
    }
    MESSAGE(name << ": max |c2s - sva| / max |x| = " << worst / scale);
    return worst / scale;
}

}  // namespace

TEST_CASE("combat matches sva::ComBat on bladderbatch: parametric") {
    const auto& b = bladder();
    REQUIRE(b.input.features.rows() == 57);
    REQUIRE(b.input.features.cols() == 22283);
    const auto r = c2s::batch::combat(b.input.features, b.batch);
    CHECK(relative_difference(r.corrected, "parametric") < 1e-8);
    CHECK(r.model.batches.size() == 5);
    CHECK(r.model.iterations > 1);
    // The correction changes the data (the check above is not vacuous).
    CHECK((r.corrected - b.input.features).cwiseAbs().maxCoeff() > 0.1);
}

TEST_CASE("combat matches sva::ComBat on bladderbatch: parametric with mod = model.matrix(~cancer)") {
    const auto& b = bladder();
    c2s::batch::CombatOptions o;
    o.covariate_names = {"cancer=Cancer", "cancer=Normal"};
    o.num_threads = 2;
    const auto r = c2s::batch::combat(b.input.features, b.batch, &b.cancer_design, o);
    CHECK(relative_difference(r.corrected, "parametric_mod") < 1e-8);
    CHECK(r.model.covariate_coefficients.rows() == 2);
}

TEST_CASE("combat matches sva::ComBat on bladderbatch: non-parametric") {
    // sva's int.eprior took 1.4 hours of interpreted R for this (fixture script); c2s a few seconds.
    const auto& b = bladder();
    c2s::batch::CombatOptions o;
    o.parametric = false;
    o.num_threads = 2;
    const auto r = c2s::batch::combat(b.input.features, b.batch, nullptr, o);
    CHECK(relative_difference(r.corrected, "nonparametric") < 1e-8);
    CHECK_FALSE(r.model.parametric);
    CHECK((r.corrected - b.input.features).cwiseAbs().maxCoeff() > 0.1);
}

TEST_CASE("combat matches sva::ComBat on bladderbatch: mean.only = TRUE") {
    const auto& b = bladder();
    c2s::batch::CombatOptions o;
    o.mean_only = true;
    const auto r = c2s::batch::combat(b.input.features, b.batch, nullptr, o);
    CHECK(relative_difference(r.corrected, "mean_only") < 1e-8);
    CHECK((r.model.delta_star.array() == 1.0).all());
}

TEST_CASE("combat matches sva::ComBat on bladderbatch: ref.batch = 3") {
    const auto& b = bladder();
    c2s::batch::CombatOptions o;
    o.reference_batch = "3";
    const auto r = c2s::batch::combat(b.input.features, b.batch, nullptr, o);
    CHECK(relative_difference(r.corrected, "ref3") < 1e-8);
    // Samples of the reference batch are unchanged.
    for (Eigen::Index i = 0; i < r.corrected.rows(); ++i)
        if (b.batch[static_cast<std::size_t>(i)] == "3") CHECK((r.corrected.row(i) - b.input.features.row(i)).cwiseAbs().maxCoeff() == 0.0);
}

TEST_CASE("combat float32 input agrees with the double path to float precision") {
    const auto& b = bladder();
    const Eigen::MatrixXf xf = b.input.features.leftCols(3000).cast<float>();
    const auto rf = c2s::batch::combat_any(xf, b.batch);
    const auto rd = c2s::batch::combat(xf.cast<double>(), b.batch);
    static_assert(std::is_same_v<decltype(rf.corrected)::Scalar, float>);
    CHECK((rf.corrected.cast<double>() - rd.corrected).cwiseAbs().maxCoeff() < 1e-5);
}
