#pragma once
/// @file random.hpp
/// @brief The documented, portable pseudo-random numbers of the splitters.
///
/// Splits must be identical for a given seed on every platform and standard library, so the
/// splitters never use `std::shuffle` or `std::uniform_int_distribution` (whose algorithms the C++
/// standard leaves to the implementation). Instead:
/// - the engine is `std::mt19937_64` seeded with the user's 64-bit seed (its output sequence is
///   fixed by the standard: the 10000th draw of a default-seeded engine is 9981545732273789042);
/// - `uniform_below(n)` draws a uniform integer in [0, n) by rejection: with `r` a raw 64-bit draw
///   and `limit = 2^64 - (2^64 mod n)`, draws `r >= limit` are rejected and `r mod n` is returned;
/// - `shuffle` is Fisher-Yates from the back: for i = n-1 down to 1, swap element i with element
///   `uniform_below(i + 1)`.

#include <cstddef>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace c2s::split {

class SplitRng {
public:
    explicit SplitRng(std::uint64_t seed) : engine_(seed) {}

    /// A raw 64-bit draw of `std::mt19937_64`.
    [[nodiscard]] std::uint64_t next() { return engine_(); }

    /// Uniform integer in [0, n) (n > 0) by rejection sampling (see the file comment).
    [[nodiscard]] std::uint64_t uniform_below(std::uint64_t n) {
        if (n <= 1) return 0;
        const std::uint64_t rest = (~std::uint64_t{0} % n + 1) % n;  // 2^64 mod n
        for (;;) {
            const std::uint64_t r = engine_();
            if (rest == 0 || r < ~std::uint64_t{0} - rest + 1) return r % n;
        }
    }

    /// Fisher-Yates shuffle from the back (see the file comment).
    template <class T_>
    void shuffle(std::vector<T_>& v) {
        for (std::size_t i = v.size(); i > 1; --i) {
            const auto j = static_cast<std::size_t>(uniform_below(i));
            if (j != i - 1) std::swap(v[i - 1], v[j]);
        }
    }

private:
    std::mt19937_64 engine_;
};

}  // namespace c2s::split
