#pragma once
/// @file pipeline.hpp
/// @brief The published cytominer analysis of BBBC021 (cytominergallery's "predict_moa" vignette),
/// built from the profile steps, with switches for the variants measured in docs/results.md:
/// near-zero-variance filter → replicate-correlation filter → correlation threshold → per-plate
/// normalisation against the controls → drop NA columns → (optional batch correction / second
/// normalisation) → (optional generalised log) → aggregation per treatment → controls removed → NSC,
/// NSCB, mAP.

#include <Eigen/Dense>

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "c2s/io/table.hpp"
#include "c2s/profile/aggregate.hpp"
#include "c2s/profile/normalize.hpp"
#include "c2s/profile/retrieval.hpp"
#include "c2s/profile/select.hpp"
#include "c2s/profile/transform.hpp"

namespace c2s::profile {

struct ProfilePipelineOptions {
    bool variance_filter = true;
    NearZeroVarianceOptions near_zero_variance{};
    bool replicate_filter = true;
    ReplicateCorrelationOptions replicate{};
    /// Replicates are rows sharing these columns (cytominer: compound and concentration).
    std::vector<std::string> replicate_keys{"Metadata_Compound", "Metadata_Concentration"};
    bool correlation_filter = true;
    CorrelationThresholdOptions correlation{0.95, FindCorrelationMethod::automatic};
    ReferenceSpec reference{};
    NormalizeOptions normalize{};
    double na_cutoff = 0.05;
    /// Applied to the normalised well features after the NA filter (e.g. ComBat); gets the table,
    /// returns corrected features of the same shape.
    std::function<Eigen::MatrixXd(const io::Table&)> batch_correct;
    /// A second normalisation after batch correction (e.g. sphering fitted on all controls).
    std::optional<NormalizeOptions> second_normalize;
    ReferenceSpec second_reference{"", "Metadata_Compound", "DMSO"};
    /// Generalised log of the normalised well features (after batch correction / second
    /// normalisation, before aggregation), e.g. scale 1 = one control sd after a z-score.
    std::optional<GlogOptions> glog;
    std::vector<std::string> treatment_keys{"Metadata_Compound", "Metadata_Concentration", "Metadata_MoA"};
    AggregateOperation aggregation = AggregateOperation::mean;
    std::string compound_column = "Metadata_Compound", moa_column = "Metadata_MoA", batch_column = "Metadata_Week";
    Similarity similarity = Similarity::pearson;
    bool compute_map = true;
    MapOptions map{};
};

struct ProfilePipelineResult {
    std::size_t features_input = 0, after_variance = 0, after_replicate = 0, after_correlation = 0, after_na = 0;
    std::vector<std::string> features;
    io::Table wells;       ///< normalised, selected, annotated wells
    io::Table treatments;  ///< aggregated treatment profiles, controls removed
    std::size_t num_compounds = 0;
    NearestNeighbourResult nsc, nscb;
    std::optional<MapResult> map;
    std::vector<std::string> warnings;
};

/// Runs the pipeline on per-well profiles (rows with an empty MoA are left out first).
[[nodiscard]] inline ProfilePipelineResult run_profile_pipeline(const io::Table& input, const ProfilePipelineOptions& o = {}) {
    constexpr const char* where = "c2s::profile::run_profile_pipeline";
    ProfilePipelineResult res;
    std::vector<std::size_t> annotated;
    {
        const auto& moa = input.metadata_column(o.moa_column);
        for (std::size_t r = 0; r < moa.size(); ++r)
            if (!moa[r].empty()) annotated.push_back(r);
    }
    if (annotated.empty()) fail_argument(where, "no row has a value in '", o.moa_column, "'");
    io::Table t = input.select_rows(annotated);
    res.features_input = t.num_features();
    if (o.variance_filter) t = select_features(t, near_zero_variance(t.features, o.near_zero_variance));
    res.after_variance = t.num_features();
    if (o.replicate_filter) {
        std::vector<std::string> key(t.num_rows());
        for (const auto& k : o.replicate_keys) {
            const auto& col = t.metadata_column(k);
            for (std::size_t r = 0; r < key.size(); ++r) key[r] += col[r] + '\x1f';
        }
        auto rc = replicate_correlation(t.features, key, {}, o.replicate);
        res.warnings.insert(res.warnings.end(), rc.selection.warnings.begin(), rc.selection.warnings.end());
        t = select_features(t, rc.selection);
    }
    res.after_replicate = t.num_features();
    if (o.correlation_filter) t = select_features(t, correlation_threshold(t.features, o.correlation));
    res.after_correlation = t.num_features();
    t = normalize_table(t, o.reference, o.normalize, &res.warnings);
    t = select_features(t, drop_na_columns(t.features, o.na_cutoff));
    res.after_na = t.num_features();
    if (o.batch_correct) {
        Eigen::MatrixXd corrected = o.batch_correct(t);
        if (corrected.rows() != t.features.rows() || corrected.cols() != t.features.cols())
            fail_runtime(where, "'batch_correct' returned ", corrected.rows(), " x ", corrected.cols(), " for a ",
                         t.features.rows(), " x ", t.features.cols(), " input");
        t.features = std::move(corrected);
    }
    if (o.second_normalize) t = normalize_table(t, o.second_reference, *o.second_normalize, &res.warnings);
    if (o.glog) t = generalized_log_table(t, *o.glog);
    res.features = t.feature_names;
    res.wells = t;
    io::Table agg = aggregate(t, o.treatment_keys, {o.aggregation, "Metadata_Count", ";"});
    std::vector<std::size_t> treated;
    {
        const auto& comp = agg.metadata_column(o.compound_column);
        for (std::size_t r = 0; r < comp.size(); ++r)
            if (comp[r] != o.reference.reference_value) treated.push_back(r);
    }
    res.treatments = agg.select_rows(treated);
    const auto& comp = res.treatments.metadata_column(o.compound_column);
    const auto& moa = res.treatments.metadata_column(o.moa_column);
    res.num_compounds = std::set<std::string>(comp.begin(), comp.end()).size();
    res.nsc = nearest_neighbour_accuracy(res.treatments.features, moa, comp, {}, {o.similarity, false});
    if (res.treatments.has_metadata(o.batch_column))
        res.nscb = nearest_neighbour_accuracy(res.treatments.features, moa, comp, res.treatments.metadata_column(o.batch_column),
                                              {o.similarity, true});
    if (o.compute_map) res.map = mean_average_precision(res.treatments.features, moa, comp, o.map);
    return res;
}

}  // namespace c2s::profile
