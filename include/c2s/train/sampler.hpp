#pragma once
/// @file sampler.hpp
/// @brief The order in which an epoch visits the training samples: shuffled, class-balanced or
/// sequential; a pure function of (labels, seed, epoch).

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string_view>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/train/random.hpp"

namespace c2s::train {

enum class Sampling {
    shuffle,         ///< every sample once per epoch, in a seeded random order
    class_balanced,  ///< as many draws per epoch as samples, each class drawn equally often
    sequential,      ///< every sample once, in dataset order (evaluation, debugging)
};

[[nodiscard]] inline Sampling parse_sampling(std::string_view s) {
    if (s == "shuffle") return Sampling::shuffle;
    if (s == "class_balanced" || s == "balanced") return Sampling::class_balanced;
    if (s == "sequential") return Sampling::sequential;
    fail_argument("c2s::train::parse_sampling", "'", s, "' is not a sampling; use shuffle, class_balanced or sequential");
}

/**
 * @brief Positions into the training set for epoch `epoch`.
 *
 * `class_balanced`: the epoch has `labels.size()` draws; classes take turns in a shuffled cycle
 * (each class gets the same number of draws, ±1), and within a class the samples are visited in a
 * shuffled cycle, reshuffled each time it wraps, so a small class is repeated and a large class is
 * subsampled, never with long runs of one sample. Samples with a negative label are skipped.
 */
[[nodiscard]] inline std::vector<std::size_t> epoch_order(std::span<const std::int64_t> labels, Sampling sampling,
                                                          std::uint64_t seed, std::uint64_t epoch) {
    std::vector<std::size_t> order;
    order.reserve(labels.size());
    for (std::size_t i = 0; i < labels.size(); ++i)
        if (labels[i] >= 0) order.push_back(i);
    if (sampling == Sampling::sequential) return order;
    SplitMix64 rng(derive_seed(seed, {epoch, 0x5A3D}));
    if (sampling == Sampling::shuffle) {
        shuffle(order, rng);
        return order;
    }
    std::map<std::int64_t, std::vector<std::size_t>> by_class;
    for (auto i : order) by_class[labels[i]].push_back(i);
    if (by_class.empty()) return order;
    std::vector<std::vector<std::size_t>*> pools;
    for (auto& [label, members] : by_class) {
        shuffle(members, rng);
        pools.push_back(&members);
    }
    std::vector<std::size_t> cursor(pools.size(), 0);
    std::vector<std::size_t> turn(pools.size());
    const std::size_t n = order.size();
    std::vector<std::size_t> out;
    out.reserve(n);
    while (out.size() < n) {
        for (std::size_t k = 0; k < turn.size(); ++k) turn[k] = k;
        shuffle(turn, rng);
        for (std::size_t k : turn) {
            if (out.size() == n) break;
            auto& pool = *pools[k];
            if (cursor[k] == pool.size()) {
                shuffle(pool, rng);
                cursor[k] = 0;
            }
            out.push_back(pool[cursor[k]++]);
        }
    }
    return out;
}

}  // namespace c2s::train
