#include <doctest/doctest.h>

#include <map>
#include <sstream>

#include "c2s/chem/fingerprints.hpp"
#include "test_support.hpp"

using namespace c2s::chem;

namespace {

MoleculeSet fixture_molecules() {
    return parse_compounds(read_compounds_csv(c2s::test::fixture("chem/compounds.csv")));
}

MorganOptions options_named(const std::string& name) {
    MorganOptions o;
    if (name == "r2_2048") return o;
    if (name == "r1_1024") { o.radius = 1; o.num_bits = 1024; return o; }
    if (name == "r3_4096_chiral") { o.radius = 3; o.num_bits = 4096; o.use_chirality = true; return o; }
    if (name == "r2_2048_features") { o.use_features = true; return o; }
    if (name == "r2_512_nobondtypes") { o.num_bits = 512; o.use_bond_types = false; return o; }
    if (name == "r2_1000") { o.num_bits = 1000; return o; }
    FAIL("unknown option set " << name);
    return o;
}

}  // namespace

TEST_CASE("morgan_fingerprints equal RDKit Python's GetMorganFingerprintAsBitVect bit for bit") {
    const auto set = fixture_molecules();
    const auto doc = c2s::io::read_csv(c2s::test::fixture("chem/morgan_bits.csv"));
    std::map<std::string, std::size_t> row_of;
    for (std::size_t i = 0; i < set.size(); ++i) row_of[set.ids[i]] = i;
    std::map<std::string, c2s::FingerprintSet> computed;
    std::size_t compared = 0;
    for (std::size_t r = 0; r < doc.num_rows(); ++r) {
        const auto& id = doc.rows[r][0];
        const auto& opt = doc.rows[r][1];
        if (!computed.count(opt)) {
            auto o = options_named(opt);
            o.num_threads = 2;
            computed.emplace(opt, morgan_fingerprints(set.molecules, o));
        }
        const auto& fps = computed.at(opt);
        const std::size_t i = row_of.at(id);
        std::vector<std::size_t> expected, got;
        std::istringstream in(doc.rows[r][2]);
        for (std::size_t b; in >> b;) expected.push_back(b);
        for (std::size_t b = 0; b < fps.num_bits(); ++b)
            if (fps.test(i, b)) got.push_back(b);
        INFO(id << " " << opt);
        CHECK(got == expected);
        CHECK(fps.popcount(i) == expected.size());
        ++compared;
    }
    CHECK(compared == 6 * set.size());
}

TEST_CASE("morgan_count_fingerprints equal RDKit Python's GetHashedMorganFingerprint") {
    const auto set = fixture_molecules();
    const auto doc = c2s::io::read_csv(c2s::test::fixture("chem/morgan_counts.csv"));
    std::map<std::string, std::size_t> row_of;
    for (std::size_t i = 0; i < set.size(); ++i) row_of[set.ids[i]] = i;
    std::map<std::string, Eigen::Matrix<std::uint32_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> computed;
    for (std::size_t r = 0; r < doc.num_rows(); ++r) {
        const auto& opt = doc.rows[r][1];
        if (!computed.count(opt)) computed.emplace(opt, morgan_count_fingerprints(set.molecules, options_named(opt)));
        const auto& m = computed.at(opt);
        const auto i = static_cast<Eigen::Index>(row_of.at(doc.rows[r][0]));
        std::string got;
        for (Eigen::Index b = 0; b < m.cols(); ++b)
            if (m(i, b)) got += (got.empty() ? "" : " ") + std::to_string(b) + ":" + std::to_string(m(i, b));
        INFO(doc.rows[r][0] << " " << opt);
        CHECK(got == doc.rows[r][2]);
    }
}

TEST_CASE("morgan_fingerprints: threads give the same result; bad options are named") {
    const auto set = fixture_molecules();
    const auto a = morgan_fingerprints(set.molecules, {.num_threads = 1});
    const auto b = morgan_fingerprints(set.molecules, {.num_threads = 3});
    CHECK(a.packed_words() == b.packed_words());
    C2S_CHECK_THROWS_WITH_SUBSTR(morgan_fingerprints(set.molecules, {.num_bits = 0}), std::invalid_argument,
                                 "c2s::chem::morgan_fingerprints: 'num_bits' is 0");
}
