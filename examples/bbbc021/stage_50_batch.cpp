// Stage "batch": ComBat on the bundled BBBC021 per-well profiles.
//
// Batch key: plate (55 plates). Each plate is one imaging run, the unit that carries the technical
// shift; weeks group 3-8 plates each, and most compounds were imaged in a single week (only taxol
// spans weeks), so week-level correction cannot be told apart from compound effects.
// Protected covariates: none. Protecting MoA or compound would feed the labels that later stages
// evaluate into the correction, and with batch = week compound is confounded with it as soon as the
// DMSO wells (the only treatment present in every week) are left out, e.g. in treatment-level
// profiles. The stage tries those designs on all wells and on the treated wells only, reports what
// ComBat's design check says (naming the confounded columns), and goes on.
// Output: <out>/batch/well_profiles_combat_plate.csv (corrected profiles with metadata),
// <out>/batch/combat_plate_model.txt (fitted estimates), <out>/batch/summary.txt; the corrected
// table is handed on as ctx.artifacts["batch.well_profiles_combat_plate"] (c2s::io::Table).

#include <set>
#include <sstream>

#include "c2s/batch/combat.hpp"
#include "c2s/batch/design.hpp"
#include "c2s/data/bbbc021.hpp"
#include "c2s/io/table.hpp"
#include "stage.hpp"

