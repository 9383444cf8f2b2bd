#pragma once
/// @file inception.hpp
/// @brief Inception V3 (Szegedy et al. 2016) with LibTorch C++ modules, module for module as
/// torchvision's `inception_v3`: the same names (Conv2d_1a_3x3 … Mixed_7c, AuxLogits, avgpool, fc),
/// the same state-dict keys, convolutions without bias + BatchNorm (eps 0.001) + ReLU, and
/// `transform_input`. 27,161,264 parameters with the auxiliary head, 23,834,568 without.
///
/// Weights exported from Python as one `.npy` per state-dict entry load with `load_npy_weights`
/// (see docs/vision.md for the three-line export).
/// @see Szegedy C, et al. (2016) Rethinking the Inception Architecture for Computer Vision. CVPR.

#include <torch/torch.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/io/npy.hpp"

namespace c2s::vision {

namespace inception_detail {

using torch::nn::Conv2dOptions;

struct BasicConv2dImpl : torch::nn::Module {
    BasicConv2dImpl(std::int64_t in, std::int64_t out, torch::ExpandingArray<2> kernel,
                    torch::ExpandingArray<2> stride = 1, torch::ExpandingArray<2> padding = 0)
        : conv(Conv2dOptions(in, out, kernel).stride(stride).padding(padding).bias(false)),
          bn(torch::nn::BatchNorm2dOptions(out).eps(0.001)) {
        register_module("conv", conv);
        register_module("bn", bn);
    }
    // in-place ReLU on the batch-norm output, as torchvision (F.relu(x, inplace=True)): one
    // activation-sized allocation less per convolution
    torch::Tensor forward(const torch::Tensor& x) { return bn(conv(x)).relu_(); }
    torch::nn::Conv2d conv;
    torch::nn::BatchNorm2d bn;
};
TORCH_MODULE(BasicConv2d);

// asymmetric kernel sizes and paddings (brace lists do not forward through TORCH_MODULE holders)
inline const torch::ExpandingArray<2> k1x7{1, 7}, k7x1{7, 1}, p0x3{0, 3}, p3x0{3, 0}, k1x3{1, 3}, k3x1{3, 1}, p0x1{0, 1},
    p1x0{1, 0};

inline torch::Tensor avg3(const torch::Tensor& x) {
    return torch::avg_pool2d(x, 3, 1, 1);  // count_include_pad = true, as torchvision's F.avg_pool2d
}

struct InceptionAImpl : torch::nn::Module {
    InceptionAImpl(std::int64_t in, std::int64_t pool_features)
        : branch1x1(in, 64, 1), branch5x5_1(in, 48, 1), branch5x5_2(48, 64, 5, 1, 2), branch3x3dbl_1(in, 64, 1),
          branch3x3dbl_2(64, 96, 3, 1, 1), branch3x3dbl_3(96, 96, 3, 1, 1), branch_pool(in, pool_features, 1) {
        register_module("branch1x1", branch1x1);
        register_module("branch5x5_1", branch5x5_1);
        register_module("branch5x5_2", branch5x5_2);
        register_module("branch3x3dbl_1", branch3x3dbl_1);
        register_module("branch3x3dbl_2", branch3x3dbl_2);
        register_module("branch3x3dbl_3", branch3x3dbl_3);
        register_module("branch_pool", branch_pool);
    }
    torch::Tensor forward(const torch::Tensor& x) {
        return torch::cat({branch1x1(x), branch5x5_2(branch5x5_1(x)), branch3x3dbl_3(branch3x3dbl_2(branch3x3dbl_1(x))),
                           branch_pool(avg3(x))},
                          1);
    }
    BasicConv2d branch1x1, branch5x5_1, branch5x5_2, branch3x3dbl_1, branch3x3dbl_2, branch3x3dbl_3, branch_pool;
};
TORCH_MODULE(InceptionA);

struct InceptionBImpl : torch::nn::Module {
    explicit InceptionBImpl(std::int64_t in)
        : branch3x3(in, 384, 3, 2), branch3x3dbl_1(in, 64, 1), branch3x3dbl_2(64, 96, 3, 1, 1),
          branch3x3dbl_3(96, 96, 3, 2) {
        register_module("branch3x3", branch3x3);
        register_module("branch3x3dbl_1", branch3x3dbl_1);
        register_module("branch3x3dbl_2", branch3x3dbl_2);
        register_module("branch3x3dbl_3", branch3x3dbl_3);
    }
    torch::Tensor forward(const torch::Tensor& x) {
        return torch::cat({branch3x3(x), branch3x3dbl_3(branch3x3dbl_2(branch3x3dbl_1(x))), torch::max_pool2d(x, 3, 2)}, 1);
    }
    BasicConv2d branch3x3, branch3x3dbl_1, branch3x3dbl_2, branch3x3dbl_3;
};
TORCH_MODULE(InceptionB);

struct InceptionCImpl : torch::nn::Module {
    InceptionCImpl(std::int64_t in, std::int64_t c7)
        : branch1x1(in, 192, 1), branch7x7_1(in, c7, 1), branch7x7_2(c7, c7, k1x7, 1, p0x3),
          branch7x7_3(c7, 192, k7x1, 1, p3x0), branch7x7dbl_1(in, c7, 1), branch7x7dbl_2(c7, c7, k7x1, 1, p3x0),
          branch7x7dbl_3(c7, c7, k1x7, 1, p0x3), branch7x7dbl_4(c7, c7, k7x1, 1, p3x0),
          branch7x7dbl_5(c7, 192, k1x7, 1, p0x3), branch_pool(in, 192, 1) {
        register_module("branch1x1", branch1x1);
        register_module("branch7x7_1", branch7x7_1);
        register_module("branch7x7_2", branch7x7_2);
        register_module("branch7x7_3", branch7x7_3);
        register_module("branch7x7dbl_1", branch7x7dbl_1);
        register_module("branch7x7dbl_2", branch7x7dbl_2);
        register_module("branch7x7dbl_3", branch7x7dbl_3);
        register_module("branch7x7dbl_4", branch7x7dbl_4);
        register_module("branch7x7dbl_5", branch7x7dbl_5);
        register_module("branch_pool", branch_pool);
    }
    torch::Tensor forward(const torch::Tensor& x) {
        auto b7 = branch7x7_3(branch7x7_2(branch7x7_1(x)));
        auto bd = branch7x7dbl_5(branch7x7dbl_4(branch7x7dbl_3(branch7x7dbl_2(branch7x7dbl_1(x)))));
        return torch::cat({branch1x1(x), b7, bd, branch_pool(avg3(x))}, 1);
    }
    BasicConv2d branch1x1, branch7x7_1, branch7x7_2, branch7x7_3, branch7x7dbl_1, branch7x7dbl_2, branch7x7dbl_3,
        branch7x7dbl_4, branch7x7dbl_5, branch_pool;
};
TORCH_MODULE(InceptionC);

struct InceptionDImpl : torch::nn::Module {
    explicit InceptionDImpl(std::int64_t in)
        : branch3x3_1(in, 192, 1), branch3x3_2(192, 320, 3, 2), branch7x7x3_1(in, 192, 1),
          branch7x7x3_2(192, 192, k1x7, 1, p0x3), branch7x7x3_3(192, 192, k7x1, 1, p3x0),
          branch7x7x3_4(192, 192, 3, 2) {
        register_module("branch3x3_1", branch3x3_1);
        register_module("branch3x3_2", branch3x3_2);
        register_module("branch7x7x3_1", branch7x7x3_1);
        register_module("branch7x7x3_2", branch7x7x3_2);
        register_module("branch7x7x3_3", branch7x7x3_3);
        register_module("branch7x7x3_4", branch7x7x3_4);
    }
    torch::Tensor forward(const torch::Tensor& x) {
        return torch::cat({branch3x3_2(branch3x3_1(x)), branch7x7x3_4(branch7x7x3_3(branch7x7x3_2(branch7x7x3_1(x)))),
                           torch::max_pool2d(x, 3, 2)},
                          1);
    }
    BasicConv2d branch3x3_1, branch3x3_2, branch7x7x3_1, branch7x7x3_2, branch7x7x3_3, branch7x7x3_4;
};
TORCH_MODULE(InceptionD);

struct InceptionEImpl : torch::nn::Module {
    explicit InceptionEImpl(std::int64_t in)
        : branch1x1(in, 320, 1), branch3x3_1(in, 384, 1), branch3x3_2a(384, 384, k1x3, 1, p0x1),
          branch3x3_2b(384, 384, k3x1, 1, p1x0), branch3x3dbl_1(in, 448, 1), branch3x3dbl_2(448, 384, 3, 1, 1),
          branch3x3dbl_3a(384, 384, k1x3, 1, p0x1), branch3x3dbl_3b(384, 384, k3x1, 1, p1x0),
          branch_pool(in, 192, 1) {
        register_module("branch1x1", branch1x1);
        register_module("branch3x3_1", branch3x3_1);
        register_module("branch3x3_2a", branch3x3_2a);
        register_module("branch3x3_2b", branch3x3_2b);
        register_module("branch3x3dbl_1", branch3x3dbl_1);
        register_module("branch3x3dbl_2", branch3x3dbl_2);
        register_module("branch3x3dbl_3a", branch3x3dbl_3a);
        register_module("branch3x3dbl_3b", branch3x3dbl_3b);
        register_module("branch_pool", branch_pool);
    }
    torch::Tensor forward(const torch::Tensor& x) {
        auto b3 = branch3x3_1(x);
        auto bd = branch3x3dbl_2(branch3x3dbl_1(x));
        return torch::cat({branch1x1(x), torch::cat({branch3x3_2a(b3), branch3x3_2b(b3)}, 1),
                           torch::cat({branch3x3dbl_3a(bd), branch3x3dbl_3b(bd)}, 1), branch_pool(avg3(x))},
                          1);
    }
    BasicConv2d branch1x1, branch3x3_1, branch3x3_2a, branch3x3_2b, branch3x3dbl_1, branch3x3dbl_2, branch3x3dbl_3a,
        branch3x3dbl_3b, branch_pool;
};
TORCH_MODULE(InceptionE);

struct InceptionAuxImpl : torch::nn::Module {
    InceptionAuxImpl(std::int64_t in, std::int64_t num_classes)
        : conv0(in, 128, 1), conv1(128, 768, 5), fc(768, num_classes) {
        register_module("conv0", conv0);
        register_module("conv1", conv1);
        register_module("fc", fc);
    }
    torch::Tensor forward(const torch::Tensor& x) {
        auto y = conv1(conv0(torch::avg_pool2d(x, 5, 3)));
        return fc(torch::flatten(torch::adaptive_avg_pool2d(y, {1, 1}), 1));
    }
    BasicConv2d conv0, conv1;
    torch::nn::Linear fc;
};
TORCH_MODULE(InceptionAux);

}  // namespace inception_detail

struct InceptionV3Options {
    std::int64_t num_classes = 1000;
    bool aux_logits = true;       ///< build the AuxLogits head (used in training mode only)
    bool transform_input = false; ///< re-map ImageNet-normalised input to the (x-0.5)/0.5 range (torchvision)
    double dropout = 0.5;         ///< before fc, training mode only
};

/// Outputs of one forward pass: logits, aux logits (training with aux head, else undefined), the
/// 2048-d pooled embedding, and the activation of a requested layer (see `InceptionV3Impl::layer_names`).
struct InceptionOutputs {
    torch::Tensor logits, aux_logits, pooled, layer;
};

struct InceptionV3Impl : torch::nn::Module {
    explicit InceptionV3Impl(InceptionV3Options o = {})
        : options(o),
          Conv2d_1a_3x3(3, 32, 3, 2),
          Conv2d_2a_3x3(32, 32, 3),
          Conv2d_2b_3x3(32, 64, 3, 1, 1),
          Conv2d_3b_1x1(64, 80, 1),
          Conv2d_4a_3x3(80, 192, 3),
          Mixed_5b(192, 32),
          Mixed_5c(256, 64),
          Mixed_5d(288, 64),
          Mixed_6a(288),
          Mixed_6b(768, 128),
          Mixed_6c(768, 160),
          Mixed_6d(768, 160),
          Mixed_6e(768, 192),
          Mixed_7a(768),
          Mixed_7b(1280),
          Mixed_7c(2048),
          fc(2048, o.num_classes) {
        if (o.num_classes < 1) fail_argument("c2s::vision::InceptionV3", "'num_classes' is ", o.num_classes, "; need >= 1");
        register_module("Conv2d_1a_3x3", Conv2d_1a_3x3);
        register_module("Conv2d_2a_3x3", Conv2d_2a_3x3);
        register_module("Conv2d_2b_3x3", Conv2d_2b_3x3);
        register_module("Conv2d_3b_1x1", Conv2d_3b_1x1);
        register_module("Conv2d_4a_3x3", Conv2d_4a_3x3);
        register_module("Mixed_5b", Mixed_5b);
        register_module("Mixed_5c", Mixed_5c);
        register_module("Mixed_5d", Mixed_5d);
        register_module("Mixed_6a", Mixed_6a);
        register_module("Mixed_6b", Mixed_6b);
        register_module("Mixed_6c", Mixed_6c);
        register_module("Mixed_6d", Mixed_6d);
        register_module("Mixed_6e", Mixed_6e);
        if (o.aux_logits) AuxLogits = register_module("AuxLogits", inception_detail::InceptionAux(768, o.num_classes));
        register_module("Mixed_7a", Mixed_7a);
        register_module("Mixed_7b", Mixed_7b);
        register_module("Mixed_7c", Mixed_7c);
        register_module("fc", fc);
    }

