// Stage "chem": Morgan fingerprints and RDKit descriptors of the annotated BBBC021 compounds,
// Tanimoto and descriptor-cosine distance matrices (keyed by compound, ordered by MoA) and their
// heatmaps. Later stages read ctx.artifacts["chem.tanimoto_distance"] and
// ctx.artifacts["chem.descriptor_cosine_distance"] (c2s::LabeledMatrix).

#ifdef C2S_HAVE_CHEM

#include <algorithm>
#include <map>
#include <set>

#include "c2s/chem/descriptors.hpp"
#include "c2s/chem/fingerprints.hpp"
#include "c2s/chem/matrices.hpp"
#include "c2s/chem/molecules.hpp"
#include "c2s/chem/scaling.hpp"
#include "c2s/core/labeled_matrix.hpp"
#include "c2s/data/bbbc021.hpp"
#include "c2s/io/csv.hpp"
#include "c2s/io/npy.hpp"
#include "stage.hpp"
#ifdef C2S_HAVE_PLOT
#include "c2s/plot/heatmap.hpp"
#endif

namespace {

namespace bb = c2s::data::bbbc021;
namespace chem = c2s::chem;

#ifdef C2S_HAVE_PLOT
void draw(const c2s::LabeledMatrix& m, const std::vector<std::string>& moas, const std::string& title,
          const std::filesystem::path& stem, c2s::examples::StageContext& ctx) {
    c2s::plot::HeatmapOptions o;
    o.title = title;
    o.row_labels = m.ids;
    o.row_groups = moas;
    o.colormap = c2s::plot::Colormap::viridis;
    o.colorbar_label = m.measure;
    o.vmin = 0.0;
    const auto fig = c2s::plot::heatmap(m.values, o);
    for (const char* ext : {".png", ".svg"}) {
        auto p = stem;
        p += ext;
        fig.save(p);
    }
    ctx.report.push_back(c2s::concat("![", title, "](chem/", stem.filename().string(), ".png)"));
}
#endif

void run(c2s::examples::StageContext& ctx) {
    const auto out = ctx.out_dir / "chem";
    std::filesystem::create_directories(out);
    const auto ds = bb::load(ctx.data_dir, bb::MoaJoin::compound_concentration);
    std::map<std::string, std::string> smiles_of, moa_of;
    for (const auto& c : ds.compounds) smiles_of[c.name] = c.smiles;
    for (const auto& t : ds.moa_table)
        if (t.moa != "DMSO" && t.compound != "DMSO") moa_of[t.compound] = t.moa;
    // Annotated compounds ordered by MoA, then name.
    std::vector<std::pair<std::string, std::string>> order;
    for (const auto& [compound, moa] : moa_of) order.emplace_back(moa, compound);
    std::sort(order.begin(), order.end());
    std::vector<chem::CompoundInput> inputs;
    for (std::size_t i = 0; i < order.size(); ++i)
        inputs.push_back({order[i].second, smiles_of.count(order[i].second) ? smiles_of[order[i].second] : "", i + 1});
    const auto set = chem::parse_compounds(inputs, {.skip_failures = true});
    std::vector<std::string> moas;
    for (const auto& id : set.ids) moas.push_back(moa_of.at(id));

    ctx.report.push_back("## Chemistry\n");
    ctx.report.push_back(c2s::concat("- ", set.size(), " of ", inputs.size(),
                                     " annotated compounds have a usable SMILES; without one:"));
    for (const auto& line : set.failure_lines()) ctx.report.push_back("  - " + line);

    // Fingerprints (radius 2, 2048 bits, as the founding study).
    chem::MorganOptions mo;
    mo.num_threads = ctx.num_threads;
    const auto fps = chem::morgan_fingerprints(set.molecules, mo);
    const auto words = fps.packed_words();
    c2s::io::write_npy<std::uint64_t>(out / "morgan_r2_2048.npy", words, {fps.size(), fps.num_words()});
    std::vector<std::vector<std::string>> id_rows;
    for (std::size_t i = 0; i < set.size(); ++i) id_rows.push_back({set.ids[i], moas[i], set.smiles[i]});
    c2s::io::write_csv(out / "compounds.csv", {"id", "moa", "smiles"}, id_rows);

    // Descriptors, then min-max scaling with NaN columns dropped (reported).
    chem::DescriptorOptions dopt;
    dopt.num_threads = ctx.num_threads;
    const auto d = chem::compute_descriptors(set, dopt);
    for (const auto& w : d.warnings) ctx.report.push_back("- warning: " + w);
    chem::write_descriptors_csv(out / "descriptors.csv", d);
    const auto scaled = chem::scale_descriptors(d.ids, d.names, d.values, {});
    ctx.report.push_back(c2s::concat("- descriptors: ", d.names.size(), " computed, ", scaled.names.size(),
                                     " kept after dropping columns with non-finite values (min-max scaled):"));
    for (const auto& s : scaled.dropped) ctx.report.push_back("  - dropped " + s);

    c2s::distance::MatrixOptions mopt;
    mopt.num_threads = ctx.num_threads;
    const auto tanimoto = chem::tanimoto_distance_matrix(set.ids, fps, mopt);
    const auto cosine = chem::cosine_distance_matrix(scaled, mopt);
    c2s::save_labeled_matrix(out / "tanimoto_distance.npy", tanimoto);
    c2s::save_labeled_matrix(out / "descriptor_cosine_distance.npy", cosine);
    ctx.artifacts["chem.tanimoto_distance"] = tanimoto;
    ctx.artifacts["chem.descriptor_cosine_distance"] = cosine;
    ctx.artifacts["chem.moa_of"] = moa_of;
#ifdef C2S_HAVE_PLOT
    draw(tanimoto, moas, "Tanimoto distance, Morgan r=2, 2048 bits (BBBC021 compounds by MoA)",
         out / "tanimoto_distance", ctx);
    draw(cosine, moas, "Cosine distance of min-max scaled RDKit descriptors (by MoA)",
         out / "descriptor_cosine_distance", ctx);
#endif
    ctx.report.push_back("");
    ctx.log << "chem: " << set.size() << " compounds, " << set.failures.size() << " without SMILES, "
            << scaled.names.size() << " descriptors kept\n";
}

const c2s::examples::RegisterStage reg{
    {20, "chem", "Morgan fingerprints, RDKit descriptors, Tanimoto/cosine distance matrices and heatmaps", run}};

}  // namespace

#endif  // C2S_HAVE_CHEM
