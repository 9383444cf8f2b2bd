#pragma once
/// @file line_plot.hpp
/// @brief `c2s::plot::line_plot`: several named curves with a legend and nice axis ticks
/// (training curves, dose-response, recall at k ...).
///
/// A NaN y (or x) breaks the curve there. Curves are coloured with matplotlib's tab10 in order
/// unless they name a colour.

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/plot/axes.hpp"
#include "c2s/plot/color.hpp"
#include "c2s/plot/figure.hpp"

namespace c2s::plot {

struct Series {
    std::string name;
    std::vector<double> x, y;
    std::optional<Color> color;
    /// Draws a marker at every point.
    bool markers = false;
    bool dashed = false;
};

struct LinePlotOptions {
    std::string title, x_label, y_label;
    double width = 480, height = 320;
    double font_size = 10;
    /// Axis limits; default the data range (y padded by 5%).
    std::optional<double> x_min, x_max, y_min, y_max;
    double line_width = 1.6;
    std::optional<double> reference_line;
    std::string reference_label;
    std::string legend_title;
    /// Draws the legend (when any series has a name).
    bool legend = true;
};

/// Draws `series`. Throws std::invalid_argument for no series, a series whose x and y differ in
/// length or that is empty (naming it), or no finite point at all.
[[nodiscard]] inline Figure line_plot(const std::vector<Series>& series, const LinePlotOptions& opt = {}) {
    constexpr std::string_view fn = "c2s::plot::line_plot";
    if (series.empty()) fail_argument(fn, "'series' is empty");
    std::vector<double> all_x, all_y;
    for (std::size_t s = 0; s < series.size(); ++s) {
        const auto& sr = series[s];
        if (sr.x.empty()) fail_argument(fn, "series ", s, " ('", sr.name, "') has no points");
        if (sr.x.size() != sr.y.size())
            fail_argument(fn, "series ", s, " ('", sr.name, "') has ", sr.x.size(), " x values but ", sr.y.size(), " y values");
        for (std::size_t i = 0; i < sr.x.size(); ++i)
            if (std::isfinite(sr.x[i]) && std::isfinite(sr.y[i])) all_x.push_back(sr.x[i]), all_y.push_back(sr.y[i]);
    }
    if (all_x.empty()) fail_argument(fn, "no series has a point with finite coordinates");
    if (opt.reference_line && std::isfinite(*opt.reference_line)) all_y.push_back(*opt.reference_line);
    auto [x0, x1] = *finite_range(all_x);
    if (x1 <= x0) std::tie(x0, x1) = padded(x0, x1);
    const auto yr = *finite_range(all_y);
    auto [y0, y1] = padded(yr.first, yr.second, 0.05);
    ChartSpec spec = chart_spec(opt);
    spec.grid_x = true;
    spec.x_min = opt.x_min.value_or(x0);
    spec.x_max = opt.x_max.value_or(x1);
    spec.y_min = opt.y_min.value_or(y0);
    spec.y_max = opt.y_max.value_or(y1);
    spec.legend_title = opt.legend_title;
    std::vector<Color> colors;
    for (std::size_t s = 0; s < series.size(); ++s) {
        colors.push_back(series[s].color.value_or(category_color(s)));
        if (opt.legend && !series[s].name.empty())
            spec.legend.push_back({series[s].name, colors.back(),
                                   series[s].markers ? LegendEntry::Kind::marker : LegendEntry::Kind::line, Marker::circle});
    }
    Figure fig(spec.width, spec.height);
    const Axes ax = add_chart_frame(fig, spec, fn);
    fig.add([=](Canvas& c) {
        c.clip(ax.area);
        for (std::size_t s = 0; s < series.size(); ++s) {
            const auto& sr = series[s];
            std::vector<Point> run;
            auto flush = [&] {
                c.polyline(run, colors[s], opt.line_width, sr.dashed ? std::vector<double>{5, 3} : std::vector<double>{});
                run.clear();
            };
            for (std::size_t i = 0; i < sr.x.size(); ++i) {
                if (!std::isfinite(sr.x[i]) || !std::isfinite(sr.y[i])) { flush(); continue; }
                run.push_back(ax.to_figure(sr.x[i], sr.y[i]));
            }
            flush();
            if (sr.markers)
                for (std::size_t i = 0; i < sr.x.size(); ++i)
                    if (std::isfinite(sr.x[i]) && std::isfinite(sr.y[i]))
                        c.marker(ax.to_figure(sr.x[i], sr.y[i]), Marker::circle, 5, colors[s], white, 0.6);
        }
        c.reset_clip();
        if (opt.reference_line) draw_reference_line(c, ax, *opt.reference_line, opt.reference_label, opt.font_size);
    });
    return fig;
}

}  // namespace c2s::plot
