#include <fstream>

#include "c2s/io/text_file.hpp"
#include "c2s/plot/axes.hpp"
#include "c2s/plot/figure.hpp"
#include "plot_test_support.hpp"

using namespace c2s::plot;
using c2s::plot::test::pixel_at;

namespace {
Figure two_boxes() {
    Figure fig(200, 100);
    fig.add([](Canvas& c) {
        c.fill_rect({10, 10, 80, 80}, Color::hex("#1f77b4"));
        c.fill_rect({110, 10, 80, 80}, Color::hex("#d62728"));
        c.text("left box", {50, 95}, Font{8}, ink, HAlign::center, VAlign::bottom);
        c.text("a <b> & \"c\"", {150, 95}, Font{8}, ink, HAlign::center, VAlign::bottom);
    });
    return fig;
}
}  // namespace

TEST_CASE("Figure renders the same drawing to PNG (pixels), SVG (text) and PDF") {
    c2s::test::TempDir dir;
    const Figure fig = two_boxes();
    const auto img = c2s::plot::test::render_png(fig, dir / "boxes.png");
    CHECK(img.width == 400);
    CHECK(img.height == 200);
    CHECK(std::make_pair(img.width, img.height) == fig.pixel_size(144));
    CHECK(c2s::plot::test::max_diff8(pixel_at(img, {50, 50}), Color::hex("#1f77b4")) <= 1);
    CHECK(c2s::plot::test::max_diff8(pixel_at(img, {150, 50}), Color::hex("#d62728")) <= 1);
    CHECK(c2s::plot::test::max_diff8(pixel_at(img, {100, 50}), white) == 0);

    fig.save(dir / "boxes.svg");
    const std::string svg = c2s::io::read_file(dir / "boxes.svg");
    CHECK(svg.starts_with("<?xml"));
    CHECK(svg.find(">left box</text>") != std::string::npos);
    CHECK(svg.find(">a &lt;b&gt; &amp; &quot;c&quot;</text>") != std::string::npos);
    CHECK(svg.find("image-rendering:pixelated") != std::string::npos);

    fig.save(dir / "boxes.PDF");
    const std::string pdf = c2s::io::read_file(dir / "boxes.PDF");
    CHECK(pdf.starts_with("%PDF-"));
    CHECK(pdf.find("%%EOF") != std::string::npos);
    CHECK(c2s::test::count_files(dir.path()) == 3);
}

TEST_CASE("a failing render leaves no file, no temporary, and an existing file untouched") {
    c2s::test::TempDir dir;
    Figure fig = two_boxes();
    fig.add([](Canvas&) { throw std::runtime_error("layer failed half way"); });
    for (const char* name : {"f.png", "f.svg", "f.pdf"}) {
        C2S_CHECK_THROWS_WITH_SUBSTR(fig.save(dir / name), std::runtime_error, "layer failed half way");
        CHECK_FALSE(std::filesystem::exists(dir / name));
    }
    CHECK(c2s::test::count_files(dir.path()) == 0);

    c2s::test::write_text(dir / "keep.png", "previous figure");
    CHECK_THROWS_AS(fig.save(dir / "keep.png"), std::runtime_error);
    CHECK(c2s::io::read_file(dir / "keep.png") == "previous figure");
    CHECK(c2s::test::count_files(dir.path()) == 1);
}

TEST_CASE("Figure errors: unknown extension, bad size, bad dpi, unreadable PNG") {
    c2s::test::TempDir dir;
    C2S_CHECK_THROWS_WITH_SUBSTR(two_boxes().save(dir / "fig.jpg"), std::invalid_argument,
                                 "c2s::plot::format_of: 'path' '");
    C2S_CHECK_THROWS_WITH_SUBSTR(two_boxes().save(dir / "fig"), std::invalid_argument, "use .png, .svg or .pdf");
    CHECK(c2s::test::count_files(dir.path()) == 0);
    C2S_CHECK_THROWS_WITH_SUBSTR(Figure(0, 10), std::invalid_argument, "c2s::plot::Figure: size 0 x 10");
    C2S_CHECK_THROWS_WITH_SUBSTR(Figure(10, std::nan("")), std::invalid_argument, "c2s::plot::Figure: size 10 x nan");
    C2S_CHECK_THROWS_WITH_SUBSTR((void)two_boxes().render(Format::png, SaveOptions{1}), std::invalid_argument, "'dpi' is 1");
    c2s::test::write_text(dir / "bad.png", "not a png");
    C2S_CHECK_THROWS_WITH_SUBSTR(read_png(dir / "bad.png"), std::runtime_error, "c2s::plot::read_png: cannot read '");
}

TEST_CASE("nice_ticks: multiples of 1, 2, 2.5, 5 x 10^k inside the range - format_tick") {
    auto t = nice_ticks(0, 1);
    CHECK(t.step == doctest::Approx(0.2));
    CHECK(t.labels == std::vector<std::string>{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"});
    t = nice_ticks(-3.7, 12.2);
    CHECK(t.step == doctest::Approx(2.5));
    CHECK(t.labels == std::vector<std::string>{"-2.5", "0.0", "2.5", "5.0", "7.5", "10.0"});
    t = nice_ticks(0, 0.95);
    CHECK(t.labels.back() == "0.8");
    t = nice_ticks(1200, 48000);
    CHECK(t.step == doctest::Approx(10000));
    CHECK(t.labels.front() == "10000");
    t = nice_ticks(3, 3);  // degenerate range: padded
    CHECK(t.values.size() >= 2);
    CHECK(format_tick(-1e-17, 0.1) == "0.0");
    CHECK(format_tick(0.25, 0.25) == "0.25");
    CHECK(format_tick(2.5e-6, 1e-6) == "2.5e-06");
    CHECK(nice_range(0.03, 0.97) == std::pair<double, double>{0.0, 1.0});
    C2S_CHECK_THROWS_WITH_SUBSTR(nice_ticks(0, INFINITY), std::invalid_argument, "c2s::plot::nice_ticks: range [0, inf]");
}

TEST_CASE("text measures grow with length and size") {
    const auto a = measure_text("MoA", Font{10}), b = measure_text("MoA MoA", Font{10}), c = measure_text("MoA", Font{20});
    CHECK(a.width > 5);
    CHECK(b.width > 1.8 * a.width);
    CHECK(c.width == doctest::Approx(2 * a.width).epsilon(0.02));
    CHECK(a.cap_height == doctest::Approx(7.3).epsilon(0.1));
}
