#pragma once
/// @file bar_plot.hpp
/// @brief `c2s::plot::bar_plot`: one vertical bar per value from 0, optional symmetric error bars,
/// value labels and a reference line.
///
/// The y axis always includes 0 and ends on nice tick values. A NaN value draws no bar (and is
/// reported in `Figure::warnings`); a NaN error draws no error bar.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/plot/axes.hpp"
#include "c2s/plot/color.hpp"
#include "c2s/plot/figure.hpp"

namespace c2s::plot {

struct BarPlotOptions {
    std::string title, x_label, y_label;
    /// Figure size in points; width 0 chooses 90 + 36 per bar (at least 260).
    double width = 0, height = 320;
    double font_size = 10;
    /// Half-length of each error bar (e.g. standard deviation or SEM), or empty for none.
    std::vector<double> errors;
    /// One colour per bar, or empty: all bars `color`.
    std::vector<Color> colors;
    Color color = category_color(0);
    /// Bar width as a fraction of the distance between bars.
    double bar_width = 0.7;
    /// Writes each value above (or below, if negative) its bar with `value_decimals` decimals.
    bool value_labels = false;
    int value_decimals = 2;
    std::optional<double> reference_line;
    std::string reference_label;
};

/// Bars for `values` named by `names`. Throws std::invalid_argument for no values, a length
/// mismatch of names / errors / colors, a negative error or only NaN values.
[[nodiscard]] inline Figure bar_plot(std::span<const double> values, const std::vector<std::string>& names,
                                     const BarPlotOptions& opt = {}) {
    constexpr std::string_view fn = "c2s::plot::bar_plot";
    if (values.empty()) fail_argument(fn, "'values' is empty");
    if (names.size() != values.size())
        fail_argument(fn, "'names' has ", names.size(), " entries but 'values' has ", values.size());
    if (!opt.errors.empty() && opt.errors.size() != values.size())
        fail_argument(fn, "'errors' has ", opt.errors.size(), " entries but 'values' has ", values.size());
    if (!opt.colors.empty() && opt.colors.size() != values.size())
        fail_argument(fn, "'colors' has ", opt.colors.size(), " entries but 'values' has ", values.size());
    std::vector<std::string> warnings;
    double lo = 0, hi = 0;
    bool any = false;
    for (std::size_t i = 0; i < values.size(); ++i) {
        const double e = opt.errors.empty() || std::isnan(opt.errors[i]) ? 0 : opt.errors[i];
        if (e < 0 || std::isinf(e)) fail_argument(fn, "'errors' entry ", i, " ('", names[i], "') is ", e, "; it must be >= 0 and finite");
        if (std::isnan(values[i])) {
            warnings.push_back(concat(fn, ": bar ", i, " ('", names[i], "') is NaN and not drawn"));
            continue;
        }
        if (std::isinf(values[i])) fail_argument(fn, "'values' entry ", i, " ('", names[i], "') is ", values[i]);
        any = true;
        lo = std::min(lo, values[i] - e);
        hi = std::max(hi, values[i] + e);
    }
    if (!any) fail_argument(fn, "'values' has no value that is not NaN (", values.size(), " given)");
    if (opt.reference_line && std::isfinite(*opt.reference_line))
        lo = std::min(lo, *opt.reference_line), hi = std::max(hi, *opt.reference_line);
    if (opt.value_labels) {  // room for the labels
        const double span = std::max(hi - lo, 1e-12);
        if (hi > 0) hi += span * 0.08;
        if (lo < 0) lo -= span * 0.08;
    }
    const auto [y0, y1] = nice_range(lo, hi, 6);

    ChartSpec spec = chart_spec(opt);
    set_categories(spec, names, 36, y0, y1);
    Figure fig(spec.width, spec.height);
    fig.warnings = std::move(warnings);
    const Axes ax = add_chart_frame(fig, spec, fn);
    std::vector<double> v(values.begin(), values.end());
    fig.add([=](Canvas& c) {
        const double half = opt.bar_width / 2;
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (std::isnan(v[i])) continue;
            const double x = static_cast<double>(i + 1);
            const double xl = ax.x_to_figure(x - half), xr = ax.x_to_figure(x + half);
            const double ya = ax.y_to_figure(0), yb = ax.y_to_figure(v[i]);
            const Rect bar{xl, std::min(ya, yb), xr - xl, std::abs(ya - yb)};
            c.fill_rect(bar, opt.colors.empty() ? opt.color : opt.colors[i]);
            const double e = opt.errors.empty() ? std::nan("") : opt.errors[i];
            double label_y = v[i];
            if (!std::isnan(e) && e > 0) {
                const double xm = ax.x_to_figure(x), cap = (xr - xl) * 0.2;
                const double ylo = ax.y_to_figure(v[i] - e), yhi = ax.y_to_figure(v[i] + e);
                c.line({xm, ylo}, {xm, yhi}, ink, 1.0);
                c.line({xm - cap, ylo}, {xm + cap, ylo}, ink, 1.0);
                c.line({xm - cap, yhi}, {xm + cap, yhi}, ink, 1.0);
                label_y = v[i] >= 0 ? v[i] + e : v[i] - e;
            }
            if (opt.value_labels) {
                char buf[48];
                std::snprintf(buf, sizeof buf, "%.*f", std::clamp(opt.value_decimals, 0, 12), v[i]);
                const bool up = v[i] >= 0;
                c.text(buf, {ax.x_to_figure(x), ax.y_to_figure(label_y) + (up ? -2 : 2)}, Font{opt.font_size * 0.8}, ink,
                       HAlign::center, up ? VAlign::bottom : VAlign::top);
            }
        }
        if (ax.y_min < 0) c.line({ax.area.x, ax.y_to_figure(0)}, {ax.area.right(), ax.y_to_figure(0)}, ink, 0.8);
        if (opt.reference_line) draw_reference_line(c, ax, *opt.reference_line, opt.reference_label, opt.font_size);
    });
    return fig;
}

}  // namespace c2s::plot
