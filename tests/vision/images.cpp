// Tests of c2s::vision image I/O, transforms (vs torchvision fixtures), dataset/loader and the
// synthetic plate generator.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "c2s/data/bbbc021.hpp"
#include "c2s/io/npy.hpp"
#include "c2s/vision/dataset.hpp"
#include "c2s/vision/images.hpp"
#include "c2s/vision/synth.hpp"
#include "c2s/vision/tiff.hpp"
#include "c2s/vision/transforms.hpp"
#include "test_support.hpp"

namespace cv = c2s::vision;
namespace bb = c2s::data::bbbc021;
using c2s::test::fixture;
using c2s::test::TempDir;

namespace {

torch::Tensor load_npy_tensor(const std::filesystem::path& p) {
    auto a = c2s::io::read_npy<float>(p);
    std::vector<std::int64_t> shape(a.shape.begin(), a.shape.end());
    return torch::from_blob(a.data.data(), shape, torch::kFloat32).clone();
}

std::vector<std::uint16_t> ramp(std::uint32_t w, std::uint32_t h, std::uint16_t scale) {
    std::vector<std::uint16_t> px(static_cast<std::size_t>(w) * h);
    for (std::size_t i = 0; i < px.size(); ++i) px[i] = static_cast<std::uint16_t>((i * scale) % 65536);
    return px;
}

bb::Image make_row(const std::string& dapi, const std::string& tub, const std::string& act) {
    bb::Image im;
    im.image_number = 7;
    im.plate = "Week1_22123";
    im.well = "B02";
    im.site = 3;
    im.files[0] = dapi;
    im.files[1] = tub;
    im.files[2] = act;
    return im;
}

}  // namespace

TEST_CASE("tiff: 16-bit and 8-bit round trip") {
    TempDir dir;
    auto px16 = ramp(40, 30, 977);
    cv::write_tiff(dir / "a16.tif", px16, 40, 30, 16);
    auto g = cv::read_tiff(dir / "a16.tif");
    CHECK(g.width == 40);
    CHECK(g.height == 30);
    CHECK(g.bits == 16);
    CHECK(g.pixels == px16);
    std::vector<std::uint16_t> px8(40 * 30);
    for (std::size_t i = 0; i < px8.size(); ++i) px8[i] = static_cast<std::uint16_t>(i % 256);
    cv::write_tiff(dir / "a8.tif", px8, 40, 30, 8);
    auto g8 = cv::read_tiff(dir / "a8.tif");
    CHECK(g8.bits == 8);
    CHECK(g8.pixels == px8);
    CHECK(c2s::test::count_files(dir.path()) == 2);  // no temporaries left
    C2S_CHECK_THROWS_WITH_SUBSTR(cv::write_tiff(dir / "bad.tif", px16, 40, 30, 8), std::invalid_argument,
                                 "too large for 8 bits");
    CHECK(!std::filesystem::exists(dir / "bad.tif"));
}

TEST_CASE("tiff: bad files name the file and the problem") {
    TempDir dir;
    C2S_CHECK_THROWS_WITH_SUBSTR(cv::read_tiff(dir / "missing.tif"), std::runtime_error, "missing.tif' does not exist");
    c2s::test::write_text(dir / "text.tif", "this is not a tiff");
    C2S_CHECK_THROWS_WITH_SUBSTR(cv::read_tiff(dir / "text.tif"), std::runtime_error, "cannot read '");
    // truncated: keep the header and half of the pixel data
    auto px = ramp(64, 64, 331);
    cv::write_tiff(dir / "full.tif", px, 64, 64, 16);
    const auto size = std::filesystem::file_size(dir / "full.tif");
    std::filesystem::copy_file(dir / "full.tif", dir / "cut.tif");
    std::filesystem::resize_file(dir / "cut.tif", size / 2);
    C2S_CHECK_THROWS_WITH_SUBSTR(cv::read_tiff(dir / "cut.tif"), std::runtime_error, "cut.tif' is truncated or corrupt");
    // wrong bit depth: a 32-bit float TIFF written with libtiff directly
    {
        TIFF* t = TIFFOpen((dir / "float.tif").c_str(), "w");
        REQUIRE(t);
        TIFFSetField(t, TIFFTAG_IMAGEWIDTH, 20u);
        TIFFSetField(t, TIFFTAG_IMAGELENGTH, 20u);
        TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 32);
        TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
        TIFFSetField(t, TIFFTAG_SAMPLEFORMAT, SAMPLEFORMAT_IEEEFP);
        TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
        std::vector<float> row(20, 0.5f);
        for (std::uint32_t r = 0; r < 20; ++r) TIFFWriteScanline(t, row.data(), r, 0);
        TIFFClose(t);
    }
    C2S_CHECK_THROWS_WITH_SUBSTR(cv::read_tiff(dir / "float.tif"), std::runtime_error,
                                 "float.tif' has a bit depth of 32; only 8- and 16-bit grayscale is supported");
    // RGB (3 samples per pixel)
    {
        TIFF* t = TIFFOpen((dir / "rgb.tif").c_str(), "w");
        REQUIRE(t);
        TIFFSetField(t, TIFFTAG_IMAGEWIDTH, 20u);
        TIFFSetField(t, TIFFTAG_IMAGELENGTH, 20u);
        TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 8);
        TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 3);
        TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_RGB);
        TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
        std::vector<unsigned char> row(60, 100);
        for (std::uint32_t r = 0; r < 20; ++r) TIFFWriteScanline(t, row.data(), r, 0);
        TIFFClose(t);
    }
    C2S_CHECK_THROWS_WITH_SUBSTR(cv::read_tiff(dir / "rgb.tif"), std::runtime_error, "has 3 samples per pixel");
}

