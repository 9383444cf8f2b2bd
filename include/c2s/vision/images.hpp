#pragma once
/// @file images.hpp
/// @brief Composes BBBC021 fields (DAPI, Tubulin, Actin: one grayscale TIFF each) into a
/// `[3, H, W]` float tensor, in the founding study's 16-bit or 8-bit mode.
///
/// - `BitMode::bit16`: value / 65535 (8-bit files: value / 255), full precision.
/// - `BitMode::bit8`: the image as an 8-bit conversion sees it: 16-bit values are quantised to
///   256 levels (`round(v / 257) / 255`), 8-bit files pass unchanged.
/// Errors name the index row (ImageNumber, plate, well, site) and the file.

#include <torch/torch.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "c2s/core/error.hpp"
#include "c2s/data/bbbc021.hpp"
#include "c2s/vision/tiff.hpp"

namespace c2s::vision {

enum class BitMode { bit16, bit8 };

[[nodiscard]] inline BitMode parse_bit_mode(std::string_view text) {
    if (text == "16" || text == "bit16" || text == "16-bit") return BitMode::bit16;
    if (text == "8" || text == "bit8" || text == "8-bit") return BitMode::bit8;
    fail_argument("c2s::vision::parse_bit_mode", "'mode' is '", text, "'; expected '16' or '8'");
}

struct ImageOptions {
    BitMode mode = BitMode::bit16;
    /// Expected field size; unset accepts any size as long as the three channels agree
    /// (BBBC021: width 1280, height 1024).
    std::optional<std::uint32_t> width, height;
    /// Smallest accepted width and height (a 1-pixel image is a broken export, not a field).
    std::uint32_t min_side = 16;
};

/// Where an index row is, for error messages: "index row 12 (ImageNumber 233, plate 'Week4_27481', well 'G10', site 1)".
[[nodiscard]] inline std::string describe_row(const data::bbbc021::Image& im, std::size_t row) {
    return concat("index row ", row, " (ImageNumber ", im.image_number, ", plate '", im.plate, "', well '", im.well,
                  "', site ", im.site, ")");
}

/// Converts one grayscale image to floats in [0, 1] under `mode`, writing into `out` (H*W floats).
inline void to_unit_float(const GrayImage& img, BitMode mode, float* out) {
    const std::size_t n = img.pixels.size();
    if (img.bits == 8 || mode == BitMode::bit16) {
        const float inv = static_cast<float>(1.0 / img.white());
        for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<float>(img.pixels[i]) * inv;
    } else {
        for (std::size_t i = 0; i < n; ++i)
            out[i] = static_cast<float>(std::nearbyint(static_cast<double>(img.pixels[i]) / 257.0) / 255.0);
    }
}

/**
 * @brief Reads the three channel files of `image` (relative to `image_root`) into a `[3, H, W]`
 * float32 tensor in [0, 1].
 * @param row the image's row in the index (for error messages).
 */
[[nodiscard]] inline torch::Tensor load_image(const std::filesystem::path& image_root, const data::bbbc021::Image& image,
                                              std::size_t row = 0, const ImageOptions& options = {}) {
    constexpr const char* where = "c2s::vision::load_image";
    torch::Tensor out;
    std::uint32_t w0 = 0, h0 = 0;
    for (int c = 0; c < 3; ++c) {
        const std::string& rel = image.files[c];
        if (rel.empty() || rel.back() == '/' || rel.ends_with("/."))
            fail_runtime(where, describe_row(image, row), " has no ", data::bbbc021::channel_names[c],
                         " file (FileName is empty)");
        const auto path = image_root / rel;
        GrayImage g;
        try {
            g = read_tiff(path);
        } catch (const std::runtime_error& e) {
            fail_runtime(where, describe_row(image, row), ", ", data::bbbc021::channel_names[c], ": ", e.what());
        }
        if (g.width < options.min_side || g.height < options.min_side)
            fail_runtime(where, describe_row(image, row), ", ", data::bbbc021::channel_names[c], ": '", path.string(),
                         "' is ", g.width, "x", g.height, " pixels, smaller than the minimum ", options.min_side, "x",
                         options.min_side);
        if ((options.width && g.width != *options.width) || (options.height && g.height != *options.height))
            fail_runtime(where, describe_row(image, row), ", ", data::bbbc021::channel_names[c], ": '", path.string(),
                         "' is ", g.width, "x", g.height, " pixels but ", options.width.value_or(g.width), "x",
                         options.height.value_or(g.height), " was expected");
        if (c == 0) {
            w0 = g.width;
            h0 = g.height;
            out = torch::empty({3, static_cast<std::int64_t>(h0), static_cast<std::int64_t>(w0)}, torch::kFloat32);
        } else if (g.width != w0 || g.height != h0) {
            fail_runtime(where, describe_row(image, row), ", ", data::bbbc021::channel_names[c], ": '", path.string(),
                         "' is ", g.width, "x", g.height, " pixels but the DAPI file is ", w0, "x", h0);
        }
        to_unit_float(g, options.mode, out[c].data_ptr<float>());
    }
    return out;
}

}  // namespace c2s::vision
