#pragma once
/// @file kernels/avx2.hpp
/// @brief AVX2 bit kernels (popcount by nibble lookup, `vpshufb` + `vpsadbw`), compiled in a
/// `target("avx2")` region so the rest of the build keeps the baseline instruction set.
///
/// Rows must be padded with zero words to a multiple of 8 words (`c2s::FingerprintSet` rows are):
/// the kernels read `words` rounded up to 8. See kernels/serial.hpp for the contract.

#include <cstddef>
#include <cstdint>

#include "c2s/distance/bits.hpp"
#include "c2s/distance/kernels/serial.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define C2S_DISTANCE_HAVE_AVX2_KERNELS 1
#define C2S_TARGET_AVX2 __attribute__((target("avx2,popcnt")))
#endif

namespace c2s::distance::kernels::avx2 {

#if defined(C2S_DISTANCE_HAVE_AVX2_KERNELS)
inline constexpr bool compiled = true;

/// Intersection count of two padded rows of `words` words (rounded up to 8).
C2S_TARGET_AVX2 inline std::uint32_t and_count(const std::uint64_t* a, const std::uint64_t* b, std::size_t words) noexcept {
    const __m256i lookup = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
                                            0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
    const __m256i low = _mm256_set1_epi8(0x0f);
    __m256i total = _mm256_setzero_si256();
    const std::size_t vectors = (words + 7) / 8 * 2;
    std::size_t v = 0;
    while (v < vectors) {
        // Byte counters reach at most 8 per vector: 31 vectors stay below 256.
        const std::size_t end = v + 30 < vectors ? v + 30 : vectors;
        __m256i bytes = _mm256_setzero_si256();
        for (; v < end; ++v) {
            const __m256i x = _mm256_and_si256(_mm256_load_si256(reinterpret_cast<const __m256i*>(a) + v),
                                               _mm256_load_si256(reinterpret_cast<const __m256i*>(b) + v));
            const __m256i lo = _mm256_and_si256(x, low);
            const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(x, 4), low);
            bytes = _mm256_add_epi8(bytes, _mm256_add_epi8(_mm256_shuffle_epi8(lookup, lo), _mm256_shuffle_epi8(lookup, hi)));
        }
        total = _mm256_add_epi64(total, _mm256_sad_epu8(bytes, _mm256_setzero_si256()));
    }
    const __m128i s = _mm_add_epi64(_mm256_castsi256_si128(total), _mm256_extracti128_si256(total, 1));
    return static_cast<std::uint32_t>(_mm_cvtsi128_si64(s) + _mm_extract_epi64(s, 1));
}

C2S_TARGET_AVX2 inline void dense_counts(const std::uint64_t* q, const std::uint64_t* rows, std::size_t stride,
                                         std::size_t words, std::size_t n, std::uint32_t* out) noexcept {
    for (std::size_t r = 0; r < n; ++r) out[r] = and_count(q, rows + r * stride, words);
}

template <BitMetric Metric_>
C2S_TARGET_AVX2 void dense_row(const std::uint64_t* q, std::uint32_t pa, const std::uint64_t* rows, std::size_t stride,
                               std::size_t words, const std::uint32_t* popcounts, std::size_t n, float* out) noexcept {
    for (std::size_t r = 0; r < n; ++r)
        out[r] = similarity_from_counts<Metric_>(and_count(q, rows + r * stride, words), pa, popcounts[r]);
}

#else
inline constexpr bool compiled = false;
inline void dense_counts(const std::uint64_t* q, const std::uint64_t* rows, std::size_t stride, std::size_t words,
                         std::size_t n, std::uint32_t* out) noexcept {
    serial::dense_counts(q, rows, stride, words, n, out);
}
template <BitMetric Metric_>
void dense_row(const std::uint64_t* q, std::uint32_t pa, const std::uint64_t* rows, std::size_t stride,
               std::size_t words, const std::uint32_t* popcounts, std::size_t n, float* out) noexcept {
    serial::dense_row<Metric_>(q, pa, rows, stride, words, popcounts, n, out);
}
#endif

}  // namespace c2s::distance::kernels::avx2
