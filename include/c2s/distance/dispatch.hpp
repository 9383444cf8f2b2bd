#pragma once
/// @file dispatch.hpp
/// @brief Run-time choice of the bit kernels: the instruction set is detected once per process.
///
/// `Kernel::automatic` picks, per query, the sparsity-aware sliced AVX-512 kernel when the CPU has
/// AVX-512 F/BW/VPOPCNTDQ and the query has at most `sliced_max_popcount` bits set, otherwise the
/// best dense kernel (AVX-512 VPOPCNTDQ, else AVX2, else serial). Explicit kernels are for tests and
/// benchmarks; asking for one the CPU lacks is an error.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "c2s/core/error.hpp"
#include "c2s/distance/bits.hpp"
#include "c2s/distance/kernels/avx2.hpp"
#include "c2s/distance/kernels/avx512.hpp"
#include "c2s/distance/kernels/serial.hpp"

namespace c2s::distance {

/// Bit-kernel choice (see dispatch.hpp).
enum class Kernel { automatic, serial, avx2, avx512, sliced_serial, sliced_avx512 };

[[nodiscard]] inline std::string_view to_string(Kernel k) noexcept {
    switch (k) {
        case Kernel::automatic: return "automatic";
        case Kernel::serial: return "serial";
        case Kernel::avx2: return "avx2";
        case Kernel::avx512: return "avx512";
        case Kernel::sliced_serial: return "sliced_serial";
        case Kernel::sliced_avx512: return "sliced_avx512";
    }
    return "?";
}

[[nodiscard]] inline Kernel parse_kernel(std::string_view s) {
    for (Kernel k : {Kernel::automatic, Kernel::serial, Kernel::avx2, Kernel::avx512, Kernel::sliced_serial,
                     Kernel::sliced_avx512})
        if (s == to_string(k)) return k;
    fail_argument("c2s::distance::parse_kernel", "unknown kernel '", s,
                  "' (expected automatic, serial, avx2, avx512, sliced_serial or sliced_avx512)");
}

/// Queries with more bits set than this use a dense kernel under `Kernel::automatic` (the sliced
/// kernel's cost grows with the query's popcount; its byte counters hold at most 255).
inline constexpr std::uint32_t sliced_max_popcount = 160;

/// Instruction sets this CPU offers for the bit kernels, detected once.
struct CpuFeatures {
    bool avx2 = false;
    bool avx512 = false;  ///< F + BW + VL + VPOPCNTDQ
};

[[nodiscard]] inline const CpuFeatures& cpu_features() noexcept {
    static const CpuFeatures features = [] {
        CpuFeatures f;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
        __builtin_cpu_init();
        f.avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
        f.avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                   __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vpopcntdq");
#endif
        return f;
    }();
    return features;
}

/// Whether `k` can run on this CPU.
[[nodiscard]] inline bool kernel_available(Kernel k) noexcept {
    switch (k) {
        case Kernel::automatic: case Kernel::serial: case Kernel::sliced_serial: return true;
        case Kernel::avx2: return kernels::avx2::compiled && cpu_features().avx2;
        case Kernel::avx512: case Kernel::sliced_avx512: return kernels::avx512::compiled && cpu_features().avx512;
    }
    return false;
}

/// The dense kernel `Kernel::automatic` uses.
[[nodiscard]] inline Kernel best_dense_kernel() noexcept {
    static const Kernel k = kernel_available(Kernel::avx512) ? Kernel::avx512
                            : kernel_available(Kernel::avx2) ? Kernel::avx2
                                                             : Kernel::serial;
    return k;
}

/// The sliced kernel `Kernel::automatic` uses for sparse queries.
[[nodiscard]] inline Kernel best_sliced_kernel() noexcept {
    return kernel_available(Kernel::sliced_avx512) ? Kernel::sliced_avx512 : Kernel::serial;
}

using DenseRowFn = void (*)(const std::uint64_t*, std::uint32_t, const std::uint64_t*, std::size_t, std::size_t,
                            const std::uint32_t*, std::size_t, float*) noexcept;
using SlicedTileFn = void (*)(const std::uint16_t*, std::uint32_t, const std::uint64_t*, const std::uint32_t*,
                              std::size_t, float*) noexcept;
using DenseCountsFn = void (*)(const std::uint64_t*, const std::uint64_t*, std::size_t, std::size_t, std::size_t,
                               std::uint32_t*) noexcept;

namespace detail {
template <BitMetric M_>
DenseRowFn dense_row_fn(Kernel k) noexcept {
    switch (k) {
        case Kernel::avx512: return &kernels::avx512::dense_row<M_>;
        case Kernel::avx2: return &kernels::avx2::dense_row<M_>;
        default: return &kernels::serial::dense_row<M_>;
    }
}
template <BitMetric M_>
SlicedTileFn sliced_tile_fn(Kernel k) noexcept {
    if (k == Kernel::sliced_avx512) return &kernels::avx512::sliced_tile<M_>;
    return &kernels::serial::sliced_tile<M_>;
}
}  // namespace detail

/// The dense row kernel for a dense `Kernel` (serial, avx2, avx512) and metric.
[[nodiscard]] inline DenseRowFn dense_row_kernel(Kernel k, BitMetric m) noexcept {
    switch (m) {
        case BitMetric::tanimoto: return detail::dense_row_fn<BitMetric::tanimoto>(k);
        case BitMetric::dice: return detail::dense_row_fn<BitMetric::dice>(k);
        case BitMetric::cosine: return detail::dense_row_fn<BitMetric::cosine>(k);
        case BitMetric::intersection: return detail::dense_row_fn<BitMetric::intersection>(k);
    }
    return nullptr;
}

/// The sliced tile kernel for `Kernel::sliced_serial` or `Kernel::sliced_avx512`.
[[nodiscard]] inline SlicedTileFn sliced_tile_kernel(Kernel k, BitMetric m) noexcept {
    switch (m) {
        case BitMetric::tanimoto: return detail::sliced_tile_fn<BitMetric::tanimoto>(k);
        case BitMetric::dice: return detail::sliced_tile_fn<BitMetric::dice>(k);
        case BitMetric::cosine: return detail::sliced_tile_fn<BitMetric::cosine>(k);
        case BitMetric::intersection: return detail::sliced_tile_fn<BitMetric::intersection>(k);
    }
    return nullptr;
}

/// The intersection-count kernel of a dense `Kernel`.
[[nodiscard]] inline DenseCountsFn dense_counts_kernel(Kernel k) noexcept {
    switch (k) {
        case Kernel::avx512: return &kernels::avx512::dense_counts;
        case Kernel::avx2: return &kernels::avx2::dense_counts;
        default: return &kernels::serial::dense_counts;
    }
}

}  // namespace c2s::distance
