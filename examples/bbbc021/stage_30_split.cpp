// Stage "split": compound-disjoint, MoA-stratified train/validation/test splits of the annotated
// BBBC021 images under both MoA joins, and compound-and-week-disjoint ones; sizes per MoA, the
// leakage check, and the split tables under out/split/.

#include <sstream>

#include "c2s/data/bbbc021.hpp"
#include "c2s/io/table.hpp"
#include "c2s/split/split.hpp"
#include "stage.hpp"

namespace {

namespace bb = c2s::data::bbbc021;
namespace cs = c2s::split;

void report_sizes(c2s::examples::StageContext& ctx, std::ostringstream& log, const std::string& title,
                  const std::vector<cs::StratumReport>& strata, const cs::SideAssignment& a, bool two_key) {
    ctx.report.push_back("### " + title + "\n");
    std::string head = "| MoA | compounds |", rule = "|---|---|";
    for (const auto& s : a.side_names) head += " " + s + " (cpds / images) |", rule += "---|";
    if (two_key) head += " excluded images |", rule += "---|";
    ctx.report.push_back(head);
    ctx.report.push_back(rule);
    log << title << "\n";
    for (const auto& s : strata) {
        std::string line = c2s::concat("| ", s.control ? "DMSO (control wells)" : s.name, " | ", s.groups, " |");
        log << "  " << (s.control ? "DMSO (control wells)" : s.name) << ":";
        for (std::size_t k = 0; k < a.num_sides(); ++k) {
            line += c2s::concat(" ", s.groups_per_side[k], " / ", s.samples_per_side[k], " |");
            log << " " << a.side_names[k] << "=" << s.samples_per_side[k];
        }
        if (two_key) line += c2s::concat(" ", s.excluded_by_batch, " |"), log << " excluded=" << s.excluded_by_batch;
        log << "\n";
        ctx.report.push_back(line);
    }
    std::string totals = "| total | |";
    for (std::size_t k = 0; k < a.num_sides(); ++k) totals += c2s::concat(" ", a.count(k), " images |");
    if (two_key) totals += c2s::concat(" ", a.excluded().size(), " |");
    ctx.report.push_back(totals);
    ctx.report.push_back("");
}

void run(c2s::examples::StageContext& ctx) {
    std::ostringstream log;
    ctx.report.push_back("## Split\n");
    ctx.report.push_back("Annotated images; DMSO wells are controls split by plate/well with the same 0.7/0.15/0.15 quota; "
                         "seed 2024. Leakage check: compounds (DMSO ignored: a control on every side by design) and, "
                         "for the two-key split, weeks.\n");
    for (auto join : {bb::MoaJoin::compound_concentration, bb::MoaJoin::compound}) {
        const auto ds = bb::load(ctx.data_dir, join);
        std::vector<std::string> compound, moa, week, plate, well, site, conc;
        cs::ControlRole role;
        for (const auto& im : ds.images) {
            if (im.moa.empty()) continue;
            compound.push_back(im.compound);
            moa.push_back(im.moa);
            week.push_back(im.week);
            plate.push_back(im.plate);
            well.push_back(im.well);
            site.push_back(std::to_string(im.site));
            conc.push_back(c2s::io::format_number(im.concentration));
            role.is_control.push_back(im.compound == "DMSO" ? 1 : 0);
            role.groups.push_back(im.plate + "/" + im.well);
        }
        const std::string tag = join == bb::MoaJoin::compound ? "join_compound" : "join_treatment";
        cs::SideOptions opt;
        opt.seed = 2024;
        const auto strat = cs::stratified_group_split(compound, moa, opt, &role);
        cs::TwoKeyOptions two;
        two.sides = opt;
        two.trials = ctx.quick ? 16 : 256;
        const auto twok = cs::two_key_split(compound, week, moa, two, &role);

        const cs::LeakageOptions ignore_dmso{{"DMSO"}};
        auto leak1 = cs::check_leakage(strat.assignment, "compound", compound, ignore_dmso);
        cs::LeakageReport leak2;
        cs::check_leakage(leak2, twok.assignment, "compound", compound, ignore_dmso);
        cs::check_leakage(leak2, twok.assignment, "week", week);
        if (!leak1.empty() || !leak2.empty())
            c2s::fail_runtime("stage split", "leakage in the BBBC021 split (", bb::to_string(join), ")");

        report_sizes(ctx, log, c2s::concat("Compound-disjoint, MoA-stratified (join: ", bb::to_string(join), ")"),
                     strat.strata, strat.assignment, false);
        std::string unsplittable;
        for (const auto& s : strat.unsplittable_strata) unsplittable += (unsplittable.empty() ? "" : ", ") + s;
        ctx.report.push_back("MoAs with too few compounds for every side: " + unsplittable + "  ");
        ctx.report.push_back("Leakage check: " + leak1.lines()[0] + "\n");
        log << "  unsplittable MoAs: " << unsplittable << "\n  leakage: " << leak1.lines()[0] << "\n";

        report_sizes(ctx, log, c2s::concat("Compound- and week-disjoint (join: ", bb::to_string(join), ")"), twok.strata,
                     twok.assignment, true);
        std::string weeks;
        for (std::size_t b = 0; b < twok.batch_names.size(); ++b)
            weeks += c2s::concat(b ? ", " : "", twok.batch_names[b], "→",
                                 twok.assignment.side_names[static_cast<std::size_t>(twok.side_of_batch[b])]);
        ctx.report.push_back("Weeks: " + weeks + "  ");
        ctx.report.push_back(c2s::concat("Excluded (compound on another side than its week): ", twok.excluded,
                                         " images; where the data do not allow both keys disjoint:  "));
        for (const auto& w : twok.warnings) ctx.report.push_back("- " + w);
        ctx.report.push_back("\nLeakage check: " + leak2.lines()[0] + "\n");
        log << "  weeks: " << weeks << "\n  excluded: " << twok.excluded << "\n  leakage: " << leak2.lines()[0] << "\n";

        c2s::io::Table table;
        table.features.resize(static_cast<Eigen::Index>(compound.size()), 0);
        table.metadata_names = {"Metadata_Plate", "Metadata_Week", "Metadata_Well", "Metadata_Site",
                                "Metadata_Compound", "Metadata_Concentration", "Metadata_MoA"};
        table.metadata = {plate, week, well, site, compound, conc, moa};
        cs::write_split_column(table, strat.assignment, "Metadata_Split_Compound");
        cs::write_split_column(table, twok.assignment, "Metadata_Split_CompoundWeek");
        c2s::io::write_table(ctx.out_dir / "split" / ("images_" + tag + "_split.csv"), table);
    }
    ctx.log << log.str();
}

const c2s::examples::RegisterStage reg{
    {30, "split", "compound-disjoint MoA-stratified and compound+week-disjoint train/validation/test splits", run}};

}  // namespace