TEST_CASE("load_image: composes DAPI/Tubulin/Actin in 16- and 8-bit modes") {
    TempDir dir;
    const std::uint32_t w = 24, h = 20;
    std::vector<std::uint16_t> a(w * h), b(w * h), c(w * h, 40000);
    for (std::size_t i = 0; i < a.size(); ++i) {
        a[i] = static_cast<std::uint16_t>(i * 100);
        b[i] = static_cast<std::uint16_t>(65535 - i * 50);
    }
    std::vector<std::uint16_t> c8(w * h, 200);
    cv::write_tiff(dir / "P/d.tif", a, w, h, 16);
    cv::write_tiff(dir / "P/t.tif", b, w, h, 16);
    cv::write_tiff(dir / "P/a.tif", c8, w, h, 8);
    const auto row = make_row("P/d.tif", "P/t.tif", "P/a.tif");
    auto x = cv::load_image(dir.path(), row, 0);
    REQUIRE(x.sizes() == torch::IntArrayRef({3, 20, 24}));
    CHECK(x[0][1][2].item<float>() == doctest::Approx((1 * 24 + 2) * 100 / 65535.0).epsilon(1e-6));
    CHECK(x[1][0][0].item<float>() == doctest::Approx(1.0));
    CHECK(x[2][5][5].item<float>() == doctest::Approx(200 / 255.0));
    cv::ImageOptions o8;
    o8.mode = cv::BitMode::bit8;
    auto y = cv::load_image(dir.path(), row, 0, o8);
    // 8-bit mode: 16-bit values quantised to 256 levels
    const double v = (1 * 24 + 2) * 100;
    CHECK(y[0][1][2].item<float>() == doctest::Approx(std::nearbyint(v / 257.0) / 255.0).epsilon(1e-6));
    CHECK(torch::allclose(y[2], x[2]));  // 8-bit files pass unchanged
    CHECK((y * 255 - (y * 255).round()).abs().max().item<float>() < 1e-3);
}

