#pragma once
/// @file overlay.hpp
/// @brief `c2s::plot::overlay`: a grayscale or RGB image with a heat map (activation map,
/// Grad-CAM) laid over it through a colormap with opacity `alpha`, and a colour bar.
///
/// The image is scaled to [0, 1] by `image_min` / `image_max` (default its own min and max over
/// all channels). A heat map smaller than the image (a CNN feature map) is upsampled with
/// `resize_bilinear` (PyTorch's `interpolate(mode="bilinear", align_corners=False)`, tested
/// against it). Each output pixel is `(1 - a) * image + a * colormap(heat)`, with a = `alpha`, or 0
/// where the heat is NaN or below `threshold`. Pixels are drawn as sharp squares (no smoothing).

#include <algorithm>
#include <cmath>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/plot/axes.hpp"
#include "c2s/plot/color.hpp"
#include "c2s/plot/figure.hpp"

namespace c2s::plot {

/// A row-major (height x width x channels, channels last) float image viewed, not owned.
struct ImageRef {
    std::span<const float> data;
    std::size_t rows = 0, cols = 0, channels = 1;
};

struct OverlayOptions {
    std::string title;
    Colormap colormap = Colormap::magma;
    /// Opacity of the heat map, in [0, 1].
    double alpha = 0.5;
    /// Heat range mapped onto the colormap; default the heat map's finite min and max.
    std::optional<double> heat_min, heat_max;
    /// Heat values below this are not overlaid (the image shows through).
    std::optional<double> threshold;
    /// Image grey levels mapped to black and white; default its own min and max.
    std::optional<double> image_min, image_max;
    bool colorbar = true;
    std::string colorbar_label;
    /// Size in points of the image's longer side.
    double image_size = 360;
    double font_size = 10;
};

/// Bilinear resize of a rows x cols single-channel map to out_rows x out_cols, sampling at pixel
/// centres like PyTorch's `interpolate(mode="bilinear", align_corners=False)`.
[[nodiscard]] inline std::vector<float> resize_bilinear(std::span<const float> in, std::size_t rows, std::size_t cols,
                                                        std::size_t out_rows, std::size_t out_cols) {
    if (rows == 0 || cols == 0 || in.size() != rows * cols)
        fail_argument("c2s::plot::resize_bilinear", "'in' has ", in.size(), " values but is declared ", rows, " x ", cols);
    std::vector<float> out(out_rows * out_cols);
    auto source = [](std::size_t o, std::size_t n_in, std::size_t n_out, std::size_t& i0, std::size_t& i1, double& f) {
        const double scale = static_cast<double>(n_in) / static_cast<double>(n_out);
        const double s = std::max(0.0, (static_cast<double>(o) + 0.5) * scale - 0.5);
        i0 = std::min(static_cast<std::size_t>(s), n_in - 1);
        i1 = std::min(i0 + 1, n_in - 1);
        f = s - static_cast<double>(i0);
    };
    for (std::size_t r = 0; r < out_rows; ++r) {
        std::size_t r0, r1;
        double fr;
        source(r, rows, out_rows, r0, r1, fr);
        for (std::size_t c = 0; c < out_cols; ++c) {
            std::size_t c0, c1;
            double fc;
            source(c, cols, out_cols, c0, c1, fc);
            const double top = (1 - fc) * in[r0 * cols + c0] + fc * in[r0 * cols + c1];
            const double bot = (1 - fc) * in[r1 * cols + c0] + fc * in[r1 * cols + c1];
            out[r * out_cols + c] = static_cast<float>((1 - fr) * top + fr * bot);
        }
    }
    return out;
}

/// The composited image (image rows x cols) that `overlay` draws, as RGBA.
[[nodiscard]] inline RgbaImage overlay_pixels(const ImageRef& image, const ImageRef& heat, const OverlayOptions& opt,
                                              ColorScale* scale_out = nullptr) {
    constexpr std::string_view fn = "c2s::plot::overlay";
    if (image.rows == 0 || image.cols == 0) fail_argument(fn, "'image' is empty (", image.rows, " x ", image.cols, ")");
    if (image.channels != 1 && image.channels != 3)
        fail_argument(fn, "'image' has ", image.channels, " channels; use 1 (grayscale) or 3 (RGB)");
    if (image.data.size() != image.rows * image.cols * image.channels)
        fail_argument(fn, "'image' has ", image.data.size(), " values but is declared ", image.rows, " x ", image.cols,
                      " x ", image.channels);
    if (heat.rows == 0 || heat.cols == 0) fail_argument(fn, "'heat' is empty (", heat.rows, " x ", heat.cols, ")");
    if (heat.channels != 1) fail_argument(fn, "'heat' has ", heat.channels, " channels; it must have 1");
    if (heat.data.size() != heat.rows * heat.cols)
        fail_argument(fn, "'heat' has ", heat.data.size(), " values but is declared ", heat.rows, " x ", heat.cols);
    if (!(opt.alpha >= 0 && opt.alpha <= 1)) fail_argument(fn, "'alpha' is ", opt.alpha, "; it must be in [0, 1]");
    const std::vector<float> h = heat.rows == image.rows && heat.cols == image.cols
                                     ? std::vector<float>(heat.data.begin(), heat.data.end())
                                     : resize_bilinear(heat.data, heat.rows, heat.cols, image.rows, image.cols);
    double hlo = INFINITY, hhi = -INFINITY, ilo = INFINITY, ihi = -INFINITY;
    for (float v : heat.data)
        if (std::isfinite(v)) hlo = std::min(hlo, double(v)), hhi = std::max(hhi, double(v));
    for (float v : image.data)
        if (std::isfinite(v)) ilo = std::min(ilo, double(v)), ihi = std::max(ihi, double(v));
    if (!(hlo <= hhi)) hlo = 0, hhi = 1;
    if (!(ilo <= ihi)) ilo = 0, ihi = 1;
    const ColorScale scale{opt.colormap, opt.heat_min.value_or(hlo), opt.heat_max.value_or(hhi)};
    if (!(scale.vmin <= scale.vmax)) fail_argument(fn, "heat range [", scale.vmin, ", ", scale.vmax, "] is empty");
    const double i0 = opt.image_min.value_or(ilo), i1 = opt.image_max.value_or(ihi);
    if (!(i0 <= i1)) fail_argument(fn, "image range [", i0, ", ", i1, "] is empty");
    if (scale_out) *scale_out = scale;
    RgbaImage img;
    img.width = static_cast<int>(image.cols);
    img.height = static_cast<int>(image.rows);
    img.rgba.resize(image.rows * image.cols * 4);
    const double span = i1 > i0 ? i1 - i0 : 1;
    for (std::size_t p = 0; p < image.rows * image.cols; ++p) {
        double rgb[3];
        for (std::size_t k = 0; k < 3; ++k) {
            const float v = image.data[p * image.channels + (image.channels == 3 ? k : 0)];
            rgb[k] = std::isnan(v) ? nan_grey.r : std::clamp((v - i0) / span, 0.0, 1.0);
        }
        const float hv = h[p];
        const bool show = !std::isnan(hv) && !(opt.threshold && hv < *opt.threshold);
        const double a = show ? opt.alpha : 0;
        const Color hc = scale(hv);
        const Color out{(1 - a) * rgb[0] + a * hc.r, (1 - a) * rgb[1] + a * hc.g, (1 - a) * rgb[2] + a * hc.b, 1};
        const auto q = out.rgba8();
        std::copy(q.begin(), q.end(), img.rgba.begin() + static_cast<std::ptrdiff_t>(p * 4));
    }
    return img;
}

/// Draws `image` with `heat` overlaid; see the file comment. Throws std::invalid_argument for
/// empty or mis-sized inputs, a heat map with channels, or alpha outside [0, 1].
[[nodiscard]] inline Figure overlay(const ImageRef& image, const ImageRef& heat, const OverlayOptions& opt = {}) {
    ColorScale scale;
    RgbaImage pixels = overlay_pixels(image, heat, opt, &scale);
    if (!(opt.image_size > 0)) fail_argument("c2s::plot::overlay", "'image_size' is ", opt.image_size);
    const double longer = static_cast<double>(std::max(image.rows, image.cols));
    const double w = opt.image_size * static_cast<double>(image.cols) / longer;
    const double h = opt.image_size * static_cast<double>(image.rows) / longer;
    const double pad = 8;
    const Font title_font{opt.font_size * 1.2, true};
    const double top = pad + (opt.title.empty() ? 0 : detail::text_height(title_font) + 8);
    const double title_w = opt.title.empty() ? 0 : measure_text(opt.title, title_font).width;
    const double cb = opt.colorbar ? 12 + colorbar_width(scale, opt.colorbar_label, opt.font_size) : 0;
    const double width = std::max(pad + w + cb + pad, title_w + 2 * pad);
    Figure fig(width, top + h + pad);
    Axes ax;
    ax.area = {pad, top, w, h};
    ax.x_min = 0, ax.x_max = static_cast<double>(image.cols), ax.y_min = 0, ax.y_max = static_cast<double>(image.rows);
    ax.y_down = true;
    fig.axes().push_back(ax);
    fig.add([=, pixels = std::move(pixels)](Canvas& c) {
        c.image(pixels, ax.area, false);
        c.stroke_rect(ax.area, ink, 0.5);
        if (opt.colorbar) draw_colorbar(c, {ax.area.right() + 12, ax.area.y, 12, ax.area.height}, scale, opt.colorbar_label, opt.font_size);
        if (!opt.title.empty()) c.text(opt.title, {width / 2, pad}, title_font, ink, HAlign::center, VAlign::top);
    });
    return fig;
}

}  // namespace c2s::plot
