#include <fstream>
#include <sstream>

#include "c2s/io/text_file.hpp"
#include "c2s/plot/plot.hpp"
#include "plot_test_support.hpp"

using namespace c2s::plot;
using c2s::plot::test::describe;
using c2s::plot::test::max_diff8;
using c2s::plot::test::pixel_at;

namespace {
std::vector<double> numbers(const std::string& text) {
    std::vector<double> out;
    std::stringstream s(text);
    double v;
    while (s >> v) out.push_back(v);
    return out;
}
std::vector<std::vector<std::string>> fixture_rows(const std::string& name) {
    std::ifstream in(c2s::test::fixture(name));
    REQUIRE(in);
    std::vector<std::vector<std::string>> rows;
    std::string line;
    std::getline(in, line);  // comment
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
        std::vector<std::string> f;
        std::stringstream s(line);
        std::string x;
        while (std::getline(s, x, ',')) f.push_back(x);
        rows.push_back(f);
    }
    return rows;
}
Color over_white(const Color& c, double alpha) {
    return {alpha * c.r + (1 - alpha), alpha * c.g + (1 - alpha), alpha * c.b + (1 - alpha), 1};
}
/// Darkest pixel (sum of channels) in a square of `radius` points around `p`.
double darkest_near(const RgbaImage& img, Point p, double radius) {
    double best = 3;
    for (double dx = -radius; dx <= radius; dx += 0.5)
        for (double dy = -radius; dy <= radius; dy += 0.5) {
            const Color c = pixel_at(img, {p.x + dx, p.y + dy});
            best = std::min(best, c.r + c.g + c.b);
        }
    return best;
}
void check_vector_outputs(const Figure& fig, const std::vector<std::string>& labels) {
    c2s::test::TempDir dir;
    fig.save(dir / "f.svg");
    const std::string svg = c2s::io::read_file(dir / "f.svg");
    for (const auto& l : labels) CHECK_MESSAGE(svg.find(">" + l + "</text>") != std::string::npos, l);
    fig.save(dir / "f.pdf");
    CHECK(c2s::io::read_file(dir / "f.pdf").starts_with("%PDF-"));
}
}  // namespace

TEST_CASE("box_stats equals matplotlib cbook.boxplot_stats (fixture from make_box_stats.py)") {
    const auto rows = fixture_rows("plot/box_stats.csv");
    REQUIRE(rows.size() == 7);
    for (const auto& r : rows) {
        INFO("group " << r[0]);
        const auto values = numbers(r[2]);
        const BoxStats s = box_stats(values, std::stod(r[1]));
        CHECK(s.q1 == doctest::Approx(std::stod(r[3])).epsilon(1e-12));
        CHECK(s.median == doctest::Approx(std::stod(r[4])).epsilon(1e-12));
        CHECK(s.q3 == doctest::Approx(std::stod(r[5])).epsilon(1e-12));
        CHECK(s.whisker_low == doctest::Approx(std::stod(r[6])).epsilon(1e-12));
        CHECK(s.whisker_high == doctest::Approx(std::stod(r[7])).epsilon(1e-12));
        const auto fliers = r.size() > 8 ? numbers(r[8]) : std::vector<double>{};
        REQUIRE(s.outliers.size() == fliers.size());
        for (std::size_t k = 0; k < fliers.size(); ++k) CHECK(s.outliers[k] == doctest::Approx(fliers[k]));
        CHECK(s.count == values.size());
    }
    C2S_CHECK_THROWS_WITH_SUBSTR(box_stats(std::vector<double>{std::nan("")}), std::invalid_argument,
                                 "c2s::plot::box_stats: 'values' has no value that is not NaN (1 given)");
    C2S_CHECK_THROWS_WITH_SUBSTR(box_stats(std::vector<double>{1.0}, -1), std::invalid_argument, "'whisker' is -1");
}

