#include "c2s/io/text_file.hpp"
#include "c2s/plot/heatmap.hpp"
#include "plot_test_support.hpp"

using namespace c2s::plot;
using c2s::plot::test::describe;
using c2s::plot::test::max_diff8;
using c2s::plot::test::pixel_at;

namespace {
// A 5 x 5 "distance matrix" ordered by group: a a b b b.
Eigen::MatrixXd distances() {
    Eigen::MatrixXd d(5, 5);
    for (int i = 0; i < 5; ++i)
        for (int j = 0; j < 5; ++j) d(i, j) = 0.1 * std::abs(i - j) + 0.05 * (i + j);
    d(1, 3) = std::nan("");
    return d;
}
HeatmapOptions distance_options() {
    HeatmapOptions o;
    o.title = "Distances";
    o.row_labels = {"taxol", "colchicine", "AZ-A", "AZ-C", "ALLN"};
    o.row_groups = {"Microtubule", "Microtubule", "Aurora", "Aurora", "Aurora"};
    o.colorbar_label = "cosine distance";
    o.cell_size = 24;
    return o;
}
}  // namespace

TEST_CASE("heatmap: every cell centre has the colormap colour of its value - NaN cells are grey") {
    c2s::test::TempDir dir;
    const Eigen::MatrixXd d = distances();
    for (auto map : {Colormap::viridis, Colormap::rdbu}) {
        auto o = distance_options();
        o.colormap = map;
        const Figure fig = heatmap(d, o);
        REQUIRE(fig.axes().size() == 1);
        const Axes& ax = fig.axes()[0];
        const auto img = c2s::plot::test::render_png(fig, dir / "h.png");
        const ColorScale scale{map, 0.0, 0.6};  // finite min d(0,0) = 0, max d(4,0) = 0.4 + 0.2
        for (int i = 0; i < 5; ++i)
            for (int j = 0; j < 5; ++j) {
                const Color want = std::isnan(d(i, j)) ? nan_grey : scale(d(i, j));
                const Color got = pixel_at(img, ax.to_figure(j + 0.5, i + 0.5));
                INFO("cell (" << i << ", " << j << ") value " << d(i, j) << ": got " << describe(got) << " want "
                              << describe(want));
                CHECK(max_diff8(got, want) <= 1);
            }
        CHECK(max_diff8(pixel_at(img, ax.to_figure(3.5, 1.5)), nan_grey) <= 1);
        CHECK(fig.warnings.size() == 1);
        CHECK(fig.warnings[0].find("1 NaN cell(s) drawn in grey") != std::string::npos);
    }
}

TEST_CASE("heatmap: group blocks on the diagonal are outlined, off-diagonal borders are not") {
    c2s::test::TempDir dir;
    const Figure fig = heatmap(distances(), distance_options());
    const Axes& ax = fig.axes()[0];
    const auto img = c2s::plot::test::render_png(fig, dir / "h.png");
    // The "Aurora" block spans rows/columns 2..4: its left edge at x = 2 has the outline colour
    // (inside the block, half a line width in) in its rows, but not in the rows of "Microtubule".
    const double lw = distance_options().group_line_width;
    const double x_edge = ax.x_to_figure(2) + lw / 2;
    for (double row : {2.5, 3.5, 4.5}) {
        const Color c = pixel_at(img, {x_edge, ax.y_to_figure(row)});
        INFO("row " << row << ": " << describe(c));
        CHECK(max_diff8(c, black) <= 40);
    }
    const Color off = pixel_at(img, {x_edge, ax.y_to_figure(0.5)});
    INFO("off-diagonal: " << describe(off));
    CHECK(max_diff8(off, black) > 100);
    // Top edge of the "Microtubule" block (rows 0..1, columns 0..1).
    CHECK(max_diff8(pixel_at(img, {ax.x_to_figure(0.5), ax.y_to_figure(0) + lw / 2}), black) <= 40);

    fig.save(dir / "h.svg");
    const std::string svg = c2s::io::read_file(dir / "h.svg");
    for (const char* label : {">taxol</text>", ">AZ-C</text>", ">Microtubule</text>", ">Aurora</text>",
                              ">Distances</text>", ">cosine distance</text>", ">0.6</text>"})
        CHECK_MESSAGE(svg.find(label) != std::string::npos, label);
    fig.save(dir / "h.pdf");
    CHECK(c2s::io::read_file(dir / "h.pdf").starts_with("%PDF"));
}

