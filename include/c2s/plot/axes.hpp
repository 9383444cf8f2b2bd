#pragma once
/// @file axes.hpp
/// @brief Building blocks shared by the plot types: "nice" tick positions, tick labels, a chart
/// frame with title, axis labels, ticks and legend laid out so that no text is clipped, and a
/// colour bar.
///
/// `nice_ticks(lo, hi)` returns multiples of 1, 2, 2.5 or 5 x 10^k inside [lo, hi] (about 5 of
/// them, Heckbert's "nice numbers"); `add_chart_frame` measures every label first and sizes the
/// margins from the measurements, rotating categorical x labels by 45 degrees when they would
/// overlap.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/plot/color.hpp"
#include "c2s/plot/figure.hpp"

namespace c2s::plot {

struct Ticks {
    std::vector<double> values;
    std::vector<std::string> labels;
    double step = 0;
};

/// `value` printed with as many decimals as `step` needs (0.25 -> 2), "%.3g" for very large or
/// very small magnitudes; -0 prints as 0.
[[nodiscard]] inline std::string format_tick(double value, double step) {
    if (std::abs(value) < std::abs(step) * 1e-9) value = 0;
    char buf[64];
    const double mag = std::max(std::abs(value), std::abs(step));
    if (mag >= 1e6 || (mag < 1e-4 && mag > 0)) {
        std::snprintf(buf, sizeof buf, "%.3g", value);
        return buf;
    }
    int decimals = 0;
    for (double s = std::abs(step); decimals < 10; ++decimals, s *= 10)
        if (std::abs(s - std::round(s)) < 1e-6 * std::max(1.0, s)) break;
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    return buf;
}

/// About `target` ticks at multiples of a "nice" step (1, 2, 2.5 or 5 x 10^k) inside [lo, hi].
/// lo == hi gives a range of +-0.5 (or +-10%) around the value; non-finite bounds throw.
[[nodiscard]] inline Ticks nice_ticks(double lo, double hi, int target = 5) {
    if (!std::isfinite(lo) || !std::isfinite(hi))
        fail_argument("c2s::plot::nice_ticks", "range [", lo, ", ", hi, "] is not finite");
    if (lo > hi) std::swap(lo, hi);
    if (hi - lo <= std::abs(hi) * 1e-12) {
        const double pad = lo == 0 ? 0.5 : std::abs(lo) * 0.1;
        lo -= pad;
        hi += pad;
    }
    target = std::max(target, 2);
    const double raw = (hi - lo) / target;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    const double norm = raw / mag;
    const double mult = norm < 1.5 ? 1 : norm < 2.25 ? 2 : norm < 3.5 ? 2.5 : norm < 7.5 ? 5 : 10;
    Ticks t;
    t.step = mult * mag;
    const double eps = t.step * 1e-9;
    for (double k = std::ceil((lo - eps) / t.step);; k += 1) {
        const double v = k * t.step;
        if (v > hi + eps) break;
        t.values.push_back(v);
        t.labels.push_back(format_tick(v, t.step));
    }
    return t;
}

/// [lo, hi] widened to the enclosing tick multiples (for chart axes that should end on a tick).
[[nodiscard]] inline std::pair<double, double> nice_range(double lo, double hi, int target = 5) {
    // Snap to the step, then re-check: the widened range may call for another step; repeat until
    // the ticks of the result end exactly on its ends.
    double a = std::min(lo, hi), b = std::max(lo, hi);
    for (int iteration = 0; iteration < 4; ++iteration) {
        const Ticks t = nice_ticks(a, b, target);
        const double na = std::floor(std::min(lo, hi) / t.step + 1e-9) * t.step;
        const double nb = std::ceil(std::max(lo, hi) / t.step - 1e-9) * t.step;
        if (nb - na <= 0) return {na - t.step, nb + t.step};
        const bool stable = std::abs(na - a) < t.step * 1e-9 && std::abs(nb - b) < t.step * 1e-9;
        a = na, b = nb;
        if (stable) break;
    }
    return {a, b};
}

/// One legend row: a marker, a filled box or a line sample, and its label.
struct LegendEntry {
    enum class Kind { marker, box, line };
    std::string label;
    Color color = category_color(0);
    Kind kind = Kind::marker;
    Marker marker = Marker::circle;
};

/// Everything `add_chart_frame` draws around a cartesian plot.
struct ChartSpec {
    std::string title, x_label, y_label;
    /// Figure size in points.
    double width = 480, height = 360;
    /// Base font size in points (tick labels 0.9x, title 1.2x bold).
    double font_size = 10;
    double x_min = 0, x_max = 1, y_min = 0, y_max = 1;
    /// Categorical x axis: (position, label) pairs replace the numeric x ticks.
    std::vector<std::pair<double, std::string>> x_categories;
    /// Light horizontal / vertical grid lines at the ticks.
    bool grid_y = true, grid_x = false;
    /// Legend to the right of the plot area (nothing when empty).
    std::vector<LegendEntry> legend;
    std::string legend_title;
};

/// A spec with the fields every plot's Options share: title, axis labels, size and font size.
template <class Options_>
[[nodiscard]] ChartSpec chart_spec(const Options_& opt) {
    ChartSpec spec;
    spec.title = opt.title;
    spec.x_label = opt.x_label;
    spec.y_label = opt.y_label;
    spec.width = opt.width;
    spec.height = opt.height;
    spec.font_size = opt.font_size;
    return spec;
}

/// Categories `names` at x = 1, 2, ..., n (bar and box plots), y from `y_min` to `y_max`; the width
/// grows with the number of categories unless the options fixed it (`width > 0`).
inline void set_categories(ChartSpec& spec, const std::vector<std::string>& names, double width_per_category,
                           double y_min, double y_max) {
    const auto n = static_cast<double>(names.size());
    if (!(spec.width > 0)) spec.width = std::max(260.0, 90 + width_per_category * n);
    spec.x_min = 0.5;
    spec.x_max = n + 0.5;
    spec.y_min = y_min;
    spec.y_max = y_max;
    for (std::size_t i = 0; i < names.size(); ++i) spec.x_categories.emplace_back(static_cast<double>(i + 1), names[i]);
}

namespace detail {

inline double text_height(const Font& f) {
    const TextExtent e = measure_text("Hg", f);
    return e.cap_height + e.descent;
}

inline void draw_legend(Canvas& c, Point top_left, const std::vector<LegendEntry>& entries,
                        const std::string& title, double font_size) {
    const Font font{font_size * 0.9};
    const double row = font_size * 1.45;
    double y = top_left.y + row / 2;
    if (!title.empty()) {
        c.text(title, {top_left.x, y}, Font{font_size * 0.9, true}, ink, HAlign::left, VAlign::middle);
        y += row;
    }
    const double sym = font_size * 0.8;
    for (const auto& e : entries) {
        const Point s{top_left.x + sym / 2, y};
        if (e.kind == LegendEntry::Kind::box)
            c.fill_rect({s.x - sym / 2, s.y - sym / 2, sym, sym}, e.color);
        else if (e.kind == LegendEntry::Kind::line)
            c.line({s.x - sym / 2 - 2, s.y}, {s.x + sym / 2 + 2, s.y}, e.color, 1.8);
        else
            c.marker(s, e.marker, sym * 0.85, e.color, white.with_alpha(0.8), 0.4);
        c.text(e.label, {top_left.x + sym + 5, y}, font, ink, HAlign::left, VAlign::middle);
        y += row;
    }
}

inline double legend_width(const std::vector<LegendEntry>& entries, const std::string& title, double font_size) {
    if (entries.empty()) return 0;
    double w = title.empty() ? 0 : measure_text(title, Font{font_size * 0.9, true}).width;
    for (const auto& e : entries) w = std::max(w, font_size * 0.8 + 5 + measure_text(e.label, Font{font_size * 0.9}).width);
    return w;
}

}  // namespace detail

/// Lays out and draws the frame of a cartesian chart (title, axis labels, ticks, grid, legend),
/// adds it to `fig` and returns the plot area's `Axes` (also pushed onto `fig.axes()`).
/// Throws std::invalid_argument when the labels leave less than 40 x 40 points to plot in.
inline Axes add_chart_frame(Figure& fig, const ChartSpec& spec, std::string_view caller = "c2s::plot::add_chart_frame") {
    if (!(spec.x_max > spec.x_min) || !(spec.y_max > spec.y_min) || !std::isfinite(spec.x_min) ||
        !std::isfinite(spec.x_max) || !std::isfinite(spec.y_min) || !std::isfinite(spec.y_max))
        fail_argument(caller, "axis ranges [", spec.x_min, ", ", spec.x_max, "] x [", spec.y_min, ", ", spec.y_max,
                      "] are empty or not finite");
    const double fs = spec.font_size;
    const Font tick_font{fs * 0.9}, label_font{fs}, title_font{fs * 1.2, true};
    const double pad = 8, tick_len = 4, gap = 4;
    const double tick_h = detail::text_height(tick_font);
    const double label_h = detail::text_height(label_font);

    const Ticks yt = nice_ticks(spec.y_min, spec.y_max, 6);
    std::vector<std::pair<double, std::string>> yticks;
    for (std::size_t i = 0; i < yt.values.size(); ++i) yticks.emplace_back(yt.values[i], yt.labels[i]);
    std::vector<std::pair<double, std::string>> xticks = spec.x_categories;
    const bool categorical = !xticks.empty();
    if (!categorical) {
        const Ticks xt = nice_ticks(spec.x_min, spec.x_max, 6);
        for (std::size_t i = 0; i < xt.values.size(); ++i) xticks.emplace_back(xt.values[i], xt.labels[i]);
    }

    double ytick_w = 0;
    for (const auto& [v, s] : yticks) ytick_w = std::max(ytick_w, measure_text(s, tick_font).width);
    double xtick_w = 0, first_w = 0;
    for (const auto& [v, s] : xticks) xtick_w = std::max(xtick_w, measure_text(s, tick_font).width);
    if (!xticks.empty()) first_w = measure_text(xticks.front().second, tick_font).width;

    const double top = pad + (spec.title.empty() ? 0 : detail::text_height(title_font) + 8);
    const double lw = detail::legend_width(spec.legend, spec.legend_title, fs);
    const double right = pad + (lw > 0 ? lw + 12 : 4) + (categorical ? 0 : xtick_w / 2);
    double left = pad + (spec.y_label.empty() ? 0 : label_h + 6) + ytick_w + gap + tick_len;
    const double bottom_base = pad + (spec.x_label.empty() ? 0 : label_h + 6) + gap + tick_len;

    // Categorical labels wider than their slot are rotated by 45 degrees (anchored at their end).
    double area_w = spec.width - left - right;
    bool rotate = false;
    if (categorical) {
        const double slot = area_w / std::max(1.0, (spec.x_max - spec.x_min));
        rotate = xtick_w > 0.92 * slot;
        if (rotate) {
            const double first_x = (xticks.front().first - spec.x_min) / (spec.x_max - spec.x_min) * area_w;
            const double need = first_w * std::cos(std::numbers::pi / 4) - first_x + pad;
            left = std::max(left, need);
            area_w = spec.width - left - right;
        }
    } else {
        left = std::max(left, pad + first_w / 2);
        area_w = spec.width - left - right;
    }
    const double xlab_h = rotate ? (xtick_w + tick_h) * std::sin(std::numbers::pi / 4) : tick_h;
    const double bottom = bottom_base + xlab_h;
    const double area_h = spec.height - top - bottom;
    if (area_w < 40 || area_h < 40)
        fail_argument(caller, "a ", spec.width, " x ", spec.height, " point figure leaves ", std::max(0.0, area_w),
                      " x ", std::max(0.0, area_h), " points for the plot after its labels; make it larger");

    Axes ax;
    ax.area = {left, top, area_w, area_h};
    ax.x_min = spec.x_min;
    ax.x_max = spec.x_max;
    ax.y_min = spec.y_min;
    ax.y_max = spec.y_max;
    ax.y_down = false;
    fig.axes().push_back(ax);

    fig.add([=](Canvas& c) {
        const Color grid{0.88, 0.88, 0.88, 1};
        const Rect a = ax.area;
        if (spec.grid_y)
            for (const auto& [v, s] : yticks) c.line({a.x, ax.y_to_figure(v)}, {a.right(), ax.y_to_figure(v)}, grid, 0.6);
        if (spec.grid_x && !categorical)
            for (const auto& [v, s] : xticks) c.line({ax.x_to_figure(v), a.y}, {ax.x_to_figure(v), a.bottom()}, grid, 0.6);
    });
    const std::vector<LegendEntry> legend = spec.legend;
    fig.add([=](Canvas& c) {
        const Rect a = ax.area;
        c.line({a.x, a.y}, {a.x, a.bottom()}, ink, 0.8);
        c.line({a.x, a.bottom()}, {a.right(), a.bottom()}, ink, 0.8);
        for (const auto& [v, s] : yticks) {
            const double y = ax.y_to_figure(v);
            c.line({a.x - tick_len, y}, {a.x, y}, ink, 0.8);
            c.text(s, {a.x - tick_len - gap, y}, tick_font, ink, HAlign::right, VAlign::middle);
        }
        for (const auto& [v, s] : xticks) {
            const double x = ax.x_to_figure(v);
            c.line({x, a.bottom()}, {x, a.bottom() + tick_len}, ink, 0.8);
            if (rotate)
                c.text(s, {x + tick_h * 0.35, a.bottom() + tick_len + gap}, tick_font, ink, HAlign::right, VAlign::top, 45);
            else
                c.text(s, {x, a.bottom() + tick_len + gap}, tick_font, ink, HAlign::center, VAlign::top);
        }
        if (!spec.title.empty())
            c.text(spec.title, {a.x + a.width / 2, pad}, title_font, ink, HAlign::center, VAlign::top);
        if (!spec.x_label.empty())
            c.text(spec.x_label, {a.x + a.width / 2, spec.height - pad}, label_font, ink, HAlign::center, VAlign::bottom);
        if (!spec.y_label.empty())
            c.text(spec.y_label, {pad, a.y + a.height / 2}, label_font, ink, HAlign::center, VAlign::top, 90);
        if (!legend.empty()) detail::draw_legend(c, {a.right() + 12, a.y}, legend, spec.legend_title, spec.font_size);
    });
    return ax;
}

/// A dashed horizontal line across `ax` at data value `y`, with `label` (if any) written above
/// its right end.
inline void draw_reference_line(Canvas& c, const Axes& ax, double y, const std::string& label, double font_size) {
    if (!std::isfinite(y) || y < std::min(ax.y_min, ax.y_max) || y > std::max(ax.y_min, ax.y_max)) return;
    const double fy = ax.y_to_figure(y);
    const Color col{0.35, 0.35, 0.35, 1};
    c.line({ax.area.x, fy}, {ax.area.right(), fy}, col, 1.0, {4, 3});
    if (!label.empty()) {
        const Font f{font_size * 0.85};
        const TextExtent e = measure_text(label, f);
        const Point at{ax.area.right() - 3, fy - 3};
        c.fill_rect({at.x - e.width - 2, at.y - e.cap_height - e.descent - 1, e.width + 4, e.cap_height + e.descent + 2},
                    white.with_alpha(0.8));
        c.text(label, at, f, col, HAlign::right, VAlign::bottom);
    }
}

/// Lowest and highest finite value of `values` (NaN and infinities skipped); nullopt when
/// nothing is finite.
[[nodiscard]] inline std::optional<std::pair<double, double>> finite_range(const std::vector<double>& values) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (double v : values)
        if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    if (!(lo <= hi)) return std::nullopt;
    return std::pair{lo, hi};
}

