// Stage "profile": the published cytominer analysis of the BBBC021 per-well profiles (NSC, NSCB,
// mAP), measured pipeline variants, per-group centroid analysis with IQR outlier filtering, and the
// Mantel test of morphology against the chemistry matrices of stage 20. Writes into out/profile/.

#include <any>
#include <filesystem>
#include <sstream>

#include "c2s/core/labeled_matrix.hpp"
#include "c2s/data/bbbc021.hpp"
#include "c2s/io/csv.hpp"
#include "c2s/profile/aggregate.hpp"
#include "c2s/profile/centroid.hpp"
#include "c2s/profile/mantel.hpp"
#include "c2s/profile/pipeline.hpp"
#include "stage.hpp"

// ComBat (component batch) joins the variants once its header is in the tree and compiles.
#ifndef C2S_PROFILE_USE_COMBAT
#define C2S_PROFILE_USE_COMBAT 0
#endif
#if C2S_PROFILE_USE_COMBAT && __has_include("c2s/batch/combat.hpp")
#include "c2s/batch/combat.hpp"
#define C2S_PROFILE_HAVE_COMBAT 1
#endif
#ifdef C2S_HAVE_PLOT
#include "c2s/plot/plot.hpp"
#endif

namespace {

namespace cp = c2s::profile;
using c2s::concat;

std::string fmt(double v, int digits = 3) {
    std::ostringstream o;
    o.setf(std::ios::fixed);
    o.precision(digits);
    o << v;
    return o.str();
}

struct Variant {
    std::string name;
    cp::ProfilePipelineOptions options;
};

std::vector<Variant> variants(bool quick) {
    std::vector<Variant> v;
    cp::ProfilePipelineOptions base;
    base.map.null_size = quick ? 200 : 5000;
    v.push_back({"published: nzv, replicate >= 0.5, findCorrelation 0.95, plate z-score vs DMSO, Pearson", base});
    {
        auto o = base;
        o.similarity = cp::Similarity::cosine;
        v.push_back({"published, cosine", o});
    }
    {
        auto o = base;
        o.correlation.method = cp::FindCorrelationMethod::exact;
        v.push_back({"published, caret exact findCorrelation", o});
    }
    {
        auto o = base;
        o.correlation_filter = false;
        v.push_back({"no correlation filter (337 features)", o});
        o.similarity = cp::Similarity::cosine;
        v.push_back({"no correlation filter, cosine", o});
    }
    {
        auto o = base;
        o.correlation_filter = false;
        o.replicate.threshold = 0.3;
        v.push_back({"replicate >= 0.3, no correlation filter", o});
    }
    {
        auto o = base;
        o.correlation_filter = false;
        o.replicate_filter = false;
        v.push_back({"all 516 features", o});
    }
    {
        auto o = base;
        o.normalize.method = cp::NormalizeMethod::robustize;
        v.push_back({"published, robustize (median/IQR) vs DMSO", o});
        o.normalize.method = cp::NormalizeMethod::mad_robustize;
        v.push_back({"published, MAD-robustize vs DMSO", o});
    }
    {
        auto o = base;
        o.aggregation = cp::AggregateOperation::median;
        v.push_back({"published, median per treatment", o});
    }
    for (double eps : {1.0, 10.0}) {
        auto o = base;
        cp::NormalizeOptions s;
        s.method = cp::NormalizeMethod::spherize_zca;
        s.epsilon = eps;
        o.second_normalize = s;
        v.push_back({concat("published + ZCA fitted on all DMSO wells, epsilon ", eps), o});
        s.method = cp::NormalizeMethod::spherize_pca;
        o.second_normalize = s;
        v.push_back({concat("published + PCA whitening fitted on all DMSO wells, epsilon ", eps), o});
    }
    {
        auto o = base;
        o.reference.reference_column.clear();
        v.push_back({"published, plate z-score vs all wells", o});
    }
#ifdef C2S_PROFILE_HAVE_COMBAT
    for (const std::string batch : {"Metadata_Plate", "Metadata_Week"}) {
        for (bool no_corr : {false, true}) {
            auto o = base;
            o.correlation_filter = !no_corr;
            o.batch_correct = [batch](const c2s::io::Table& t) {
                return c2s::batch::combat(t.features, t.metadata_column(batch), nullptr, {}).corrected;
            };
            v.push_back({concat("published", no_corr ? " without correlation filter" : "", " + ComBat by ",
                                batch.substr(9)), o});
        }
    }
#endif
    return v;
}

c2s::LabeledMatrix morphology_distance(const c2s::io::Table& treatments) {
    // Compound profile = mean of its treatment profiles; cosine distance between compounds.
    const auto comp = cp::aggregate(treatments, {"Metadata_Compound"});
    const auto z = cp::unit_rows(comp.features, cp::Similarity::cosine);
    c2s::LabeledMatrix m;
    m.ids = comp.metadata_column("Metadata_Compound");
    m.values = (Eigen::MatrixXd::Ones(z.rows(), z.rows()) - z * z.transpose()).cwiseMax(0.0);
    m.values.diagonal().setZero();
    m.measure = "cosine distance (mean treatment profile, cytominer features)";
    return m;
}

std::optional<c2s::LabeledMatrix> chem_matrix(c2s::examples::StageContext& ctx, const std::string& name) {
    if (auto it = ctx.artifacts.find("chem." + name); it != ctx.artifacts.end()) {
        if (const auto* m = std::any_cast<c2s::LabeledMatrix>(&it->second)) return *m;
    }
    const auto file = ctx.out_dir / "chem" / (name + ".npy");
    if (std::filesystem::exists(file)) return c2s::load_labeled_matrix(file);
    return std::nullopt;
}

void run(c2s::examples::StageContext& ctx) {
    const auto dir = ctx.out_dir / "profile";
    std::filesystem::create_directories(dir);
    const auto wells = c2s::data::bbbc021::load_well_profiles(ctx.data_dir);
    ctx.report.push_back("## Profiles (cytominer analysis of the BBBC021 per-well profiles)\n");

    // 1. The published analysis and the variants.
    const auto vars = variants(ctx.quick);
    std::vector<std::vector<std::string>> rows;
    ctx.report.push_back("| pipeline | features | NSC | NSCB | mAP (MoA, cosine) | MoAs with q < 0.05 |");
    ctx.report.push_back("|---|---|---|---|---|---|");
    cp::ProfilePipelineResult published;
    for (std::size_t k = 0; k < vars.size(); ++k) {
        cp::ProfilePipelineResult r;
        try {
            r = cp::run_profile_pipeline(wells, vars[k].options);
        } catch (const std::exception& e) {
            ctx.report.push_back(concat("| ", vars[k].name, " | failed: ", e.what(), " | | | | |"));
            continue;
        }
        if (k == 0) published = r;
        const double map = r.map ? r.map->mean_map : 0, sig = r.map ? r.map->fraction_significant : 0;
        rows.push_back({vars[k].name, std::to_string(r.after_na), std::to_string(r.nsc.num_correct),
                        std::to_string(r.nsc.queries.size()), fmt(r.nsc.accuracy, 4), std::to_string(r.nscb.num_correct),
                        std::to_string(r.nscb.queries.size()), fmt(r.nscb.accuracy, 4), fmt(map, 4), fmt(sig, 3)});
        ctx.report.push_back(concat("| ", vars[k].name, " | ", r.after_na, " | ", r.nsc.num_correct, "/", r.nsc.queries.size(),
                                    " = ", fmt(r.nsc.accuracy), " | ", r.nscb.num_correct, "/", r.nscb.queries.size(), " = ",
                                    fmt(r.nscb.accuracy), " | ", fmt(map), " | ", fmt(sig, 2), " |"));
        ctx.log << "   " << vars[k].name << ": NSC " << fmt(r.nsc.accuracy) << " NSCB " << fmt(r.nscb.accuracy) << "\n";
    }
    c2s::io::write_csv(dir / "variants.csv",
                       {"pipeline", "features", "nsc_correct", "nsc_total", "nsc", "nscb_correct", "nscb_total", "nscb", "map",
                        "fraction_moa_significant"},
                       rows);
    ctx.report.push_back("");
    ctx.report.push_back(concat("Published pipeline: ", published.features_input, " → ", published.after_variance,
                                " (near-zero variance) → ", published.after_replicate, " (replicate correlation ≥ 0.5) → ",
                                published.after_correlation, " (findCorrelation 0.95) features; ", published.treatments.num_rows(),
                                " treatments of ", published.num_compounds, " compounds. NSCB leaves out: ",
                                [&] {
                                    std::string s;
                                    for (const auto& l : published.nscb.labels_left_out) s += (s.empty() ? "" : ", ") + l;
                                    return s;
                                }(),
                                ".\n"));
    c2s::io::write_table(dir / "treatment_profiles.csv", published.treatments);
    if (published.map) {
        std::vector<std::vector<std::string>> mr;
        for (const auto& m : published.map->per_label)
            mr.push_back({m.label, std::to_string(m.queries), fmt(m.mean_average_precision, 4), fmt(m.p_value, 5),
                          fmt(m.corrected_p_value, 5)});
        c2s::io::write_csv(dir / "map_per_moa.csv", {"moa", "queries", "map", "p_value", "corrected_p_value"}, mr);
    }

    // 2. Centroid analysis of the normalised wells (per compound and per MoA, DMSO included).
    cp::CentroidOptions co;
    co.refit = true;
    std::vector<std::vector<std::string>> group_rows, removed_rows;
    std::map<std::string, cp::CentroidResult> by_key;
    for (const std::string key : {"Metadata_Compound", "Metadata_MoA"}) {
        const auto res = cp::centroid_analysis(published.wells.features, published.wells.metadata_column(key), co);
        for (const auto& g : res.groups)
            group_rows.push_back({key.substr(9), g.group, std::to_string(g.size), std::to_string(g.kept), fmt(g.mean_distance, 5),
                                  fmt(g.median_distance, 5), fmt(g.share_within, 4)});
        for (const auto& r : res.removed)
            removed_rows.push_back({key.substr(9), r.group, published.wells.metadata_column("Metadata_Plate")[r.row],
                                    published.wells.metadata_column("Metadata_Well")[r.row], fmt(r.distance, 5),
                                    std::to_string(r.round)});
        ctx.report.push_back(concat("Centroid analysis per ", key.substr(9), ": ", res.groups.size(), " groups, ",
                                    res.removed.size(), " wells removed by Tukey fences (k = ", co.iqr_k,
                                    ", refit), share of kept wells with cosine similarity ≥ ", co.similarity_threshold,
                                    " to their centroid: ", fmt(res.share_within), "  "));
        by_key.emplace(key, res);
    }
    c2s::io::write_csv(dir / "centroid_groups.csv", {"grouping", "group", "size", "kept", "mean_distance", "median_distance", "share_within_0.9"},
                       group_rows);
    c2s::io::write_csv(dir / "centroid_removed.csv", {"grouping", "group", "plate", "well", "distance", "round"}, removed_rows);
    ctx.report.push_back("");

    // 3. Morphology vs chemistry.
    const auto morph = morphology_distance(published.treatments);
    c2s::save_labeled_matrix(dir / "morphology_cosine_distance.npy", morph);
    ctx.artifacts["profile.morphology_cosine_distance"] = morph;
    std::vector<std::vector<std::string>> mantel_rows;
    std::vector<std::pair<std::string, c2s::LabeledMatrix>> chem_used;
    for (const std::string name : {"tanimoto_distance", "descriptor_cosine_distance"}) {
        const auto chem = chem_matrix(ctx, name);
        if (!chem) {
            ctx.report.push_back(concat("Mantel test against chem.", name, ": skipped, the chemistry stage has not run "
                                        "(no artifact and no chem/", name, ".npy)  "));
            continue;
        }
        for (auto method : {cp::MantelMethod::pearson, cp::MantelMethod::spearman}) {
            cp::MantelOptions mo;
            mo.method = method;
            mo.permutations = ctx.quick ? 199 : 9999;
            const auto r = cp::mantel(morph, *chem, mo);
            mantel_rows.push_back({name, cp::to_string(method), std::to_string(r.n), fmt(r.statistic, 4), fmt(r.p_value, 5),
                                   std::to_string(r.permutations), r.note});
            ctx.report.push_back(concat("Mantel morphology vs ", name, " (", cp::to_string(method), "): r = ", fmt(r.statistic),
                                        ", p = ", fmt(r.p_value, 4), " (", r.permutations, " permutations, two-sided; ", r.note,
                                        ")  "));
        }
        chem_used.emplace_back(name, *chem);
    }
    c2s::io::write_csv(dir / "mantel.csv", {"chemistry", "method", "n", "statistic", "p_value", "permutations", "ids"}, mantel_rows);
    ctx.report.push_back("");

#ifdef C2S_HAVE_PLOT
    // 4. Figures: distances to centroid per MoA (box), share within 0.9 per MoA (bar), heatmaps.
    {
        const auto& res = by_key.at("Metadata_MoA");
        const auto& moa = published.wells.metadata_column("Metadata_MoA");
        std::vector<std::vector<double>> groups;
        std::vector<std::string> names;
        std::vector<double> share;
        for (const auto& g : res.groups) {
            std::vector<double> d;
            for (std::size_t r = 0; r < moa.size(); ++r)
                if (moa[r] == g.group) d.push_back(res.distance[static_cast<Eigen::Index>(r)]);
            groups.push_back(std::move(d));
            names.push_back(g.group);
            share.push_back(g.share_within);
        }
        c2s::plot::BoxPlotOptions bo;
        bo.title = "Cosine distance of wells to their MoA centroid";
        bo.y_label = "cosine distance";
        c2s::plot::box_plot(groups, names, bo).save(dir / "centroid_distance_moa.png");
        c2s::plot::BarPlotOptions ba;
        ba.title = "Share of wells within similarity 0.9 of their MoA centroid (after IQR filter)";
        ba.y_label = "share";
        ba.value_labels = true;
        c2s::plot::bar_plot(share, names, ba).save(dir / "centroid_share_moa.png");
    }
    {
        // Heatmaps in one compound order: morphology's ids, restricted to those every matrix has.
        std::vector<std::string> order = morph.ids;
        for (const auto& [name, m] : chem_used) {
            std::vector<std::string> keep;
            for (const auto& id : order)
                if (std::find(m.ids.begin(), m.ids.end(), id) != m.ids.end()) keep.push_back(id);
            order = keep;
        }
        auto draw = [&](const c2s::LabeledMatrix& m, const std::string& title, const std::string& file) {
            const auto sub = m.subset(order);
            c2s::plot::HeatmapOptions ho;
            ho.title = title;
            ho.row_labels = order;
            ho.colorbar_label = m.measure;
            c2s::plot::heatmap(sub.values, ho).save(dir / file);
        };
        draw(morph, "Morphology (cosine distance)", "heatmap_morphology.png");
        for (const auto& [name, m] : chem_used) draw(m, name, "heatmap_" + name + ".png");
        ctx.report.push_back(concat("Heatmaps over the same ", order.size(), " compounds in the same order: profile/heatmap_*.png\n"));
    }
#endif
}

const c2s::examples::RegisterStage reg{
    {60, "profile", "cytominer analysis (NSC, NSCB, mAP), variants, centroid analysis, Mantel vs chemistry", run}};

}  // namespace
