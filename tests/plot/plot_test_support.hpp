#pragma once
// Helpers for the plot tests: find where a figure drew something in its PNG.

#include <cmath>
#include <string>

#include "c2s/plot/figure.hpp"
#include "test_support.hpp"

namespace c2s::plot::test {

/// PNG resolution used by the tests: 2 pixels per point.
inline constexpr double dpi = 144;

/// Renders `fig` to `path` (PNG at `dpi`) and reads it back.
inline RgbaImage render_png(const Figure& fig, const std::filesystem::path& path) {
    fig.save(path, SaveOptions{dpi});
    return read_png(path);
}

/// The pixel under figure point `p`.
inline Color pixel_at(const RgbaImage& img, Point p) {
    const double s = dpi / 72.0;
    return img.pixel(static_cast<int>(std::floor(p.x * s)), static_cast<int>(std::floor(p.y * s)));
}

/// Largest channel difference in 8-bit steps.
inline int max_diff8(const Color& a, const Color& b) {
    const auto x = a.rgba8(), y = b.rgba8();
    int d = 0;
    for (int k = 0; k < 4; ++k) d = std::max(d, std::abs(int(x[k]) - int(y[k])));
    return d;
}

inline std::string describe(const Color& c) {
    const auto q = c.rgba8();
    return concat("rgba(", int(q[0]), ", ", int(q[1]), ", ", int(q[2]), ", ", int(q[3]), ")");
}

}  // namespace c2s::plot::test
