#pragma once
/// @file optimizer.hpp
/// @brief Adam, AdamW and SGD with momentum over parameter groups chosen by module-name pattern,
/// each group with its own learning rate and weight decay.

#include <torch/torch.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/train/freeze.hpp"

namespace c2s::train {

enum class OptimizerKind { adam, adamw, sgd };

[[nodiscard]] inline OptimizerKind parse_optimizer(std::string_view s) {
    if (s == "adam") return OptimizerKind::adam;
    if (s == "adamw") return OptimizerKind::adamw;
    if (s == "sgd") return OptimizerKind::sgd;
    fail_argument("c2s::train::parse_optimizer", "'", s, "' is not an optimizer; use adam, adamw or sgd");
}

/// Parameters matched by `pattern` (see freeze.hpp) get their own learning rate / weight decay.
struct ParameterGroup {
    std::string pattern;
    std::optional<double> lr;            ///< unset: the optimizer's
    std::optional<double> weight_decay;  ///< unset: the optimizer's
};

struct OptimizerOptions {
    OptimizerKind kind = OptimizerKind::adam;
    double lr = 1e-4;            ///< base learning rate (the schedule scales it)
    /// Adam/SGD: L2 penalty added to the gradient; AdamW: decoupled decay (Loshchilov & Hutter).
    double weight_decay = 0.0;
    double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;  ///< Adam, AdamW
    double momentum = 0.9;       ///< SGD
    bool nesterov = false;       ///< SGD
    /// Groups, first match wins; parameters matched by none form the default group.
    std::vector<ParameterGroup> groups;
};

/// The optimizer and each group's base learning rate (what the schedule multiplies).
struct OptimizerBundle {
    std::unique_ptr<torch::optim::Optimizer> optimizer;
    std::vector<double> base_lr;
    std::vector<std::string> group_names;  ///< "default" or the pattern
};

inline void check_optimizer_options(const OptimizerOptions& o, const char* where) {
    if (!(o.lr > 0.0)) fail_argument(where, "'lr' is ", o.lr, "; must be > 0");
    if (!(o.weight_decay >= 0.0)) fail_argument(where, "'weight_decay' is ", o.weight_decay, "; must be >= 0");
    if (!(o.beta1 >= 0.0 && o.beta1 < 1.0)) fail_argument(where, "'beta1' is ", o.beta1, "; must be in [0, 1)");
    if (!(o.beta2 >= 0.0 && o.beta2 < 1.0)) fail_argument(where, "'beta2' is ", o.beta2, "; must be in [0, 1)");
    if (!(o.momentum >= 0.0)) fail_argument(where, "'momentum' is ", o.momentum, "; must be >= 0");
    if (o.nesterov && o.momentum <= 0.0) fail_argument(where, "nesterov needs 'momentum' > 0");
    for (const auto& g : o.groups) {
        if (g.lr && !(*g.lr > 0.0)) fail_argument(where, "group '", g.pattern, "': 'lr' is ", *g.lr, "; must be > 0");
        if (g.weight_decay && !(*g.weight_decay >= 0.0))
            fail_argument(where, "group '", g.pattern, "': 'weight_decay' is ", *g.weight_decay, "; must be >= 0");
    }
}

/**
 * @brief Builds the optimizer over all parameters of `module` (frozen ones included: they get no
 * gradient, so the optimizer leaves them alone until they are opened).
 */
[[nodiscard]] inline OptimizerBundle make_optimizer(torch::nn::Module& module, const OptimizerOptions& o) {
    constexpr const char* where = "c2s::train::make_optimizer";
    check_optimizer_options(o, where);
    std::vector<std::string> patterns;
    for (const auto& g : o.groups) patterns.push_back(g.pattern);
    check_patterns(module, patterns, where, "parameter-group");
    std::vector<std::vector<torch::Tensor>> members(o.groups.size() + 1);
    for (auto& item : module.named_parameters()) {
        std::size_t k = o.groups.size();
        for (std::size_t g = 0; g < o.groups.size(); ++g)
            if (matches_module_pattern(o.groups[g].pattern, item.key())) {
                k = g;
                break;
            }
        members[k].push_back(item.value());
    }
    OptimizerBundle out;
    auto options_for = [&](double lr, double wd) -> std::unique_ptr<torch::optim::OptimizerOptions> {
        switch (o.kind) {
            case OptimizerKind::adam:
                return std::make_unique<torch::optim::AdamOptions>(torch::optim::AdamOptions(lr)
                                                                       .betas({o.beta1, o.beta2})
                                                                       .eps(o.eps)
                                                                       .weight_decay(wd));
            case OptimizerKind::adamw:
                return std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(lr)
                                                                        .betas({o.beta1, o.beta2})
                                                                        .eps(o.eps)
                                                                        .weight_decay(wd));
            case OptimizerKind::sgd:
                return std::make_unique<torch::optim::SGDOptions>(
                    torch::optim::SGDOptions(lr).momentum(o.momentum).nesterov(o.nesterov).weight_decay(wd));
        }
        return nullptr;
    };
    std::vector<torch::optim::OptimizerParamGroup> groups;
    for (std::size_t g = 0; g <= o.groups.size(); ++g) {
        if (members[g].empty()) continue;
        const bool is_default = g == o.groups.size();
        const double lr = is_default ? o.lr : o.groups[g].lr.value_or(o.lr);
        const double wd = is_default ? o.weight_decay : o.groups[g].weight_decay.value_or(o.weight_decay);
        groups.emplace_back(members[g], options_for(lr, wd));
        out.base_lr.push_back(lr);
        out.group_names.push_back(is_default ? "default" : o.groups[g].pattern);
    }
    switch (o.kind) {
        case OptimizerKind::adam:
            out.optimizer = std::make_unique<torch::optim::Adam>(groups, torch::optim::AdamOptions(o.lr));
            break;
        case OptimizerKind::adamw:
            out.optimizer = std::make_unique<torch::optim::AdamW>(groups, torch::optim::AdamWOptions(o.lr));
            break;
        case OptimizerKind::sgd:
            out.optimizer = std::make_unique<torch::optim::SGD>(groups, torch::optim::SGDOptions(o.lr));
            break;
    }
    return out;
}

/// Sets the learning rate of every group to `factor × base_lr`.
inline void set_lr_factor(OptimizerBundle& bundle, double factor) {
    auto& groups = bundle.optimizer->param_groups();
    for (std::size_t g = 0; g < groups.size(); ++g) groups[g].options().set_lr(bundle.base_lr[g] * factor);
}

/// Gradients of all parameters reset to undefined (PyTorch 2's `zero_grad(set_to_none=True)`): a
/// parameter frozen later gets no stale gradient, so neither momentum nor weight decay moves it.
inline void clear_gradients(torch::nn::Module& module) {
    for (auto& p : module.parameters())
        if (p.grad().defined()) p.mutable_grad() = torch::Tensor();
}

}  // namespace c2s::train
