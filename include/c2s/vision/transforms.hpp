#pragma once
/// @file transforms.hpp
/// @brief Image transforms on float tensors `[C, H, W]` or `[N, C, H, W]` (LibTorch), matching
/// torchvision's functional transforms: resize (antialiased bilinear), center/plain crop, flips,
/// 90° rotations, per-channel intensity scaling (fixed or per-image percentiles) and ImageNet
/// normalisation. Each function names itself and the offending value on bad input.

#include <torch/torch.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include "c2s/core/error.hpp"

namespace c2s::vision {

/// ImageNet channel means and standard deviations (torchvision's pretrained models).
inline constexpr std::array<double, 3> imagenet_mean{0.485, 0.456, 0.406};
inline constexpr std::array<double, 3> imagenet_std{0.229, 0.224, 0.225};

namespace detail {
inline void check_image(const torch::Tensor& x, const char* where) {
    if (!x.defined()) fail_argument(where, "'image' is an undefined tensor");
    if (x.dim() != 3 && x.dim() != 4)
        fail_argument(where, "'image' has ", x.dim(), " dimensions; expected [C, H, W] or [N, C, H, W]");
    if (!x.is_floating_point()) fail_argument(where, "'image' has dtype ", x.dtype(), "; expected a floating-point tensor");
}
}  // namespace detail

/**
 * @brief Resizes to exactly `height` × `width` with bilinear interpolation (half-pixel centres,
 * `align_corners=false`); with `antialias` the kernel widens when downscaling, as
 * `torchvision.transforms.functional.resize(..., antialias=True)` on tensors.
 */
[[nodiscard]] inline torch::Tensor resize(const torch::Tensor& image, std::int64_t height, std::int64_t width,
                                          bool antialias = true) {
    constexpr const char* where = "c2s::vision::resize";
    detail::check_image(image, where);
    if (height < 1 || width < 1) fail_argument(where, "target size ", height, "x", width, " must be positive");
    const bool batched = image.dim() == 4;
    auto x = batched ? image : image.unsqueeze(0);
    namespace F = torch::nn::functional;
    auto y = F::interpolate(x, F::InterpolateFuncOptions()
                                   .size(std::vector<std::int64_t>{height, width})
                                   .mode(torch::kBilinear)
                                   .align_corners(false)
                                   .antialias(antialias));
    return batched ? y : y.squeeze(0);
}

/// Resizes so that the shorter side becomes `size`, keeping the aspect ratio as torchvision does
/// (`resize(img, size)` with an int: the longer side is `int(size * long / short)`).
[[nodiscard]] inline torch::Tensor resize_shorter(const torch::Tensor& image, std::int64_t size, bool antialias = true) {
    constexpr const char* where = "c2s::vision::resize_shorter";
    detail::check_image(image, where);
    if (size < 1) fail_argument(where, "'size' is ", size, "; must be positive");
    const auto h = image.size(-2), w = image.size(-1);
    const auto shorter = std::min(h, w), longer = std::max(h, w);
    const auto new_long = static_cast<std::int64_t>(static_cast<double>(size) * static_cast<double>(longer) / static_cast<double>(shorter));
    return w <= h ? resize(image, new_long, size, antialias) : resize(image, size, new_long, antialias);
}

/// Crops rows [top, top + height) and columns [left, left + width); the box must lie inside.
[[nodiscard]] inline torch::Tensor crop(const torch::Tensor& image, std::int64_t top, std::int64_t left,
                                        std::int64_t height, std::int64_t width) {
    constexpr const char* where = "c2s::vision::crop";
    detail::check_image(image, where);
    const auto h = image.size(-2), w = image.size(-1);
    if (height < 1 || width < 1 || top < 0 || left < 0 || top + height > h || left + width > w)
        fail_argument(where, "box (top ", top, ", left ", left, ", ", height, "x", width, ") does not fit in the ", h,
                      "x", w, " image");
    return image.narrow(-2, top, height).narrow(-1, left, width);
}

/// Central `height` × `width` crop; offsets rounded half to even as torchvision's center_crop.
[[nodiscard]] inline torch::Tensor center_crop(const torch::Tensor& image, std::int64_t height, std::int64_t width) {
    detail::check_image(image, "c2s::vision::center_crop");
    const auto h = image.size(-2), w = image.size(-1);
    if (height > h || width > w)
        fail_argument("c2s::vision::center_crop", "crop ", height, "x", width, " is larger than the ", h, "x", w, " image");
    const auto top = static_cast<std::int64_t>(std::nearbyint(static_cast<double>(h - height) / 2.0));
    const auto left = static_cast<std::int64_t>(std::nearbyint(static_cast<double>(w - width) / 2.0));
    return crop(image, top, left, height, width);
}

/// Mirror left-right.
[[nodiscard]] inline torch::Tensor hflip(const torch::Tensor& image) { return image.flip({-1}); }
/// Mirror top-bottom.
[[nodiscard]] inline torch::Tensor vflip(const torch::Tensor& image) { return image.flip({-2}); }
/// Rotates by `quarter_turns` × 90° counter-clockwise (negative: clockwise), as torch.rot90(x, k, (-2, -1)).
[[nodiscard]] inline torch::Tensor rotate90(const torch::Tensor& image, int quarter_turns) {
    return torch::rot90(image, quarter_turns, {-2, -1});
}

/// Per-channel intensity scaling: `(x - low) / (high - low)`, optionally clipped to [0, 1].
struct IntensityScaling {
    enum class Mode { none, fixed, percentile };
    Mode mode = Mode::percentile;
    /// Mode::fixed: per-channel `low` and `high` (in the image's units, e.g. 0..1 after loading).
    std::vector<double> low, high;
    /// Mode::percentile: per image and channel, the `low_percentile` and `high_percentile` (0..100,
    /// linear interpolation as numpy.percentile) map to 0 and 1.
    double low_percentile = 0.1, high_percentile = 99.9;
    bool clip = true;
};

/// Applies `scaling` to `[C, H, W]` or `[N, C, H, W]` (percentiles are computed per image).
[[nodiscard]] inline torch::Tensor scale_intensity(const torch::Tensor& image, const IntensityScaling& scaling) {
    constexpr const char* where = "c2s::vision::scale_intensity";
    detail::check_image(image, where);
    if (scaling.mode == IntensityScaling::Mode::none) return image;
    const bool batched = image.dim() == 4;
    auto x = batched ? image : image.unsqueeze(0);
    const auto n = x.size(0), c = x.size(1);
    torch::Tensor lo, hi;
    if (scaling.mode == IntensityScaling::Mode::fixed) {
        if (scaling.low.size() != static_cast<std::size_t>(c) || scaling.high.size() != static_cast<std::size_t>(c))
            fail_argument(where, "fixed scaling has ", scaling.low.size(), " 'low' and ", scaling.high.size(),
                          " 'high' values but the image has ", c, " channels");
        for (std::size_t k = 0; k < scaling.low.size(); ++k)
            if (!(scaling.high[k] > scaling.low[k]))
                fail_argument(where, "channel ", k, ": 'high' (", scaling.high[k], ") must exceed 'low' (", scaling.low[k], ")");
        lo = torch::tensor(scaling.low, torch::kFloat64).to(x.dtype()).view({1, c, 1, 1});
        hi = torch::tensor(scaling.high, torch::kFloat64).to(x.dtype()).view({1, c, 1, 1});
    } else {
        const double pl = scaling.low_percentile, ph = scaling.high_percentile;
        if (!(pl >= 0 && ph <= 100 && pl < ph))
            fail_argument(where, "percentiles (", pl, ", ", ph, ") must satisfy 0 <= low < high <= 100");
        auto flat = x.reshape({n, c, -1});
        // per image and channel, linear interpolation as numpy.percentile, with O(n) selection
        // (kthvalue) instead of a full sort
        const auto m = flat.size(-1);
        auto pick = [&](double p) {
            const double pos = p / 100.0 * static_cast<double>(m - 1);
            const auto i0 = static_cast<std::int64_t>(std::floor(pos));
            const auto i1 = std::min<std::int64_t>(i0 + 1, m - 1);
            const double t = pos - static_cast<double>(i0);
            auto v0 = std::get<0>(flat.kthvalue(i0 + 1, -1));
            auto v = t > 0 ? v0 * (1.0 - t) + std::get<0>(flat.kthvalue(i1 + 1, -1)) * t : v0;
            return v.view({n, c, 1, 1});
        };
        lo = pick(pl);
        hi = pick(ph);
        hi = torch::maximum(hi, lo + 1e-6);  // constant channel: avoid division by zero
    }
    auto y = (x - lo) / (hi - lo);
    if (scaling.clip) y = y.clamp(0.0, 1.0);
    return batched ? y : y.squeeze(0);
}

/// `(x - mean[c]) / std[c]` per channel, as torchvision.transforms.functional.normalize.
[[nodiscard]] inline torch::Tensor normalize(const torch::Tensor& image, const std::vector<double>& mean,
                                            const std::vector<double>& std_dev) {
    constexpr const char* where = "c2s::vision::normalize";
    detail::check_image(image, where);
    const auto c = image.size(-3);
    if (mean.size() != static_cast<std::size_t>(c) || std_dev.size() != static_cast<std::size_t>(c))
        fail_argument(where, "'mean' has ", mean.size(), " and 'std' ", std_dev.size(), " values but the image has ", c, " channels");
    for (std::size_t k = 0; k < std_dev.size(); ++k)
        if (!(std_dev[k] > 0)) fail_argument(where, "'std'[", k, "] is ", std_dev[k], "; must be > 0");
    std::vector<std::int64_t> shape(static_cast<std::size_t>(image.dim()), 1);
    shape[shape.size() - 3] = c;
    auto m = torch::tensor(mean, torch::kFloat64).to(image.dtype()).view(shape);
    auto s = torch::tensor(std_dev, torch::kFloat64).to(image.dtype()).view(shape);
    return (image - m) / s;
}

/// ImageNet normalisation (3 channels).
[[nodiscard]] inline torch::Tensor normalize_imagenet(const torch::Tensor& image) {
    return normalize(image, {imagenet_mean.begin(), imagenet_mean.end()}, {imagenet_std.begin(), imagenet_std.end()});
}

}  // namespace c2s::vision
