// Multi-panel figures: figure_grid places panels, heatmap_panels draws matrices side by side in one
// order. Pixel tests: every cell of every panel has its colour at the panel's place in the PNG.

#include <doctest/doctest.h>

#include <Eigen/Dense>

#include <cmath>

#include "c2s/io/text_file.hpp"
#include "c2s/plot/bar_plot.hpp"
#include "c2s/plot/grid.hpp"
#include "plot_test_support.hpp"

using namespace c2s::plot;
using c2s::plot::test::describe;
using c2s::plot::test::max_diff8;
using c2s::plot::test::pixel_at;

namespace {
Eigen::MatrixXd matrix(double a, double b) {
    Eigen::MatrixXd d(4, 4);
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) d(i, j) = i == j ? 0.0 : a * std::abs(i - j) + b * (i + j);
    return d;
}
HeatmapPanelsOptions panel_options() {
    HeatmapPanelsOptions o;
    o.common.row_labels = {"taxol", "colchicine", "AZ-A", "AZ-C"};
    o.common.row_groups = {"Microtubule", "Microtubule", "Aurora", "Aurora"};
    o.common.cell_size = 20;
    o.titles = {"Morphology", "Tanimoto", "Descriptors"};
    o.colorbar_labels = {"cosine distance", "Tanimoto distance", "cosine distance"};
    return o;
}
}  // namespace

TEST_CASE("heatmap_panels: each panel's cells have the colour of their own matrix, in the shared order") {
    c2s::test::TempDir dir;
    const std::vector<Eigen::MatrixXd> m{matrix(0.1, 0.02), matrix(0.3, 0.0), matrix(0.05, 0.1)};
    const Figure fig = heatmap_panels(m, panel_options());
    REQUIRE(fig.axes().size() == 3);
    // Panels side by side, left to right, same cell size, same vertical position.
    CHECK(fig.axes()[0].area.right() < fig.axes()[1].area.x);
    CHECK(fig.axes()[1].area.right() < fig.axes()[2].area.x);
    CHECK(fig.axes()[1].area.width == doctest::Approx(80));
    CHECK(fig.axes()[1].area.y == doctest::Approx(fig.axes()[2].area.y));
    const auto img = c2s::plot::test::render_png(fig, dir / "p.png");
    for (std::size_t k = 0; k < 3; ++k) {
        const ColorScale scale{Colormap::viridis, m[k].minCoeff(), m[k].maxCoeff()};  // own range per panel
        for (int i = 0; i < 4; ++i)
            for (int j = 0; j < 4; ++j) {
                const Color got = pixel_at(img, fig.axes()[k].to_figure(j + 0.5, i + 0.5));
                INFO("panel " << k << " cell (" << i << ", " << j << "): got " << describe(got));
                CHECK(max_diff8(got, scale(m[k](i, j))) <= 1);
            }
    }
}

TEST_CASE("heatmap_panels: a shared range colours equal values equally in every panel") {
    c2s::test::TempDir dir;
    const std::vector<Eigen::MatrixXd> m{matrix(0.1, 0.0), matrix(0.2, 0.0)};
    auto o = panel_options();
    o.titles.resize(2);
    o.colorbar_labels.clear();
    o.shared_range = true;
    const Figure fig = heatmap_panels(m, o);
    const auto img = c2s::plot::test::render_png(fig, dir / "p.png");
    // m0(0, 2) = 0.2 = m1(0, 1): the same colour; the range is [0, 0.6] over both.
    const Color a = pixel_at(img, fig.axes()[0].to_figure(2.5, 0.5)), b = pixel_at(img, fig.axes()[1].to_figure(1.5, 0.5));
    CHECK(max_diff8(a, b) <= 1);
    CHECK(max_diff8(a, ColorScale{Colormap::viridis, 0.0, 0.6}(0.2)) <= 1);
}