/// [lo, hi] padded by `fraction` of its width on both sides (a degenerate range by +-0.5 / 10%).
[[nodiscard]] inline std::pair<double, double> padded(double lo, double hi, double fraction = 0.05) {
    if (hi - lo <= std::abs(hi) * 1e-12) {
        const double p = lo == 0 ? 0.5 : std::abs(lo) * 0.1;
        return {lo - p, hi + p};
    }
    const double p = (hi - lo) * fraction;
    return {lo - p, hi + p};
}

namespace detail {
/// Deterministic uniform numbers in [0, 1) (splitmix64), the same on every platform.
struct SplitMix {
    std::uint64_t state;
    double next() noexcept {
        std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        z ^= z >> 31;
        return static_cast<double>(z >> 11) * 0x1.0p-53;
    }
};
}  // namespace detail

/// Width in points that `draw_colorbar` needs for a bar `bar_width` wide (ticks, labels, title).
[[nodiscard]] inline double colorbar_width(const ColorScale& scale, const std::string& label, double font_size,
                                           double bar_width = 12) {
    const Font tick_font{font_size * 0.9};
    double w = 0;
    if (scale.vmax > scale.vmin)
        for (const auto& s : nice_ticks(scale.vmin, scale.vmax, 5).labels) w = std::max(w, measure_text(s, tick_font).width);
    else
        w = measure_text(format_tick(scale.vmin, 1), tick_font).width;
    return bar_width + 3 + 3 + w + (label.empty() ? 0 : 6 + detail::text_height(Font{font_size}));
}

