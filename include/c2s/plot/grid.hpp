#pragma once
/// @file grid.hpp
/// @brief Multi-panel figures: `figure_grid` places finished figures (any plot of this component)
/// as panels of one figure, row by row; `heatmap_panels` draws two or more matrices as heat maps
/// side by side with the same row/column order, labels and group blocks (e.g. a morphological
/// and a chemical distance matrix over the same compounds, ordered by MoA).
///
/// Layout of `figure_grid`: panel k sits in row k / columns, column k % columns. Each column is as
/// wide as its widest panel and each row as tall as its tallest; a panel is drawn at the top-left
/// of its cell, at its own size (no scaling, so fonts stay the same size in every panel). An
/// optional title spans the top, and each panel gets an optional letter tag ("A", "B", ...) at its
/// top-left corner. The panels' `Axes` are copied into the grid's `axes()` (moved to their place),
/// panel by panel in order, so callers and tests can find where each panel drew a value; panel
/// warnings are kept, prefixed with "panel k: ".

#include <Eigen/Dense>

#include <algorithm>
#include <string>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/plot/figure.hpp"
#include "c2s/plot/heatmap.hpp"

namespace c2s::plot {

struct FigureGridOptions {
    /// Panels per row; 0 puts all panels in one row.
    std::size_t columns = 0;
    /// Space between panels and around the grid, in points.
    double gap = 10;
    std::string title;
    double font_size = 9;
    /// Writes "A", "B", ... at the top-left corner of each panel.
    bool panel_tags = false;
};

/// Places `panels` in a grid; see the file comment. Throws std::invalid_argument for no panels.
[[nodiscard]] inline Figure figure_grid(std::vector<Figure> panels, const FigureGridOptions& opt = {}) {
    constexpr std::string_view fn = "c2s::plot::figure_grid";
    if (panels.empty()) fail_argument(fn, "'panels' is empty; give at least one figure");
    if (!(opt.gap >= 0)) fail_argument(fn, "'gap' is ", opt.gap, "; it must be >= 0");
    if (!(opt.font_size > 0)) fail_argument(fn, "'font_size' is ", opt.font_size, "; it must be positive");
    const std::size_t n = panels.size();
    const std::size_t cols = opt.columns == 0 ? n : std::min(opt.columns, n);
    const std::size_t rows = (n + cols - 1) / cols;
    std::vector<double> col_w(cols, 0), row_h(rows, 0);
    for (std::size_t k = 0; k < n; ++k) {
        col_w[k % cols] = std::max(col_w[k % cols], panels[k].width());
        row_h[k / cols] = std::max(row_h[k / cols], panels[k].height());
    }
    const Font title_font{opt.font_size * 1.5, true}, tag_font{opt.font_size * 1.4, true};
    const double title_h = opt.title.empty() ? 0 : detail::text_height(title_font) + opt.gap;
    std::vector<double> x0(cols), y0(rows);
    double w = opt.gap, h = opt.gap + title_h;
    for (std::size_t c = 0; c < cols; ++c) x0[c] = w, w += col_w[c] + opt.gap;
    for (std::size_t r = 0; r < rows; ++r) y0[r] = h, h += row_h[r] + opt.gap;
    const double title_w = opt.title.empty() ? 0 : measure_text(opt.title, title_font).width + 2 * opt.gap;
    w = std::max(w, title_w);

    Figure fig(w, h);
    std::vector<Point> at(n);
    for (std::size_t k = 0; k < n; ++k) {
        at[k] = {x0[k % cols], y0[k / cols]};
        for (Axes a : panels[k].axes()) {
            a.area.x += at[k].x;
            a.area.y += at[k].y;
            fig.axes().push_back(a);
        }
        for (const auto& warning : panels[k].warnings) fig.warnings.push_back(concat("panel ", k, ": ", warning));
    }
    fig.add([panels = std::move(panels), at, opt, title_font, tag_font, w](Canvas& c) {
        cairo_t* cr = c.native();
        for (std::size_t k = 0; k < panels.size(); ++k) {
            cairo_save(cr);
            cairo_translate(cr, at[k].x, at[k].y);
            panels[k].draw(c);
            cairo_restore(cr);
            if (opt.panel_tags) {
                std::string tag(1, static_cast<char>('A' + static_cast<int>(k % 26)));
                if (k >= 26) tag += std::to_string(k / 26);
                c.text(tag, {at[k].x + 2, at[k].y + 2}, tag_font, ink, HAlign::left, VAlign::top);
            }
        }
        if (!opt.title.empty()) c.text(opt.title, {w / 2, opt.gap}, title_font, ink, HAlign::center, VAlign::top);
    });
    return fig;
}

struct HeatmapPanelsOptions {
    /// Shared by every panel: labels, groups, colormap, cell size, fonts. Its `title` and
    /// `colorbar_label` are replaced by the per-panel ones below.
    HeatmapOptions common;
    /// One title per matrix (or empty).
    std::vector<std::string> titles;
    /// One colour-bar label per matrix (or empty).
    std::vector<std::string> colorbar_labels;
    /// true: one colour range over all matrices (for matrices on the same scale); false: each
    /// panel its own range (different measures, e.g. cosine vs Tanimoto distance).
    bool shared_range = false;
    /// Row labels and row group names only on the first panel of each grid row (the order is the
    /// same in every panel); group blocks are outlined in all panels.
    bool row_labels_first_only = true;
    FigureGridOptions grid;
};

/// Heat maps of `matrices` side by side (see the file comment and `HeatmapPanelsOptions`).
/// Throws std::invalid_argument for no matrices, matrices of different shapes, or a `titles` /
/// `colorbar_labels` vector whose length is neither 0 nor the number of matrices.
[[nodiscard]] inline Figure heatmap_panels(const std::vector<Eigen::MatrixXd>& matrices, const HeatmapPanelsOptions& opt = {}) {
    constexpr std::string_view fn = "c2s::plot::heatmap_panels";
    if (matrices.empty()) fail_argument(fn, "'matrices' is empty; give at least one matrix");
    for (std::size_t k = 1; k < matrices.size(); ++k)
        if (matrices[k].rows() != matrices[0].rows() || matrices[k].cols() != matrices[0].cols())
            fail_argument(fn, "matrix ", k, " is ", matrices[k].rows(), " x ", matrices[k].cols(), " but matrix 0 is ",
                          matrices[0].rows(), " x ", matrices[0].cols(), "; panels share one order");
    if (!opt.titles.empty() && opt.titles.size() != matrices.size())
        fail_argument(fn, "'titles' has ", opt.titles.size(), " entries for ", matrices.size(), " matrices");
    if (!opt.colorbar_labels.empty() && opt.colorbar_labels.size() != matrices.size())
        fail_argument(fn, "'colorbar_labels' has ", opt.colorbar_labels.size(), " entries for ", matrices.size(), " matrices");
    HeatmapOptions common = opt.common;
    if (opt.shared_range && !(common.vmin && common.vmax)) {
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        for (const auto& m : matrices)
            for (Eigen::Index i = 0; i < m.size(); ++i)
                if (std::isfinite(m.data()[i])) lo = std::min(lo, m.data()[i]), hi = std::max(hi, m.data()[i]);
        if (lo <= hi) {
            if (!common.vmin) common.vmin = lo;
            if (!common.vmax) common.vmax = std::max(hi, lo + 1e-12);
        }
    }
    const std::size_t cols = opt.grid.columns == 0 ? matrices.size() : opt.grid.columns;
    std::vector<Figure> panels;
    for (std::size_t k = 0; k < matrices.size(); ++k) {
        HeatmapOptions o = common;
        o.title = opt.titles.empty() ? "" : opt.titles[k];
        o.colorbar_label = opt.colorbar_labels.empty() ? common.colorbar_label : opt.colorbar_labels[k];
        if (opt.row_labels_first_only && k % cols != 0) o.show_row_labels = false;
        panels.push_back(heatmap(matrices[k], std::move(o)));
    }
    return figure_grid(std::move(panels), opt.grid);
}

}  // namespace c2s::plot
