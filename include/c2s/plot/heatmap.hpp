#pragma once
/// @file heatmap.hpp
/// @brief `c2s::plot::heatmap`: a matrix as coloured cells, with row/column labels, optional
/// group blocks (e.g. compounds ordered by MoA, blocks outlined and named along the axes), a
/// colour bar and a title.
///
/// - Cell (i, j) is the square whose top-left corner is (j, i) in `fig.axes()[0]` (rows go
///   down), filled with `ColorScale{colormap, vmin, vmax}(value(i, j))`. Cells are drawn as one
///   nearest-neighbour image, so no seams appear between them in any format.
/// - NaN cells are drawn in `nan_color` (grey #bfbfbf by default) and ignored by the automatic
///   range; +-infinity is drawn with the colour of the nearest end of the range.
/// - Groups: each maximal run of equal consecutive labels in `row_groups` / `col_groups` is a
///   block (order the matrix by group first; a label that appears in two runs makes two blocks and
///   a warning). With both set, the blocks where a row run and a column run carry the same label
///   are outlined (the diagonal blocks of a distance matrix ordered by MoA); with one set, its
///   bands are outlined. Thin white lines separate all blocks. Block names are written left of the
///   row labels and below the column labels, with a bracket spanning the block.

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/plot/axes.hpp"
#include "c2s/plot/color.hpp"
#include "c2s/plot/figure.hpp"

