#pragma once
/// @file transforms.hpp
/// @brief Image transforms on float tensors `[C, H, W]` or `[N, C, H, W]` (LibTorch), matching
/// torchvision's functional transforms: resize (antialiased bilinear), center/plain crop, flips,
/// 90° rotations, per-channel intensity scaling (fixed or per-image percentiles) and ImageNet
/// normalisation. Each function names itself and the offending value on bad input.

#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
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
/// One axis of torchvision's antialiased bilinear resize (`F.interpolate(..., antialias=True)`,
/// `align_corners=false`): output i reads `count[i]` inputs from `start[i]` with weights
/// `w[i * taps + j]`. Computed in float with the same expressions as ATen's CPU kernel, so the
/// weights (and hence the results) agree with LibTorch's to the last bit or two.
struct AxisWeights {
    std::vector<std::int64_t> start, count;
    std::vector<float> w;
    std::int64_t taps = 0;
};

[[nodiscard]] inline AxisWeights aa_axis_weights(std::int64_t in, std::int64_t out) {
    AxisWeights a;
    const float scale = static_cast<float>(in) / static_cast<float>(out);
    const float support = scale >= 1.0f ? 1.0f * scale : 1.0f;  // bilinear: interp_size / 2 = 1
    const float invscale = scale >= 1.0f ? 1.0f / scale : 1.0f;
    a.taps = static_cast<std::int64_t>(std::ceil(support)) * 2 + 1;
    a.start.resize(static_cast<std::size_t>(out));
    a.count.resize(static_cast<std::size_t>(out));
    a.w.assign(static_cast<std::size_t>(out * a.taps), 0.0f);
    for (std::int64_t i = 0; i < out; ++i) {
        const auto center = static_cast<float>(static_cast<double>(scale) * (static_cast<double>(i) + 0.5));
        const auto lo = std::max<std::int64_t>(static_cast<std::int64_t>(static_cast<double>(center - support) + 0.5), 0);
        const auto hi = std::min<std::int64_t>(static_cast<std::int64_t>(static_cast<double>(center + support) + 0.5), in);
        const auto n = std::min<std::int64_t>(hi - lo, a.taps);
        float* w = a.w.data() + i * a.taps;
        float total = 0.0f;
        for (std::int64_t j = 0; j < n; ++j) {
            const double arg = (static_cast<double>(static_cast<float>(j + lo) - center) + 0.5) * static_cast<double>(invscale);
            const float x = std::abs(static_cast<float>(arg));
            w[j] = x < 1.0f ? 1.0f - x : 0.0f;
            total += w[j];
        }
        if (total != 0.0f)
            for (std::int64_t j = 0; j < n; ++j) w[j] /= total;
        a.start[static_cast<std::size_t>(i)] = lo;
        a.count[static_cast<std::size_t>(i)] = std::max<std::int64_t>(n, 0);
    }
    return a;
}

/// Separable antialiased resize of `planes` contiguous float planes (`h` x `w` -> `oh` x `ow`):
/// rows first (as ATen: the last dimension, then the one before), single-threaded (the data
/// loader parallelises over images, so no OpenMP team is started inside its decode threads).
inline void resize_planes_aa(const float* src, float* dst, std::int64_t planes, std::int64_t h, std::int64_t w,
                             std::int64_t oh, std::int64_t ow) {
    const auto wx = aa_axis_weights(w, ow), wy = aa_axis_weights(h, oh);
    std::vector<float> tmp(static_cast<std::size_t>(h * ow));
    for (std::int64_t p = 0; p < planes; ++p) {
        const float* in = src + p * h * w;
        for (std::int64_t r = 0; r < h; ++r) {  // horizontal pass: h x w -> h x ow
            const float* row = in + r * w;
            float* o = tmp.data() + r * ow;
            for (std::int64_t x = 0; x < ow; ++x) {
                const float* k = wx.w.data() + x * wx.taps;
                const float* s = row + wx.start[static_cast<std::size_t>(x)];
                const auto n = wx.count[static_cast<std::size_t>(x)];
                float t = n > 0 ? s[0] * k[0] : 0.0f;
                for (std::int64_t j = 1; j < n; ++j) t += s[j] * k[j];
                o[x] = t;
            }
        }
        float* out = dst + p * oh * ow;
        for (std::int64_t y = 0; y < oh; ++y) {  // vertical pass: h x ow -> oh x ow, whole rows at a time
            const float* k = wy.w.data() + y * wy.taps;
            const float* s = tmp.data() + wy.start[static_cast<std::size_t>(y)] * ow;
            const auto n = wy.count[static_cast<std::size_t>(y)];
            float* o = out + y * ow;
            if (n == 0) {
                std::fill(o, o + ow, 0.0f);
                continue;
            }
            const float k0 = k[0];
            for (std::int64_t x = 0; x < ow; ++x) o[x] = s[x] * k0;
            for (std::int64_t j = 1; j < n; ++j) {
                const float kj = k[j];
                const float* sj = s + j * ow;
                for (std::int64_t x = 0; x < ow; ++x) o[x] += sj[x] * kj;
            }
        }
    }
}