namespace {

namespace bb = c2s::data::bbbc021;

/// Mean over features of the share of variance explained by the batch factor (between-batch SS / total SS).
double batch_variance_share(const Eigen::MatrixXd& x, const std::vector<std::string>& batch) {
    std::map<std::string, std::vector<Eigen::Index>> rows;
    for (std::size_t i = 0; i < batch.size(); ++i) rows[batch[i]].push_back(static_cast<Eigen::Index>(i));
    double share = 0;
    Eigen::Index used = 0;
    for (Eigen::Index g = 0; g < x.cols(); ++g) {
        const double mean = x.col(g).mean();
        const double total = (x.col(g).array() - mean).square().sum();
        if (!(total > 0)) continue;
        double between = 0;
        for (const auto& [b, r] : rows) {
            double m = 0;
            for (auto i : r) m += x(i, g);
            m /= static_cast<double>(r.size());
            between += static_cast<double>(r.size()) * (m - mean) * (m - mean);
        }
        share += between / total;
        ++used;
    }
    return used ? share / static_cast<double>(used) : 0.0;
}

void run(c2s::examples::StageContext& ctx) {
    const auto profiles = bb::load_well_profiles(ctx.data_dir);
    const auto& plate = profiles.metadata_column("Metadata_Plate");
    const auto& week = profiles.metadata_column("Metadata_Week");
    const auto& compound = profiles.metadata_column("Metadata_Compound");
    std::vector<std::string> moa = profiles.metadata_column("Metadata_MoA");
    for (auto& m : moa)
        if (m.empty()) m = "(none)";
    std::ostringstream summary;
    ctx.report.push_back("## Batch correction (ComBat)\n");

    // Which compounds span weeks (the confounding that rules out protecting compound with batch = week).
    std::map<std::string, std::set<std::string>> weeks_of;
    for (std::size_t i = 0; i < compound.size(); ++i) weeks_of[compound[i]].insert(week[i]);
    std::string spanning;
    std::size_t single_week = 0;
    for (const auto& [c, w] : weeks_of) {
        if (w.size() > 1 && c != "DMSO") spanning += (spanning.empty() ? "" : ", ") + c;
        if (w.size() == 1) ++single_week;
    }
    summary << "wells=" << profiles.num_rows() << " features=" << profiles.num_features()
            << " plates=" << std::set<std::string>(plate.begin(), plate.end()).size()
            << " weeks=" << std::set<std::string>(week.begin(), week.end()).size() << "\n"
            << "compounds_in_one_week=" << single_week << " of " << weeks_of.size()
            << " compounds_spanning_weeks(besides DMSO)=" << spanning << "\n";

    // Candidate designs with protected covariates: report what ComBat's design check says.
    ctx.report.push_back("| wells | batch key | protected covariates | outcome |");
    ctx.report.push_back("|---|---|---|---|");
    struct Candidate {
        std::string batch_name;
        const std::vector<std::string>* batch;
        std::string cov_name;
        const std::vector<std::string>* cov;
        bool treated_only;
    };
    std::vector<std::size_t> treated;
    for (std::size_t i = 0; i < compound.size(); ++i)
        if (compound[i] != "DMSO") treated.push_back(i);
    const std::vector<Candidate> candidates{{"week", &week, "compound", &compound, false},
                                            {"week", &week, "MoA", &moa, false},
                                            {"plate", &plate, "MoA", &moa, false},
                                            {"week", &week, "compound", &compound, true},
                                            {"week", &week, "MoA", &moa, true}};
    for (const auto& c : candidates) {
        std::vector<std::string> b = *c.batch, v = *c.cov;
        Eigen::MatrixXd x = profiles.features;
        if (c.treated_only) {
            b.clear();
            v.clear();
            x.resize(static_cast<Eigen::Index>(treated.size()), profiles.features.cols());
            for (std::size_t r = 0; r < treated.size(); ++r) {
                b.push_back((*c.batch)[treated[r]]);
                v.push_back((*c.cov)[treated[r]]);
                x.row(static_cast<Eigen::Index>(r)) = profiles.features.row(static_cast<Eigen::Index>(treated[r]));
            }
        }
        const auto design = c2s::batch::categorical_design({v}, {c.cov_name});
        c2s::batch::CombatOptions o;
        o.covariate_names = design.names;
        o.num_threads = ctx.num_threads;
        std::string outcome;
        try {
            const auto r = c2s::batch::combat(x, b, &design.matrix, o);
            outcome = c2s::concat("fits (", design.names.size(), " covariate columns, ", r.warnings.size(), " warning(s))");
        } catch (const std::invalid_argument& e) {
            std::string msg = e.what();
            if (msg.size() > 500) msg = msg.substr(0, 500) + "...";
            outcome = "refused: " + msg;
        }
        const std::string wells = c.treated_only ? "treated wells (no DMSO)" : "all wells";
        summary << "wells=" << wells << " batch=" << c.batch_name << " protect=" << c.cov_name << " -> " << outcome << "\n";
        ctx.report.push_back(c2s::concat("| ", wells, " | ", c.batch_name, " | ", c.cov_name, " | ", outcome, " |"));
    }
    ctx.report.push_back("");

    // The correction used downstream: batch = plate, nothing protected (see the file comment).
    c2s::batch::CombatOptions o;
    o.num_threads = ctx.num_threads;
    const auto r = c2s::batch::combat(profiles.features, plate, nullptr, o);
    const double before_plate = batch_variance_share(profiles.features, plate);
    const double after_plate = batch_variance_share(r.corrected, plate);
    const double before_moa = batch_variance_share(profiles.features, moa);
    const double after_moa = batch_variance_share(r.corrected, moa);
    std::size_t passed = 0;
    for (auto f : r.model.corrected_feature) passed += f ? 0 : 1;
    summary << "chosen: batch=plate protect=none (plate is the technical unit; protecting MoA/compound would use the "
               "evaluated labels and is confounded with week)\n"
            << "parametric=1 iterations=" << r.model.iterations << " features_left_uncorrected=" << passed << "\n"
            << c2s::concat("variance_share_plate before=", before_plate, " after=", after_plate, "\n")
            << c2s::concat("variance_share_moa before=", before_moa, " after=", after_moa, "\n");
    for (const auto& w : r.warnings) summary << "warning: " << w << "\n";
    ctx.report.push_back(c2s::concat(
        "Chosen: **batch = plate** (", r.model.num_batches(), " plates), **no protected covariates**, parametric priors. ",
        "Plate is the imaging run that carries the technical shift; ", single_week, " of ", weeks_of.size(),
        " compounds sit in a single week (spanning weeks besides DMSO: ", spanning.empty() ? "none" : spanning,
        "), so week cannot be separated from compound, and protecting MoA/compound would feed the evaluated labels ",
        "into the correction."));
    ctx.report.push_back(c2s::concat("Share of feature variance explained by plate: ", before_plate, " before, ",
                                     after_plate, " after; by MoA: ", before_moa, " before, ", after_moa, " after. ",
                                     passed, " feature(s) left uncorrected (constant within a plate)."));
    for (const auto& w : r.warnings) ctx.report.push_back("- warning: " + w);
    ctx.report.push_back("");

    c2s::io::Table corrected = profiles;
    corrected.features = r.corrected;
    c2s::io::write_table(ctx.out_dir / "batch" / "well_profiles_combat_plate.csv", corrected);
    r.model.save(ctx.out_dir / "batch" / "combat_plate_model.txt");
    c2s::io::write_file_atomically(ctx.out_dir / "batch" / "summary.txt", summary.str());
    ctx.log << summary.str();
    ctx.artifacts["batch.well_profiles_combat_plate"] = std::move(corrected);
}

const c2s::examples::RegisterStage reg{{50, "batch", "ComBat on the per-well profiles (batch = plate), confounding checks", run}};

}  // namespace