    /// Layers whose output `run(x, layer)` can return, in forward order. "avgpool" is the 2048-d
    /// embedding `[N, 2048]`, "fc" the logits; the others are `[N, C, H, W]` feature maps.
    [[nodiscard]] static const std::vector<std::string>& layer_names() {
        static const std::vector<std::string> names{
            "Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3", "maxpool1", "Conv2d_3b_1x1", "Conv2d_4a_3x3", "maxpool2",
            "Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a", "Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e",
            "Mixed_7a", "Mixed_7b", "Mixed_7c", "avgpool", "fc"};
        return names;
    }

    [[nodiscard]] torch::Tensor transform(const torch::Tensor& x) const {
        if (!options.transform_input) return x;
        auto c0 = x.select(1, 0).unsqueeze(1) * (0.229 / 0.5) + (0.485 - 0.5) / 0.5;
        auto c1 = x.select(1, 1).unsqueeze(1) * (0.224 / 0.5) + (0.456 - 0.5) / 0.5;
        auto c2 = x.select(1, 2).unsqueeze(1) * (0.225 / 0.5) + (0.406 - 0.5) / 0.5;
        return torch::cat({c0, c1, c2}, 1);
    }

    /**
     * @brief The full forward pass, also keeping the pooled embedding and (when `layer` is given)
     * the activation of that layer; `stop_after_layer` ends the pass there (faster embeddings).
     */
    InceptionOutputs run(const torch::Tensor& input, const std::string& layer = "", bool stop_after_layer = false) {
        if (input.dim() != 4 || input.size(1) != 3)
            fail_argument("c2s::vision::InceptionV3::run", "'input' has shape ", input.sizes(), "; expected [N, 3, H, W]");
        if (input.size(2) < 75 || input.size(3) < 75)
            fail_argument("c2s::vision::InceptionV3::run", "'input' is ", input.size(2), "x", input.size(3),
                          "; Inception V3 needs at least 75x75 (299x299 is standard)");
        if (!layer.empty()) {
            const auto& n = layer_names();
            if (std::find(n.begin(), n.end(), layer) == n.end())
                fail_argument("c2s::vision::InceptionV3::run", "'layer' is '", layer, "'; known layers: ", join_names());
        }
        InceptionOutputs out;
        bool done = false;
        auto keep = [&](const char* name, const torch::Tensor& t) {
            if (!layer.empty() && layer == name) {
                out.layer = t;
                done = stop_after_layer;
            }
            return done;
        };
        auto x = transform(input);
        x = Conv2d_1a_3x3(x); if (keep("Conv2d_1a_3x3", x)) return out;
        x = Conv2d_2a_3x3(x); if (keep("Conv2d_2a_3x3", x)) return out;
        x = Conv2d_2b_3x3(x); if (keep("Conv2d_2b_3x3", x)) return out;
        x = torch::max_pool2d(x, 3, 2); if (keep("maxpool1", x)) return out;
        x = Conv2d_3b_1x1(x); if (keep("Conv2d_3b_1x1", x)) return out;
        x = Conv2d_4a_3x3(x); if (keep("Conv2d_4a_3x3", x)) return out;
        x = torch::max_pool2d(x, 3, 2); if (keep("maxpool2", x)) return out;
        x = Mixed_5b(x); if (keep("Mixed_5b", x)) return out;
        x = Mixed_5c(x); if (keep("Mixed_5c", x)) return out;
        x = Mixed_5d(x); if (keep("Mixed_5d", x)) return out;
        x = Mixed_6a(x); if (keep("Mixed_6a", x)) return out;
        x = Mixed_6b(x); if (keep("Mixed_6b", x)) return out;
        x = Mixed_6c(x); if (keep("Mixed_6c", x)) return out;
        x = Mixed_6d(x); if (keep("Mixed_6d", x)) return out;
        x = Mixed_6e(x); if (keep("Mixed_6e", x)) return out;
        if (AuxLogits && is_training()) {
            if (x.size(2) < 17 || x.size(3) < 17)
                fail_argument("c2s::vision::InceptionV3::run", "'input' is ", input.size(2), "x", input.size(3),
                              "; in training mode the auxiliary head needs Mixed_6e maps of at least 17x17 (input "
                              "299x299); build the model with aux_logits = false for smaller inputs");
            out.aux_logits = AuxLogits->forward(x);
        }
        x = Mixed_7a(x); if (keep("Mixed_7a", x)) return out;
        x = Mixed_7b(x); if (keep("Mixed_7b", x)) return out;
        x = Mixed_7c(x); if (keep("Mixed_7c", x)) return out;
        out.pooled = torch::flatten(torch::adaptive_avg_pool2d(x, {1, 1}), 1);
        if (keep("avgpool", out.pooled)) return out;
        out.logits = fc(torch::dropout(out.pooled, options.dropout, is_training()));
        keep("fc", out.logits);
        return out;
    }