/// Order-preserving map of a float to an unsigned key (negative values flipped; NaN sorts last,
/// as in torch.sort / kthvalue).
[[nodiscard]] inline std::uint32_t float_key(float v) noexcept {
    std::uint32_t b;
    std::memcpy(&b, &v, sizeof b);
    return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}

/**
 * @brief The `ranks[q]`-th smallest values (0-based, `count` <= 4 ranks) of `x[0..n)`, exactly,
 * in two passes (a radix select): a 65536-bin histogram of the top 16 bits of each value's
 * order-preserving key finds each rank's bin, a second histogram of the low 16 bits of the
 * values in those bins finds the key itself. O(n), no copies (a full sort or one kthvalue per
 * rank copies and partitions the whole plane).
 */
inline void select_ranks(const float* x, std::size_t n, const std::int64_t* ranks, std::size_t count, float* out,
                         std::vector<std::uint32_t>& hist) {
    constexpr std::size_t bins = 65536;
    hist.assign(bins * 5, 0);  // [0, bins): top 16 bits; then one low-16-bit histogram per distinct bin
    std::uint32_t* top = hist.data();
    for (std::size_t i = 0; i < n; ++i) ++top[float_key(x[i]) >> 16];
    std::array<std::uint32_t, 4> bin{}, distinct{};
    std::array<std::int64_t, 4> within{};
    std::array<std::size_t, 4> slot{};
    std::size_t num_distinct = 0;
    for (std::size_t q = 0; q < count; ++q) {
        std::int64_t seen = 0;
        std::uint32_t b = 0;
        while (seen + top[b] <= ranks[q]) seen += top[b++];
        bin[q] = b;
        within[q] = ranks[q] - seen;
        std::size_t d = 0;
        while (d < num_distinct && distinct[d] != b) ++d;
        if (d == num_distinct) distinct[num_distinct++] = b;
        slot[q] = d;
    }
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t k = float_key(x[i]);
        for (std::size_t d = 0; d < num_distinct; ++d)
            if ((k >> 16) == distinct[d]) ++hist[bins * (d + 1) + (k & 0xffffu)];
    }
    for (std::size_t q = 0; q < count; ++q) {
        const std::uint32_t* low = hist.data() + bins * (slot[q] + 1);
        std::int64_t seen = 0;
        std::uint32_t b = 0;
        while (seen + low[b] <= within[q]) seen += low[b++];
        const std::uint32_t key = (bin[q] << 16) | b;
        const std::uint32_t bits = (key & 0x80000000u) ? (key & 0x7fffffffu) : ~key;
        std::memcpy(&out[q], &bits, sizeof bits);
    }
}