namespace c2s::plot {

struct HeatmapOptions {
    std::string title;
    /// One label per row / column, or empty for none. A square matrix with row labels and no
    /// column labels reuses the row labels for the columns (distance matrices).
    std::vector<std::string> row_labels, col_labels;
    /// One group per row / column (consecutive equal labels form a block), or empty. A square
    /// matrix with row groups and no column groups reuses the row groups for the columns.
    std::vector<std::string> row_groups, col_groups;
    Colormap colormap = Colormap::viridis;
    /// Colour range; default the smallest / largest finite value.
    std::optional<double> vmin, vmax;
    /// Makes the range symmetric around this value (diverging colormaps: 0 for signed data).
    std::optional<double> center;
    bool colorbar = true;
    std::string colorbar_label;
    /// Colour of NaN cells.
    Color nan_color = nan_grey;
    /// Cell edge in points; 0 chooses 420 / max(rows, cols), clamped to [3, 28].
    double cell_size = 0;
    /// Font size of labels in points (row/column labels shrink to fit their cells, down to 4.5,
    /// then only every k-th label is written).
    double font_size = 9;
    /// Writes each value in its cell with `annotate_decimals` decimals (when cells are >= 14 pt).
    bool annotate = false;
    int annotate_decimals = 2;
    Color group_outline = black;
    double group_line_width = 1.2;
    /// false: row labels and row group names are not written (the blocks are still outlined), e.g.
    /// for the second panel of `heatmap_panels`, whose rows are in the first panel's order.
    bool show_row_labels = true;
};

namespace detail {

struct Run {
    std::string label;
    std::size_t begin = 0, end = 0;
};

inline std::vector<Run> runs_of(const std::vector<std::string>& groups, std::vector<std::string>& warnings,
                                std::string_view what) {
    std::vector<Run> runs;
    for (std::size_t i = 0; i < groups.size(); ++i) {
        if (runs.empty() || runs.back().label != groups[i]) runs.push_back({groups[i], i, i + 1});
        else runs.back().end = i + 1;
    }
    std::map<std::string, int> count;
    for (const auto& r : runs)
        if (++count[r.label] == 2)
            warnings.push_back(concat("c2s::plot::heatmap: ", what, " group '", r.label,
                                      "' is split into several blocks; order the matrix by group"));
    return runs;
}

inline double luminance(const Color& c) { return 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b; }

}  // namespace detail

/// Draws `values` as a heat map; see the file comment. Throws std::invalid_argument for an empty
/// matrix, label or group vectors whose length does not match, or an empty / inverted range.
[[nodiscard]] inline Figure heatmap(const Eigen::Ref<const Eigen::MatrixXd>& values, HeatmapOptions opt = {}) {
    constexpr std::string_view fn = "c2s::plot::heatmap";
    const auto R = static_cast<std::size_t>(values.rows()), C = static_cast<std::size_t>(values.cols());
    if (R == 0 || C == 0) fail_argument(fn, "'values' is empty (", R, " x ", C, ")");
    if (R == C && opt.col_labels.empty() && !opt.row_labels.empty()) opt.col_labels = opt.row_labels;
    if (R == C && opt.col_groups.empty() && !opt.row_groups.empty()) opt.col_groups = opt.row_groups;
    auto check_len = [&](const std::vector<std::string>& v, std::size_t n, const char* name, const char* dim) {
        if (!v.empty() && v.size() != n)
            fail_argument(fn, "'", name, "' has ", v.size(), " entries but 'values' has ", n, " ", dim);
    };
    check_len(opt.row_labels, R, "row_labels", "rows");
    check_len(opt.col_labels, C, "col_labels", "columns");
    check_len(opt.row_groups, R, "row_groups", "rows");
    check_len(opt.col_groups, C, "col_groups", "columns");
    if (!(opt.font_size > 0)) fail_argument(fn, "'font_size' is ", opt.font_size, "; it must be positive");
    if (opt.cell_size < 0) fail_argument(fn, "'cell_size' is ", opt.cell_size, "; use 0 (automatic) or a positive size");

    std::vector<std::string> warnings;

    // Colour range.
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    std::size_t nan_count = 0;
    for (std::size_t i = 0; i < R; ++i)
        for (std::size_t j = 0; j < C; ++j) {
            const double v = values(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
            if (std::isnan(v)) ++nan_count;
            else if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
        }
    if (nan_count) warnings.push_back(concat(fn, ": ", nan_count, " NaN cell(s) drawn in grey"));
    if (!(lo <= hi)) {
        lo = 0, hi = 1;
        warnings.push_back(concat(fn, ": 'values' has no finite value; colour range set to [0, 1]"));
    }
    if (opt.center) {
        if (!std::isfinite(*opt.center)) fail_argument(fn, "'center' is ", *opt.center, "; it must be finite");
        const double half = std::max(std::abs(hi - *opt.center), std::abs(lo - *opt.center));
        lo = *opt.center - half, hi = *opt.center + half;
    }
    ColorScale scale{opt.colormap, opt.vmin.value_or(lo), opt.vmax.value_or(hi)};
    if (!std::isfinite(scale.vmin) || !std::isfinite(scale.vmax) || scale.vmin > scale.vmax ||
        ((opt.vmin || opt.vmax) && scale.vmin == scale.vmax))
        fail_argument(fn, "colour range [", scale.vmin, ", ", scale.vmax, "] is empty or not finite");

    const auto row_runs = detail::runs_of(opt.row_groups, warnings, "row");
    const auto col_runs = detail::runs_of(opt.col_groups, warnings, "column");

    // Layout (points).
    const double cell = opt.cell_size > 0 ? opt.cell_size : std::clamp(420.0 / static_cast<double>(std::max(R, C)), 3.0, 28.0);
    const double mw = cell * static_cast<double>(C), mh = cell * static_cast<double>(R);
    const double pad = 8, gap = 4, bracket = 6;
    double label_size = std::min(opt.font_size, cell * 0.92);
    std::size_t every = 1;
    if (label_size < 4.5) {
        every = static_cast<std::size_t>(std::ceil(4.5 / label_size));
        label_size = 4.5;
    }
    const Font label_font{label_size}, group_font{opt.font_size}, title_font{opt.font_size * 1.3, true};
    double row_lw = 0, col_lw = 0;
    for (std::size_t i = 0; i < opt.row_labels.size(); i += every)
        row_lw = std::max(row_lw, measure_text(opt.row_labels[i], label_font).width);
    for (std::size_t j = 0; j < opt.col_labels.size(); j += every)
        col_lw = std::max(col_lw, measure_text(opt.col_labels[j], label_font).width);
    const double label_h = detail::text_height(label_font);
    const bool rotate_cols = col_lw > cell * static_cast<double>(every) * 0.95;
    const double col_zone = opt.col_labels.empty() ? 0 : gap + (rotate_cols ? col_lw : label_h);

    double row_gw = 0;
    for (const auto& r : row_runs) row_gw = std::max(row_gw, measure_text(r.label, group_font).width);
    double col_gh = 0;
    std::vector<bool> col_group_rotated;
    const double group_h = detail::text_height(group_font);
    for (const auto& r : col_runs) {
        const double w = measure_text(r.label, group_font).width;
        const bool rot = w > cell * static_cast<double>(r.end - r.begin) - 2;
        col_group_rotated.push_back(rot);
        col_gh = std::max(col_gh, rot ? w : group_h);
    }
    const double title_w = opt.title.empty() ? 0 : measure_text(opt.title, title_font).width;
    const double top = pad + (opt.title.empty() ? 0 : detail::text_height(title_font) + 10);
    const double left = pad + (!opt.show_row_labels ? 0
                                                     : (row_runs.empty() ? 0 : row_gw + gap + bracket) +
                                                           (opt.row_labels.empty() ? 0 : row_lw + gap));
    const double bottom = col_zone + (col_runs.empty() ? 0 : gap + bracket + col_gh) + pad;
    const double cb_w = opt.colorbar ? colorbar_width(scale, opt.colorbar_label, opt.font_size) : 0;
    const double right = opt.colorbar ? 14 + cb_w + pad : pad;
    const double width = std::max(left + mw + right, title_w + 2 * pad);
    const double height = top + mh + bottom;

    Figure fig(width, height);
    fig.warnings = std::move(warnings);
    Axes ax;
    ax.area = {left, top, mw, mh};
    ax.x_min = 0, ax.x_max = static_cast<double>(C), ax.y_min = 0, ax.y_max = static_cast<double>(R);
    ax.y_down = true;
    fig.axes().push_back(ax);

    // Cells as one image.
    RgbaImage img;
    img.width = static_cast<int>(C);
    img.height = static_cast<int>(R);
    img.rgba.resize(R * C * 4);
    for (std::size_t i = 0; i < R; ++i)
        for (std::size_t j = 0; j < C; ++j) {
            const double v = values(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
            const auto q = (std::isnan(v) ? opt.nan_color : scale(v)).rgba8();
            std::copy(q.begin(), q.end(), img.rgba.begin() + static_cast<std::ptrdiff_t>((i * C + j) * 4));
        }
    std::vector<std::string> annotations;
    if (opt.annotate && cell >= 14) {
        annotations.resize(R * C);
        for (std::size_t i = 0; i < R; ++i)
            for (std::size_t j = 0; j < C; ++j) {
                const double v = values(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
                char buf[48];
                std::snprintf(buf, sizeof buf, "%.*f", std::clamp(opt.annotate_decimals, 0, 12), v);
                annotations[i * C + j] = std::isnan(v) ? "" : buf;
            }
    }

    fig.add([=, opt = std::move(opt)](Canvas& c) {
        const Rect m = ax.area;
        c.image(img, m, false);
        auto x_at = [&](std::size_t j) { return m.x + cell * static_cast<double>(j); };
        auto y_at = [&](std::size_t i) { return m.y + cell * static_cast<double>(i); };
        if (!annotations.empty()) {
            const Font f{std::min(opt.font_size * 0.85, cell * 0.32)};
            for (std::size_t i = 0; i < R; ++i)
                for (std::size_t j = 0; j < C; ++j) {
                    const Color bg{img.rgba[(i * C + j) * 4] / 255.0, img.rgba[(i * C + j) * 4 + 1] / 255.0,
                                   img.rgba[(i * C + j) * 4 + 2] / 255.0, 1};
                    c.text(annotations[i * C + j], {x_at(j) + cell / 2, y_at(i) + cell / 2}, f,
                           detail::luminance(bg) < 0.45 ? white : black, HAlign::center, VAlign::middle);
                }
        }
        // Separators between blocks, then outlines.
        const Color sep = white.with_alpha(0.9);
        for (std::size_t k = 1; k < row_runs.size(); ++k)
            c.line({m.x, y_at(row_runs[k].begin)}, {m.right(), y_at(row_runs[k].begin)}, sep, 0.6);
        for (std::size_t k = 1; k < col_runs.size(); ++k)
            c.line({x_at(col_runs[k].begin), m.y}, {x_at(col_runs[k].begin), m.bottom()}, sep, 0.6);
        const double lw = opt.group_line_width;
        auto outline = [&](double x0, double y0, double x1, double y1) {
            c.stroke_rect({x0 + lw / 2, y0 + lw / 2, x1 - x0 - lw, y1 - y0 - lw}, opt.group_outline, lw);
        };
        if (!row_runs.empty() && !col_runs.empty()) {
            for (const auto& rr : row_runs)
                for (const auto& cr : col_runs)
                    if (rr.label == cr.label) outline(x_at(cr.begin), y_at(rr.begin), x_at(cr.end), y_at(rr.end));
        } else {
            for (const auto& rr : row_runs) outline(m.x, y_at(rr.begin), m.right(), y_at(rr.end));
            for (const auto& cr : col_runs) outline(x_at(cr.begin), m.y, x_at(cr.end), m.bottom());
        }
        c.stroke_rect(m, ink, 0.6);

        // Row and column labels.
        for (std::size_t i = 0; opt.show_row_labels && i < opt.row_labels.size(); i += every)
            c.text(opt.row_labels[i], {m.x - gap, y_at(i) + cell / 2}, label_font, ink, HAlign::right, VAlign::middle);
        for (std::size_t j = 0; j < opt.col_labels.size(); j += every) {
            if (rotate_cols)
                c.text(opt.col_labels[j], {x_at(j) + cell / 2, m.bottom() + gap}, label_font, ink, HAlign::right,
                       VAlign::middle, 90);
            else
                c.text(opt.col_labels[j], {x_at(j) + cell / 2, m.bottom() + gap}, label_font, ink, HAlign::center,
                       VAlign::top);
        }
        // Group names with brackets.
        const double row_lab_left = m.x - (opt.row_labels.empty() ? 0 : row_lw + gap);
        for (std::size_t k = 0; opt.show_row_labels && k < row_runs.size(); ++k) {
            const auto& r = row_runs[k];
            const double bx = row_lab_left - gap, y0 = y_at(r.begin) + 1, y1 = y_at(r.end) - 1;
            c.polyline({{bx + 3, y0}, {bx, y0}, {bx, y1}, {bx + 3, y1}}, ink, 0.8);
            c.text(r.label, {bx - gap, (y0 + y1) / 2}, group_font, ink, HAlign::right, VAlign::middle);
        }
        const double col_lab_bottom = m.bottom() + col_zone;
        for (std::size_t k = 0; k < col_runs.size(); ++k) {
            const auto& r = col_runs[k];
            const double by = col_lab_bottom + gap, x0 = x_at(r.begin) + 1, x1 = x_at(r.end) - 1;
            c.polyline({{x0, by - 3}, {x0, by}, {x1, by}, {x1, by - 3}}, ink, 0.8);
            if (col_group_rotated[k])
                c.text(r.label, {(x0 + x1) / 2, by + gap}, group_font, ink, HAlign::right, VAlign::middle, 90);
            else
                c.text(r.label, {(x0 + x1) / 2, by + gap}, group_font, ink, HAlign::center, VAlign::top);
        }
        if (opt.colorbar)
            draw_colorbar(c, {m.right() + 14, m.y, 12, m.height}, scale, opt.colorbar_label, opt.font_size);
        if (!opt.title.empty()) {
            const double tw = measure_text(opt.title, title_font).width;
            const double cx = std::clamp(m.center().x, pad + tw / 2, width - pad - tw / 2);
            c.text(opt.title, {cx, pad}, title_font, ink, HAlign::center, VAlign::top);
        }
    });
    return fig;
}

/// Nested-vector input: one inner vector per row; throws for an empty matrix or ragged rows.
[[nodiscard]] inline Figure heatmap(const std::vector<std::vector<double>>& rows, HeatmapOptions opt = {}) {
    if (rows.empty() || rows[0].empty())
        fail_argument("c2s::plot::heatmap", "'values' is empty (", rows.size(), " rows, ",
                      rows.empty() ? 0 : rows[0].size(), " columns in row 0)");
    Eigen::MatrixXd m(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(rows[0].size()));
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].size() != rows[0].size())
            fail_argument("c2s::plot::heatmap", "'values' is ragged: row ", i, " has ", rows[i].size(),
                          " values but row 0 has ", rows[0].size());
        for (std::size_t j = 0; j < rows[i].size(); ++j)
            m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = rows[i][j];
    }
    return heatmap(m, std::move(opt));
}

}  // namespace c2s::plot
