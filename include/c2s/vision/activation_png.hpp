#pragma once
/// @file activation_png.hpp
/// @brief Draws an activation map or Grad-CAM over a BBBC021 composite (Actin red, Tubulin
/// green, DAPI blue, as BBBC021's figures) and saves it as PNG/SVG/PDF through c2s::plot.
/// Needs both `c2s::vision` and `c2s::plot`.

#include <torch/torch.h>

#include <filesystem>
#include <string>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/plot/overlay.hpp"

namespace c2s::vision {

struct ActivationFigureOptions {
    std::string title;
    double alpha = 0.45;                 ///< opacity of the heat map
    std::string colorbar_label = "activation (scaled)";
    plot::Colormap colormap = plot::Colormap::magma;
    double threshold = 0.0;              ///< heat below this is not drawn
};

/**
 * @brief Saves `heat` ([h, w], any resolution) over `image` ([3, H, W], channels DAPI, Tubulin,
 * Actin, already intensity-scaled to about [0, 1]) to `path` (format from the extension).
 */
inline void save_activation_figure(const std::filesystem::path& path, const torch::Tensor& image,
                                   const torch::Tensor& heat, const ActivationFigureOptions& o = {}) {
    constexpr const char* where = "c2s::vision::save_activation_figure";
    if (!image.defined() || image.dim() != 3 || image.size(0) != 3)
        fail_argument(where, "'image' must be [3, H, W] (DAPI, Tubulin, Actin)");
    if (!heat.defined() || heat.dim() != 2) fail_argument(where, "'heat' must be a 2-D map");
    // channels-last RGB = (Actin, Tubulin, DAPI)
    auto rgb = torch::stack({image[2], image[1], image[0]}, 2).to(torch::kFloat32).clamp(0, 1).contiguous();
    auto h = heat.to(torch::kFloat32).contiguous();
    std::vector<float> pix(rgb.data_ptr<float>(), rgb.data_ptr<float>() + rgb.numel());
    std::vector<float> hv(h.data_ptr<float>(), h.data_ptr<float>() + h.numel());
    plot::OverlayOptions po;
    po.title = o.title;
    po.alpha = o.alpha;
    po.colormap = o.colormap;
    po.colorbar_label = o.colorbar_label;
    po.image_min = 0.0;
    po.image_max = 1.0;
    if (o.threshold > 0) po.threshold = o.threshold;
    const auto fig = plot::overlay({pix, static_cast<std::size_t>(image.size(1)), static_cast<std::size_t>(image.size(2)), 3},
                                   {hv, static_cast<std::size_t>(heat.size(0)), static_cast<std::size_t>(heat.size(1)), 1}, po);
    fig.save(path);
}

}  // namespace c2s::vision