[[nodiscard]] inline bool fast_cpu_float(const torch::Tensor& x) {
    return x.device().is_cpu() && x.scalar_type() == torch::kFloat32 && !x.requires_grad();
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
    if (antialias && detail::fast_cpu_float(image) && image.numel() > 0) {
        // own separable kernel: same weights and order as ATen, no OpenMP inside decode threads
        const auto x = image.contiguous();
        const auto h = x.size(-2), w = x.size(-1);
        auto shape = x.sizes().vec();
        shape[shape.size() - 2] = height;
        shape[shape.size() - 1] = width;
        auto y = torch::empty(shape, x.options());
        detail::resize_planes_aa(x.data_ptr<float>(), y.data_ptr<float>(), x.numel() / (h * w), h, w, height, width);
        return y;
    }
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

namespace detail {
/// Linear-interpolation percentile positions (numpy.percentile's default): value = v[i0] + t (v[i1] - v[i0]).
struct PercentilePos {
    std::int64_t i0 = 0, i1 = 0;
    double t = 0;
};
[[nodiscard]] inline PercentilePos percentile_pos(double p, std::int64_t m) {
    PercentilePos r;
    const double pos = p / 100.0 * static_cast<double>(m - 1);
    r.i0 = static_cast<std::int64_t>(std::floor(pos));
    r.i1 = std::min<std::int64_t>(r.i0 + 1, m - 1);
    r.t = pos - static_cast<double>(r.i0);
    return r;
}

/// Percentile scaling of a CPU float32 image (`[C,H,W]` or `[N,C,H,W]`) in plain loops: exact
/// order statistics by `select_ranks`, then `(x - lo) / (hi - lo)` (clipped) in one pass.
[[nodiscard]] inline torch::Tensor scale_percentile_fast(const torch::Tensor& image, const IntensityScaling& s) {
    const auto x = image.contiguous();
    const auto planes = x.numel() / (x.size(-2) * x.size(-1));
    const auto m = x.size(-2) * x.size(-1);
    auto y = torch::empty_like(x);
    const auto lo_pos = percentile_pos(s.low_percentile, m), hi_pos = percentile_pos(s.high_percentile, m);
    const std::array<std::int64_t, 4> ranks{lo_pos.i0, lo_pos.i1, hi_pos.i0, hi_pos.i1};
    std::vector<std::uint32_t> hist;
    for (std::int64_t p = 0; p < planes; ++p) {
        const float* in = x.data_ptr<float>() + p * m;
        float* out = y.data_ptr<float>() + p * m;
        std::array<float, 4> v{};
        select_ranks(in, static_cast<std::size_t>(m), ranks.data(), ranks.size(), v.data(), hist);
        // as the tensor path: v0 * (1 - t) + v1 * t in float (t = 0: v0)
        auto interp = [](float v0, float v1, double t) {
            return t > 0 ? v0 * static_cast<float>(1.0 - t) + v1 * static_cast<float>(t) : v0;
        };
        const float lo = interp(v[0], v[1], lo_pos.t);
        const float hi = std::max(interp(v[2], v[3], hi_pos.t), lo + static_cast<float>(1e-6));
        const float range = hi - lo;
        if (s.clip)
            for (std::int64_t i = 0; i < m; ++i) out[i] = std::clamp((in[i] - lo) / range, 0.0f, 1.0f);
        else
            for (std::int64_t i = 0; i < m; ++i) out[i] = (in[i] - lo) / range;
    }
    return y;
}
}  // namespace detail

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
        if (detail::fast_cpu_float(x) && x.numel() > 0) return detail::scale_percentile_fast(image, scaling);
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
    if (detail::fast_cpu_float(image) && image.numel() > 0) {  // plain loop: (x - m) / s in float, as the tensor ops
        const auto x = image.contiguous();
        auto y = torch::empty_like(x);
        const auto plane = x.size(-2) * x.size(-1);
        const auto planes = x.numel() / std::max<std::int64_t>(plane, 1);
        for (std::int64_t p = 0; p < planes; ++p) {
            const auto k = static_cast<std::size_t>(p % c);
            const auto mk = static_cast<float>(mean[k]), sk = static_cast<float>(std_dev[k]);
            const float* in = x.data_ptr<float>() + p * plane;
            float* out = y.data_ptr<float>() + p * plane;
            for (std::int64_t i = 0; i < plane; ++i) out[i] = (in[i] - mk) / sk;
        }
        return y;
    }
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