TEST_CASE("box_plot draws boxes, medians, outliers and the reference line where the statistics say") {
    c2s::test::TempDir dir;
    std::vector<std::vector<double>> groups{{1, 2, 3, 4, 5, 6, 7, 8, 9, 30}, {10, 11, 12, 13, 14, std::nan("")}};
    BoxPlotOptions o;
    o.title = "Per-MoA feature";
    o.y_label = "z-score";
    o.reference_line = 20;
    o.reference_label = "DMSO";
    const Figure fig = box_plot(groups, {"Actin disruptors", "Eg5 inhibitors"}, o);
    CHECK(fig.warnings.size() == 1);
    const Axes& ax = fig.axes().at(0);
    const auto img = c2s::plot::test::render_png(fig, dir / "b.png");
    const BoxStats s0 = box_stats(groups[0]);
    CHECK(s0.outliers == std::vector<double>{30});
    // Inside box 0, between q1 and the median, left of centre: the fill (tab10 blue, alpha 0.85).
    const Color fill = pixel_at(img, ax.to_figure(0.85, (s0.q1 + s0.median) / 2));
    INFO("fill " << describe(fill));
    CHECK(max_diff8(fill, over_white(category_color(0), 0.85)) <= 12);
    // The median line is dark, the outlier ring is dark, the space between whisker and outlier is not.
    CHECK(darkest_near(img, ax.to_figure(0.9, s0.median), 0.5) < 0.8);
    CHECK(darkest_near(img, ax.to_figure(1, 30), 2.6) < 1.2);
    CHECK(darkest_near(img, ax.to_figure(1, (s0.whisker_high + 30) / 2), 1.0) > 2.5);
    // The dashed reference line at 20 crosses between the boxes.
    CHECK(darkest_near(img, ax.to_figure(1.5, 20), 3) < 1.5);
    check_vector_outputs(fig, {"Actin disruptors", "Eg5 inhibitors", "z-score", "DMSO", "Per-MoA feature"});

    o.jitter = true;
    const Figure jittered = box_plot(groups, {"a", "b"}, o);
    CHECK(jittered.num_layers() == fig.num_layers());
    CHECK(jittered.render(Format::png) == jittered.render(Format::png));  // the jitter is reproducible

    C2S_CHECK_THROWS_WITH_SUBSTR(box_plot({}, {}), std::invalid_argument, "c2s::plot::box_plot: 'groups' is empty");
    C2S_CHECK_THROWS_WITH_SUBSTR(box_plot(groups, {"a"}), std::invalid_argument, "'names' has 1 entries but 'groups' has 2");
    C2S_CHECK_THROWS_WITH_SUBSTR(box_plot({{1.0}, {}}, {"a", "empty"}), std::invalid_argument,
                                 "group 1 ('empty') has no value that is not NaN (0 given)");
    BoxPlotOptions tiny;
    tiny.height = 60;
    C2S_CHECK_THROWS_WITH_SUBSTR(box_plot(groups, {"a", "b"}, tiny), std::invalid_argument, "make it larger");
}

TEST_CASE("bar_plot: bar colours, error bars above the bars, axis from 0") {
    c2s::test::TempDir dir;
    BarPlotOptions o;
    o.errors = {0.1, 0.2, std::nan("")};
    o.colors = {category_color(1), category_color(2), category_color(3)};
    o.y_label = "accuracy";
    const std::vector<double> v{0.5, 0.8, -0.3};
    const Figure fig = bar_plot(v, {"cosine", "tanimoto", "raw"}, o);
    const Axes& ax = fig.axes().at(0);
    CHECK(ax.y_min <= -0.3);
    CHECK(ax.y_max >= 1.0);
    const auto img = c2s::plot::test::render_png(fig, dir / "b.png");
    for (int i = 0; i < 3; ++i) {
        const Color c = pixel_at(img, ax.to_figure(i + 1 - 0.2, v[i] / 2));
        INFO("bar " << i << ": " << describe(c));
        CHECK(max_diff8(c, category_color(static_cast<std::size_t>(i) + 1)) <= 1);
    }
    CHECK(darkest_near(img, ax.to_figure(2, 0.8 + 0.15), 0.5) < 0.8);   // error bar above bar 2
    CHECK(darkest_near(img, ax.to_figure(3, -0.3 - 0.05), 0.5) > 2.9);  // NaN error: nothing below bar 3
    check_vector_outputs(fig, {"cosine", "tanimoto", "raw", "accuracy"});
    C2S_CHECK_THROWS_WITH_SUBSTR(bar_plot(v, {"a", "b"}), std::invalid_argument,
                                 "c2s::plot::bar_plot: 'names' has 2 entries but 'values' has 3");
    o.errors = {0.1, -0.2, 0};
    C2S_CHECK_THROWS_WITH_SUBSTR(bar_plot(v, {"a", "b", "c"}, o), std::invalid_argument, "'errors' entry 1 ('b') is -0.2");
    C2S_CHECK_THROWS_WITH_SUBSTR(bar_plot(std::vector<double>{}, {}), std::invalid_argument, "'values' is empty");
}

