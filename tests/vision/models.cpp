// Tests of c2s::vision models: Inception V3 parity with torchvision (deterministic weights, see
// scripts/fixtures/vision/make_fixtures.py), weight loading, TorchScript backbones and embeddings.

#include <cmath>
#include <filesystem>

#include "c2s/data/bbbc021.hpp"
#include "c2s/io/csv.hpp"
#include "c2s/io/npy.hpp"
#include "c2s/vision/activations.hpp"
#include "c2s/vision/backbone.hpp"
#ifdef C2S_HAVE_PLOT
#include "c2s/plot/figure.hpp"
#include "c2s/vision/activation_png.hpp"
#endif
#include "c2s/vision/embed.hpp"
#include "c2s/vision/inception.hpp"
#include "c2s/vision/synth.hpp"
#include "test_support.hpp"

namespace cv = c2s::vision;
namespace bb = c2s::data::bbbc021;
using c2s::test::fixture;
using c2s::test::TempDir;

namespace {

torch::Tensor npy_tensor(const std::filesystem::path& p) {
    auto a = c2s::io::read_npy<float>(p);
    std::vector<std::int64_t> shape(a.shape.begin(), a.shape.end());
    return torch::from_blob(a.data.data(), shape, torch::kFloat32).clone();
}

// The weight formula of make_fixtures.py: s_i = sin(STEP * i + phase(name)) in float64.
constexpr double kStep = 0.7071067811865476;
constexpr double kTwoPi = 6.283185307179586;

double phase_of(const std::string& name) {
    long h = 0;
    for (std::size_t j = 0; j < name.size(); ++j) h = (h + static_cast<long>(j + 1) * static_cast<unsigned char>(name[j])) % 1000;
    return static_cast<double>(h) * 0.001 * kTwoPi;
}

void fill_formula(torch::nn::Module& m) {
    torch::NoGradGuard no_grad;
    auto fill = [](const std::string& name, torch::Tensor& t) {
        if (name.ends_with("num_batches_tracked")) {
            t.zero_();
            return;
        }
        const auto n = t.numel();
        std::vector<double> v(static_cast<std::size_t>(n));
        const double ph = phase_of(name);
        double a = 0, b = 0;
        if (name.ends_with("bn.weight")) { a = 0.2; b = 1.0; }
        else if (name.ends_with("bn.bias") || name.ends_with("running_mean")) { a = 0.1; }
        else if (name.ends_with("running_var")) { a = 0.25; b = 1.25; }
        else if (name.ends_with("fc.bias")) { a = 0.1; }
        else if (name.ends_with("fc.weight")) { a = std::sqrt(2.0 / static_cast<double>(t.size(1))); }
        else if (name.ends_with("conv.weight")) { a = 2.0 / std::sqrt(static_cast<double>(n / t.size(0))); }
        else FAIL("no formula for " << name);
        for (std::int64_t i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = b + a * std::sin(kStep * static_cast<double>(i) + ph);
        t.copy_(torch::from_blob(v.data(), t.sizes(), torch::kFloat64));
    };
    for (auto& p : m.named_parameters()) fill(p.key(), p.value());
    for (auto& p : m.named_buffers()) fill(p.key(), p.value());
}

torch::Tensor formula_input(std::int64_t n, std::int64_t c, std::int64_t h, std::int64_t w) {
    auto i = torch::arange(n * c * h * w, torch::kFloat64);
    return (torch::sin(0.013 * i) * torch::cos(0.0007 * i + 0.3)).view({n, c, h, w}).to(torch::kFloat32);
}

}  // namespace

TEST_CASE("inception: parameter counts and state-dict names as torchvision") {
    const auto counts = c2s::io::read_csv(fixture("vision/inception_counts.csv"));
    REQUIRE(counts.num_rows() == 2);
    cv::InceptionV3 with_aux, without_aux(cv::InceptionV3Options{1000, false});
    CHECK(cv::count_parameters(*with_aux) == static_cast<std::int64_t>(std::stod(counts.rows[0][1])));
    CHECK(cv::count_parameters(*without_aux) == static_cast<std::int64_t>(std::stod(counts.rows[1][1])));
    CHECK(cv::count_parameters(*with_aux) == 27161264);
    CHECK(cv::count_parameters(*without_aux) == 23834568);
    const auto params = with_aux->named_parameters();
    CHECK(params.contains("Conv2d_1a_3x3.conv.weight"));
    CHECK(params.contains("Mixed_7c.branch3x3dbl_3b.bn.bias"));
    CHECK(params.contains("AuxLogits.conv1.conv.weight"));
    CHECK(params.contains("fc.weight"));
    CHECK(!params.contains("Conv2d_1a_3x3.conv.bias"));
    CHECK(with_aux->Conv2d_1a_3x3->bn->options.eps() == 0.001);
    cv::InceptionV3 twelve(cv::InceptionV3Options{12});
    CHECK(twelve->fc->weight.size(0) == 12);
    CHECK(twelve->AuxLogits->fc->weight.size(0) == 12);
    C2S_CHECK_THROWS_WITH_SUBSTR(cv::InceptionV3(cv::InceptionV3Options{0}), std::invalid_argument, "'num_classes' is 0");
}

TEST_CASE("inception: logits and pooled embeddings match torchvision (eval mode, 1e-4)") {
    torch::manual_seed(0);
    struct Case { const char* tag; std::int64_t classes; bool transform; std::int64_t size; };
    for (const Case c : {Case{"a", 1000, false, 299}, Case{"b", 12, true, 160}}) {
        CAPTURE(c.tag);
        cv::InceptionV3 m(cv::InceptionV3Options{c.classes, true, c.transform});
        fill_formula(*m);
        m->eval();
        torch::NoGradGuard no_grad;
        const auto x = formula_input(2, 3, c.size, c.size);
        const auto out = m->run(x);
        const auto logits = npy_tensor(fixture(std::string("vision/inception_") + c.tag + "_logits.npy"));
        const auto pooled = npy_tensor(fixture(std::string("vision/inception_") + c.tag + "_pooled.npy"));
        REQUIRE(out.logits.sizes() == logits.sizes());
        REQUIRE(out.pooled.sizes() == pooled.sizes());
        CHECK(pooled.size(1) == 2048);
        const double dl = (out.logits - logits).abs().max().item<double>();
        const double dp = (out.pooled - pooled).abs().max().item<double>();
        MESSAGE("max |logits diff| = " << dl << ", max |pooled diff| = " << dp);
        CHECK(dl < 1e-4);
        CHECK(dp < 1e-4);
        CHECK(!out.aux_logits.defined());  // eval mode: no aux head output
        // the layer API gives the same embedding and logits
        CHECK((m->features(x) - pooled).abs().max().item<double>() < 1e-4);
        CHECK((m->forward(x) - logits).abs().max().item<double>() < 1e-4);
        if (c.size == 160) CHECK(m->features(x, "Mixed_6e").sizes() == torch::IntArrayRef({2, 768, 8, 8}));
        if (c.size == 299) {  // the aux head needs 17x17 Mixed_6e maps (299x299 input)
            m->train();
            auto tr = m->run(x);
            CHECK(tr.aux_logits.sizes() == torch::IntArrayRef({2, c.classes}));
        }
    }
    cv::InceptionV3 m;
    C2S_CHECK_THROWS_WITH_SUBSTR(m->features(torch::zeros({1, 3, 80, 80}), "Mixed_9z"), std::invalid_argument,
                                 "'layer' is 'Mixed_9z'; known layers: Conv2d_1a_3x3");
    C2S_CHECK_THROWS_WITH_SUBSTR(m->run(torch::zeros({1, 3, 60, 299})), std::invalid_argument, "needs at least 75x75");
}

TEST_CASE("inception: loading exported torchvision weights (.npy per state-dict entry)") {
    cv::InceptionV3 m;
    cv::WeightLoadOptions o;
    o.require_all = false;
    const auto r = cv::load_npy_weights(*m, fixture("vision/inception_stem"), o);
    CHECK(r.loaded == 12);
    CHECK(!r.missing.empty());
    m->eval();
    torch::NoGradGuard no_grad;
    const auto x = npy_tensor(fixture("vision/inception_stem_input.npy"));
    const auto expected = npy_tensor(fixture("vision/inception_stem_output.npy"));
    const auto y = m->Conv2d_2a_3x3(m->Conv2d_1a_3x3(x));
    REQUIRE(y.sizes() == expected.sizes());
    CHECK((y - expected).abs().max().item<double>() < 1e-5);
    // errors
    C2S_CHECK_THROWS_WITH_SUBSTR(cv::load_npy_weights(*m, fixture("vision/inception_stem")), std::runtime_error,
                                 "has no file for 'Conv2d_2b_3x3.conv.weight'");
    C2S_CHECK_THROWS_WITH_SUBSTR(cv::load_npy_weights(*m, fixture("vision/no_such_folder")), std::runtime_error,
                                 "no_such_folder' does not exist");
    TempDir dir;
    std::filesystem::copy(fixture("vision/inception_stem"), dir.path());
    c2s::io::write_npy<float>(dir / "Conv2d_1a_3x3.bn.weight.npy", std::vector<float>(5, 1.f), {5});
    C2S_CHECK_THROWS_WITH_SUBSTR(cv::load_npy_weights(*m, dir.path(), o), std::runtime_error,
                                 "Conv2d_1a_3x3.bn.weight.npy' has shape [5] but 'Conv2d_1a_3x3.bn.weight' of the model has shape [32]");
    std::filesystem::remove(dir / "Conv2d_1a_3x3.bn.weight.npy");
    std::filesystem::copy_file(fixture("vision/inception_stem/Conv2d_1a_3x3.bn.bias.npy"), dir / "Extra.head.bias.npy");
    C2S_CHECK_THROWS_WITH_SUBSTR(cv::load_npy_weights(*m, dir.path(), o), std::runtime_error,
                                 "names no entry of the model ('Extra.head.bias')");
}

TEST_CASE("TorchScript backbone: forward, exported method and child layers match PyTorch") {
    cv::TorchScriptBackbone b(fixture("vision/tiny_script.pt"));
    const auto x = npy_tensor(fixture("vision/tiny_input.npy"));
    const auto fwd = npy_tensor(fixture("vision/tiny_forward.npy"));
    const auto emb = npy_tensor(fixture("vision/tiny_embed.npy"));
    CHECK((b.features(x, "") - fwd).abs().max().item<double>() < 1e-4);
    CHECK((b.features(x, "embed") - emb).abs().max().item<double>() < 1e-4);
    CHECK((b.features(x, "features") - emb).abs().max().item<double>() < 1e-4);
    CHECK((b.features(x, "head") - fwd).abs().max().item<double>() < 1e-4);
    C2S_CHECK_THROWS_WITH_SUBSTR(b.features(x, "blocks.11"), std::invalid_argument,
                                 "'layer' is 'blocks.11' but");
    C2S_CHECK_THROWS_WITH_SUBSTR(b.features(x, "blocks.11"), std::invalid_argument, "children: features, head");
    C2S_CHECK_THROWS_WITH_SUBSTR(cv::TorchScriptBackbone(fixture("vision/resize_input.npy")), std::runtime_error,
                                 "as a TorchScript model");
    C2S_CHECK_THROWS_WITH_SUBSTR(cv::TorchScriptBackbone("/nonexistent/model.pt"), std::runtime_error,
                                 "model file '/nonexistent/model.pt' does not exist");
}

TEST_CASE("embed: a synthetic image table to .npy + row-aligned metadata") {
    TempDir dir;
    cv::SynthOptions so;
    so.weeks = 1;
    so.sites_per_well = 2;
    so.dmso_wells = 1;
    so.width = 96;
    so.height = 80;
    so.pixel_scale = 0.4;
    so.treatments = {{"taxol", 1, "Microtubule stabilizers"}, {"DMSO", 0, "DMSO"}};
    cv::generate_synthetic_plates(dir / "plates", so);
    const auto images = bb::load(dir / "plates", bb::MoaJoin::compound).images;
    cv::ImageDataset ds(images, dir / "plates", {}, cv::make_input_transform({.size = 96}));
    cv::TorchScriptBackbone tiny(fixture("vision/tiny_script.pt"), "embed");
    cv::EmbedOptions eo;
    eo.batch_size = 3;
    eo.num_threads = 2;
    const auto e = cv::embed(tiny, ds, eo);
    REQUIRE(e.values.sizes() == torch::IntArrayRef({4, 16}));
    CHECK(e.rows == std::vector<std::size_t>{0, 1, 2, 3});
    // row i equals the backbone on image i alone
    for (std::size_t i = 0; i < 4; ++i) {
        auto single = tiny.features(ds.get(i).image.unsqueeze(0), "embed");
        CHECK((single[0] - e.values[static_cast<std::int64_t>(i)]).abs().max().item<double>() < 1e-5);
    }
    const auto [npy, csv] = cv::write_embeddings(dir / "out" / "emb", e, ds);
    const auto arr = c2s::io::read_npy<float>(npy);
    CHECK(arr.shape == std::vector<std::size_t>{4, 16});
    CHECK(arr.data[16 + 3] == doctest::Approx(e.values[1][3].item<float>()));
    const auto meta = c2s::io::read_csv(csv);
    REQUIRE(meta.num_rows() == 4);
    CHECK(meta.rows[2][meta.column("Metadata_Well")] == images[2].well);
    CHECK(meta.rows[2][meta.column("Metadata_MoA")] == images[2].moa);
    CHECK(meta.rows[2][meta.column("Metadata_Plate")] == images[2].plate);
    // Inception on the same table (seeded init), a feature-map layer is pooled over space
    cv::InceptionV3 m(cv::InceptionV3Options{12});
    cv::init_seeded(*m, 42);
    cv::InceptionBackbone ib(m);
    cv::EmbedOptions eo2;
    eo2.batch_size = 4;
    eo2.layer = "Mixed_5d";
    const auto e2 = cv::embed(ib, ds, eo2);
    CHECK(e2.values.sizes() == torch::IntArrayRef({4, 288}));
    CHECK(torch::isfinite(e2.values).all().item<bool>());
    CHECK(e2.values.std().item<double>() > 0);
}

TEST_CASE("activation maps and Grad-CAM") {
    TempDir dir;
    cv::SynthOptions so;
    so.weeks = 1;
    so.sites_per_well = 1;
    so.dmso_wells = 0;
    so.width = 200;
    so.height = 160;
    so.pixel_scale = 0.6;
    so.treatments = {{"AZ138", 1, "Eg5 inhibitors"}};
    cv::generate_synthetic_plates(dir / "plates", so);
    const auto images = bb::load(dir / "plates", bb::MoaJoin::compound).images;
    const auto raw = cv::load_image(dir / "plates", images[0], 0);
    const auto shown = cv::resize(cv::scale_intensity(raw, {}), 160, 160);
    const auto input = cv::normalize_imagenet(shown);
    cv::InceptionV3 m(cv::InceptionV3Options{5});
    cv::init_seeded(*m, 7);
    const auto am = cv::activation_map(m, input, "Mixed_6e");
    CHECK(am.raw.sizes() == torch::IntArrayRef({8, 8}));
    CHECK(am.map.sizes() == torch::IntArrayRef({160, 160}));
    CHECK(am.map.min().item<float>() == 0.f);
    CHECK(am.map.max().item<float>() == doctest::Approx(1.0));
    {  // the raw map is the channel mean of the layer
        torch::NoGradGuard ng;
        CHECK((am.raw - m->features(input.unsqueeze(0), "Mixed_6e")[0].mean(0)).abs().max().item<double>() < 1e-5);
    }
    // Grad-CAM on the last block equals CAM (Zhou et al. 2016) up to 1/(h w): logits are fc(mean(A))
    const auto gc = cv::grad_cam(m, input, 3, "Mixed_7c");
    CHECK(gc.target_class == 3);
    {
        torch::NoGradGuard ng;
        const auto a = m->features(input.unsqueeze(0), "Mixed_7c")[0];  // [2048, h, w]
        const auto w = m->fc->weight[3].view({-1, 1, 1});
        const auto cam = torch::relu((w * a).sum(0)) / static_cast<double>(a.size(1) * a.size(2));
        CHECK((gc.raw - cam).abs().max().item<double>() < 1e-5 * (1 + cam.abs().max().item<double>()));
    }
    CHECK(gc.map.sizes() == torch::IntArrayRef({160, 160}));
    C2S_CHECK_THROWS_WITH_SUBSTR(cv::grad_cam(m, input, 9), std::invalid_argument, "'target_class' is 9 but the model has 5 classes");
    C2S_CHECK_THROWS_WITH_SUBSTR(cv::activation_map(m, input, "avgpool"), std::invalid_argument, "choose a feature-map layer");
#ifdef C2S_HAVE_PLOT
    cv::save_activation_figure(dir / "act.png", shown, am.raw, {.title = "mean activation, Mixed_6e"});
    cv::save_activation_figure(dir / "gradcam.png", shown, gc.raw, {.title = "Grad-CAM, class 3"});
    const auto png = c2s::plot::read_png(dir / "gradcam.png");
    CHECK(png.width > 160);
    if (const char* keep = std::getenv("C2S_VISION_KEEP_FIGURES")) {
        std::filesystem::copy_file(dir / "act.png", std::filesystem::path(keep) / "activation_map.png",
                                   std::filesystem::copy_options::overwrite_existing);
        std::filesystem::copy_file(dir / "gradcam.png", std::filesystem::path(keep) / "grad_cam.png",
                                   std::filesystem::copy_options::overwrite_existing);
    }
#endif
}
