#include <doctest/doctest.h>

#include "c2s/chem/molecules.hpp"
#include "c2s/data/bbbc021.hpp"
#include "test_support.hpp"

using namespace c2s::chem;

TEST_CASE("parse_compounds: every BBBC021 compound with a SMILES parses, metal complexes included") {
    const auto ds = c2s::data::bbbc021::load(c2s::test::bbbc021_folder());
    std::vector<CompoundInput> in;
    std::size_t with_smiles = 0;
    for (std::size_t i = 0; i < ds.compounds.size(); ++i) {
        in.push_back({ds.compounds[i].name, ds.compounds[i].smiles, i + 1});
        if (!ds.compounds[i].smiles.empty()) ++with_smiles;
    }
    const auto set = parse_compounds(in, {.skip_failures = true});
    CHECK(set.size() == with_smiles);
    CHECK(set.size() + set.failures.size() == in.size());
    for (const auto& f : set.failures) CHECK(f.reason == "no SMILES");
    // The annotated compounds without SMILES are among the reported failures.
    for (const char* az : {"AZ-A", "AZ-C", "AZ-J", "AZ-U"}) {
        bool found = false;
        for (const auto& f : set.failures) found = found || f.id == az;
        CHECK_MESSAGE(found, az);
    }
    const auto it = std::find(set.ids.begin(), set.ids.end(), "cisplatin");
    REQUIRE(it != set.ids.end());
    const auto& cis = *set.molecules[static_cast<std::size_t>(it - set.ids.begin())];
    CHECK(cis.getNumAtoms() == 5);
    CHECK(set.failure_lines().size() == set.failures.size());
}

TEST_CASE("parse_compounds: a bad SMILES fails naming compound, row, SMILES and RDKit's reason") {
    std::vector<CompoundInput> in{{"ok", "CCO", 1}, {"broken", "C1CC(", 2}};
    C2S_CHECK_THROWS_WITH_SUBSTR(parse_compounds(in), std::invalid_argument,
                                 "compound 'broken' (row 2) SMILES 'C1CC(': RDKit could not parse the SMILES");
    const auto set = parse_compounds(in, {.skip_failures = true});
    REQUIRE(set.failures.size() == 1);
    CHECK(set.failures[0].id == "broken");
    CHECK(set.failures[0].row == 2);
    CHECK(set.ids == std::vector<std::string>{"ok"});
}

TEST_CASE("parse_compounds: a SMILES that fails sanitisation is reported with RDKit's message") {
    std::vector<CompoundInput> in{{"pentavalent", "C(C)(C)(C)(C)C", 7}};
    C2S_CHECK_THROWS_WITH_SUBSTR(parse_compounds(in), std::invalid_argument,
                                 "compound 'pentavalent' (row 7) SMILES 'C(C)(C)(C)(C)C': RDKit sanitisation failed: "
                                 "Explicit valence for atom # 0 C, 5, is greater than permitted");
}

TEST_CASE("parse_compounds: an empty SMILES fails, or is reported and skipped") {
    std::vector<CompoundInput> in{{"AZ-A", "", 3}, {"water", "O", 4}};
    C2S_CHECK_THROWS_WITH_SUBSTR(parse_compounds(in), std::invalid_argument, "compound 'AZ-A' (row 3): no SMILES");
    const auto set = parse_compounds(in, {.skip_failures = true});
    CHECK(set.ids == std::vector<std::string>{"water"});
    REQUIRE(set.failure_lines().size() == 1);
    CHECK(set.failure_lines()[0] == "compound 'AZ-A' (row 3): no SMILES");
}

TEST_CASE("parse_compounds: duplicate ids are an error naming both rows") {
    std::vector<CompoundInput> in{{"taxol", "CCO", 1}, {"x", "C", 2}, {"taxol", "CCN", 3}};
    C2S_CHECK_THROWS_WITH_SUBSTR(parse_compounds(in, {.skip_failures = true}), std::invalid_argument,
                                 "c2s::chem::parse_compounds: duplicate compound id 'taxol' (rows 1 and 3)");
}

TEST_CASE("read_compounds_csv: a missing SMILES column names the file and its columns") {
    c2s::test::TempDir dir;
    c2s::test::write_text(dir / "c.csv", "id,structure\na,CCO\n");
    C2S_CHECK_THROWS_WITH_SUBSTR(read_compounds_csv(dir / "c.csv"), std::runtime_error,
                                 "has no column 'smiles' (columns: 'id', 'structure')");
    c2s::test::write_text(dir / "d.csv", "ID,SMILES\na,CCO\nb,\n");
    const auto rows = read_compounds_csv(dir / "d.csv");
    REQUIRE(rows.size() == 2);
    CHECK(rows[1].id == "b");
    CHECK(rows[1].row == 2);
    CHECK(rows[1].smiles.empty());
}
