// Stage "profile": the published cytominer analysis of the BBBC021 per-well profiles (NSC, NSCB,
// mAP), measured pipeline variants, per-group centroid analysis with IQR outlier filtering, and the
// Mantel test of morphology against the chemistry matrices of stage 20. Writes into out/profile/.

#include <algorithm>
#include <any>
#include <filesystem>
#include <map>
#include <sstream>

#include "c2s/core/labeled_matrix.hpp"
#include "c2s/data/bbbc021.hpp"
#include "c2s/io/csv.hpp"
#include "c2s/profile/aggregate.hpp"
#include "c2s/profile/centroid.hpp"
#include "c2s/profile/mantel.hpp"
#include "c2s/profile/pipeline.hpp"
#include "stage.hpp"

// ComBat (component batch) joins the variants when its header is in the tree; build with
// -DC2S_PROFILE_USE_COMBAT=0 to leave it out.
#ifndef C2S_PROFILE_USE_COMBAT
#define C2S_PROFILE_USE_COMBAT 1
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
    // Variants added after the published analysis (docs/results.md, "Best pipeline"): a small family
    // of principled choices, each measured; Spearman and the generalised log tame heavy-tailed features,
    // per-week references and per-week whitening use more control wells per fit.
    cp::ProfilePipelineOptions all337 = base;
    all337.correlation_filter = false;
    {
        auto o = base;
        o.similarity = cp::Similarity::spearman;
        v.push_back({"published, Spearman", o});
        o = all337;
        o.similarity = cp::Similarity::spearman;
        v.push_back({"no correlation filter, Spearman", o});
    }
    {
        auto o = all337;
        o.reference.strata_column = "Metadata_Week";
        v.push_back({"no correlation filter, week z-score vs all DMSO wells of the week", o});
    }
    {
        auto o = all337;
        o.glog = cp::GlogOptions{1.0};
        v.push_back({"no correlation filter + glog (asinh of the z-score), Pearson", o});
        o.similarity = cp::Similarity::spearman;
        v.push_back({"BEST: no correlation filter + glog (asinh of the z-score), Spearman", o});
        o = base;
        o.glog = cp::GlogOptions{1.0};
        o.similarity = cp::Similarity::spearman;
        v.push_back({"published + glog, Spearman", o});
    }
    {
        auto o = all337;
        cp::NormalizeOptions s;
        s.method = cp::NormalizeMethod::spherize_zca;
        s.epsilon = 10.0;
        o.second_normalize = s;
        o.second_reference.strata_column = "Metadata_Week";
        v.push_back({"no correlation filter + ZCA per week (fitted on the week's DMSO wells), epsilon 10", o});
        o.similarity = cp::Similarity::spearman;
        v.push_back({"no correlation filter + ZCA per week, epsilon 10, Spearman", o});
    }
