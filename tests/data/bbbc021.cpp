// The BBBC021 loader against counts computed independently from the raw CSVs (and the published
// numbers of Ljosa et al. 2013: 103 treatments, 38 compounds, 12 MoAs).
#include <map>
#include <set>

#include "c2s/data/bbbc021.hpp"
#include "test_support.hpp"

namespace bb = c2s::data::bbbc021;

TEST_CASE("BBBC021, compound+concentration join: the official ground truth counts") {
    const auto ds = bb::load(c2s::test::bbbc021_folder(), bb::MoaJoin::compound_concentration);
    const auto& s = ds.summary;
    CHECK(s.images == 13200);
    CHECK(s.plates == 55);
    CHECK(s.weeks == 10);
    CHECK(s.wells == 3300);
    CHECK(s.treatments == 103);
    CHECK(s.compounds == 38);
    CHECK(s.moas == 12);
    CHECK(s.images_with_moa == 3848);
    CHECK(s.moa_rows_without_images == 0);
    CHECK(s.compounds_without_smiles == std::vector<std::string>{"AZ-A", "AZ-C", "AZ-J", "AZ-U"});
}

TEST_CASE("BBBC021, compound join: every concentration of an annotated compound is annotated") {
    const auto ds = bb::load(c2s::test::bbbc021_folder(), bb::MoaJoin::compound);
    const auto& s = ds.summary;
    CHECK(s.compounds == 38);
    CHECK(s.moas == 12);
    CHECK(s.images_with_moa == 6160);
    CHECK(s.treatments > 103);
    // Cross-check against a direct count over the raw index.
    const auto moa = c2s::io::read_csv(c2s::test::bbbc021_folder() / "BBBC021_v1_moa.csv");
    std::set<std::string> annotated;
    for (const auto& r : moa.rows) annotated.insert(r[0]);
    const auto index = c2s::io::read_csv(c2s::test::bbbc021_folder() / "BBBC021_v1_image.csv");
    const auto cc = index.column("Image_Metadata_Compound");
    std::size_t direct = 0;
    for (const auto& r : index.rows) direct += annotated.count(r[cc]);
    CHECK(s.images_with_moa == direct);
}

TEST_CASE("BBBC021: plate, week, well, site and replicate are parsed from the index") {
    const auto ds = bb::load(c2s::test::bbbc021_folder());
    const auto& im = ds.images.front();  // Week4_27481, G10, site 1, 5-fluorouracil 0.003
    CHECK(im.plate == "Week4_27481");
    CHECK(im.week == "Week4");
    CHECK(im.well == "G10");
    CHECK(im.well_row == 'G');
    CHECK(im.well_column == 10);
    CHECK(im.site == 1);
    CHECK(im.replicate == 1);
    CHECK(im.compound == "5-fluorouracil");
    CHECK(im.concentration == doctest::Approx(0.003));
    CHECK(im.files[0] == "Week4/Week4_27481/G10_s1_w1BEDC2073-A983-4B98-95E9-84466707A25D.tif");
    std::map<std::pair<std::string, std::string>, int> sites;
    for (const auto& i : ds.images) sites[{i.plate, i.well}]++;
    for (const auto& [k, n] : sites) CHECK(n == 4);
    // Every annotated compound but taxol (the positive control, on every plate) sits in a single
    // week, which matters for batch correction and the NSCB protocol.
    std::map<std::string, std::set<std::string>> weeks;
    for (const auto& i : ds.images)
        if (!i.moa.empty() && i.compound != "DMSO") weeks[i.compound].insert(i.week);
    std::vector<std::string> spread;
    for (const auto& [c, w] : weeks)
        if (w.size() > 1) spread.push_back(c);
    CHECK(spread == std::vector<std::string>{"taxol"});
    CHECK(weeks["taxol"].size() == 10);
}

TEST_CASE("BBBC021: per-well profiles join compound, MoA and week") {
    const auto t = bb::load_well_profiles(c2s::test::bbbc021_folder());
    CHECK(t.num_rows() == 632);
    CHECK(t.num_features() == 516);
    const auto& moa = t.metadata_column("Metadata_MoA");
    const auto& comp = t.metadata_column("Metadata_Compound");
    std::set<std::string> treatments;
    std::size_t dmso = 0;
    for (std::size_t r = 0; r < t.num_rows(); ++r) {
        CHECK_FALSE(moa[r].empty());
        if (comp[r] == "DMSO") ++dmso;
        else treatments.insert(comp[r] + "@" + t.metadata_column("Metadata_Concentration")[r]);
    }
    CHECK(treatments.size() == 103);
    CHECK(dmso == 330);  // 6 DMSO wells on each of the 55 plates
}

TEST_CASE("BBBC021: a missing or malformed folder fails naming the file") {
    c2s::test::TempDir dir;
    C2S_CHECK_THROWS_WITH_SUBSTR(bb::load(dir.path()), std::runtime_error, "BBBC021_v1_image.csv' does not exist");
    c2s::test::write_text(dir / "BBBC021_v1_image.csv", "TableNumber,ImageNumber\n1,2\n");
    c2s::test::write_text(dir / "BBBC021_v1_compound.csv", "compound,smiles\nA,C\n");
    c2s::test::write_text(dir / "BBBC021_v1_moa.csv", "compound,concentration,moa\nA,x,Y\n");
    C2S_CHECK_THROWS_WITH_SUBSTR(bb::load(dir.path()), std::runtime_error,
                                 "BBBC021_v1_moa.csv' line 2, column 2: concentration 'x' is not a number");
    C2S_CHECK_THROWS_WITH_SUBSTR(bb::parse_moa_join("plate"), std::invalid_argument, "'join' is 'plate'");
}
