#include <cmath>

#include "c2s/io/csv.hpp"
#include "test_support.hpp"

using c2s::io::parse_csv;

TEST_CASE("CSV: quoted fields with commas, doubled quotes and line breaks") {
    const auto doc = parse_csv("id,name,value\n1,\"a, b\",2.5\n2,\"say \"\"hi\"\"\",\n3,\"two\nlines\",-1e3\n", "t.csv");
    REQUIRE(doc.num_rows() == 3);
    CHECK(doc.header == std::vector<std::string>{"id", "name", "value"});
    CHECK(doc.rows[0][1] == "a, b");
    CHECK(doc.rows[1][1] == "say \"hi\"");
    CHECK(doc.rows[1][2].empty());
    CHECK(doc.rows[2][1] == "two\nlines");
    CHECK(doc.lines == std::vector<std::size_t>{2, 3, 4});
}

TEST_CASE("CSV: CRLF line ends, a UTF-8 BOM, no trailing newline, blank lines") {
    const auto doc = parse_csv("\xEF\xBB\xBF" "a,b\r\n1,2\r\n\r\n3,4", "t.csv");
    CHECK(doc.header == std::vector<std::string>{"a", "b"});
    REQUIRE(doc.num_rows() == 2);
    CHECK(doc.rows[1] == std::vector<std::string>{"3", "4"});
    CHECK(doc.lines[1] == 4);
}

TEST_CASE("CSV: empty cells and missing markers parse as NaN; garbage does not parse") {
    CHECK(std::isnan(*c2s::io::parse_number("")));
    CHECK(std::isnan(*c2s::io::parse_number("NA")));
    CHECK(std::isnan(*c2s::io::parse_number(" nan ")));
    CHECK(*c2s::io::parse_number("+1.5e-3") == doctest::Approx(1.5e-3));
    CHECK(std::isinf(*c2s::io::parse_number("-inf")));
    CHECK_FALSE(c2s::io::parse_number("1.2.3").has_value());
    CHECK_FALSE(c2s::io::parse_number("abc").has_value());
}

TEST_CASE("CSV: malformed files fail with file, line and column") {
    C2S_CHECK_THROWS_WITH_SUBSTR(parse_csv("a,b\n1,2,3\n", "bad.csv"), std::runtime_error,
                                 "'bad.csv' line 2: 3 fields but the header has 2");
    C2S_CHECK_THROWS_WITH_SUBSTR(parse_csv("a,b\n1,\"open\n", "bad.csv"), std::runtime_error,
                                 "'bad.csv' line 2, column 3: quoted field is never closed");
    C2S_CHECK_THROWS_WITH_SUBSTR(parse_csv("a,b\n1,\"x\"y\n", "bad.csv"), std::runtime_error,
                                 "line 2, column 6: unexpected character 'y' after a closing quote");
    C2S_CHECK_THROWS_WITH_SUBSTR(parse_csv("a,b\n1,x\"y\n", "bad.csv"), std::runtime_error,
                                 "line 2, column 4: quote inside an unquoted field");
    C2S_CHECK_THROWS_WITH_SUBSTR(parse_csv("", "empty.csv"), std::runtime_error, "'empty.csv' is empty");
    const auto doc = parse_csv("a,b\n1,2\n", "t.csv");
    C2S_CHECK_THROWS_WITH_SUBSTR(doc.column("c"), std::runtime_error, "'t.csv' has no column 'c' (columns: a, b)");
}

TEST_CASE("CSV: what the writer writes reads back unchanged") {
    c2s::test::TempDir dir;
    const std::vector<std::string> header{"id", "text, with comma", "quote\"d"};
    const std::vector<std::vector<std::string>> rows{{"1", "line\nbreak", " padded "}, {"2", "", "x"}};
    c2s::io::write_csv(dir / "out.csv", header, rows);
    const auto doc = c2s::io::read_csv(dir / "out.csv");
    CHECK(doc.header == header);
    CHECK(doc.rows == rows);
    CHECK(c2s::test::count_files(dir.path()) == 1);
    for (double v : {0.1, 1.0 / 3.0, -2.5e-300, 123456789.0}) CHECK(*c2s::io::parse_number(c2s::io::format_number(v)) == v);
    CHECK(c2s::io::format_number(std::nan("")).empty());
}

TEST_CASE("CSV: gzip-compressed files are read; a corrupt one fails naming it") {
    const auto doc = c2s::io::read_csv(c2s::test::bbbc021_folder() / "ljosa_2013_per_well_mean.csv.gz");
    CHECK(doc.num_rows() == 632);
    CHECK(doc.num_columns() == 518);
    c2s::test::TempDir dir;
    c2s::test::write_text(dir / "broken.csv.gz", std::string("\x1f\x8b\x08\x00garbage", 12));
    C2S_CHECK_THROWS_WITH_SUBSTR(c2s::io::read_csv(dir / "broken.csv.gz"), std::runtime_error, "broken.csv.gz");
    C2S_CHECK_THROWS_WITH_SUBSTR(c2s::io::read_csv(dir / "missing.csv"), std::runtime_error,
                                 "missing.csv' does not exist");
}