TEST_CASE("scatter_plot colours points by category with a legend and labels") {
    c2s::test::TempDir dir;
    const std::vector<double> x{0, 1, 2, 3, 4, std::nan("")}, y{0, 3, 1, 4, 2, 1};
    ScatterOptions o;
    o.categories = {"Actin", "Eg5", "Actin", "DMSO", "Eg5", "DMSO"};
    o.labels = {"cytochalasin B", "", "latrunculin B", "", "S-trityl", "lost"};
    o.legend_title = "MoA";
    o.x_label = "t-SNE 1";
    const Figure fig = scatter_plot(x, y, o);
    REQUIRE(fig.warnings.size() == 1);
    const Axes& ax = fig.axes().at(0);
    const auto img = c2s::plot::test::render_png(fig, dir / "s.png");
    const std::size_t cat_of_point[] = {0, 1, 0, 2, 1};
    for (std::size_t i = 0; i < 5; ++i) {
        // 1.5 pt off the centre: inside the marker (radius 3 pt) but off the grid lines under it.
        const Point centre = ax.to_figure(x[i], y[i]);
        const Color c = pixel_at(img, {centre.x + 1.5, centre.y + 1.5});
        INFO("point " << i << ": " << describe(c));
        CHECK(max_diff8(c, over_white(category_color(cat_of_point[i]), o.alpha)) <= 2);
    }
    CHECK(category_marker(3) == Marker::circle);
    CHECK(category_marker(12) == Marker::square);
    check_vector_outputs(fig, {"MoA", "Actin", "Eg5", "DMSO", "cytochalasin B", "latrunculin B", "S-trityl", "t-SNE 1"});
    const std::string svg = (fig.save(dir / "s.svg"), c2s::io::read_file(dir / "s.svg"));
    CHECK(svg.find(">lost</text>") == std::string::npos);  // its point has a NaN coordinate
    C2S_CHECK_THROWS_WITH_SUBSTR(scatter_plot(x, std::vector<double>{1.0}), std::invalid_argument,
                                 "c2s::plot::scatter_plot: 'y' has 1 entries but 'x' has 6");
    o.categories.pop_back();
    C2S_CHECK_THROWS_WITH_SUBSTR(scatter_plot(x, y, o), std::invalid_argument, "'categories' has 5 entries but 'x' has 6");
}

TEST_CASE("line_plot draws each curve in its colour and breaks it at NaN") {
    c2s::test::TempDir dir;
    std::vector<Series> s(2);
    s[0] = {"train", {0, 2, 4, 6, 8, 10}, {1, 1, 1, 1, 1, 1}, std::nullopt, false, false};
    s[1] = {"validation", {0, 2, 4, 6, 8, 10}, {3, 3, std::nan(""), 3, 3, 3}, Color::hex("#9467bd"), false, false};
    LinePlotOptions o;
    o.x_label = "epoch";
    o.line_width = 3;
    const Figure fig = line_plot(s, o);
    const Axes& ax = fig.axes().at(0);
    const auto img = c2s::plot::test::render_png(fig, dir / "l.png");
    CHECK(max_diff8(pixel_at(img, ax.to_figure(5, 1)), category_color(0)) <= 2);
    CHECK(max_diff8(pixel_at(img, ax.to_figure(7, 3)), Color::hex("#9467bd")) <= 2);
    CHECK(max_diff8(pixel_at(img, ax.to_figure(4, 3)), Color::hex("#9467bd")) > 60);  // the gap at NaN
    check_vector_outputs(fig, {"train", "validation", "epoch", "10"});
    s[1].y.pop_back();
    C2S_CHECK_THROWS_WITH_SUBSTR(line_plot(s), std::invalid_argument,
                                 "c2s::plot::line_plot: series 1 ('validation') has 6 x values but 5 y values");
    C2S_CHECK_THROWS_WITH_SUBSTR(line_plot({}), std::invalid_argument, "'series' is empty");
}

