#pragma once
/// @file kernels/serial.hpp
/// @brief The portable reference kernels every SIMD kernel is tested against.
///
/// Kernel contract (all instruction sets): no allocation, no threads, `noexcept`.
/// - `dense_counts(q, rows, stride, words, n, out)`: `out[r] = |q ∧ row r|` for `n` rows that start
///   `stride` words apart; `words` words are compared (padding words are zero, so SIMD kernels may
///   round `words` up to the stride).
/// - `dense_row<Metric>(q, pa, rows, stride, words, popcounts, n, out)`: the similarity of `q`
///   (popcount `pa`) with each of the `n` rows, written as float.
/// - `sliced_tile<Metric>(qbits, pa, tile, popcounts, n, out)`: the sparsity-aware kernel on one
///   tile of a `SlicedFingerprints` layout (see sliced.hpp): `qbits` lists the `pa` set bits of the
///   query (`pa <= 255`).

#include <bit>
#include <cstddef>
#include <cstdint>

#include "c2s/distance/bits.hpp"

namespace c2s::distance::kernels::serial {

inline void dense_counts(const std::uint64_t* q, const std::uint64_t* rows, std::size_t stride, std::size_t words,
                         std::size_t n, std::uint32_t* out) noexcept {
    for (std::size_t r = 0; r < n; ++r) {
        const std::uint64_t* b = rows + r * stride;
        std::uint32_t c = 0;
        for (std::size_t w = 0; w < words; ++w) c += static_cast<std::uint32_t>(std::popcount(q[w] & b[w]));
        out[r] = c;
    }
}

template <BitMetric Metric_>
void dense_row(const std::uint64_t* q, std::uint32_t pa, const std::uint64_t* rows, std::size_t stride,
               std::size_t words, const std::uint32_t* popcounts, std::size_t n, float* out) noexcept {
    for (std::size_t r = 0; r < n; ++r) {
        const std::uint64_t* b = rows + r * stride;
        std::uint32_t c = 0;
        for (std::size_t w = 0; w < words; ++w) c += static_cast<std::uint32_t>(std::popcount(q[w] & b[w]));
        out[r] = similarity_from_counts<Metric_>(c, pa, popcounts[r]);
    }
}

/// Rows per tile of the sliced layout, and 64-bit words per (tile, bit).
inline constexpr std::size_t sliced_tile_rows = 512;
inline constexpr std::size_t sliced_tile_words = sliced_tile_rows / 64;

/// Reference for the sparsity-aware kernel: `tile` holds, for each bit `j`, `sliced_tile_words`
/// words whose bit `r` says whether tile row `r` has bit `j` set.
template <BitMetric Metric_>
void sliced_tile(const std::uint16_t* qbits, std::uint32_t pa, const std::uint64_t* tile,
                 const std::uint32_t* popcounts, std::size_t n, float* out) noexcept {
    std::uint32_t counts[sliced_tile_rows] = {};
    for (std::uint32_t t = 0; t < pa; ++t) {
        const std::uint64_t* plane = tile + std::size_t{qbits[t]} * sliced_tile_words;
        for (std::size_t r = 0; r < n; ++r) counts[r] += static_cast<std::uint32_t>((plane[r / 64] >> (r % 64)) & 1U);
    }
    for (std::size_t r = 0; r < n; ++r) out[r] = similarity_from_counts<Metric_>(counts[r], pa, popcounts[r]);
}

/// Transposed copy used to mirror a computed block into the other triangle of a symmetric matrix:
/// for each column `c` in `[c_begin, c_end)` of `src` (`rows` <= 16 rows, `ld_src` floats apart),
/// `dst[c * ld_dst + q] = src[q * ld_src + c]` for `q < rows`. `src` must hold 16 readable rows
/// (SIMD versions transpose whole 16×16 blocks; only the first `rows` lanes are stored).
inline void transpose_store(const float* src, std::size_t ld_src, std::size_t rows, std::size_t c_begin,
                            std::size_t c_end, float* dst, std::size_t ld_dst) noexcept {
    for (std::size_t c = c_begin; c < c_end; ++c)
        for (std::size_t q = 0; q < rows; ++q) dst[c * ld_dst + q] = src[q * ld_src + c];
}

}  // namespace c2s::distance::kernels::serial
