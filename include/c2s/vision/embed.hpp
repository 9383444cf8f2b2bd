#pragma once
/// @file embed.hpp
/// @brief Embeddings of a whole image table: decode (threaded, prefetched) → transform →
/// backbone layer (evaluation mode, no gradients) → `[N, D]` float32, written as `.npy` plus a
/// row-aligned metadata CSV for the profile and batch-correction components.

#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/core/progress.hpp"
#include "c2s/io/csv.hpp"
#include "c2s/io/npy.hpp"
#include "c2s/vision/backbone.hpp"
#include "c2s/vision/dataset.hpp"
#include "c2s/vision/transforms.hpp"

namespace c2s::vision {

/// The standard input pipeline: per-image percentile scaling → resize (antialiased) → ImageNet normalisation.
struct InputOptions {
    std::int64_t size = 299;  ///< square input side (Inception V3: 299; ViT-S/14: 224)
    IntensityScaling scaling{};
    bool imagenet_normalize = true;
};

[[nodiscard]] inline ImageDataset::Transform make_input_transform(const InputOptions& o = {}) {
    if (o.size < 1) fail_argument("c2s::vision::make_input_transform", "'size' is ", o.size);
    return [o](const torch::Tensor& x) {
        auto y = resize(scale_intensity(x, o.scaling), o.size, o.size, true);
        return o.imagenet_normalize ? normalize_imagenet(y) : y;
    };
}

struct EmbedOptions {
    std::string layer;          ///< empty: the backbone's default (Inception: "avgpool", 2048-d)
    std::size_t batch_size = 16;
    int num_threads = 1;        ///< decode threads (LibTorch's own threads: torch::set_num_threads)
    std::size_t prefetch = 2;   ///< batches decoded ahead
    torch::Device device = torch::kCPU;
    torch::Dtype dtype = torch::kFloat32;  ///< kBFloat16 on a GPU for speed
    Progress* progress = nullptr;
};

struct Embeddings {
    torch::Tensor values;            ///< [N, D] float32 on the CPU, row i = dataset row rows[i]
    std::vector<std::size_t> rows;
    std::string layer;
};

/// Embeds every row of `dataset` (whose transform must give equal-sized images). Feature maps
/// `[N, C, H, W]` are averaged over space to `[N, C]`; other outputs are flattened per image.
[[nodiscard]] inline Embeddings embed(Backbone& backbone, const ImageDataset& dataset, const EmbedOptions& o = {}) {
    constexpr const char* where = "c2s::vision::embed";
    if (dataset.size() == 0) fail_argument(where, "the dataset has no images");
    Embeddings out;
    out.layer = o.layer.empty() ? backbone.default_layer() : o.layer;
    backbone.to(o.device, o.dtype);
    BatchLoader loader(dataset, LoaderOptions{o.batch_size, o.num_threads, o.prefetch});
    std::vector<torch::Tensor> parts;
    std::size_t done = 0;
    while (auto batch = loader.next()) {
        if (o.progress) o.progress->check_interrupt(where);
        auto x = batch->images.to(o.device, o.dtype);
        auto f = backbone.features(x, o.layer);
        if (f.dim() == 4) f = f.mean({2, 3});
        f = f.reshape({f.size(0), -1}).to(torch::kCPU, torch::kFloat32);
        parts.push_back(f);
        out.rows.insert(out.rows.end(), batch->rows.begin(), batch->rows.end());
        done += batch->rows.size();
        if (o.progress) o.progress->report(done, dataset.size(), "images embedded");
    }
    out.values = torch::cat(parts, 0).contiguous();
    return out;
}

/// Metadata columns written beside the embeddings (one row per embedding row).
[[nodiscard]] inline std::vector<std::string> embedding_metadata_header() {
    return {"Metadata_Row", "Metadata_TableNumber", "Metadata_ImageNumber", "Metadata_Plate", "Metadata_Week",
            "Metadata_Well", "Metadata_Site", "Metadata_Replicate", "Metadata_Compound", "Metadata_Concentration",
            "Metadata_MoA", "Metadata_Label"};
}

/// Writes `<stem>.npy` ([N, D] float32) and `<stem>_metadata.csv`; returns both paths.
inline std::pair<std::filesystem::path, std::filesystem::path> write_embeddings(const std::filesystem::path& stem,
                                                                                const Embeddings& e,
                                                                                const ImageDataset& dataset) {
    constexpr const char* where = "c2s::vision::write_embeddings";
    if (!e.values.defined() || e.values.dim() != 2 || static_cast<std::size_t>(e.values.size(0)) != e.rows.size())
        fail_argument(where, "'embeddings' is not an [N, D] tensor with N = ", e.rows.size(), " rows");
    std::vector<std::vector<std::string>> meta;
    for (std::size_t i = 0; i < e.rows.size(); ++i) {
        const auto r = e.rows[i];
        if (r >= dataset.size()) fail_argument(where, "embedding row ", i, " refers to dataset row ", r, " of ", dataset.size());
        const auto& im = dataset.images()[r];
        const auto label = dataset.get_label(r);
        meta.push_back({std::to_string(r), std::to_string(im.table_number), std::to_string(im.image_number), im.plate,
                        im.week, im.well, std::to_string(im.site), std::to_string(im.replicate), im.compound,
                        io::format_number(im.concentration), im.moa, std::to_string(label)});
    }
    auto values = e.values.to(torch::kFloat32).contiguous();
    const auto n = static_cast<std::size_t>(values.size(0)), d = static_cast<std::size_t>(values.size(1));
    std::filesystem::path npy = stem, csv = stem;
    npy += ".npy";
    csv += "_metadata.csv";
    io::write_npy<float>(npy, std::span<const float>(values.data_ptr<float>(), n * d), {n, d});
    io::write_csv(csv, embedding_metadata_header(), meta);
    return {npy, csv};
}

}  // namespace c2s::vision
