// Every error path names the function, the argument and the offending value.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "c2s/split/split.hpp"
#include "test_support.hpp"

namespace cs = c2s::split;

TEST_CASE("splitter argument errors") {
    const std::vector<std::string> g{"a", "a", "b", "c"}, y{"x", "x", "y", "y"};
    C2S_CHECK_THROWS_WITH_SUBSTR(cs::GroupKFold{4}.split(g), std::invalid_argument,
                                 "c2s::split::GroupKFold: 'n_splits' is 4 but 'groups' has only 3 distinct groups");
    C2S_CHECK_THROWS_WITH_SUBSTR(cs::GroupKFold{1}.split(g), std::invalid_argument, "'n_splits' is 1");
    C2S_CHECK_THROWS_WITH_SUBSTR(cs::StratifiedGroupKFold{3}.split(y, g), std::invalid_argument,
                                 "no class of 'y' has that many members (largest: 2)");
    C2S_CHECK_THROWS_WITH_SUBSTR(cs::StratifiedGroupKFold{2}.split(std::vector<std::string>{"x"}, g),
                                 std::invalid_argument, "'y' has 1 entries but 'groups' has 4");
    C2S_CHECK_THROWS_WITH_SUBSTR(cs::LeaveOneGroupOut{}.split(std::vector<int>{1, 1}), std::invalid_argument,
                                 "'groups' has 1 distinct group(s)");
    cs::SideOptions bad;
    bad.fractions = {0.5, 0.6, -0.1};
    C2S_CHECK_THROWS_WITH_SUBSTR(cs::group_shuffle_split(g, bad), std::invalid_argument,
                                 "c2s::split::stratified_group_split: 'fractions' entry 2 ('test') is -0.1");
    bad.fractions = {0.5, 0.6, 0.1};
    C2S_CHECK_THROWS_WITH_SUBSTR(cs::group_shuffle_split(g, bad), std::invalid_argument, "'fractions' sum to 1.2");
    bad.fractions = {0.5, 0.5};
    C2S_CHECK_THROWS_WITH_SUBSTR(cs::group_shuffle_split(g, bad), std::invalid_argument,
                                 "'fractions' has 2 entries but there are 3 sides");
    cs::SideOptions dup;
    dup.side_names = {"train", "train", "test"};
    C2S_CHECK_THROWS_WITH_SUBSTR(cs::group_shuffle_split(g, dup), std::invalid_argument, "side name 'train' is given twice");
    C2S_CHECK_THROWS_WITH_SUBSTR(cs::stratified_group_split(g, y, {}, nullptr).assignment.side.at(0) == 0 &&
                                         cs::stratified_group_split(g, std::vector<std::string>{"x"}).strata.empty(),
                                 std::invalid_argument, "'strata' has 1 entries but 'groups' has 4");
    cs::ControlRole role{{0, 1}, {"w", "w"}, {}};
    C2S_CHECK_THROWS_WITH_SUBSTR(cs::stratified_group_split(g, y, {}, &role), std::invalid_argument,
                                 "'controls.is_control' has 2 entries but 'groups' has 4");
    cs::TwoKeyOptions t;
    t.trials = 0;
    C2S_CHECK_THROWS_WITH_SUBSTR(cs::two_key_split(g, g, y, t), std::invalid_argument, "'trials' is 0");
    C2S_CHECK_THROWS_WITH_SUBSTR(cs::two_key_split(g, std::vector<int>{1}, y), std::invalid_argument,
                                 "'batches' has 1 entries but 'groups' has 4");
}

TEST_CASE("leakage check and table errors; a leak is reported with its sides") {
    const std::vector<std::string> g{"a", "a", "b", "c"};
    cs::SideAssignment a{{"train", "test"}, {0, 1, 1, -1}};
    const auto r = cs::check_leakage(a, "compound", g);
    REQUIRE(r.leaks.size() == 1);
    CHECK(r.leaks[0].value == "a");
    CHECK(r.lines() == std::vector<std::string>{"compound 'a' is on train (1), test (1)"});
    C2S_CHECK_THROWS_WITH_SUBSTR(cs::check_leakage(a, "week", std::vector<int>{1}), std::invalid_argument,
                                 "c2s::split::check_leakage: key 'week' has 1 entries but the split has 4 samples");
    C2S_CHECK_THROWS_WITH_SUBSTR(cs::assignment_from_column({"train", "val"}, {"train", "test"}), std::invalid_argument,
                                 "row 2 has side 'val', which is not one of train, test or excluded");
    c2s::io::Table table;
    table.features.resize(3, 0);
    C2S_CHECK_THROWS_WITH_SUBSTR(cs::write_split_column(table, a), std::invalid_argument,
                                 "the split has 4 samples but the table has 3 rows");
}
