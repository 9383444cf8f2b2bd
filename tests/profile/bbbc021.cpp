// The published cytominer analysis of BBBC021 (cytominergallery's predict_moa vignette), reproduced
// on the bundled per-well profiles. The expected numbers are those the independent pandas/numpy
// transcription in scripts/fixtures/profile/reproduce_cytominer.py prints (and the vignette reports:
// NSC 0.82, 95% CI 0.73-0.89).

#include <doctest/doctest.h>

#include "c2s/data/bbbc021.hpp"
#include "c2s/profile/pipeline.hpp"
#include "test_support.hpp"

namespace cp = c2s::profile;

TEST_CASE("bbbc021: the cytominer analysis gives 516 -> 337 -> 177 features and NSC 84/103") {
    const auto wells = c2s::data::bbbc021::load_well_profiles(c2s::test::bbbc021_folder());
    cp::ProfilePipelineOptions o;
    o.map.null_size = 200;
    const auto res = cp::run_profile_pipeline(wells, o);
    CHECK(res.features_input == 516);
    CHECK(res.after_variance == 516);
    CHECK(res.after_replicate == 337);
    CHECK(res.after_correlation == 177);
    CHECK(res.after_na == 177);
    CHECK(res.treatments.num_rows() == 103);
    CHECK(res.num_compounds == 38);
    CHECK(res.nsc.queries.size() == 103);
    CHECK(res.nsc.num_correct == 84);
    // NSCB over the treatments whose MoA spans at least two weeks (pandas: 70/92).
    CHECK(res.nscb.queries.size() == 92);
    CHECK(res.nscb.num_correct == 70);
}

TEST_CASE("bbbc021: the best variant (337 features, glog, Spearman) and per-week whitening match the pandas exploration") {
    // Expected counts: scripts/fixtures/profile/explore_variants.py ("337 z by P, asinh (glog c=1)
    // spearman": NSC 93/103, NSCB 70/92; "337 z by P + ZCA eps 10 on Wk DMSO": NSC 83/103, NSCB 75/92).
    const auto wells = c2s::data::bbbc021::load_well_profiles(c2s::test::bbbc021_folder());
    cp::ProfilePipelineOptions o;
    o.compute_map = false;
    o.correlation_filter = false;
    o.glog = cp::GlogOptions{1.0};
    o.similarity = cp::Similarity::spearman;
    const auto best = cp::run_profile_pipeline(wells, o);
    CHECK(best.after_na == 337);
    CHECK(best.nsc.num_correct == 93);
    CHECK(best.nscb.num_correct == 70);
    CHECK(best.nscb.queries.size() == 92);
    cp::ProfilePipelineOptions w;
    w.compute_map = false;
    w.correlation_filter = false;
    cp::NormalizeOptions zca;
    zca.method = cp::NormalizeMethod::spherize_zca;
    zca.epsilon = 10.0;
    w.second_normalize = zca;
    w.second_reference.strata_column = "Metadata_Week";
    const auto white = cp::run_profile_pipeline(wells, w);
    CHECK(white.nsc.num_correct == 83);
    CHECK(white.nscb.num_correct == 75);
}
