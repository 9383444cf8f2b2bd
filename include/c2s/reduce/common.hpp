#pragma once
/// @file common.hpp
/// @brief Shared pieces of `c2s::reduce`: input checks, the seeded random generator.

#include <Eigen/Dense>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>

#include "c2s/core/error.hpp"

namespace c2s::reduce {

/// Row-major double matrix used for embeddings and neighbour tables.
using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/**
 * @brief Small, fast, platform-independent random generator (SplitMix64 seeding xoshiro256**).
 *
 * The standard distributions are implementation-defined, so `uniform()` and `normal()` are written
 * out here: the same seed gives the same numbers with every compiler and standard library.
 */
class Random {
public:
    explicit Random(std::uint64_t seed) noexcept {
        for (auto& s : state_) s = splitmix(seed);
    }
    /// Next 64 random bits.
    std::uint64_t next() noexcept {
        const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
        const std::uint64_t t = state_[1] << 17;
        state_[2] ^= state_[0];
        state_[3] ^= state_[1];
        state_[1] ^= state_[2];
        state_[0] ^= state_[3];
        state_[2] ^= t;
        state_[3] = rotl(state_[3], 45);
        return result;
    }
    /// Uniform in [0, 1).
    double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    /// Uniform integer in [0, n) (n > 0, n < 2^32), by multiply-shift of the top 32 bits.
    std::size_t below(std::size_t n) noexcept {
        return static_cast<std::size_t>(((next() >> 32) * static_cast<std::uint64_t>(n)) >> 32);
    }
    /// Standard normal (Box-Muller; the second value is kept for the next call).
    double normal() noexcept {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        double u = 0.0;
        do u = uniform(); while (u <= 0.0);
        const double v = uniform();
        const double r = std::sqrt(-2.0 * std::log(u));
        constexpr double two_pi = 6.283185307179586476925286766559;
        spare_ = r * std::sin(two_pi * v);
        has_spare_ = true;
        return r * std::cos(two_pi * v);
    }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
    static std::uint64_t splitmix(std::uint64_t& x) noexcept {
        std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    std::uint64_t state_[4]{};
    double spare_ = 0.0;
    bool has_spare_ = false;
};

namespace detail {

/// Fails naming the first non-finite value of `x` (argument `name`).
template <class Matrix_>
void check_finite(std::string_view where, const Matrix_& x, std::string_view name = "x") {
    for (Eigen::Index j = 0; j < x.cols(); ++j)
        for (Eigen::Index i = 0; i < x.rows(); ++i)
            if (!std::isfinite(static_cast<double>(x(i, j))))
                fail_argument(where, "'", name, "' has a non-finite value (", static_cast<double>(x(i, j)), ") at row ", i,
                              ", column ", j, "; remove or impute it first");
}

/// Fails when every row of `x` equals the first (no structure to embed).
template <class Matrix_>
void check_not_all_duplicates(std::string_view where, const Matrix_& x, std::string_view name = "x") {
    if (x.rows() < 2) return;
    for (Eigen::Index i = 1; i < x.rows(); ++i)
        for (Eigen::Index j = 0; j < x.cols(); ++j)
            if (x(i, j) != x(0, j)) return;
    fail_argument(where, "'", name, "' has ", x.rows(), " rows that are all identical (duplicate points only); ",
                  "there is no neighbourhood structure to embed");
}

/// Common checks: at least `min_rows` rows, at least one column, finite, not all identical.
template <class Matrix_>
void check_input(std::string_view where, const Matrix_& x, Eigen::Index min_rows) {
    if (x.cols() < 1) fail_argument(where, "'x' has no columns");
    if (x.rows() < min_rows) fail_argument(where, "'x' has ", x.rows(), " rows; at least ", min_rows, " are needed");
    check_finite(where, x);
    check_not_all_duplicates(where, x);
}

}  // namespace detail
}  // namespace c2s::reduce
