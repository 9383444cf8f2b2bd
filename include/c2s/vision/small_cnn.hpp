#pragma once
/// @file small_cnn.hpp
/// @brief A small convolutional classifier for low-resolution inputs (64–128 pixels): four blocks
/// of 3×3 convolution + batch norm + ReLU + 2×2 max-pooling, global average pooling, dropout and a
/// linear head. It trains on two CPU cores in minutes, where Inception V3 needs a GPU; the tests
/// and the main job's quick runs use it. Same interface as `InceptionV3` for embedding
/// (`features(x, "avgpool")`) and training (`forward` gives logits).

#include <torch/torch.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/vision/backbone.hpp"

namespace c2s::vision {

struct SmallCnnOptions {
    std::int64_t num_classes = 12;
    std::int64_t width = 32;   ///< channels of the first block; each next block doubles, up to 8 × width
    double dropout = 0.2;      ///< before the linear head, training mode only
};

struct SmallCnnImpl : torch::nn::Module {
    explicit SmallCnnImpl(SmallCnnOptions o = {}) : options(o) {
        if (o.num_classes < 1) fail_argument("c2s::vision::SmallCnn", "'num_classes' is ", o.num_classes, "; need >= 1");
        if (o.width < 1) fail_argument("c2s::vision::SmallCnn", "'width' is ", o.width, "; need >= 1");
        std::int64_t in = 3;
        for (std::size_t b = 0; b < blocks.size(); ++b) {
            const std::int64_t out = o.width << std::min<std::size_t>(b, 3);
            torch::nn::Sequential block(
                torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).padding(1).bias(false)),
                torch::nn::BatchNorm2d(out), torch::nn::ReLU(torch::nn::ReLUOptions(true)));
            blocks[b] = register_module("block" + std::to_string(b + 1), block);
            in = out;
        }
        embedding_width = in;
        fc = register_module("fc", torch::nn::Linear(in, o.num_classes));
    }

    /// "block1" … "block4" (feature maps), "avgpool" (the embedding), "fc" (logits).
    [[nodiscard]] static const std::vector<std::string>& layer_names() {
        static const std::vector<std::string> names{"block1", "block2", "block3", "block4", "avgpool", "fc"};
        return names;
    }

    /// The output of `layer`, stopping the pass there.
    torch::Tensor features(const torch::Tensor& input, const std::string& layer = "avgpool") {
        if (input.dim() != 4 || input.size(1) != 3)
            fail_argument("c2s::vision::SmallCnn", "'input' has shape ", input.sizes(), "; expected [N, 3, H, W]");
        if (input.size(2) < 16 || input.size(3) < 16)
            fail_argument("c2s::vision::SmallCnn", "'input' is ", input.size(2), "x", input.size(3), "; needs at least 16x16");
        auto x = input;
        for (std::size_t b = 0; b < blocks.size(); ++b) {
            x = torch::max_pool2d(blocks[b]->forward(x), 2);
            if (layer == "block" + std::to_string(b + 1)) return x;
        }
        x = torch::flatten(torch::adaptive_avg_pool2d(x, {1, 1}), 1);
        if (layer == "avgpool") return x;
        if (layer != "fc") {
            std::string known;
            for (const auto& n : layer_names()) known += (known.empty() ? "" : ", ") + n;
            fail_argument("c2s::vision::SmallCnn", "'layer' is '", layer, "'; known layers: ", known);
        }
        return fc(torch::dropout(x, options.dropout, is_training()));
    }

    torch::Tensor forward(const torch::Tensor& x) { return features(x, "fc"); }

    SmallCnnOptions options;
    std::array<torch::nn::Sequential, 4> blocks{nullptr, nullptr, nullptr, nullptr};
    torch::nn::Linear fc{nullptr};
    std::int64_t embedding_width = 0;
};
TORCH_MODULE(SmallCnn);

/// `SmallCnn` as an embedding backbone (default layer "avgpool").
class SmallCnnBackbone final : public Backbone {
public:
    explicit SmallCnnBackbone(SmallCnn model) : model_(std::move(model)) { model_->eval(); }
    torch::Tensor features(const torch::Tensor& batch, const std::string& layer) override {
        torch::NoGradGuard no_grad;
        model_->eval();
        return model_->features(batch, layer.empty() ? default_layer() : layer);
    }
    [[nodiscard]] std::string default_layer() const override { return "avgpool"; }
    void to(torch::Device device, torch::Dtype dtype) override { model_->to(device, dtype); }
    [[nodiscard]] std::string describe() const override { return "SmallCnn (C++)"; }
    [[nodiscard]] SmallCnn& model() noexcept { return model_; }

private:
    SmallCnn model_;
};

}  // namespace c2s::vision
