#pragma once
/// @file box_plot.hpp
/// @brief `c2s::plot::box_plot`: one box per group (median, quartiles, Tukey whiskers, outlier
/// points), optional jittered points and a horizontal reference line; `box_stats` computes the
/// statistics.
///
/// Statistics follow matplotlib's `cbook.boxplot_stats` (tested against it): quartiles are
/// numpy's linear-interpolation percentiles; the whiskers reach the most extreme data points within
/// `whisker` x IQR of the quartiles; points beyond them are outliers. NaN values are left out
/// (reported in `Figure::warnings`).

#include <algorithm>
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/plot/axes.hpp"
#include "c2s/plot/color.hpp"
#include "c2s/plot/figure.hpp"

namespace c2s::plot {

struct BoxStats {
    double q1 = 0, median = 0, q3 = 0;
    /// Whisker ends: the most extreme data within [q1 - w IQR, q3 + w IQR].
    double whisker_low = 0, whisker_high = 0;
    /// Values outside the whiskers, ascending.
    std::vector<double> outliers;
    /// Number of finite values the statistics were computed from.
    std::size_t count = 0;
};

/// The `p`-th quantile (p in [0, 1]) of ascending `sorted` by linear interpolation (numpy's
/// default, Hyndman & Fan type 7).
[[nodiscard]] inline double quantile_sorted(std::span<const double> sorted, double p) {
    if (sorted.empty()) fail_argument("c2s::plot::quantile_sorted", "'sorted' is empty");
    const double h = p * static_cast<double>(sorted.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(h));
    const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
    return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

/// Box-plot statistics of the non-NaN `values`; throws if there are none or `whisker` < 0.
[[nodiscard]] inline BoxStats box_stats(std::span<const double> values, double whisker = 1.5) {
    if (!(whisker >= 0)) fail_argument("c2s::plot::box_stats", "'whisker' is ", whisker, "; it must be >= 0");
    std::vector<double> v;
    v.reserve(values.size());
    for (double x : values)
        if (!std::isnan(x)) v.push_back(x);
    if (v.empty()) fail_argument("c2s::plot::box_stats", "'values' has no value that is not NaN (", values.size(), " given)");
    std::sort(v.begin(), v.end());
    BoxStats s;
    s.count = v.size();
    s.q1 = quantile_sorted(v, 0.25);
    s.median = quantile_sorted(v, 0.5);
    s.q3 = quantile_sorted(v, 0.75);
    const double iqr = s.q3 - s.q1, lo = s.q1 - whisker * iqr, hi = s.q3 + whisker * iqr;
    s.whisker_low = s.q1;
    s.whisker_high = s.q3;
    for (double x : v)
        if (x >= lo) { s.whisker_low = std::min(x, s.q1); break; }
    for (auto it = v.rbegin(); it != v.rend(); ++it)
        if (*it <= hi) { s.whisker_high = std::max(*it, s.q3); break; }
    for (double x : v)
        if (x < s.whisker_low || x > s.whisker_high) s.outliers.push_back(x);
    return s;
}

struct BoxPlotOptions {
    std::string title, x_label, y_label;
    /// Figure size in points; width 0 chooses 90 + 50 per group (at least 260).
    double width = 0, height = 320;
    double font_size = 10;
    /// Whisker reach in IQRs (Tukey: 1.5). Larger values flag fewer outliers.
    double whisker = 1.5;
    /// Draws the points beyond the whiskers.
    bool show_outliers = true;
    /// Draws every value as a point jittered sideways over its box (outliers then appear once).
    bool jitter = false;
    /// Jitter spread as a fraction of the box width; the seed makes it reproducible.
    double jitter_width = 0.7;
    std::uint64_t seed = 7;
    /// Box width as a fraction of the distance between groups.
    double box_width = 0.6;
    /// Fill colours per group; default matplotlib tab10 in order.
    std::vector<Color> colors;
    /// Dashed horizontal line at this value (e.g. the DMSO median or a significance threshold).
    std::optional<double> reference_line;
    std::string reference_label;
};

/// One box per entry of `groups`, named by `names` along the x axis (rotated 45 degrees when
/// long). Throws std::invalid_argument for no groups, a names/colors length mismatch or a group
/// without values (naming it).
[[nodiscard]] inline Figure box_plot(const std::vector<std::vector<double>>& groups, const std::vector<std::string>& names,
                                     const BoxPlotOptions& opt = {}) {
    constexpr std::string_view fn = "c2s::plot::box_plot";
    if (groups.empty()) fail_argument(fn, "'groups' is empty");
    if (names.size() != groups.size())
        fail_argument(fn, "'names' has ", names.size(), " entries but 'groups' has ", groups.size());
    if (!opt.colors.empty() && opt.colors.size() != groups.size())
        fail_argument(fn, "'colors' has ", opt.colors.size(), " entries but 'groups' has ", groups.size());
    std::vector<BoxStats> stats;
    std::vector<std::string> warnings;
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (std::size_t g = 0; g < groups.size(); ++g) {
        std::size_t nans = 0;
        for (double v : groups[g]) nans += std::isnan(v) ? 1 : 0;
        if (nans == groups[g].size())
            fail_argument(fn, "group ", g, " ('", names[g], "') has no value that is not NaN (", groups[g].size(), " given)");
        if (nans) warnings.push_back(concat(fn, ": group '", names[g], "': ", nans, " NaN value(s) left out"));
        stats.push_back(box_stats(groups[g], opt.whisker));
        for (double v : groups[g])
            if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    }
    if (!(lo <= hi)) fail_argument(fn, "'groups' has no finite value");
    if (opt.reference_line && std::isfinite(*opt.reference_line))
        lo = std::min(lo, *opt.reference_line), hi = std::max(hi, *opt.reference_line);
    const auto [y0, y1] = padded(lo, hi, 0.06);

    ChartSpec spec = chart_spec(opt);
    set_categories(spec, names, 50, y0, y1);
    Figure fig(spec.width, spec.height);
    fig.warnings = std::move(warnings);
    const Axes ax = add_chart_frame(fig, spec, fn);

    // Jitter offsets drawn now so every output shows the same points.
    std::vector<std::vector<double>> offsets(groups.size());
    if (opt.jitter) {
        detail::SplitMix rng{opt.seed};
        for (std::size_t g = 0; g < groups.size(); ++g)
            for (std::size_t k = 0; k < groups[g].size(); ++k)
                offsets[g].push_back((rng.next() - 0.5) * opt.box_width * opt.jitter_width);
    }
    fig.add([=](Canvas& c) {
        c.clip(ax.area);
        const double half = opt.box_width / 2;
        for (std::size_t g = 0; g < groups.size(); ++g) {
            const BoxStats& s = stats[g];
            const double x = static_cast<double>(g + 1);
            const Color fill = opt.colors.empty() ? category_color(g) : opt.colors[g];
            const Color edge{0.2, 0.2, 0.2, 1};
            const double xl = ax.x_to_figure(x - half), xr = ax.x_to_figure(x + half), xm = ax.x_to_figure(x);
            const double yq1 = ax.y_to_figure(s.q1), yq3 = ax.y_to_figure(s.q3);
            // Whiskers with caps.
            c.line({xm, ax.y_to_figure(s.whisker_low)}, {xm, yq1}, edge, 1.0);
            c.line({xm, yq3}, {xm, ax.y_to_figure(s.whisker_high)}, edge, 1.0);
            const double cap = (xr - xl) * 0.25;
            c.line({xm - cap, ax.y_to_figure(s.whisker_low)}, {xm + cap, ax.y_to_figure(s.whisker_low)}, edge, 1.0);
            c.line({xm - cap, ax.y_to_figure(s.whisker_high)}, {xm + cap, ax.y_to_figure(s.whisker_high)}, edge, 1.0);
            const Rect box{xl, yq3, xr - xl, std::max(yq1 - yq3, 0.0)};
            c.fill_rect(box, fill.with_alpha(opt.jitter ? 0.45 : 0.85));
            c.stroke_rect(box, edge, 1.0);
            c.line({xl, ax.y_to_figure(s.median)}, {xr, ax.y_to_figure(s.median)}, edge, 2.0);
            if (opt.jitter) {
                for (std::size_t k = 0; k < groups[g].size(); ++k) {
                    const double v = groups[g][k];
                    if (std::isnan(v)) continue;
                    c.marker(ax.to_figure(x + offsets[g][k], v), Marker::circle, 3.6, fill.with_alpha(0.9),
                             edge.with_alpha(0.8), 0.4);
                }
            } else if (opt.show_outliers) {
                for (double v : s.outliers)
                    c.marker(ax.to_figure(x, v), Marker::circle, 4.5, white.with_alpha(0), edge, 0.9);
            }
        }
        c.reset_clip();
        if (opt.reference_line) draw_reference_line(c, ax, *opt.reference_line, opt.reference_label, opt.font_size);
    });
    return fig;
}

}  // namespace c2s::plot
