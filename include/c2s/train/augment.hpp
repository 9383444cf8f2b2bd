#pragma once
/// @file augment.hpp
/// @brief Random crops, flips and 90° rotations of one `[C, H, W]` image, drawn from a per-sample
/// seed (see random.hpp), and the matching deterministic evaluation view.

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "c2s/core/error.hpp"
#include "c2s/train/random.hpp"
#include "c2s/vision/transforms.hpp"

namespace c2s::train {

struct AugmentOptions {
    /// Side of the square model input; 0 keeps the shorter side of the image.
    std::int64_t output_size = 0;
    /// Square crops take a side of `f × min(H, W)` with f uniform in [crop_min, crop_max], at a
    /// uniform position, then are resized to `output_size`. 1 and 1: the largest square.
    double crop_min = 1.0;
    double crop_max = 1.0;
    bool hflip = true;     ///< mirror left-right with probability 1/2
    bool vflip = true;     ///< mirror top-bottom with probability 1/2
    bool rotate90 = true;  ///< rotate by 0, 90, 180 or 270 degrees, each with probability 1/4
};

inline void check_augment_options(const AugmentOptions& o, const char* where) {
    if (o.output_size < 0) fail_argument(where, "'output_size' is ", o.output_size, "; must be >= 0");
    if (!(o.crop_min > 0.0 && o.crop_min <= o.crop_max && o.crop_max <= 1.0))
        fail_argument(where, "crop fractions [", o.crop_min, ", ", o.crop_max, "] must satisfy 0 < crop_min <= crop_max <= 1");
}

namespace augment_detail {
inline torch::Tensor square_to_size(const torch::Tensor& image, std::int64_t top, std::int64_t left, std::int64_t side,
                                    std::int64_t out) {
    auto x = vision::crop(image, top, left, side, side);
    if (side != out) return vision::resize(x.contiguous(), out, out, true);
    return x.contiguous();
}
}  // namespace augment_detail

/// A random view of `image` (`[C, H, W]`), a pure function of `seed` and the options.
[[nodiscard]] inline torch::Tensor augment(const torch::Tensor& image, const AugmentOptions& o, std::uint64_t seed) {
    constexpr const char* where = "c2s::train::augment";
    check_augment_options(o, where);
    if (image.dim() != 3) fail_argument(where, "'image' has shape ", image.sizes(), "; expected [C, H, W]");
    const auto h = image.size(1), w = image.size(2);
    const auto shorter = std::min(h, w);
    const auto out = o.output_size > 0 ? o.output_size : shorter;
    SplitMix64 rng(seed);
    const double f = o.crop_min + (o.crop_max - o.crop_min) * rng.uniform();
    const auto side = std::clamp<std::int64_t>(static_cast<std::int64_t>(std::lround(f * static_cast<double>(shorter))), 1, shorter);
    const auto top = static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(h - side + 1)));
    const auto left = static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(w - side + 1)));
    const bool flip_h = (rng() >> 63) != 0, flip_v = (rng() >> 63) != 0;
    const int turns = static_cast<int>(rng.below(4));
    auto x = augment_detail::square_to_size(image, top, left, side, out);
    if (o.hflip && flip_h) x = vision::hflip(x);
    if (o.vflip && flip_v) x = vision::vflip(x);
    if (o.rotate90 && turns != 0) x = vision::rotate90(x, turns);
    return x.contiguous();
}

/// The evaluation view: the central square of side `f × min(H, W)` with f the mean crop fraction
/// of training, `(crop_min + crop_max) / 2`, resized to `output_size`; no flips.
[[nodiscard]] inline torch::Tensor evaluation_view(const torch::Tensor& image, const AugmentOptions& o) {
    constexpr const char* where = "c2s::train::evaluation_view";
    check_augment_options(o, where);
    if (image.dim() != 3) fail_argument(where, "'image' has shape ", image.sizes(), "; expected [C, H, W]");
    const auto h = image.size(1), w = image.size(2);
    const auto shorter = std::min(h, w);
    const auto out = o.output_size > 0 ? o.output_size : shorter;
    const double f = 0.5 * (o.crop_min + o.crop_max);
    const auto side = std::clamp<std::int64_t>(static_cast<std::int64_t>(std::lround(f * static_cast<double>(shorter))), 1, shorter);
    return augment_detail::square_to_size(image, (h - side) / 2, (w - side) / 2, side, out);
}

}  // namespace c2s::train