TEST_CASE("load_image: bad rows and files name the row and the file") {
    TempDir dir;
    auto px = ramp(32, 32, 7);
    cv::write_tiff(dir / "P/d.tif", px, 32, 32);
    cv::write_tiff(dir / "P/t.tif", px, 32, 32);
    cv::write_tiff(dir / "P/a.tif", px, 32, 32);
    cv::write_tiff(dir / "P/small.tif", ramp(30, 32, 7), 30, 32);
    cv::write_tiff(dir / "P/one.tif", std::vector<std::uint16_t>{5}, 1, 1);
    SUBCASE("missing file") {
        C2S_CHECK_THROWS_WITH_SUBSTR(cv::load_image(dir.path(), make_row("P/d.tif", "P/nope.tif", "P/a.tif"), 12),
                                     std::runtime_error,
                                     "index row 12 (ImageNumber 7, plate 'Week1_22123', well 'B02', site 3), Tubulin: "
                                     "c2s::vision::read_tiff: file '");
        C2S_CHECK_THROWS_WITH_SUBSTR(cv::load_image(dir.path(), make_row("P/d.tif", "P/nope.tif", "P/a.tif"), 12),
                                     std::runtime_error, "nope.tif' does not exist");
    }
    SUBCASE("row without a file") {
        C2S_CHECK_THROWS_WITH_SUBSTR(cv::load_image(dir.path(), make_row("P/d.tif", "P/t.tif", "P/"), 4),
                                     std::runtime_error, "index row 4 (ImageNumber 7, plate 'Week1_22123', well 'B02', site 3) has no Actin file");
        C2S_CHECK_THROWS_WITH_SUBSTR(cv::load_image(dir.path(), make_row("", "P/t.tif", "P/a.tif"), 4),
                                     std::runtime_error, "has no DAPI file");
    }
    SUBCASE("channels of different sizes") {
        C2S_CHECK_THROWS_WITH_SUBSTR(cv::load_image(dir.path(), make_row("P/d.tif", "P/small.tif", "P/a.tif"), 2),
                                     std::runtime_error, "small.tif' is 30x32 pixels but the DAPI file is 32x32");
    }
    SUBCASE("wrong size for the expected field") {
        cv::ImageOptions o;
        o.width = 1280;
        o.height = 1024;
        C2S_CHECK_THROWS_WITH_SUBSTR(cv::load_image(dir.path(), make_row("P/d.tif", "P/t.tif", "P/a.tif"), 2, o),
                                     std::runtime_error, "d.tif' is 32x32 pixels but 1280x1024 was expected");
    }
    SUBCASE("1-pixel image") {
        C2S_CHECK_THROWS_WITH_SUBSTR(cv::load_image(dir.path(), make_row("P/one.tif", "P/t.tif", "P/a.tif"), 9),
                                     std::runtime_error, "index row 9 (ImageNumber 7, plate 'Week1_22123', well 'B02', site 3), DAPI: '");
        C2S_CHECK_THROWS_WITH_SUBSTR(cv::load_image(dir.path(), make_row("P/one.tif", "P/t.tif", "P/a.tif"), 9),
                                     std::runtime_error, "one.tif' is 1x1 pixels, smaller than the minimum 16x16");
    }
    SUBCASE("truncated file") {
        std::filesystem::copy_file(dir / "P/t.tif", dir / "P/cut.tif");
        std::filesystem::resize_file(dir / "P/cut.tif", std::filesystem::file_size(dir / "P/cut.tif") - 1000);
        C2S_CHECK_THROWS_WITH_SUBSTR(cv::load_image(dir.path(), make_row("P/d.tif", "P/cut.tif", "P/a.tif"), 5),
                                     std::runtime_error, "index row 5");
        C2S_CHECK_THROWS_WITH_SUBSTR(cv::load_image(dir.path(), make_row("P/d.tif", "P/cut.tif", "P/a.tif"), 5),
                                     std::runtime_error, "cut.tif' is truncated or corrupt");
    }
    SUBCASE("wrong bit depth") {
        std::vector<std::uint16_t> px1(32 * 32, 1);
        TIFF* t = TIFFOpen((dir / "P/bits32.tif").c_str(), "w");
        REQUIRE(t);
        TIFFSetField(t, TIFFTAG_IMAGEWIDTH, 32u);
        TIFFSetField(t, TIFFTAG_IMAGELENGTH, 32u);
        TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 32);
        TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
        TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
        std::vector<std::uint32_t> row(32, 9);
        for (std::uint32_t r = 0; r < 32; ++r) TIFFWriteScanline(t, row.data(), r, 0);
        TIFFClose(t);
        C2S_CHECK_THROWS_WITH_SUBSTR(cv::load_image(dir.path(), make_row("P/d.tif", "P/t.tif", "P/bits32.tif"), 1),
                                     std::runtime_error, "Actin: c2s::vision::read_tiff: '");
        C2S_CHECK_THROWS_WITH_SUBSTR(cv::load_image(dir.path(), make_row("P/d.tif", "P/t.tif", "P/bits32.tif"), 1),
                                     std::runtime_error, "bits32.tif' has a bit depth of 32");
    }
}