TEST_CASE("heatmap_panels: labels once on the left, group blocks outlined in every panel, text in the SVG") {
    c2s::test::TempDir dir;
    const std::vector<Eigen::MatrixXd> m{matrix(0.1, 0.02), matrix(0.3, 0.0)};
    auto o = panel_options();
    o.titles = {"Morphology", "Tanimoto"};
    o.colorbar_labels = {"cosine distance", "Tanimoto distance"};
    o.grid.title = "Same compounds, same order";
    o.grid.panel_tags = true;
    const Figure fig = heatmap_panels(m, o);
    const auto img = c2s::plot::test::render_png(fig, dir / "p.png");
    // The Aurora block (rows/cols 2..3) is outlined in black in both panels: left edge at x = 2.
    // Sampled half a line width inside the block, as in heatmap.cpp; the off-diagonal rows are not outlined.
    const double lw = o.common.group_line_width;
    for (std::size_t k = 0; k < 2; ++k) {
        const Axes& ax = fig.axes()[k];
        const Color edge = pixel_at(img, {ax.x_to_figure(2) + lw / 2, ax.y_to_figure(2.5)});
        const Color off = pixel_at(img, {ax.x_to_figure(2) + lw / 2, ax.y_to_figure(0.5)});
        INFO("panel " << k << ": edge " << describe(edge) << ", off-diagonal " << describe(off));
        CHECK(max_diff8(edge, black) <= 40);
        CHECK(max_diff8(off, black) > 100);
    }
    // The second panel has no row labels: its matrix starts close to the end of the first panel.
    const double label_zone_1 = fig.axes()[0].area.x, label_zone_2 = fig.axes()[1].area.x - fig.axes()[0].area.right();
    CHECK(label_zone_1 > 60);  // group names + row labels
    CHECK(label_zone_2 < label_zone_1);
    fig.save(dir / "p.svg");
    const std::string svg = c2s::io::read_file(dir / "p.svg");
    CHECK(svg.find(">Same compounds, same order</text>") != std::string::npos);
    CHECK(svg.find(">Tanimoto</text>") != std::string::npos);
    CHECK(svg.find(">colchicine</text>") != std::string::npos);
    // The second panel's title is recorded where it is drawn (translated), right of the first panel.
    const auto pos = svg.find(">Tanimoto</text>");
    const auto tr = svg.rfind("translate(", pos);
    REQUIRE(tr != std::string::npos);
    const double x = std::stod(svg.substr(tr + 10));
    CHECK(x > fig.axes()[1].area.x);
}

TEST_CASE("figure_grid: panels of any kind in rows and columns, axes moved, warnings kept") {
    c2s::test::TempDir dir;
    std::vector<Figure> panels;
    BarPlotOptions bo;
    bo.title = "bars";
    panels.push_back(bar_plot(std::vector<double>{1, 2, 3}, {"a", "b", "c"}, bo));
    HeatmapOptions ho;
    ho.cell_size = 20;
    Eigen::MatrixXd h(2, 2);
    h << 0, 1, std::nan(""), 0.5;
    panels.push_back(heatmap(h, ho));
    panels.push_back(heatmap(h, ho));
    const double w0 = panels[0].width(), h0 = panels[0].height();
    FigureGridOptions go;
    go.columns = 2;
    const Figure fig = figure_grid(panels, go);
    REQUIRE(fig.axes().size() == 3);
    // Panel 2 starts a second row, below the taller of panels 0 and 1, at the left.
    CHECK(fig.axes()[2].area.y > h0);
    CHECK(fig.axes()[2].area.x < fig.axes()[1].area.x);
    CHECK(fig.width() >= w0 + panels[1].width() + 3 * go.gap - 1e-9);
    CHECK(fig.warnings.size() == 2);
    CHECK(fig.warnings[0].rfind("panel 1: ", 0) == 0);
    const auto img = c2s::plot::test::render_png(fig, dir / "g.png");
    const ColorScale scale{Colormap::viridis, 0.0, 1.0};
    for (std::size_t k : {1u, 2u}) {
        CHECK(max_diff8(pixel_at(img, fig.axes()[k].to_figure(1.5, 0.5)), scale(1.0)) <= 1);
        CHECK(max_diff8(pixel_at(img, fig.axes()[k].to_figure(0.5, 1.5)), nan_grey) <= 1);
    }
}

TEST_CASE("bad input: heatmap_panels and figure_grid name the offending argument") {
    C2S_CHECK_THROWS_WITH_SUBSTR((void)figure_grid({}), std::invalid_argument, "c2s::plot::figure_grid: 'panels' is empty");
    C2S_CHECK_THROWS_WITH_SUBSTR((void)heatmap_panels({}), std::invalid_argument, "'matrices' is empty");
    C2S_CHECK_THROWS_WITH_SUBSTR((void)heatmap_panels({matrix(0.1, 0), Eigen::MatrixXd::Zero(3, 3)}), std::invalid_argument,
                                 "matrix 1 is 3 x 3 but matrix 0 is 4 x 4");
    HeatmapPanelsOptions o;
    o.titles = {"only one"};
    C2S_CHECK_THROWS_WITH_SUBSTR((void)heatmap_panels({matrix(0.1, 0), matrix(0.2, 0)}, o), std::invalid_argument,
                                 "'titles' has 1 entries for 2 matrices");
}
