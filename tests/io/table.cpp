#include <cmath>

#include "c2s/io/table.hpp"
#include "test_support.hpp"

TEST_CASE("Table: metadata by prefix or name, features numeric, NaN for missing") {
    const auto doc = c2s::io::parse_csv(
        "Metadata_Plate,compound,f1,f2\nP1,taxol,1.5,\nP2,\"DMSO\",NA,-3\n", "t.csv");
    c2s::io::TableOptions opt;
    opt.metadata_columns = {"compound"};
    const auto t = c2s::io::to_table(doc, opt);
    CHECK(t.metadata_names == std::vector<std::string>{"Metadata_Plate", "compound"});
    CHECK(t.feature_names == std::vector<std::string>{"f1", "f2"});
    CHECK(t.features(0, 0) == 1.5);
    CHECK(std::isnan(t.features(0, 1)));
    CHECK(std::isnan(t.features(1, 0)));
    CHECK(t.metadata_column("compound")[1] == "DMSO");
    C2S_CHECK_THROWS_WITH_SUBSTR(t.metadata_column("Metadata_Well"), std::invalid_argument,
                                 "no metadata column 'Metadata_Well' (metadata columns: Metadata_Plate, compound)");
}

TEST_CASE("Table: a non-numeric feature cell fails naming file, line, column and value") {
    const auto doc = c2s::io::parse_csv("Metadata_Plate,f1,f2\nP1,1,2\nP2,3,oops\n", "profiles.csv");
    C2S_CHECK_THROWS_WITH_SUBSTR(c2s::io::to_table(doc), std::runtime_error,
                                 "'profiles.csv' line 3, column 3 ('f2'): 'oops' is not a number");
    c2s::io::TableOptions lenient;
    lenient.non_numeric_as_metadata = true;
    const auto t = c2s::io::to_table(doc, lenient);
    CHECK(t.feature_names == std::vector<std::string>{"f1"});
    CHECK(t.metadata_names == std::vector<std::string>{"Metadata_Plate", "f2"});
    C2S_CHECK_THROWS_WITH_SUBSTR(c2s::io::to_table(doc, {{"nope"}, {}, false}), std::invalid_argument,
                                 "metadata column 'nope' is not in 'profiles.csv'");
}

TEST_CASE("Table: write then read gives the same values, rows select in order") {
    c2s::test::TempDir dir;
    c2s::io::Table t;
    t.metadata_names = {"Metadata_Id"};
    t.metadata = {{"a", "b,c", "d"}};
    t.feature_names = {"x", "y"};
    t.features.resize(3, 2);
    t.features << 0.1, 1e-300, std::nan(""), -7, 1.0 / 3.0, 42;
    c2s::io::write_table(dir / "t.csv", t);
    const auto back = c2s::io::read_table(dir / "t.csv");
    CHECK(back.metadata == t.metadata);
    CHECK(back.feature_names == t.feature_names);
    CHECK(back.features(0, 1) == 1e-300);
    CHECK(std::isnan(back.features(1, 0)));
    CHECK(back.features(2, 0) == 1.0 / 3.0);
    const auto sub = t.select_rows({2, 0});
    CHECK(sub.metadata[0] == std::vector<std::string>{"d", "a"});
    CHECK(sub.features(0, 1) == 42);
    C2S_CHECK_THROWS_WITH_SUBSTR(t.select_rows({3}), std::invalid_argument, "row 3 >= 3");
}
