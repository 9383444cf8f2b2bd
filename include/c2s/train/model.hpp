#pragma once
/// @file model.hpp
/// @brief What the trainer needs of a model: the concept `classifier_module` and
/// `forward_for_training`, which returns the logits and, for models with an auxiliary head
/// (Inception V3), the auxiliary logits.
///
/// A model is a LibTorch module holder (`TORCH_MODULE(Name)`) that either
/// 1. has `run(x)` returning an object with tensor members `logits` and `aux_logits` (the latter
///    undefined when the model has no auxiliary head or is in evaluation mode), as
///    `c2s::vision::InceptionV3` does, or
/// 2. has `forward(x)` returning the logits `[N, classes]`.
/// The first form is preferred when both exist.

#include <torch/torch.h>

#include <concepts>
#include <memory>

namespace c2s::train {

/// Logits `[N, classes]` and, when the model has one and is training, auxiliary logits.
struct ModelOutputs {
    torch::Tensor logits;
    torch::Tensor aux_logits;  ///< undefined when there is no auxiliary head
};

/// (1) A module holder: `m.ptr()` gives the `torch::nn::Module`.
template <class Model_>
concept module_holder = requires(Model_& m) {
    { m.ptr() } -> std::convertible_to<std::shared_ptr<torch::nn::Module>>;
};

/// (2a) `m->run(x)` returns an object with `logits` and `aux_logits` tensors.
template <class Model_>
concept returns_logits_with_aux = module_holder<Model_> && requires(Model_& m, const torch::Tensor& x) {
    { m->run(x).logits } -> std::convertible_to<torch::Tensor>;
    { m->run(x).aux_logits } -> std::convertible_to<torch::Tensor>;
};

/// (2b) `m->forward(x)` returns the logits.
template <class Model_>
concept returns_logits = module_holder<Model_> && requires(Model_& m, const torch::Tensor& x) {
    { m->forward(x) } -> std::convertible_to<torch::Tensor>;
};

/// A model the trainer can fit: a module holder meeting (2a) or (2b).
template <class Model_>
concept classifier_module = returns_logits_with_aux<Model_> || returns_logits<Model_>;

/// Runs the model on `x` in its current mode and returns its logits (and auxiliary logits).
template <classifier_module Model_>
[[nodiscard]] ModelOutputs forward_for_training(Model_& model, const torch::Tensor& x) {
    if constexpr (returns_logits_with_aux<Model_>) {
        auto out = model->run(x);
        return {out.logits, out.aux_logits};
    } else {
        return {model->forward(x), torch::Tensor()};
    }
}

}  // namespace c2s::train
