#pragma once
/// @file scatter_plot.hpp
/// @brief `c2s::plot::scatter_plot`: points coloured by category with a legend (e.g. a t-SNE or
/// UMAP embedding of compound profiles coloured by MoA), optional text labels per point.
///
/// Categories get colours in order of first appearance: matplotlib's tab10, and past ten the
/// colours repeat with another marker shape (circle, square, triangle, diamond, ...), so 13
/// classes (12 MoAs + DMSO) stay distinguishable. Text labels are placed right, left, above or
/// below their point, whichever first overlaps no label placed before (else right). Points with a
/// NaN coordinate are left out and reported in `Figure::warnings`.

#include <algorithm>
#include <cmath>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/plot/axes.hpp"
#include "c2s/plot/color.hpp"
#include "c2s/plot/figure.hpp"

namespace c2s::plot {

struct ScatterOptions {
    std::string title, x_label, y_label;
    double width = 480, height = 400;
    double font_size = 10;
    /// One category per point (legend entries in order of first appearance), or empty: one colour.
    std::vector<std::string> categories;
    std::string legend_title;
    /// One text label per point ("" for none), or empty.
    std::vector<std::string> labels;
    /// Marker diameter in points.
    double point_size = 6;
    double alpha = 0.85;
    /// Same data units per point on both axes (embeddings: distances then look right).
    bool equal_aspect = false;
};

/// The marker shape of category `index` (changes every 10 categories).
[[nodiscard]] inline Marker category_marker(std::size_t index) noexcept {
    constexpr Marker shapes[] = {Marker::circle, Marker::square, Marker::triangle, Marker::diamond,
                                 Marker::triangle_down, Marker::plus, Marker::cross};
    return shapes[(index / 10) % 7];
}

/// Scatter plot of (x[i], y[i]). Throws std::invalid_argument for no points, x / y / categories /
/// labels of different lengths, or no finite point.
[[nodiscard]] inline Figure scatter_plot(std::span<const double> x, std::span<const double> y, const ScatterOptions& opt = {}) {
    constexpr std::string_view fn = "c2s::plot::scatter_plot";
    if (x.empty()) fail_argument(fn, "'x' is empty");
    if (y.size() != x.size()) fail_argument(fn, "'y' has ", y.size(), " entries but 'x' has ", x.size());
    if (!opt.categories.empty() && opt.categories.size() != x.size())
        fail_argument(fn, "'categories' has ", opt.categories.size(), " entries but 'x' has ", x.size());
    if (!opt.labels.empty() && opt.labels.size() != x.size())
        fail_argument(fn, "'labels' has ", opt.labels.size(), " entries but 'x' has ", x.size());
    std::vector<double> xs(x.begin(), x.end()), ys(y.begin(), y.end());
    std::size_t dropped = 0;
    for (std::size_t i = 0; i < xs.size(); ++i)
        if (!std::isfinite(xs[i]) || !std::isfinite(ys[i])) ++dropped;
    if (dropped == xs.size()) fail_argument(fn, "no point has finite coordinates (", xs.size(), " given)");
    std::vector<double> fx, fy;
    for (std::size_t i = 0; i < xs.size(); ++i)
        if (std::isfinite(xs[i]) && std::isfinite(ys[i])) fx.push_back(xs[i]), fy.push_back(ys[i]);
    auto [xr0, xr1] = *finite_range(fx);
    auto [yr0, yr1] = *finite_range(fy);
    std::tie(xr0, xr1) = padded(xr0, xr1, 0.06);
    std::tie(yr0, yr1) = padded(yr0, yr1, 0.06);

    std::vector<std::string> order;
    std::map<std::string, std::size_t> index;
    std::vector<std::size_t> cat(xs.size(), 0);
    for (std::size_t i = 0; i < opt.categories.size(); ++i) {
        auto [it, fresh] = index.emplace(opt.categories[i], order.size());
        if (fresh) order.push_back(opt.categories[i]);
        cat[i] = it->second;
    }
    ChartSpec spec = chart_spec(opt);
    spec.grid_x = true;
    spec.legend_title = opt.legend_title;
    for (std::size_t k = 0; k < order.size(); ++k)
        spec.legend.push_back({order[k], category_color(k), LegendEntry::Kind::marker, category_marker(k)});
    spec.x_min = xr0, spec.x_max = xr1, spec.y_min = yr0, spec.y_max = yr1;
    if (opt.equal_aspect) {
        // Lay out once to learn the area, then widen the range of the axis with fewer units per point.
        Figure probe(spec.width, spec.height);
        const Axes a = add_chart_frame(probe, spec, fn);
        const double ux = (xr1 - xr0) / a.area.width, uy = (yr1 - yr0) / a.area.height;
        if (ux > uy) {
            const double mid = (yr0 + yr1) / 2, half = ux * a.area.height / 2;
            spec.y_min = mid - half, spec.y_max = mid + half;
        } else {
            const double mid = (xr0 + xr1) / 2, half = uy * a.area.width / 2;
            spec.x_min = mid - half, spec.x_max = mid + half;
        }
    }
    Figure fig(spec.width, spec.height);
    if (dropped) fig.warnings.push_back(concat(fn, ": ", dropped, " point(s) with a NaN or infinite coordinate left out"));
    const Axes ax = add_chart_frame(fig, spec, fn);
    const bool has_categories = !opt.categories.empty();
    fig.add([=](Canvas& c) {
        c.clip(ax.area);
        for (std::size_t i = 0; i < xs.size(); ++i) {
            if (!std::isfinite(xs[i]) || !std::isfinite(ys[i])) continue;
            const Color col = category_color(has_categories ? cat[i] : 0).with_alpha(opt.alpha);
            c.marker(ax.to_figure(xs[i], ys[i]), has_categories ? category_marker(cat[i]) : Marker::circle,
                     opt.point_size, col, white.with_alpha(0.8), 0.4);
        }
        c.reset_clip();
        if (opt.labels.empty()) return;
        const Font f{opt.font_size * 0.75};
        const double off = opt.point_size / 2 + 2;
        std::vector<Rect> placed;
        auto overlaps = [&](const Rect& r) {
            if (r.x < ax.area.x || r.right() > ax.area.right() || r.y < ax.area.y || r.bottom() > ax.area.bottom()) return true;
            for (const auto& p : placed)
                if (r.x < p.right() && p.x < r.right() && r.y < p.bottom() && p.y < r.bottom()) return true;
            return false;
        };
        for (std::size_t i = 0; i < xs.size(); ++i) {
            if (opt.labels[i].empty() || !std::isfinite(xs[i]) || !std::isfinite(ys[i])) continue;
            const Point p = ax.to_figure(xs[i], ys[i]);
            const TextExtent e = measure_text(opt.labels[i], f);
            const double h = e.cap_height + e.descent;
            const Rect tries[] = {{p.x + off, p.y - h / 2, e.width, h}, {p.x - off - e.width, p.y - h / 2, e.width, h},
                                  {p.x - e.width / 2, p.y - off - h, e.width, h}, {p.x - e.width / 2, p.y + off, e.width, h}};
            Rect chosen = tries[0];
            for (const auto& t : tries)
                if (!overlaps(t)) { chosen = t; break; }
            placed.push_back(chosen);
            c.text(opt.labels[i], {chosen.x, chosen.y + e.cap_height}, f, ink, HAlign::left, VAlign::baseline);
        }
    });
    return fig;
}

}  // namespace c2s::plot