TEST_CASE("transforms: resize, center crop and normalisation match torchvision") {
    const auto x = load_npy_tensor(fixture("vision/resize_input.npy"));
    REQUIRE(x.sizes() == torch::IntArrayRef({3, 64, 80}));
    auto max_diff = [](const torch::Tensor& a, const torch::Tensor& b) {
        REQUIRE(a.sizes() == b.sizes());
        return (a - b).abs().max().item<double>();
    };
    CHECK(max_diff(cv::resize(x, 29, 31), load_npy_tensor(fixture("vision/resize_down_29x31.npy"))) < 1e-5);
    CHECK(max_diff(cv::resize(x, 70, 90), load_npy_tensor(fixture("vision/resize_up_70x90.npy"))) < 1e-5);
    CHECK(max_diff(cv::resize_shorter(x, 24), load_npy_tensor(fixture("vision/resize_shorter_24.npy"))) < 1e-5);
    CHECK(max_diff(cv::resize(x, 20, 25, false), load_npy_tensor(fixture("vision/resize_noaa_20x25.npy"))) < 1e-5);
    CHECK(max_diff(cv::normalize_imagenet(x), load_npy_tensor(fixture("vision/normalize_imagenet.npy"))) < 1e-5);
    CHECK(max_diff(cv::center_crop(x, 50, 41), load_npy_tensor(fixture("vision/center_crop_50x41.npy"))) == 0.0);
    // antialiasing matters when downscaling: the plain bilinear result differs
    CHECK(max_diff(cv::resize(x, 29, 31, false), load_npy_tensor(fixture("vision/resize_down_29x31.npy"))) > 1e-2);
    // batched input gives the same per image
    CHECK(max_diff(cv::resize(x.unsqueeze(0), 29, 31)[0], cv::resize(x, 29, 31)) == 0.0);
    C2S_CHECK_THROWS_WITH_SUBSTR(cv::resize(x, 0, 5), std::invalid_argument, "c2s::vision::resize: target size 0x5");
    C2S_CHECK_THROWS_WITH_SUBSTR(cv::normalize(x, {0.5}, {1.0}), std::invalid_argument, "the image has 3 channels");
    C2S_CHECK_THROWS_WITH_SUBSTR(cv::crop(x, 60, 0, 10, 10), std::invalid_argument, "does not fit in the 64x80 image");
}

TEST_CASE("transforms: the fast CPU float32 paths agree with LibTorch's kernels on BBBC021-sized fields") {
    // a 16-bit-like field: mostly dim background, a few bright objects, many tied values
    torch::manual_seed(3);
    auto field = (torch::randint(90, 140, {3, 1024, 1280}) +
                  (torch::rand({3, 1024, 1280}) > 0.97).to(torch::kInt64) * torch::randint(0, 20000, {3, 1024, 1280}))
                     .to(torch::kFloat32) / 65535.0;
    // antialiased resize: own separable kernel vs ATen's float32 kernel
    namespace F = torch::nn::functional;
    for (auto [h, w] : std::vector<std::pair<std::int64_t, std::int64_t>>{{299, 299}, {160, 200}, {1100, 1400}}) {
        CAPTURE(h);
        CAPTURE(w);
        const auto fast = cv::resize(field, h, w);
        const auto ref = F::interpolate(field.unsqueeze(0), F::InterpolateFuncOptions()
                                                                 .size(std::vector<std::int64_t>{h, w})
                                                                 .mode(torch::kBilinear)
                                                                 .align_corners(false)
                                                                 .antialias(true))[0];
        CHECK((fast - ref).abs().max().item<double>() < 1e-6);
    }
    // percentile scaling: radix selection (float32) vs the kthvalue path (float64) and vs a sort
    cv::IntensityScaling s;
    const auto fast = cv::scale_intensity(field, s);
    const auto ref = cv::scale_intensity(field.to(torch::kFloat64), s);
    CHECK((fast.to(torch::kFloat64) - ref).abs().max().item<double>() < 1e-5);
    auto normal = torch::randn({2, 3, 37, 41});  // negative values, odd sizes, batched
    s.low_percentile = 2.5;
    s.high_percentile = 97.5;
    s.clip = false;
    const auto y = cv::scale_intensity(normal, s);
    for (std::int64_t i = 0; i < 2; ++i)
        for (std::int64_t c = 0; c < 3; ++c) {
            auto plane = normal[i][c].contiguous();
            std::vector<float> v(plane.data_ptr<float>(), plane.data_ptr<float>() + plane.numel());
            std::sort(v.begin(), v.end());
            auto pct = [&](double p) {  // numpy.percentile, linear
                const double pos = p / 100.0 * static_cast<double>(v.size() - 1);
                const auto k = static_cast<std::size_t>(pos);
                return v[k] + (pos - static_cast<double>(k)) * (v[std::min(k + 1, v.size() - 1)] - v[k]);
            };
            const double lo = pct(2.5), hi = pct(97.5);
            const double x0 = plane[0][0].item<double>();
            CHECK(y[i][c][0][0].item<double>() == doctest::Approx((x0 - lo) / (hi - lo)).epsilon(1e-5));
        }
    // order statistics are exact, ties and a constant plane included
    auto ties = torch::randint(0, 4, {1, 50, 50}).to(torch::kFloat32);
    s.low_percentile = 0;
    s.high_percentile = 100;
    CHECK(torch::equal(cv::scale_intensity(ties, s), ties / 3.0f));
    auto flat = torch::full({1, 20, 20}, 0.25f);
    CHECK(cv::scale_intensity(flat, s).abs().max().item<float>() == 0.f);
    // normalisation: the same float operations as the tensor expression
    const auto small = cv::resize(field, 64, 64);
    CHECK(torch::equal(cv::normalize(small, {0.1, 0.2, 0.3}, {0.5, 0.25, 2.0}),
                       (small - torch::tensor({0.1f, 0.2f, 0.3f}).view({3, 1, 1})) /
                           torch::tensor({0.5f, 0.25f, 2.0f}).view({3, 1, 1})));
}

