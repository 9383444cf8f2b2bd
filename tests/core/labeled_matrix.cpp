#include "c2s/core/labeled_matrix.hpp"
#include "test_support.hpp"

namespace {
c2s::LabeledMatrix make(std::vector<std::string> ids) {
    c2s::LabeledMatrix m{std::move(ids), {}, "test distance"};
    const auto n = static_cast<Eigen::Index>(m.ids.size());
    m.values.resize(n, n);
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j < n; ++j) m.values(i, j) = static_cast<double>(10 * i + j);
    return m;
}
}  // namespace

TEST_CASE("LabeledMatrix: intersect keeps common ids in the first matrix's order and says what was dropped") {
    const auto a = make({"taxol", "DMSO", "emetine", "ALLN"});
    const auto b = make({"ALLN", "taxol", "colchicine", "emetine"});
    const auto r = c2s::intersect(a, b);
    CHECK(r.a.ids == std::vector<std::string>{"taxol", "emetine", "ALLN"});
    CHECK(r.b.ids == r.a.ids);
    CHECK(r.a.values(1, 2) == a.values(2, 3));  // emetine x ALLN in a
    CHECK(r.b.values(1, 2) == b.values(3, 0));  // emetine x ALLN in b
    CHECK(r.only_in_a == std::vector<std::string>{"DMSO"});
    CHECK(r.only_in_b == std::vector<std::string>{"colchicine"});
    CHECK(r.note() == "kept 3 common ids; dropped 1 only in the first (DMSO); dropped 1 only in the second (colchicine)");
    C2S_CHECK_THROWS_WITH_SUBSTR(c2s::intersect(a, make({"x", "y", "z"})), std::invalid_argument,
                                 "the matrices share 0 ids, fewer than 3");
}

TEST_CASE("LabeledMatrix: duplicates and shape mismatches are rejected; files round-trip") {
    auto dup = make({"a", "b", "a"});
    C2S_CHECK_THROWS_WITH_SUBSTR(dup.validate("check"), std::invalid_argument, "id 'a' appears twice (positions 0 and 2)");
    auto bad = make({"a", "b"});
    bad.ids.push_back("c");
    C2S_CHECK_THROWS_WITH_SUBSTR(bad.validate("check"), std::invalid_argument, "matrix is 2 x 2 but has 3 ids");
    c2s::test::TempDir dir;
    const auto m = make({"a", "b, with comma", "c"});
    c2s::save_labeled_matrix(dir / "m.npy", m);
    const auto back = c2s::load_labeled_matrix(dir / "m.npy");
    CHECK(back.ids == m.ids);
    CHECK(back.measure == "test distance");
    CHECK(back.values == m.values);
}
