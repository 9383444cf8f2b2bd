#pragma once
/// @file freeze.hpp
/// @brief Freezing and unfreezing parameters by module-name pattern, and the training mode that
/// keeps frozen batch-norm layers in evaluation mode (their running statistics stay as loaded).
///
/// A pattern is a glob (`*` any run of characters, `?` one character) matched against each
/// parameter's full name (`Mixed_7b.branch1x1.conv.weight`) and against every module prefix of it
/// (`Mixed_7b`, `Mixed_7b.branch1x1`, ...): `Mixed_7b` opens the whole block, `Mixed_7*` the three
/// Mixed_7 blocks, `*.bn` every batch-norm layer, `*` everything. A pattern that matches no
/// parameter is an error, so a typo cannot silently leave a model frozen.

#include <torch/torch.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "c2s/core/error.hpp"

namespace c2s::train {

/// Glob match: `*` any (possibly empty) run, `?` one character; everything else literal.
[[nodiscard]] inline bool glob_match(std::string_view pattern, std::string_view text) noexcept {
    std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

/// Whether `pattern` matches the parameter name `name` or one of its module prefixes.
[[nodiscard]] inline bool matches_module_pattern(std::string_view pattern, std::string_view name) noexcept {
    if (glob_match(pattern, name)) return true;
    for (std::size_t dot = name.find('.'); dot != std::string_view::npos; dot = name.find('.', dot + 1))
        if (glob_match(pattern, name.substr(0, dot))) return true;
    return false;
}

/// Names of the parameters of `module` that `pattern` matches.
[[nodiscard]] inline std::vector<std::string> match_parameters(const torch::nn::Module& module, std::string_view pattern) {
    std::vector<std::string> out;
    for (const auto& item : module.named_parameters())
        if (matches_module_pattern(pattern, item.key())) out.push_back(item.key());
    return out;
}

/// Fails naming the first of `patterns` that matches no parameter of `module` (and a few names).
inline void check_patterns(const torch::nn::Module& module, const std::vector<std::string>& patterns, const char* where,
                           std::string_view what) {
    for (const auto& p : patterns)
        if (match_parameters(module, p).empty()) {
            std::string examples;
            std::size_t k = 0;
            for (const auto& child : module.named_children()) {
                if (k++ == 8) {
                    examples += ", ...";
                    break;
                }
                examples += (examples.empty() ? "" : ", ") + child.key();
            }
            fail_argument(where, what, " pattern '", p, "' matches no parameter of the model (top-level modules: ",
                          examples, ")");
        }
}

/**
 * @brief Makes exactly the parameters matched by one of `trainable` trainable (requires_grad) and
 * freezes all others; an empty list, or `{"*"}`, makes everything trainable. Returns the number of
 * trainable parameter tensors.
 */
inline std::size_t set_trainable(torch::nn::Module& module, const std::vector<std::string>& trainable) {
    check_patterns(module, trainable, "c2s::train::set_trainable", "trainable");
    std::size_t open = 0;
    for (auto& item : module.named_parameters()) {
        bool on = trainable.empty();
        for (const auto& p : trainable) on = on || matches_module_pattern(p, item.key());
        item.value().set_requires_grad(on);
        open += on ? 1 : 0;
    }
    return open;
}

/// Additionally opens the parameters matched by `patterns` (staged unfreezing).
inline void unfreeze(torch::nn::Module& module, const std::vector<std::string>& patterns) {
    check_patterns(module, patterns, "c2s::train::unfreeze", "unfreeze");
    for (auto& item : module.named_parameters())
        for (const auto& p : patterns)
            if (matches_module_pattern(p, item.key())) item.value().set_requires_grad(true);
}

[[nodiscard]] inline bool is_batch_norm(const torch::nn::Module& m) noexcept {
    return dynamic_cast<const torch::nn::BatchNorm1dImpl*>(&m) || dynamic_cast<const torch::nn::BatchNorm2dImpl*>(&m) ||
           dynamic_cast<const torch::nn::BatchNorm3dImpl*>(&m);
}

/**
 * @brief Training mode for the trainable part: `module.train()`, then every batch-norm layer whose
 * (affine) parameters are all frozen goes back to evaluation mode, so it normalises with its stored running
 * statistics and does not update them (the founding study's scripts let them drift). Returns the
 * number of batch-norm layers kept in evaluation mode.
 */
inline std::size_t train_mode_respecting_frozen(torch::nn::Module& module) {
    module.train(true);
    std::size_t frozen = 0;
    for (auto& m : module.modules(/*include_self=*/true)) {
        if (!is_batch_norm(*m)) continue;
        bool has_parameters = false, any_trainable = false;
        for (const auto& p : m->parameters(/*recurse=*/false)) {
            has_parameters = true;
            any_trainable = any_trainable || p.requires_grad();
        }
        if (has_parameters && !any_trainable) {
            m->eval();
            ++frozen;
        }
    }
    return frozen;
}

}  // namespace c2s::train
