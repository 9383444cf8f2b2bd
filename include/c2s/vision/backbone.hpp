#pragma once
/// @file backbone.hpp
/// @brief A feature extractor the embedding step can run: the C++ Inception V3
/// (`InceptionBackbone`) or any TorchScript model (`TorchScriptBackbone`, e.g. DINOv2 ViT-S/14
/// traced by the user) with the layer to read named by the user.

#include <torch/script.h>
#include <torch/torch.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/vision/inception.hpp"

namespace c2s::vision {

class Backbone {
public:
    virtual ~Backbone() = default;
    /// Output of `layer` for a batch `[N, 3, H, W]` (empty layer: `default_layer()`), evaluation mode.
    virtual torch::Tensor features(const torch::Tensor& batch, const std::string& layer) = 0;
    [[nodiscard]] virtual std::string default_layer() const = 0;
    /// Moves the weights to `device` and converts floating-point weights to `dtype`.
    virtual void to(torch::Device device, torch::Dtype dtype) = 0;
    [[nodiscard]] virtual std::string describe() const = 0;
};

class InceptionBackbone final : public Backbone {
public:
    explicit InceptionBackbone(InceptionV3 model) : model_(std::move(model)) { model_->eval(); }
    torch::Tensor features(const torch::Tensor& batch, const std::string& layer) override {
        torch::NoGradGuard no_grad;
        model_->eval();
        return model_->features(batch, layer.empty() ? default_layer() : layer);
    }
    [[nodiscard]] std::string default_layer() const override { return "avgpool"; }
    void to(torch::Device device, torch::Dtype dtype) override { model_->to(device, dtype); }
    [[nodiscard]] std::string describe() const override { return "Inception V3 (C++)"; }
    [[nodiscard]] InceptionV3& model() noexcept { return model_; }

private:
    InceptionV3 model_;
};

/**
 * @brief A TorchScript model (`torch.jit.script` or `torch.jit.trace`, saved with `.save()`).
 *
 * `layer` selects what is read, tried in this order:
 * 1. empty or "forward": the output of `forward`;
 * 2. the name of a method of the module (e.g. an exported `embed` or `forward_features`);
 * 3. a key of the dictionary that `forward` returns;
 * 4. the name of a top-level child module: the children are run in order up to and including it,
 *    which is the forward pass of an `nn.Sequential`-like model (the user vouches for that).
 */
class TorchScriptBackbone final : public Backbone {
public:
    explicit TorchScriptBackbone(const std::filesystem::path& path, std::string default_layer = "")
        : path_(path), default_layer_(std::move(default_layer)) {
        std::error_code ec;
        if (!std::filesystem::exists(path, ec))
            fail_runtime("c2s::vision::TorchScriptBackbone", "model file '", path.string(), "' does not exist");
        try {
            module_ = torch::jit::load(path.string());
        } catch (const c10::Error& e) {
            fail_runtime("c2s::vision::TorchScriptBackbone", "cannot load '", path.string(),
                         "' as a TorchScript model (save it with torch.jit.script(model).save(path)): ",
                         std::string(e.what_without_backtrace()));
        }
        module_.eval();
    }

    torch::Tensor features(const torch::Tensor& batch, const std::string& requested) override {
        constexpr const char* where = "c2s::vision::TorchScriptBackbone::features";
        torch::NoGradGuard no_grad;
        const std::string layer = requested.empty() ? default_layer_ : requested;
        std::vector<torch::jit::IValue> in{batch};
        if (layer.empty() || layer == "forward") return as_tensor(module_.forward(in), layer);
        if (auto method = module_.find_method(layer)) return as_tensor((*method)(in), layer);
        bool is_child = false;
        for (const auto& child : module_.named_children()) is_child = is_child || child.name == layer;
        if (!is_child) {
            auto out = module_.forward(in);
            if (out.isGenericDict()) {
                auto dict = out.toGenericDict();
                if (dict.contains(layer)) return as_tensor(dict.at(layer), layer);
            }
            fail_argument(where, "'layer' is '", layer, "' but '", path_.string(),
                          "' has no such method, output key or top-level child; children: ", children());
        }
        torch::jit::IValue x = batch;
        for (auto child : module_.named_children()) {
            x = child.value.forward({x});
            if (child.name == layer) break;
        }
        return as_tensor(x, layer);
    }
    [[nodiscard]] std::string default_layer() const override { return default_layer_; }
    void to(torch::Device device, torch::Dtype dtype) override { module_.to(device, dtype); }
    [[nodiscard]] std::string describe() const override { return "TorchScript " + path_.filename().string(); }
    [[nodiscard]] torch::jit::Module& module() noexcept { return module_; }

private:
    torch::Tensor as_tensor(const torch::jit::IValue& v, const std::string& layer) const {
        if (!v.isTensor())
            fail_runtime("c2s::vision::TorchScriptBackbone::features", "layer '", layer, "' of '", path_.string(),
                         "' returns a ", v.tagKind(), ", not a tensor");
        return v.toTensor();
    }
    std::string children() const {
        std::string s;
        for (const auto& c : module_.named_children()) s += (s.empty() ? "" : ", ") + c.name;
        return s.empty() ? "(none)" : s;
    }
    std::filesystem::path path_;
    std::string default_layer_;
    torch::jit::Module module_;
};

}  // namespace c2s::vision
