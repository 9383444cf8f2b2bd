// Stage "data": load BBBC021 under both MoA joins, report the counts, write the joined tables.

#include <sstream>

#include "c2s/data/bbbc021.hpp"
#include "c2s/io/csv.hpp"
#include "stage.hpp"

namespace {

namespace bb = c2s::data::bbbc021;

void run(c2s::examples::StageContext& ctx) {
    std::ostringstream summary;
    ctx.report.push_back("## Data\n");
    ctx.report.push_back("| MoA join | images with MoA | treatments | compounds | MoAs | annotated compounds without SMILES |");
    ctx.report.push_back("|---|---|---|---|---|---|");
    for (auto join : {bb::MoaJoin::compound_concentration, bb::MoaJoin::compound}) {
        const auto ds = bb::load(ctx.data_dir, join);
        const auto& s = ds.summary;
        std::string missing;
        for (const auto& c : s.compounds_without_smiles) missing += (missing.empty() ? "" : ", ") + c;
        summary << "join=" << bb::to_string(join) << " images=" << s.images << " images_with_moa=" << s.images_with_moa
                << " plates=" << s.plates << " weeks=" << s.weeks << " wells=" << s.wells
                << " treatments=" << s.treatments << " compounds=" << s.compounds << " moas=" << s.moas
                << " without_smiles=" << missing << "\n";
        ctx.report.push_back(c2s::concat("| ", bb::to_string(join), " | ", s.images_with_moa, " | ", s.treatments, " | ",
                                         s.compounds, " | ", s.moas, " + DMSO | ", missing, " |"));
        std::vector<std::vector<std::string>> rows;
        for (const auto& im : ds.images) {
            if (im.moa.empty()) continue;
            rows.push_back({im.plate, im.week, im.well, std::to_string(im.site), std::to_string(im.replicate), im.compound,
                            c2s::io::format_number(im.concentration), im.moa, im.smiles});
        }
        const std::string name = join == bb::MoaJoin::compound ? "images_join_compound.csv" : "images_join_treatment.csv";
        c2s::io::write_csv(ctx.out_dir / "data" / name,
                           {"Metadata_Plate", "Metadata_Week", "Metadata_Well", "Metadata_Site", "Metadata_Replicate",
                            "Metadata_Compound", "Metadata_Concentration", "Metadata_MoA", "Metadata_SMILES"},
                           rows);
    }
    ctx.report.push_back("");
    ctx.log << summary.str();
    c2s::io::write_file_atomically(ctx.out_dir / "data" / "summary.txt", summary.str());
}

const c2s::examples::RegisterStage reg{{10, "data", "BBBC021 index, compounds and MoA under both joins", run}};

}  // namespace