TEST_CASE("resize_bilinear equals PyTorch interpolate(bilinear, align_corners=False)") {
    const auto rows = fixture_rows("plot/resize_bilinear.csv");
    REQUIRE(rows.size() == 5);
    for (const auto& r : rows) {
        const std::size_t ir = std::stoul(r[0]), ic = std::stoul(r[1]), orr = std::stoul(r[2]), oc = std::stoul(r[3]);
        const auto in = numbers(r[4]), want = numbers(r[5]);
        const std::vector<float> inf(in.begin(), in.end());
        const auto got = resize_bilinear(inf, ir, ic, orr, oc);
        REQUIRE(got.size() == want.size());
        for (std::size_t k = 0; k < got.size(); ++k) {
            INFO(ir << "x" << ic << " -> " << orr << "x" << oc << " at " << k);
            CHECK(got[k] == doctest::Approx(want[k]).epsilon(1e-5));
        }
    }
    C2S_CHECK_THROWS_WITH_SUBSTR(resize_bilinear(std::vector<float>(5), 2, 3, 4, 4), std::invalid_argument,
                                 "'in' has 5 values but is declared 2 x 3");
}

TEST_CASE("overlay: each pixel is (1 - alpha) image + alpha colormap(heat), threshold shows the image") {
    c2s::test::TempDir dir;
    const std::size_t R = 4, C = 6;
    std::vector<float> image(R * C * 3), heat(R * C);
    for (std::size_t p = 0; p < R * C; ++p) {
        image[p * 3] = static_cast<float>(p) / 23.0f;  // red ramp 0..1
        image[p * 3 + 1] = 0.5f;
        image[p * 3 + 2] = 1.0f - static_cast<float>(p) / 23.0f;
        heat[p] = static_cast<float>(p % C) * 2.0f;  // 0..10 along each row
    }
    OverlayOptions o;
    o.alpha = 0.4;
    o.threshold = 3;
    o.image_min = 0;
    o.image_max = 1;
    o.title = "Grad-CAM";
    o.colorbar_label = "activation";
    const Figure fig = overlay({image, R, C, 3}, {heat, R, C, 1}, o);
    const Axes& ax = fig.axes().at(0);
    const auto img = c2s::plot::test::render_png(fig, dir / "o.png");
    for (std::size_t r = 0; r < R; ++r)
        for (std::size_t c = 0; c < C; ++c) {
            const std::size_t p = r * C + c;
            const double a = heat[p] < 3 ? 0 : 0.4;
            const Color h = colormap_color(Colormap::magma, heat[p] / 10.0);
            const Color want{(1 - a) * image[p * 3] + a * h.r, (1 - a) * 0.5 + a * h.g, (1 - a) * image[p * 3 + 2] + a * h.b, 1};
            const Color got = pixel_at(img, ax.to_figure(static_cast<double>(c) + 0.5, static_cast<double>(r) + 0.5));
            INFO("pixel (" << r << ", " << c << "): got " << describe(got) << " want " << describe(want));
            CHECK(max_diff8(got, want) <= 1);
        }
    check_vector_outputs(fig, {"Grad-CAM", "activation", "10"});

    // A 2 x 3 heat map is upsampled onto a grayscale 4 x 6 image.
    const std::vector<float> gray(R * C, 0.25f), small{0, 1, 2, 3, 4, 5};
    OverlayOptions plain;
    plain.alpha = 1;
    const RgbaImage px = overlay_pixels({gray, R, C, 1}, {small, 2, 3, 1}, plain);
    const auto up = resize_bilinear(small, 2, 3, R, C);
    CHECK(max_diff8(px.pixel(5, 3), colormap_color(Colormap::magma, up[3 * C + 5] / 5.0)) <= 1);

    C2S_CHECK_THROWS_WITH_SUBSTR(overlay({gray, R, C, 2}, {heat, R, C, 1}), std::invalid_argument,
                                 "c2s::plot::overlay: 'image' has 2 channels");
    C2S_CHECK_THROWS_WITH_SUBSTR(overlay({gray, R, C + 1, 1}, {heat, R, C, 1}), std::invalid_argument,
                                 "'image' has 24 values but is declared 4 x 7 x 1");
    C2S_CHECK_THROWS_WITH_SUBSTR(overlay({gray, R, C, 1}, {heat, 0, C, 1}), std::invalid_argument, "'heat' is empty (0 x 6)");
    o.alpha = 1.5;
    C2S_CHECK_THROWS_WITH_SUBSTR(overlay({image, R, C, 3}, {heat, R, C, 1}, o), std::invalid_argument, "'alpha' is 1.5");
}
