#pragma once
/// @file images.hpp
/// @brief Microscopy fields as training data: each field of an image table is decoded once
/// (16-bit or 8-bit mode), scaled per channel, resized so its shorter side is `size` and kept in
/// memory; the trainer's augmentation then crops, flips and rotates it every epoch.

#include <torch/torch.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/core/progress.hpp"
#include "c2s/data/bbbc021.hpp"
#include "c2s/train/data.hpp"
#include "c2s/vision/dataset.hpp"
#include "c2s/vision/images.hpp"
#include "c2s/vision/transforms.hpp"

namespace c2s::train {

struct ImageSetOptions {
    std::int64_t size = 128;                ///< shorter side after resizing (0: keep the field's size)
    vision::ImageOptions image{};           ///< bit mode (16 or 8) and size checks
    vision::IntensityScaling scaling{};     ///< default: per-image 0.1/99.9 percentiles, clipped
    bool imagenet_normalize = true;
    int num_threads = 1;
    Progress* progress = nullptr;
};

/// Class names in label order: the sorted distinct `moa` values of `images`, without `exclude`.
[[nodiscard]] inline std::vector<std::string> moa_classes(const std::vector<data::bbbc021::Image>& images,
                                                          const std::vector<std::string>& exclude = {}) {
    std::map<std::string, int> seen;
    for (const auto& im : images)
        if (!im.moa.empty()) seen.emplace(im.moa, 0);
    std::vector<std::string> out;
    for (const auto& [m, _] : seen)
        if (std::find(exclude.begin(), exclude.end(), m) == exclude.end()) out.push_back(m);
    return out;
}

/**
 * @brief Decodes `images` (relative to `root`) into a `MemoryDataset` whose label is the index of
 * the field's MoA in `classes` (-1 for a MoA not in `classes`, e.g. DMSO: kept for embedding,
 * never trained on) and whose row is the position in `images`. Errors name the index row and file.
 */
[[nodiscard]] inline MemoryDataset load_image_set(const std::vector<data::bbbc021::Image>& images,
                                                  const std::filesystem::path& root,
                                                  const std::vector<std::string>& classes,
                                                  const ImageSetOptions& o = {}) {
    constexpr const char* where = "c2s::train::load_image_set";
    if (images.empty()) fail_argument(where, "the image table is empty");
    if (o.size < 0) fail_argument(where, "'size' is ", o.size, "; must be >= 0");
    std::map<std::string, std::int64_t> id;
    for (std::size_t k = 0; k < classes.size(); ++k) id.emplace(classes[k], static_cast<std::int64_t>(k));
    const auto scaling = o.scaling;
    const auto size = o.size;
    const bool norm = o.imagenet_normalize;
    vision::ImageDataset ds(images, root, o.image, [scaling, size, norm](const torch::Tensor& x) {
        auto y = vision::scale_intensity(x, scaling);
        if (size > 0) y = vision::resize_shorter(y, size, true);
        return norm ? vision::normalize_imagenet(y) : y;
    });
    auto mem = to_memory(ds, {}, o.num_threads, o.progress);
    std::vector<torch::Tensor> ims;
    std::vector<std::int64_t> labels;
    for (std::size_t i = 0; i < mem.size(); ++i) {
        ims.push_back(mem.get(i).image);
        const auto it = id.find(images[i].moa);
        labels.push_back(it == id.end() ? -1 : it->second);
    }
    return MemoryDataset(std::move(ims), std::move(labels), mem.rows());
}

}  // namespace c2s::train
