// Stage "vision": synthetic BBBC021-like plates (no images can be downloaded here) embedded with
// Inception V3 (user weights from $C2S_INCEPTION_WEIGHTS, else a seeded initialisation). Writes
// vision/embeddings.npy + vision/embeddings_metadata.csv and records them in
// ctx.artifacts["vision.embeddings"] as std::map<std::string, std::filesystem::path> with keys
// "npy", "metadata" and "images" (the synthetic plate folder).
#ifdef C2S_HAVE_VISION

#include <chrono>
#include <cstdlib>
#include <map>
#include <set>

#include "c2s/data/bbbc021.hpp"
#include "c2s/vision/embed.hpp"
#include "c2s/vision/inception.hpp"
#include "c2s/vision/synth.hpp"
#include "stage.hpp"

namespace {

namespace cv = c2s::vision;
namespace bb = c2s::data::bbbc021;

void run(c2s::examples::StageContext& ctx) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto out = ctx.out_dir / "vision";
    const int threads = c2s::resolve_num_threads(ctx.num_threads);
    torch::set_num_threads(threads);
    cv::SynthOptions so;
    so.weeks = 3;
    so.plates_per_week = 1;
    so.sites_per_well = ctx.quick ? 1 : 2;
    so.dmso_wells = ctx.quick ? 1 : 2;
    so.width = ctx.quick ? 320 : 640;
    so.height = ctx.quick ? 256 : 512;
    so.pixel_scale = 0.5;
    so.num_threads = threads;
    if (ctx.quick) {  // one compound per MoA
        std::vector<cv::SynthTreatment> one;
        std::set<std::string> seen;
        for (const auto& t : cv::default_synth_treatments())
            if (seen.insert(t.moa).second) one.push_back(t);
        so.treatments = one;
    }
    std::map<std::string, std::string> smiles;
    if (std::filesystem::exists(ctx.data_dir / "BBBC021_v1_compound.csv")) {
        const auto doc = c2s::io::read_csv(ctx.data_dir / "BBBC021_v1_compound.csv");
        for (const auto& r : doc.rows) smiles[r[doc.column("compound")]] = r[doc.column("smiles")];
        so.smiles_of = [&smiles](const std::string& c) { return smiles.count(c) ? smiles.at(c) : std::string(); };
    }
    const auto plates = cv::generate_synthetic_plates(out / "synthetic_plates", so);
    const auto images = bb::load(plates.root, bb::MoaJoin::compound).images;

    cv::InceptionV3 model(cv::InceptionV3Options{1000, true});
    std::string weights_note;
    if (const char* w = std::getenv("C2S_INCEPTION_WEIGHTS")) {
        cv::load_npy_weights(*model, w);
        weights_note = c2s::concat("torchvision weights from `", w, "`");
    } else {
        cv::init_seeded(*model, 2024);
        weights_note = "seeded initialisation (seed 2024; set C2S_INCEPTION_WEIGHTS to a weight folder for ImageNet features)";
    }
    cv::InputOptions in;
    in.size = ctx.quick ? 160 : 299;
    cv::ImageDataset ds(images, plates.root, {}, cv::make_input_transform(in));
    cv::InceptionBackbone backbone(model);
    cv::EmbedOptions eo;
    eo.batch_size = 8;
    eo.num_threads = threads;
    const auto e = cv::embed(backbone, ds, eo);
    const auto [npy, csv] = cv::write_embeddings(out / "embeddings", e, ds);
    ctx.artifacts["vision.embeddings"] =
        std::map<std::string, std::filesystem::path>{{"npy", npy}, {"metadata", csv}, {"images", plates.root}};
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!std::getenv("OMP_WAIT_POLICY"))
        ctx.log << "vision: OMP_WAIT_POLICY is unset; on a shared machine OMP_WAIT_POLICY=PASSIVE makes LibTorch's CPU "
                   "forward pass several times faster (docs/vision.md)\n";
    ctx.log << "vision: " << plates.images << " synthetic fields (" << plates.plates << " plates, " << so.width << "x"
            << so.height << ") embedded to " << e.values.size(0) << " x " << e.values.size(1) << " in " << secs << " s\n";
    ctx.report.push_back("## Vision\n");
    ctx.report.push_back(c2s::concat("- ", plates.images, " synthetic 16-bit fields (", so.width, "x", so.height, ", ",
                                     plates.plates, " plates in ", so.weeks, " weeks, ", so.treatments.size(),
                                     " treatments incl. DMSO) under `vision/synthetic_plates`"));
    ctx.report.push_back(c2s::concat("- Inception V3 (", weights_note, "), layer `", e.layer, "`, input ", in.size, "x",
                                     in.size, ": embeddings ", e.values.size(0), " x ", e.values.size(1),
                                     " in `vision/embeddings.npy` + `vision/embeddings_metadata.csv`"));
    ctx.report.push_back("");
}

const c2s::examples::RegisterStage reg{{40, "vision", "synthetic plates embedded with Inception V3", run}};

}  // namespace

#endif  // C2S_HAVE_VISION
