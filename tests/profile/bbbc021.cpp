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