#ifdef C2S_PROFILE_HAVE_COMBAT
    // ComBat on the plate-normalised wells, by plate and by week, without and with the compound as a
    // covariate. Compounds sit in one week (only taxol spans weeks), so with the compound covariate
    // the batch means are estimated from the DMSO wells (and taxol) alone: the treatment effects are
    // protected. Without it, ComBat removes part of each compound's signal along with its batch.
    for (const std::string batch : {"Metadata_Plate", "Metadata_Week"}) {
        for (int mode = 0; mode < 3; ++mode) {
            auto o = mode == 0 ? base : all337;
            const bool protect = mode == 2;
            o.batch_correct = [batch, protect](const c2s::io::Table& t) {
                Eigen::MatrixXd cov;
                if (protect) {
                    // Treatment-coded compound indicators, DMSO as the baseline (no intercept).
                    const auto& comp = t.metadata_column("Metadata_Compound");
                    std::vector<std::string> levels;
                    for (const auto& c : comp)
                        if (c != "DMSO" && std::find(levels.begin(), levels.end(), c) == levels.end()) levels.push_back(c);
                    std::sort(levels.begin(), levels.end());
                    cov = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(comp.size()), static_cast<Eigen::Index>(levels.size()));
                    for (std::size_t r = 0; r < comp.size(); ++r) {
                        const auto it = std::find(levels.begin(), levels.end(), comp[r]);
                        if (it != levels.end()) cov(static_cast<Eigen::Index>(r), it - levels.begin()) = 1.0;
                    }
                }
                return c2s::batch::combat(t.features, t.metadata_column(batch), protect ? &cov : nullptr, {}).corrected;
            };
            v.push_back({concat(mode == 0 ? "published" : "no correlation filter", " + ComBat by ", batch.substr(9),
                                protect ? ", compound as covariate" : ""),
                         o});
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
    cp::ProfilePipelineResult published, best;
    for (std::size_t k = 0; k < vars.size(); ++k) {
        cp::ProfilePipelineResult r;
        try {
            r = cp::run_profile_pipeline(wells, vars[k].options);
        } catch (const std::exception& e) {
            ctx.report.push_back(concat("| ", vars[k].name, " | failed: ", e.what(), " | | | | |"));
            rows.push_back({vars[k].name, "", "", "", "", "", "", "", "", "", concat("failed: ", e.what())});
            ctx.log << "   " << vars[k].name << ": failed: " << e.what() << "\n";
            continue;
        }
        if (k == 0) published = r;
        if (vars[k].name.starts_with("BEST")) best = r;
        const double map = r.map ? r.map->mean_map : 0, sig = r.map ? r.map->fraction_significant : 0;
        rows.push_back({vars[k].name, std::to_string(r.after_na), std::to_string(r.nsc.num_correct),
                        std::to_string(r.nsc.queries.size()), fmt(r.nsc.accuracy, 4), std::to_string(r.nscb.num_correct),
                        std::to_string(r.nscb.queries.size()), fmt(r.nscb.accuracy, 4), fmt(map, 4), fmt(sig, 3), ""});
        ctx.report.push_back(concat("| ", vars[k].name, " | ", r.after_na, " | ", r.nsc.num_correct, "/", r.nsc.queries.size(),
                                    " = ", fmt(r.nsc.accuracy), " | ", r.nscb.num_correct, "/", r.nscb.queries.size(), " = ",
                                    fmt(r.nscb.accuracy), " | ", fmt(map), " | ", fmt(sig, 2), " |"));
        ctx.log << "   " << vars[k].name << ": NSC " << fmt(r.nsc.accuracy) << " NSCB " << fmt(r.nscb.accuracy) << "\n";
    }
    c2s::io::write_csv(dir / "variants.csv",
                       {"pipeline", "features", "nsc_correct", "nsc_total", "nsc", "nscb_correct", "nscb_total", "nscb", "map",
                        "fraction_moa_significant", "note"},
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
    // Morphology: the published pipeline (the figures) and the best variant (a second Mantel row).
    const auto morph = morphology_distance(published.treatments);
    std::vector<std::pair<std::string, c2s::LabeledMatrix>> morphs{{"published", morph}};
    if (best.treatments.num_rows() > 0) morphs.emplace_back("best", morphology_distance(best.treatments));
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
        for (const auto& [which, mm] : morphs)
            for (auto method : {cp::MantelMethod::pearson, cp::MantelMethod::spearman}) {
                cp::MantelOptions mo;
                mo.method = method;
                mo.permutations = ctx.quick ? 199 : 9999;
                const auto r = cp::mantel(mm, *chem, mo);
                mantel_rows.push_back({which, name, cp::to_string(method), std::to_string(r.n), fmt(r.statistic, 4),
                                       fmt(r.p_value, 5), std::to_string(r.permutations), r.note});
                ctx.report.push_back(concat("Mantel morphology (", which, " pipeline) vs ", name, " (", cp::to_string(method),
                                            "): r = ", fmt(r.statistic), ", p = ", fmt(r.p_value, 4), " (", r.permutations,
                                            " permutations, two-sided; ", r.note, ")  "));
            }
        chem_used.emplace_back(name, *chem);
    }
    c2s::io::write_csv(dir / "mantel.csv", {"morphology", "chemistry", "method", "n", "statistic", "p_value", "permutations", "ids"}, mantel_rows);
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
        // Heatmaps in one compound order: compounds every matrix has, ordered by MoA then name, MoA
        // blocks outlined; one figure with the panels side by side plus one file per matrix.
        std::map<std::string, std::string> moa_of;
        {
            const auto& c = published.treatments.metadata_column("Metadata_Compound");
            const auto& m = published.treatments.metadata_column("Metadata_MoA");
            for (std::size_t r = 0; r < c.size(); ++r) moa_of[c[r]] = m[r];
        }
        std::vector<std::string> order = morph.ids;
        for (const auto& [name, m] : chem_used) {
            std::vector<std::string> keep;
            for (const auto& id : order)
                if (std::find(m.ids.begin(), m.ids.end(), id) != m.ids.end()) keep.push_back(id);
            order = keep;
        }
        std::stable_sort(order.begin(), order.end(), [&](const std::string& x, const std::string& y) {
            return std::pair(moa_of[x], x) < std::pair(moa_of[y], y);
        });
        std::vector<std::string> groups;
        for (const auto& id : order) groups.push_back(moa_of[id]);
        c2s::plot::HeatmapPanelsOptions po;
        po.common.row_labels = order;
        po.common.row_groups = groups;
        po.common.font_size = 8;
        po.grid.title = concat("Morphology vs chemistry: ", order.size(), " compounds in the same order (MoA blocks)");
        po.grid.panel_tags = true;
        std::vector<Eigen::MatrixXd> mats;
        auto add = [&](const c2s::LabeledMatrix& m, const std::string& title, const std::string& file) {
            mats.push_back(m.subset(order).values);
            po.titles.push_back(title);
            po.colorbar_labels.push_back(m.measure);
            c2s::plot::HeatmapOptions ho = po.common;
            ho.title = title;
            ho.colorbar_label = m.measure;
            c2s::plot::heatmap(mats.back(), ho).save(dir / file);
        };
        add(morph, "Morphology (cosine distance)", "heatmap_morphology.png");
        for (const auto& [name, m] : chem_used)
            add(m, name == "tanimoto_distance" ? "Morgan fingerprints (Tanimoto distance)" : "RDKit descriptors (cosine distance)",
                "heatmap_" + name + ".png");
        if (mats.size() > 1) {
            c2s::plot::heatmap_panels(mats, po).save(dir / "heatmaps_side_by_side.png");
            ctx.report.push_back(concat("Heatmaps over the same ", order.size(),
                                        " compounds in the same order (by MoA): profile/heatmaps_side_by_side.png "
                                        "(panels: morphology, ",
                                        chem_used.size() == 2 ? "Tanimoto, descriptors" : chem_used[0].first,
                                        ") and profile/heatmap_*.png\n"));
        } else {
            ctx.report.push_back(concat("Heatmap of the morphological distances (", order.size(),
                                        " compounds, by MoA): profile/heatmap_morphology.png\n"));
        }
    }
#endif
}

const c2s::examples::RegisterStage reg{
    {60, "profile", "cytominer analysis (NSC, NSCB, mAP), variants, centroid analysis, Mantel vs chemistry", run}};

}  // namespace