TEST_CASE("transforms: flips, rotations and intensity scaling") {
    auto x = torch::arange(24, torch::kFloat32).view({2, 3, 4});
    CHECK(cv::hflip(x)[0][0][0].item<float>() == 3);
    CHECK(cv::vflip(x)[0][0][0].item<float>() == 8);
    auto r = cv::rotate90(x, 1);
    CHECK(r.sizes() == torch::IntArrayRef({2, 4, 3}));
    CHECK(r[0][0][0].item<float>() == 3);  // counter-clockwise: top-right goes to top-left
    CHECK(torch::equal(cv::rotate90(x, 4), x));
    CHECK(torch::equal(cv::rotate90(cv::rotate90(x, 1), -1), x));
    // percentile scaling: numpy.percentile(linear) of 0..11 at 10 and 90 is 1.1 and 9.9
    cv::IntensityScaling s;
    s.low_percentile = 10;
    s.high_percentile = 90;
    s.clip = false;
    auto y = cv::scale_intensity(x, s);
    CHECK(y[0][0][0].item<float>() == doctest::Approx((0 - 1.1) / 8.8).epsilon(1e-5));
    CHECK(y[1][2][3].item<float>() == doctest::Approx((23 - 13.1) / 8.8).epsilon(1e-5));
    s.clip = true;
    CHECK(cv::scale_intensity(x, s).min().item<float>() == 0.f);
    cv::IntensityScaling f;
    f.mode = cv::IntensityScaling::Mode::fixed;
    f.low = {0, 12};
    f.high = {10, 22};
    f.clip = false;
    auto z = cv::scale_intensity(x, f);
    CHECK(z[1][0][0].item<float>() == doctest::Approx(0.0));
    CHECK(z[0][2][3].item<float>() == doctest::Approx(1.1));
    f.low = {0};
    C2S_CHECK_THROWS_WITH_SUBSTR(cv::scale_intensity(x, f), std::invalid_argument, "the image has 2 channels");
}

