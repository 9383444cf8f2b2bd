// c2s bbbc021 ...: the bundled BBBC021 metadata and profiles.

#include <iostream>
#include <set>

#include "c2s/data/bbbc021.hpp"
#include "c2s/io/table.hpp"
#include "cli.hpp"

namespace {

namespace bb = c2s::data::bbbc021;

void print_summary(std::ostream& out, const bb::Summary& s) {
    out << "MoA join: " << bb::to_string(s.join) << "\n"
        << "  images                 " << s.images << " (" << s.images_with_moa << " with a MoA, "
        << s.dmso_images << " DMSO)\n"
        << "  plates / weeks / wells " << s.plates << " / " << s.weeks << " / " << s.wells << " (" << s.dmso_wells
        << " DMSO wells)\n"
        << "  treatments             " << s.treatments << " (compound, concentration) pairs with a MoA, DMSO excluded\n"
        << "  compounds              " << s.compounds << " with a MoA, DMSO excluded\n"
        << "  MoAs                   " << s.moas << " plus DMSO\n"
        << "  without SMILES         " << s.compounds_without_smiles.size() << " annotated compound(s)";
    for (std::size_t i = 0; i < s.compounds_without_smiles.size(); ++i)
        out << (i ? ", " : ": ") << s.compounds_without_smiles[i];
    out << "\n";
    if (s.moa_rows_without_images) out << "  MoA table rows without images: " << s.moa_rows_without_images << "\n";
}

std::vector<bb::MoaJoin> joins_of(const c2s::cli::Args& args) {
    const std::string j = args.get("join", "both");
    if (j == "both") return {bb::MoaJoin::compound_concentration, bb::MoaJoin::compound};
    try {
        return {bb::parse_moa_join(j)};
    } catch (const std::invalid_argument&) {
        throw c2s::cli::usage_error("--join must be 'both', 'compound+concentration' or 'compound', got '" + j + "'");
    }
}

const c2s::cli::Register summary{{
    "bbbc021 summary",
    "counts of images, plates, treatments, compounds and MoAs under both MoA joins",
    "usage: c2s bbbc021 summary [--data DIR] [--join both|compound+concentration|compound]\n\n"
    "Loads BBBC021_v1_{image,compound,moa}.csv from DIR (default: the bundled data/bbbc021) and prints\n"
    "the counts each MoA join produces. compound+concentration is the official ground truth (103\n"
    "treatments, 38 compounds, 12 MoAs plus DMSO); compound is the founding study's join.\n",
    {"data", "join"},
    {},
    [](const c2s::cli::Args& args) {
        args.expect_positional(0);
        const auto folder = args.get("data", c2s::cli::default_bbbc021_folder().string());
        bool first = true;
        for (auto join : joins_of(args)) {
            if (!first) std::cout << "\n";
            first = false;
            print_summary(std::cout, bb::load(folder, join).summary);
        }
        return 0;
    }}};

const c2s::cli::Register images{{
    "bbbc021 images",
    "write the joined image table (plate, well, site, week, compound, MoA, SMILES, files) as CSV",
    "usage: c2s bbbc021 images --out FILE.csv [--data DIR] [--join compound+concentration|compound]\n"
    "                          [--annotated-only]\n\n"
    "One row per field of view with Metadata_* columns and the three channel file paths.\n",
    {"data", "join", "out"},
    {"annotated-only"},
    [](const c2s::cli::Args& args) {
        args.expect_positional(0);
        const auto folder = args.get("data", c2s::cli::default_bbbc021_folder().string());
        const auto joins = joins_of(args);
        if (joins.size() != 1) throw c2s::cli::usage_error("--join must name one join here");
        const auto ds = bb::load(folder, joins[0]);
        std::vector<std::string> header{"Metadata_TableNumber", "Metadata_ImageNumber", "Metadata_Plate", "Metadata_Week",
                                        "Metadata_Well", "Metadata_Site", "Metadata_Replicate", "Metadata_Compound",
                                        "Metadata_Concentration", "Metadata_MoA", "Metadata_SMILES",
                                        "Metadata_File_DAPI", "Metadata_File_Tubulin", "Metadata_File_Actin"};
        std::vector<std::vector<std::string>> rows;
        for (const auto& im : ds.images) {
            if (args.flag("annotated-only") && im.moa.empty()) continue;
            rows.push_back({std::to_string(im.table_number), std::to_string(im.image_number), im.plate, im.week, im.well,
                            std::to_string(im.site), std::to_string(im.replicate), im.compound,
                            c2s::io::format_number(im.concentration), im.moa, im.smiles, im.files[0], im.files[1],
                            im.files[2]});
        }
        const auto out = args.required("out");
        c2s::io::write_csv(out, header, rows);
        std::cerr << "wrote " << rows.size() << " images to " << out << "\n";
        return 0;
    }}};

const c2s::cli::Register profiles{{
    "bbbc021 profiles",
    "write the per-well CellProfiler profiles (Ljosa et al. 2013) joined with compound, MoA and week",
    "usage: c2s bbbc021 profiles --out FILE.csv [--data DIR] [--join compound+concentration|compound]\n\n"
    "One row per well (632): Metadata_Plate, _Well, _Week, _Replicate, _Compound, _Concentration, _MoA\n"
    "(empty when the join leaves the well unannotated), _SMILES, then the 516 CellProfiler features\n"
    "(per-well means).\n",
    {"data", "join", "out"},
    {},
    [](const c2s::cli::Args& args) {
        args.expect_positional(0);
        const auto folder = args.get("data", c2s::cli::default_bbbc021_folder().string());
        const auto joins = joins_of(args);
        if (joins.size() != 1) throw c2s::cli::usage_error("--join must name one join here");
        const auto table = bb::load_well_profiles(folder, joins[0]);
        const auto out = args.required("out");
        c2s::io::write_table(out, table);
        std::cerr << "wrote " << table.num_rows() << " wells x " << table.num_features() << " features to " << out << "\n";
        return 0;
    }}};

}  // namespace
