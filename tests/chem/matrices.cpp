#include <doctest/doctest.h>

#include <cmath>

#include "c2s/chem/descriptors.hpp"
#include "c2s/chem/fingerprints.hpp"
#include "c2s/chem/matrices.hpp"
#include "test_support.hpp"

using namespace c2s::chem;

namespace {

/// The BBBC021 compounds of the fixture (ids not starting with "x-").
MoleculeSet bbbc021_molecules() {
    auto all = read_compounds_csv(c2s::test::fixture("chem/compounds.csv"));
    std::vector<CompoundInput> keep;
    for (auto& c : all)
        if (c.id.rfind("x-", 0) != 0) keep.push_back(c);
    return parse_compounds(keep);
}

double max_abs_diff(const c2s::LabeledMatrix& m, const std::string& fixture, bool similarity) {
    const auto doc = c2s::io::read_csv(c2s::test::fixture(fixture));
    REQUIRE(doc.num_rows() == m.size());
    double worst = 0;
    for (std::size_t i = 0; i < m.size(); ++i) {
        REQUIRE(doc.rows[i][0] == m.ids[i]);
        REQUIRE(doc.header[i + 1] == m.ids[i]);
        for (std::size_t j = 0; j < m.size(); ++j) {
            double want = *c2s::io::parse_number(doc.rows[i][j + 1]);
            if (similarity) want = 1 - want;
            worst = std::max(worst, std::abs(m.values(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) - want));
        }
    }
    return worst;
}

}  // namespace

TEST_CASE("tanimoto_distance_matrix equals 1 - RDKit BulkTanimotoSimilarity to 1e-6") {
    const auto set = bbbc021_molecules();
    const auto fps = morgan_fingerprints(set.molecules);
    const auto m = tanimoto_distance_matrix(set.ids, fps, {.num_threads = 2});
    CHECK(m.measure == "tanimoto distance");
    CHECK(max_abs_diff(m, "chem/tanimoto_similarity.csv", true) <= 1e-6);
    C2S_CHECK_THROWS_WITH_SUBSTR(tanimoto_distance_matrix({"a"}, fps), std::invalid_argument,
                                 "'ids' has 1 entries but 'fps' has");
}

TEST_CASE("cosine_distance_matrix of scaled descriptors equals scipy cdist(..., 'cosine') to 1e-6") {
    const auto set = bbbc021_molecules();
    const auto d = compute_descriptors(set, {.num_threads = 2});
    for (auto [method, fixture] : {std::pair{Scaling::min_max, "chem/cosine_distance_minmax.csv"},
                                   std::pair{Scaling::z_score, "chem/cosine_distance_zscore.csv"}}) {
        const auto s = scale_descriptors(d.ids, d.names, d.values, {.method = method});
        CHECK(s.names.size() == 196);  // 12 columns have NaN for some compound (BCUT2D, charges)
        const auto m = cosine_distance_matrix(s);
        INFO(fixture);
        CHECK(max_abs_diff(m, fixture, false) <= 1e-6);
    }
}