TEST_CASE("synthetic plates: BBBC021 layout, loadable index, MoA phenotypes and plate effects") {
    TempDir dir;
    cv::SynthOptions o;
    o.weeks = 2;
    o.sites_per_well = 1;
    o.dmso_wells = 1;
    o.width = 160;
    o.height = 128;
    o.pixel_scale = 0.5;
    o.treatments = {{"taxol", 1, "Microtubule stabilizers"}, {"nocodazole", 1, "Microtubule destabilizers"},
                    {"AZ138", 1, "Eg5 inhibitors"}, {"DMSO", 0, "DMSO"}};
    o.num_threads = 2;
    const auto res = cv::generate_synthetic_plates(dir.path(), o);
    CHECK(res.images == 2 * 4);
    CHECK(res.plates == 2);
    const auto ds = bb::load(dir.path(), bb::MoaJoin::compound_concentration);
    REQUIRE(ds.images.size() == 8);
    std::set<std::string> weeks, moas;
    for (const auto& im : ds.images) {
        weeks.insert(im.week);
        moas.insert(im.moa);
        CHECK(im.site == 1);
        CHECK(std::filesystem::exists(dir.path() / im.files[0]));
        CHECK(im.files[0].starts_with(im.week + "/" + im.plate + "/" + im.well + "_s1_w1"));
    }
    CHECK(weeks.size() == 2);
    CHECK(moas.size() == 4);
    // 16-bit, the requested size; deterministic for a seed
    const auto g = cv::read_tiff(dir.path() / ds.images[0].files[1]);
    CHECK(g.bits == 16);
    CHECK(g.width == 160);
    TempDir again;
    cv::generate_synthetic_plates(again.path(), o);
    CHECK(cv::read_tiff(again.path() / ds.images[0].files[1]).pixels == g.pixels);
    // phenotypes: stabilisers have brighter tubulin than destabilisers on the same plate
    auto mean_channel = [&](const std::string& moa, int c, const std::string& week) {
        for (std::size_t i = 0; i < ds.images.size(); ++i)
            if (ds.images[i].moa == moa && ds.images[i].week == week)
                return cv::load_image(dir.path(), ds.images[i], i)[c].mean().item<double>();
        return -1.0;
    };
    for (const auto& wk : weeks) CHECK(mean_channel("Microtubule stabilizers", 1, wk) > mean_channel("Microtubule destabilizers", 1, wk));
    // plate effect: DMSO backgrounds (low percentile) differ between plates
    auto background = [&](const std::string& week) {
        for (std::size_t i = 0; i < ds.images.size(); ++i)
            if (ds.images[i].moa == "DMSO" && ds.images[i].week == week) {
                auto x = cv::load_image(dir.path(), ds.images[i], i)[2].flatten();
                return std::get<0>(x.sort()).index({x.size(0) / 20}).item<double>();
            }
        return -1.0;
    };
    CHECK(std::abs(background("Week1") - background("Week2")) > 1e-4);
    C2S_CHECK_THROWS_WITH_SUBSTR(cv::generate_synthetic_plates(dir / "x", [] { cv::SynthOptions b; b.width = 8; return b; }()),
                                 std::invalid_argument, "field size 8x1024 is too small");
}

TEST_CASE("dataset and batch loader: labels, order, prefetch and errors") {
    TempDir dir;
    cv::SynthOptions o;
    o.weeks = 1;
    o.sites_per_well = 3;
    o.dmso_wells = 1;
    o.width = 64;
    o.height = 48;
    o.pixel_scale = 0.3;
    o.treatments = {{"taxol", 1, "Microtubule stabilizers"}, {"DMSO", 0, "DMSO"}};
    cv::generate_synthetic_plates(dir.path(), o);
    auto images = bb::load(dir.path(), bb::MoaJoin::compound).images;
    REQUIRE(images.size() == 6);
    cv::ImageDataset ds(images, dir.path(), {}, [](const torch::Tensor& x) { return cv::resize(x, 32, 32); });
    CHECK(ds.classes() == std::vector<std::string>{"DMSO", "Microtubule stabilizers"});
    auto s = ds.get(0);
    CHECK(s.image.sizes() == torch::IntArrayRef({3, 32, 32}));
    CHECK(s.label == 1);
    for (std::size_t prefetch : {std::size_t{0}, std::size_t{2}}) {
        cv::BatchLoader loader(ds, cv::LoaderOptions{4, 2, prefetch});
        CHECK(loader.num_batches() == 2);
        std::vector<std::size_t> rows;
        std::size_t batches = 0;
        while (auto b = loader.next()) {
            ++batches;
            CHECK(b->images.size(0) == static_cast<std::int64_t>(b->rows.size()));
            for (std::size_t k = 0; k < b->rows.size(); ++k) {
                CHECK(torch::equal(b->images[static_cast<std::int64_t>(k)], ds.get(b->rows[k]).image));
                CHECK(b->labels[static_cast<std::int64_t>(k)].item<std::int64_t>() == ds.get_label(b->rows[k]));
            }
            rows.insert(rows.end(), b->rows.begin(), b->rows.end());
        }
        CHECK(batches == 2);
        CHECK(rows == std::vector<std::size_t>{0, 1, 2, 3, 4, 5});
    }
    // an error in a prefetched batch reaches the consumer
    images[5].files[1] = "Week1/nowhere.tif";
    cv::ImageDataset broken(images, dir.path(), {}, [](const torch::Tensor& x) { return cv::resize(x, 32, 32); });
    cv::BatchLoader loader(broken, cv::LoaderOptions{4, 1, 2});
    CHECK(loader.next().has_value());
    C2S_CHECK_THROWS_WITH_SUBSTR(loader.next(), std::runtime_error, "index row 5");
    // out-of-range rows
    cv::ImageDataset raw(bb::load(dir.path(), bb::MoaJoin::compound).images, dir.path());
    C2S_CHECK_THROWS_WITH_SUBSTR(raw.get(99), std::invalid_argument, "row 99 is out of range (6 images)");
}
