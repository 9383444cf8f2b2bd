// c2s images synth / c2s embed / c2s activations: the image half of the study (c2s::vision).
#ifdef C2S_HAVE_VISION

#include <functional>
#include <iostream>
#include <memory>

#include "c2s/data/bbbc021.hpp"
#include "c2s/vision/activations.hpp"
#include "c2s/vision/backbone.hpp"
#include "c2s/vision/embed.hpp"
#include "c2s/vision/inception.hpp"
#include "c2s/vision/omp_env.hpp"
#include "c2s/vision/synth.hpp"
#ifdef C2S_HAVE_PLOT
#include "c2s/vision/activation_png.hpp"
#endif
#include "cli.hpp"

namespace {

namespace cv = c2s::vision;
namespace bb = c2s::data::bbbc021;

int threads_of(const c2s::cli::Args& args) { return c2s::resolve_num_threads(static_cast<int>(args.integer("threads", 0))); }

bb::MoaJoin join_of(const c2s::cli::Args& args) {
    try {
        return bb::parse_moa_join(args.get("join", "compound"));
    } catch (const std::invalid_argument& e) {
        throw c2s::cli::usage_error(e.what());
    }
}

cv::InceptionV3 make_inception(const c2s::cli::Args& args) {
    const long classes = args.integer("classes", 1000);
    if (classes < 1) throw c2s::cli::usage_error("--classes must be >= 1");
    cv::InceptionV3 model(cv::InceptionV3Options{classes, !args.flag("no-aux"), args.flag("transform-input")});
    if (auto w = args.get("weights")) {
        cv::WeightLoadOptions lo;
        lo.skip_prefixes = args.list("skip");
        const auto r = cv::load_npy_weights(*model, *w, lo);
        std::cerr << "loaded " << r.loaded << " tensors from " << *w << "\n";
    } else {
        cv::init_seeded(*model, static_cast<std::uint64_t>(args.integer("seed", 1)));
        std::cerr << "no --weights: seeded initialisation (seed " << args.integer("seed", 1) << ")\n";
    }
    model->eval();
    return model;
}

const std::vector<std::string> model_options{"weights", "torchscript", "layer", "classes", "seed", "skip", "size"};
const std::vector<std::string> model_flags{"no-aux", "transform-input"};
const char* model_help =
    "model:  --weights DIR        torchvision Inception V3 weights, one .npy per state_dict key (docs/vision.md)\n"
    "        --classes N          number of classes of those weights (default 1000)   --no-aux: no AuxLogits head\n"
    "        --skip PREFIX,...    state-dict prefixes not to load (e.g. fc.,AuxLogits.)  --transform-input\n"
    "        --torchscript FILE   any TorchScript model instead (e.g. DINOv2 traced by you)\n"
    "        --layer NAME         layer to read (Inception default avgpool = 2048-d; TorchScript: method,\n"
    "                             output-dict key or top-level child); --seed N for the seeded init\n"
    "        --size N             square input side (default 299; ViT-S/14: 224)\n";

/// A command that builds a model (embed, activations): its usage is followed by the model options'
/// help, and the model options and flags are accepted besides its own.
c2s::cli::Command model_command(std::string name, std::string summary, const char* usage, std::vector<std::string> options,
                                std::vector<std::string> flags, std::function<int(const c2s::cli::Args&)> run) {
    options.insert(options.begin(), model_options.begin(), model_options.end());
    flags.insert(flags.end(), model_flags.begin(), model_flags.end());
    return {std::move(name), std::move(summary), std::string(usage) + model_help, std::move(options), std::move(flags),
            std::move(run)};
}

cv::BitMode mode_of(const c2s::cli::Args& args) {
    try {
        return cv::parse_bit_mode(args.get("mode", "16"));
    } catch (const std::invalid_argument& e) {
        throw c2s::cli::usage_error(e.what());
    }
}

/// --out of a figure, whose extension must name a format (.png, .svg, .pdf).
std::string figure_out(const c2s::cli::Args& args) {
    const std::string out = args.required("out");
#ifdef C2S_HAVE_PLOT
    try {
        (void)c2s::plot::format_of(out);
    } catch (const std::invalid_argument&) {
        throw c2s::cli::usage_error("--out '" + out + "' must end in .png, .svg or .pdf");
    }
#endif
    return out;
}

const c2s::cli::Register synth{{
    "images synth",
    "write synthetic BBBC021-like plates (16-bit TIFFs, BBBC021 layout and index CSVs)",
    "usage: c2s images synth --out DIR [--weeks 3] [--plates-per-week 1] [--sites 2] [--dmso-wells 2]\n"
    "                        [--width 1280] [--height 1024] [--scale 1] [--batch-effect 1] [--seed 1]\n"
    "                        [--threads N] [--data DIR]\n\n"
    "Two real compounds per MoA (12 MoAs) plus DMSO; cell density and nucleus/cytoskeleton shape depend\n"
    "on the MoA; each plate has its own intensity gain and background drift (a batch effect).\n"
    "SMILES are copied from the BBBC021 compound table in --data (default: the bundled one).\n",
    {"out", "weeks", "plates-per-week", "sites", "dmso-wells", "width", "height", "scale", "batch-effect", "seed",
     "threads", "data"},
    {},
    [](const c2s::cli::Args& args) {
        args.expect_positional(0);
        cv::SynthOptions o;
        o.weeks = static_cast<int>(args.integer("weeks", 3));
        o.plates_per_week = static_cast<int>(args.integer("plates-per-week", 1));
        o.sites_per_well = static_cast<int>(args.integer("sites", 2));
        o.dmso_wells = static_cast<int>(args.integer("dmso-wells", 2));
        o.width = static_cast<std::uint32_t>(args.integer("width", 1280));
        o.height = static_cast<std::uint32_t>(args.integer("height", 1024));
        o.pixel_scale = args.number("scale", 1.0);
        o.batch_effect = args.number("batch-effect", 1.0);
        o.seed = static_cast<std::uint64_t>(args.integer("seed", 1));
        o.num_threads = threads_of(args);
        std::map<std::string, std::string> smiles;
        const auto data = std::filesystem::path(args.get("data", c2s::cli::default_bbbc021_folder().string()));
        if (std::filesystem::exists(data / "BBBC021_v1_compound.csv")) {
            const auto doc = c2s::io::read_csv(data / "BBBC021_v1_compound.csv");
            for (const auto& r : doc.rows) smiles[r[doc.column("compound")]] = r[doc.column("smiles")];
            o.smiles_of = [&smiles](const std::string& c) { return smiles.count(c) ? smiles.at(c) : std::string(); };
        }
        const auto res = cv::generate_synthetic_plates(args.required("out"), o);
        std::cerr << "wrote " << res.images << " fields (" << res.plates << " plates) under " << res.root.string() << "\n";
        return 0;
    }}};

const c2s::cli::Register embed{model_command(
    "embed",
    "embed every image of a BBBC021 image table with Inception V3 or a TorchScript model (.npy + metadata CSV)",
    "usage: c2s embed --images DIR --out STEM [--image-root DIR] [--join compound|compound+concentration]\n"
    "                 [--annotated-only] [--limit N] [--batch 16] [--threads N] [--mode 16|8] [model options]\n\n"
    "DIR holds BBBC021_v1_{image,compound,moa}.csv (real or from `c2s images synth`); channel files are\n"
    "relative to --image-root (default DIR). Writes STEM.npy ([N, D] float32) and STEM_metadata.csv.\n"
    "Images: per-image 0.1/99.9 percentile scaling, antialiased resize, ImageNet normalisation.\n"
    "Runs with OMP_WAIT_POLICY=PASSIVE (restarts itself once) unless OMP_WAIT_POLICY or\n"
    "C2S_KEEP_OMP_WAIT_POLICY is set: LibTorch's idle OpenMP threads sleep instead of spinning.\n",
    {"images", "image-root", "out", "join", "limit", "batch", "threads", "mode"},
    {"annotated-only"},
    [](const c2s::cli::Args& args) {
        args.expect_positional(0);
        cv::reexec_with_passive_omp_wait();  // idle OpenMP workers sleep (see c2s/vision/omp_env.hpp)
        const std::filesystem::path dir = args.required("images");
        const std::string out = args.required("out");
        cv::ImageOptions io;
        io.mode = mode_of(args);
        const std::filesystem::path root = args.get("image-root", dir.string());
        auto images = bb::load(dir, join_of(args)).images;
        if (args.flag("annotated-only"))
            std::erase_if(images, [](const bb::Image& im) { return im.moa.empty(); });
        if (const long limit = args.integer("limit", 0); limit > 0 && static_cast<std::size_t>(limit) < images.size())
            images.resize(static_cast<std::size_t>(limit));
        const int threads = threads_of(args);
        torch::set_num_threads(threads);
        cv::InputOptions in;
        in.size = args.integer("size", 299);
        cv::ImageDataset ds(images, root, io, cv::make_input_transform(in));
        std::unique_ptr<cv::Backbone> backbone;
        if (auto ts = args.get("torchscript")) backbone = std::make_unique<cv::TorchScriptBackbone>(*ts);
        else backbone = std::make_unique<cv::InceptionBackbone>(make_inception(args));
        cv::EmbedOptions eo;
        eo.layer = args.get("layer", "");
        eo.batch_size = static_cast<std::size_t>(args.integer("batch", 16));
        eo.num_threads = threads;
        c2s::Progress progress([](std::size_t done, std::size_t total, std::string_view what) {
            std::cerr << "\r" << done << " / " << total << " " << what << std::flush;
        });
        eo.progress = &progress;
        const auto e = cv::embed(*backbone, ds, eo);
        std::cerr << "\n";
        const auto [npy, csv] = cv::write_embeddings(out, e, ds);
        std::cerr << "wrote " << e.values.size(0) << " x " << e.values.size(1) << " embeddings (" << backbone->describe()
                  << ", layer " << e.layer << ") to " << npy.string() << " and " << csv.string() << "\n";
        return 0;
    })};

const c2s::cli::Register activations{model_command(
    "activations",
    "mean-activation map or Grad-CAM of one image over the image, as PNG/SVG/PDF (Figure 3 of the study)",
    "usage: c2s activations --images DIR --row N --out FILE.png [--image-root DIR] [--layer Mixed_7c]\n"
    "                       [--gradcam [--class K]] [--mode 16|8] [model options, Inception only]\n\n"
    "Without --gradcam: the mean over channels of --layer's activation, upsampled and overlaid.\n"
    "With --gradcam: Grad-CAM for --class (default: the predicted class). Row N of the image table.\n",
    {"images", "image-root", "out", "row", "class", "join", "mode", "threads"},
    {"gradcam"},
    [](const c2s::cli::Args& args) -> int {
        args.expect_positional(0);
#ifndef C2S_HAVE_PLOT
        std::cerr << "c2s activations: this build has no c2s::plot (cairo), so no figures can be drawn\n";
        return 1;
#else
        if (args.get("torchscript")) throw c2s::cli::usage_error("activations work with the C++ Inception V3 only");
        const std::filesystem::path dir = args.required("images");
        const std::string out = figure_out(args);
        cv::ImageOptions io;
        io.mode = mode_of(args);
        torch::set_num_threads(threads_of(args));
        const std::filesystem::path root = args.get("image-root", dir.string());
        const auto images = bb::load(dir, join_of(args)).images;
        const long row = args.integer("row", 0);
        if (row < 0 || static_cast<std::size_t>(row) >= images.size())
            throw c2s::cli::usage_error(c2s::concat("--row ", row, " is outside the table's ", images.size(), " rows"));
        const auto size = args.integer("size", 299);
        const auto raw = cv::load_image(root, images[static_cast<std::size_t>(row)], static_cast<std::size_t>(row), io);
        const auto shown = cv::resize(cv::scale_intensity(raw, {}), size, size);
        const auto input = cv::normalize_imagenet(shown);
        auto model = make_inception(args);
        const std::string layer = args.get("layer", "Mixed_7c");
        const auto& im = images[static_cast<std::size_t>(row)];
        const std::string where = im.plate + " " + im.well + " s" + std::to_string(im.site) + " (" + im.compound + ")";
        cv::ActivationMap m;
        std::string title;
        if (args.flag("gradcam")) {
            std::optional<std::int64_t> k;
            if (args.get("class")) k = args.integer("class", 0);
            m = cv::grad_cam(model, input, k, layer);
            title = c2s::concat("Grad-CAM class ", m.target_class, ", ", layer, ": ", where);
        } else {
            m = cv::activation_map(model, input, layer);
            title = c2s::concat("mean activation ", layer, ": ", where);
        }
        cv::save_activation_figure(out, shown, m.raw, {.title = title});
        std::cerr << "wrote " << out << "\n";
        return 0;
#endif
    })};

}  // namespace

#endif  // C2S_HAVE_VISION
