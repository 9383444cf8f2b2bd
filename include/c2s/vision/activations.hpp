#pragma once
/// @file activations.hpp
/// @brief Where the network looks: the mean activation of a layer upsampled to the input (as in
/// Figure 3 of the founding study) and Grad-CAM for a chosen class (Selvaraju et al. 2017).
/// `c2s/vision/activation_png.hpp` draws them over the image through c2s::plot.
/// @see Selvaraju RR, et al. (2017) Grad-CAM: Visual Explanations from Deep Networks via
/// Gradient-based Localization. ICCV.

#include <torch/torch.h>

#include <cstdint>
#include <optional>
#include <string>

#include "c2s/core/error.hpp"
#include "c2s/vision/inception.hpp"

namespace c2s::vision {

struct ActivationMap {
    torch::Tensor map;     ///< [H, W] at the input's resolution, scaled to [0, 1]
    torch::Tensor raw;     ///< [h, w] at the layer's resolution, unscaled
    std::int64_t target_class = -1;  ///< Grad-CAM: the class explained; mean activation: the predicted class
};

namespace detail {
inline torch::Tensor upsample_unit(const torch::Tensor& raw, std::int64_t h, std::int64_t w) {
    namespace F = torch::nn::functional;
    auto up = F::interpolate(raw.unsqueeze(0).unsqueeze(0), F::InterpolateFuncOptions()
                                                                 .size(std::vector<std::int64_t>{h, w})
                                                                 .mode(torch::kBilinear)
                                                                 .align_corners(false))
                  .squeeze(0)
                  .squeeze(0);
    const auto lo = up.min(), hi = up.max();
    return (hi - lo).item<double>() > 0 ? (up - lo) / (hi - lo) : torch::zeros_like(up);
}
inline torch::Tensor as_batch(const torch::Tensor& input, const char* where) {
    if (input.dim() == 3) return input.unsqueeze(0);
    if (input.dim() == 4 && input.size(0) == 1) return input;
    fail_argument(where, "'input' has shape ", input.sizes(), "; expected one image [3, H, W]");
}
inline void check_map_layer(const std::string& layer, const char* where) {
    if (layer == "avgpool" || layer == "fc")
        fail_argument(where, "'layer' is '", layer, "'; choose a feature-map layer such as Mixed_7c or Mixed_6e");
}
}  // namespace detail

/// Mean over channels of `layer`'s activation for one model-ready image `[3, H, W]` (evaluation mode).
[[nodiscard]] inline ActivationMap activation_map(InceptionV3& model, const torch::Tensor& input,
                                                  const std::string& layer = "Mixed_7c") {
    constexpr const char* where = "c2s::vision::activation_map";
    detail::check_map_layer(layer, where);
    torch::NoGradGuard no_grad;
    model->eval();
    const auto x = detail::as_batch(input, where);
    const auto out = model->run(x, layer);
    ActivationMap m;
    m.raw = out.layer[0].mean(0);
    m.map = detail::upsample_unit(m.raw, x.size(2), x.size(3));
    m.target_class = out.logits[0].argmax().item<std::int64_t>();
    return m;
}

/**
 * @brief Grad-CAM: ReLU(Σ_c α_c A_c) with α_c the spatial mean of d logit[target] / d A_c, for
 * `layer`'s activation A of one model-ready image (evaluation mode). Without `target_class` the
 * predicted class is explained.
 */
[[nodiscard]] inline ActivationMap grad_cam(InceptionV3& model, const torch::Tensor& input,
                                            std::optional<std::int64_t> target_class = std::nullopt,
                                            const std::string& layer = "Mixed_7c") {
    constexpr const char* where = "c2s::vision::grad_cam";
    detail::check_map_layer(layer, where);
    model->eval();
    const auto x = detail::as_batch(input, where).detach();
    torch::AutoGradMode grad_on(true);
    auto out = model->run(x, layer);
    const auto classes = out.logits.size(1);
    const auto k = target_class.value_or(out.logits[0].argmax().item<std::int64_t>());
    if (k < 0 || k >= classes) fail_argument(where, "'target_class' is ", k, " but the model has ", classes, " classes");
    auto grads = torch::autograd::grad({out.logits[0][k]}, {out.layer}, {}, false, false)[0];
    const auto alpha = grads[0].mean({1, 2}, true);  // [C, 1, 1]
    ActivationMap m;
    m.raw = torch::relu((alpha * out.layer[0]).sum(0)).detach();
    m.map = detail::upsample_unit(m.raw, x.size(2), x.size(3));
    m.target_class = k;
    return m;
}

}  // namespace c2s::vision
