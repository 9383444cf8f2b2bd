#pragma once
/// @file random.hpp
/// @brief Seed mixing and bounded integers for the trainer's data order and augmentation.
///
/// Every random choice of an epoch is a function of (seed, epoch, position), never of thread
/// timing, so the order and augmentation of the samples do not depend on the number of loader
/// threads, and a run resumed from a checkpoint sees the same samples as an uninterrupted one.
/// The generators are written out here (splitmix64, rejection-sampled bounded integers) rather than taken
/// from `<random>` distributions, whose results differ between standard libraries.

#include <cstdint>
#include <initializer_list>
#include <utility>
#include <vector>

namespace c2s::train {

/// splitmix64 finaliser: a bijective 64-bit mix.
[[nodiscard]] constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

/// A seed derived from a base seed and a list of indices (epoch, position, ...).
[[nodiscard]] constexpr std::uint64_t derive_seed(std::uint64_t seed, std::initializer_list<std::uint64_t> parts) noexcept {
    std::uint64_t s = mix64(seed);
    for (auto p : parts) s = mix64(s ^ mix64(p + 0x632BE59BD9B4E019ULL));
    return s;
}

/// A small counter-based generator (splitmix64 stream).
class SplitMix64 {
public:
    explicit constexpr SplitMix64(std::uint64_t seed) noexcept : state_(seed) {}
    constexpr std::uint64_t operator()() noexcept {
        state_ += 0x9E3779B97F4A7C15ULL;
        std::uint64_t z = state_;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    /// Uniform integer in [0, bound) without modulo bias (rejection of the lowest
    /// `2^64 mod bound` values), bound > 0.
    std::uint64_t below(std::uint64_t bound) noexcept {
        const std::uint64_t threshold = (0 - bound) % bound;
        for (;;) {
            const std::uint64_t r = (*this)();
            if (r >= threshold) return r % bound;
        }
    }
    /// Uniform double in [0, 1) with 53 random bits.
    double uniform() noexcept { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }

private:
    std::uint64_t state_;
};

/// Fisher-Yates shuffle with `rng.below`.
template <class T_>
void shuffle(std::vector<T_>& v, SplitMix64& rng) {
    for (std::size_t i = v.size(); i > 1; --i) {
        const auto j = static_cast<std::size_t>(rng.below(i));
        std::swap(v[i - 1], v[j]);
    }
}

}  // namespace c2s::train