/// Draws a vertical colour bar in `bar` (vmax at the top) with nice ticks at the values they
/// stand for, the range printed at both ends when it does not fall on a tick, and `label`.
inline void draw_colorbar(Canvas& c, const Rect& bar, const ColorScale& scale, const std::string& label,
                          double font_size) {
    RgbaImage img;
    img.width = 1;
    img.height = 256;
    img.rgba.resize(256 * 4);
    for (int i = 0; i < 256; ++i) {
        const auto q = colormap_color(scale.map, 1.0 - (i + 0.5) / 256.0).rgba8();
        std::copy(q.begin(), q.end(), img.rgba.begin() + i * 4);
    }
    c.image(img, bar, true);
    c.stroke_rect(bar, ink, 0.6);
    const Font tick_font{font_size * 0.9};
    auto y_of = [&](double v) { return bar.bottom() - scale.normalise(v) * bar.height; };
    if (scale.vmax > scale.vmin) {
        const Ticks t = nice_ticks(scale.vmin, scale.vmax, 5);
        for (std::size_t i = 0; i < t.values.size(); ++i) {
            const double y = y_of(t.values[i]);
            c.line({bar.right(), y}, {bar.right() + 3, y}, ink, 0.6);
            c.text(t.labels[i], {bar.right() + 6, y}, tick_font, ink, HAlign::left, VAlign::middle);
        }
    } else {
        c.text(format_tick(scale.vmin, 1), {bar.right() + 6, bar.center().y}, tick_font, ink, HAlign::left,
               VAlign::middle);
    }
    if (!label.empty()) {
        const double w = colorbar_width(scale, label, font_size, bar.width);
        c.text(label, {bar.x + w, bar.center().y}, Font{font_size}, ink, HAlign::center, VAlign::bottom, 90);
    }
}

}  // namespace c2s::plot