TEST_CASE("heatmap: center makes the range symmetric - vmin/vmax clamp - nested vectors") {
    c2s::test::TempDir dir;
    HeatmapOptions o;
    o.colormap = Colormap::rdbu;
    o.center = 0;
    o.colorbar = false;
    const Figure fig = heatmap(std::vector<std::vector<double>>{{-1, 0, 3}, {2, 0.5, -3}}, o);
    const Axes& ax = fig.axes()[0];
    const auto img = c2s::plot::test::render_png(fig, dir / "h.png");
    CHECK(max_diff8(pixel_at(img, ax.to_figure(1.5, 0.5)), colormap_color(Colormap::rdbu, 0.5)) <= 1);
    CHECK(max_diff8(pixel_at(img, ax.to_figure(2.5, 0.5)), colormap_color(Colormap::rdbu, 1.0)) <= 1);
    CHECK(max_diff8(pixel_at(img, ax.to_figure(0.5, 0.5)), colormap_color(Colormap::rdbu, 2.0 / 6)) <= 1);

    HeatmapOptions clamp;
    clamp.vmin = 0;
    clamp.vmax = 1;
    const Figure f2 = heatmap(std::vector<std::vector<double>>{{-5, 0.5, 9}}, clamp);
    const auto img2 = c2s::plot::test::render_png(f2, dir / "h2.png");
    const Axes& a2 = f2.axes()[0];
    CHECK(max_diff8(pixel_at(img2, a2.to_figure(0.5, 0.5)), colormap_color(Colormap::viridis, 0)) <= 1);
    CHECK(max_diff8(pixel_at(img2, a2.to_figure(1.5, 0.5)), colormap_color(Colormap::viridis, 0.5)) <= 1);
    CHECK(max_diff8(pixel_at(img2, a2.to_figure(2.5, 0.5)), colormap_color(Colormap::viridis, 1)) <= 1);
}

TEST_CASE("heatmap: errors name the argument and the offending size") {
    C2S_CHECK_THROWS_WITH_SUBSTR(heatmap(Eigen::MatrixXd(0, 3)), std::invalid_argument,
                                 "c2s::plot::heatmap: 'values' is empty (0 x 3)");
    C2S_CHECK_THROWS_WITH_SUBSTR(heatmap(std::vector<std::vector<double>>{}), std::invalid_argument, "'values' is empty");
    C2S_CHECK_THROWS_WITH_SUBSTR(heatmap(std::vector<std::vector<double>>{{1, 2}, {3}}), std::invalid_argument,
                                 "'values' is ragged: row 1 has 1 values but row 0 has 2");
    HeatmapOptions o;
    o.row_labels = {"a", "b"};
    C2S_CHECK_THROWS_WITH_SUBSTR(heatmap(Eigen::MatrixXd::Zero(3, 3), o), std::invalid_argument,
                                 "'row_labels' has 2 entries but 'values' has 3 rows");
    o = {};
    o.col_groups = {"x"};
    C2S_CHECK_THROWS_WITH_SUBSTR(heatmap(Eigen::MatrixXd::Zero(2, 4), o), std::invalid_argument,
                                 "'col_groups' has 1 entries but 'values' has 4 columns");
    o = {};
    o.vmin = 2;
    o.vmax = 1;
    C2S_CHECK_THROWS_WITH_SUBSTR(heatmap(Eigen::MatrixXd::Zero(2, 2), o), std::invalid_argument,
                                 "colour range [2, 1] is empty");
    o = {};
    o.center = std::nan("");
    C2S_CHECK_THROWS_WITH_SUBSTR(heatmap(Eigen::MatrixXd::Zero(2, 2), o), std::invalid_argument, "'center' is nan");
}

TEST_CASE("heatmap: all-NaN input and split groups are reported in warnings") {
    HeatmapOptions o;
    o.row_groups = {"a", "b", "a"};
    const Eigen::MatrixXd nan = Eigen::MatrixXd::Constant(3, 3, std::nan(""));
    const Figure fig = heatmap(nan, o);
    std::string all;
    for (const auto& w : fig.warnings) all += w + "\n";
    CHECK(all.find("9 NaN cell(s)") != std::string::npos);
    CHECK(all.find("no finite value") != std::string::npos);
    CHECK(all.find("row group 'a' is split into several blocks") != std::string::npos);
}