    /// Logits (what torchvision's model returns in eval mode).
    torch::Tensor forward(const torch::Tensor& x) { return run(x).logits; }

    /// The output of `layer` (default: the 2048-d pooled embedding), stopping the pass there.
    torch::Tensor features(const torch::Tensor& x, const std::string& layer = "avgpool") {
        return run(x, layer, true).layer;
    }

    InceptionV3Options options;
    inception_detail::BasicConv2d Conv2d_1a_3x3, Conv2d_2a_3x3, Conv2d_2b_3x3, Conv2d_3b_1x1, Conv2d_4a_3x3;
    inception_detail::InceptionA Mixed_5b, Mixed_5c, Mixed_5d;
    inception_detail::InceptionB Mixed_6a;
    inception_detail::InceptionC Mixed_6b, Mixed_6c, Mixed_6d, Mixed_6e;
    inception_detail::InceptionAux AuxLogits{nullptr};
    inception_detail::InceptionD Mixed_7a;
    inception_detail::InceptionE Mixed_7b, Mixed_7c;
    torch::nn::Linear fc;

private:
    static std::string join_names() {
        std::string s;
        for (const auto& n : layer_names()) s += (s.empty() ? "" : ", ") + n;
        return s;
    }
};
TORCH_MODULE(InceptionV3);

/// Number of parameters (weights and biases; batch-norm running statistics are buffers, not counted).
[[nodiscard]] inline std::int64_t count_parameters(const torch::nn::Module& module) {
    std::int64_t n = 0;
    for (const auto& p : module.parameters()) n += p.numel();
    return n;
}

/**
 * @brief Seeded initialisation for models without trained weights: convolution and linear
 * weights ~ N(0, 2 / fan_in) (He), linear biases 0, batch-norm weight 1, bias 0, running mean 0,
 * running variance 1. Unlike torchvision's init (N(0, 0.1²) truncated) it keeps activations of
 * order one in evaluation mode, so untrained embeddings are still informative random features.
 */
inline void init_seeded(torch::nn::Module& module, std::uint64_t seed) {
    torch::NoGradGuard no_grad;
    auto gen = at::detail::createCPUGenerator(seed);
    for (auto& item : module.named_parameters()) {
        auto& p = item.value();
        const auto& name = item.key();
        if (p.dim() >= 2) {
            const double fan_in = static_cast<double>(p.numel() / p.size(0));
            p.normal_(0.0, std::sqrt(2.0 / fan_in), gen);
        } else if (name.ends_with("bn.weight")) {
            p.fill_(1.0);
        } else {
            p.zero_();
        }
    }
    for (auto& item : module.named_buffers()) {
        if (item.key().ends_with("running_var")) item.value().fill_(1.0);
        else item.value().zero_();
    }
}

struct WeightLoadOptions {
    /// Fail when a model entry has no file (true), or keep its current value (false).
    bool require_all = true;
    /// Fail when a file names no model entry (e.g. AuxLogits.* into a model without the aux head).
    bool reject_unknown = true;
    /// Entries starting with one of these prefixes are neither loaded nor required (e.g. "fc." to
    /// load an ImageNet backbone into a model with another number of classes).
    std::vector<std::string> skip_prefixes;
};

/// What `load_npy_weights` did.
struct WeightLoadResult {
    std::size_t loaded = 0;
    std::vector<std::string> missing;  ///< model entries without a file (require_all = false)
    std::vector<std::string> skipped;
};

/**
 * @brief Loads parameters and buffers of `module` from `folder/<state_dict key>.npy` (the export
 * format of docs/vision.md: `np.save(f"{folder}/{k}.npy", v.numpy())` for each state-dict entry).
 * Shapes must match exactly; errors name the entry, the file and both shapes.
 */
inline WeightLoadResult load_npy_weights(torch::nn::Module& module, const std::filesystem::path& folder,
                                         const WeightLoadOptions& options = {}) {
    constexpr const char* where = "c2s::vision::load_npy_weights";
    std::error_code ec;
    if (!std::filesystem::is_directory(folder, ec))
        fail_runtime(where, "weight folder '", folder.string(), "' does not exist (expected one .npy per state-dict entry)");
    torch::NoGradGuard no_grad;
    WeightLoadResult result;
    std::set<std::string> known;
    auto skipped = [&](const std::string& key) {
        for (const auto& p : options.skip_prefixes)
            if (key.starts_with(p)) return true;
        return false;
    };
    auto load_one = [&](const std::string& key, torch::Tensor& target) {
        known.insert(key);
        if (skipped(key)) {
            result.skipped.push_back(key);
            return;
        }
        const auto file = folder / (key + ".npy");
        if (!std::filesystem::exists(file, ec)) {
            if (options.require_all)
                fail_runtime(where, "'", folder.string(), "' has no file for '", key, "' (", file.filename().string(),
                             "); export every state_dict entry, or skip it with skip_prefixes");
            result.missing.push_back(key);
            return;
        }
        auto arr = io::read_npy<double>(file);
        std::vector<std::int64_t> shape(arr.shape.begin(), arr.shape.end());
        if (shape != target.sizes().vec())
            fail_runtime(where, "'", file.string(), "' has shape ", torch::IntArrayRef(shape), " but '", key,
                         "' of the model has shape ", target.sizes());
        auto src = torch::from_blob(arr.data.data(), target.sizes(), torch::kFloat64);
        target.copy_(src);
        ++result.loaded;
    };
    for (auto& item : module.named_parameters()) load_one(item.key(), item.value());
    for (auto& item : module.named_buffers()) load_one(item.key(), item.value());
    if (options.reject_unknown)
        for (const auto& entry : std::filesystem::directory_iterator(folder)) {
            const auto name = entry.path().filename().string();
            if (!name.ends_with(".npy")) continue;
            const auto key = name.substr(0, name.size() - 4);
            if (!known.count(key) && !skipped(key))
                fail_runtime(where, "'", entry.path().string(), "' names no entry of the model ('", key,
                             "'); wrong architecture or options (aux_logits, num_classes)?");
        }
    return result;
}

}  // namespace c2s::vision
