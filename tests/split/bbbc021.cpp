// The BBBC021 splits of the main job: compound-disjoint MoA-stratified, and compound-and-week-disjoint.

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "c2s/data/bbbc021.hpp"
#include "c2s/split/split.hpp"
#include "test_support.hpp"

namespace cs = c2s::split;
namespace bb = c2s::data::bbbc021;

TEST_CASE("BBBC021: compound-disjoint MoA-stratified and compound-and-week-disjoint splits under both joins") {
    for (auto join : {bb::MoaJoin::compound_concentration, bb::MoaJoin::compound}) {
        INFO("join " << bb::to_string(join));
        const auto ds = bb::load(c2s::test::bbbc021_folder(), join);
        std::vector<std::string> compound, moa, week;
        cs::ControlRole role;
        for (const auto& im : ds.images) {
            if (im.moa.empty()) continue;
            compound.push_back(im.compound);
            moa.push_back(im.moa);
            week.push_back(im.week);
            role.is_control.push_back(im.compound == "DMSO");
            role.groups.push_back(im.plate + "/" + im.well);
        }
        cs::SideOptions opt;
        opt.seed = 7;
        const auto r = cs::stratified_group_split(compound, moa, opt, &role);
        const cs::LeakageOptions ignore_dmso{{"DMSO"}};
        CHECK(cs::check_leakage(r.assignment, "compound", compound, ignore_dmso).empty());
        // The two MoAs with two compounds cannot be on three sides; all others are.
        CHECK(r.unsplittable_strata == std::vector<std::string>{"Cholesterol-lowering", "Eg5 inhibitors"});
        std::size_t on_all = 0;
        for (const auto& s : r.strata) on_all += s.on_every_side;
        CHECK(on_all == 11);  // 10 MoAs with >= 3 compounds + the controls
        CHECK(r.assignment.excluded().empty());

        cs::TwoKeyOptions two;
        two.sides.seed = 7;
        const auto t = cs::two_key_split(compound, week, moa, two, &role);
        cs::LeakageReport report;
        cs::check_leakage(report, t.assignment, "compound", compound, ignore_dmso);
        cs::check_leakage(report, t.assignment, "week", week);
        CHECK(report.empty());
        CHECK(report.lines() == std::vector<std::string>{"no leakage (checked: compound, week)"});
        for (std::size_t k = 0; k < 3; ++k) CHECK(t.assignment.count(k) > 0);
        // taxol is imaged in every week: whatever its side, its samples in other sides' weeks go.
        CHECK(t.excluded > 0);
        bool taxol_reported = false;
        for (const auto& w : t.warnings) taxol_reported = taxol_reported || w.find("'taxol'") != std::string::npos;
        CHECK(taxol_reported);
    }
}

TEST_CASE("split column written back to the table and read again") {
    c2s::io::Table table;
    table.features.resize(5, 0);
    table.set_metadata("Metadata_Compound", {"a", "a", "b", "c", "c"});
    cs::SideAssignment a{{"train", "test"}, {0, 0, 1, -1, -1}};
    cs::write_split_column(table, a);
    CHECK(table.metadata_column("Metadata_Split") ==
          std::vector<std::string>{"train", "train", "test", "excluded", "excluded"});
    const auto back = cs::assignment_from_column(table.metadata_column("Metadata_Split"), {"train", "test"});
    CHECK(back.side == a.side);
    CHECK(cs::side_table(table, a, 1).metadata_column("Metadata_Compound") == std::vector<std::string>{"b"});
    cs::write_fold_column(table, cs::GroupKFold{2}.split(table.metadata_column("Metadata_Compound")));
    CHECK(table.has_metadata("Metadata_Fold"));
}
