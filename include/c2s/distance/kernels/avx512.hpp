#pragma once
/// @file kernels/avx512.hpp
/// @brief AVX-512 bit kernels (F + BW + VL + VPOPCNTDQ) in a `target(...)` region.
///
/// - `dense_counts` / `dense_row`: `vpandq` + `vpopcntq` over 512-bit blocks of a row pair; the
///   similarity of 16 rows at a time is converted with vector division (`vdivps`, correctly rounded,
///   so results equal the serial kernel's bit for bit; cosine uses `vsqrtps`, also exact).
/// - `sliced_tile`: the sparsity-aware kernel. The library is stored bit-sliced (sliced.hpp): for a
///   tile of 512 rows and each bit `j`, one 64-byte line whose bit `r` is row `r`'s bit `j`. For a
///   query with `pa` bits set, the intersection counts of all 512 rows are `pa` masked byte
///   additions per 64 rows (`vpaddb zmm{k}`, the mask loaded straight from the line), i.e. work
///   proportional to the query's popcount (~40 for Morgan fingerprints), not to the 2,048 bits.
///
/// Rows must be padded to a multiple of 8 words (`c2s::FingerprintSet` rows are).

#include <cstddef>
#include <cstdint>

#include "c2s/distance/bits.hpp"
#include "c2s/distance/kernels/serial.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define C2S_DISTANCE_HAVE_AVX512_KERNELS 1
#define C2S_TARGET_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512vpopcntdq,popcnt")))
#endif

// GCC 12 reports its own _mm512_undefined_* placeholders inside the intrinsics as "may be used
// uninitialized" once they are inlined; the warning is a known false positive (GCC bug 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

namespace c2s::distance::kernels::avx512 {

#if defined(C2S_DISTANCE_HAVE_AVX512_KERNELS)
inline constexpr bool compiled = true;

C2S_TARGET_AVX512 inline std::uint32_t and_count(const std::uint64_t* a, const std::uint64_t* b, std::size_t words) noexcept {
    __m512i acc = _mm512_setzero_si512();
    for (std::size_t w = 0; w < words; w += 8)
        acc = _mm512_add_epi64(acc, _mm512_popcnt_epi64(_mm512_and_si512(_mm512_load_si512(a + w), _mm512_load_si512(b + w))));
    return static_cast<std::uint32_t>(_mm512_reduce_add_epi64(acc));
}

/// The similarity of 16 lanes from counts `c`, query popcount `pa` and row popcounts `pb`.
template <BitMetric Metric_>
C2S_TARGET_AVX512 inline __m512 convert16(__m512i c, __m512i pa, __m512i pb) noexcept {
    if constexpr (Metric_ == BitMetric::tanimoto) {
        const __m512i den = _mm512_sub_epi32(_mm512_add_epi32(pa, pb), c);
        const __mmask16 empty = _mm512_cmpeq_epi32_mask(den, _mm512_setzero_si512());
        const __m512 q = _mm512_div_ps(_mm512_cvtepi32_ps(c), _mm512_cvtepi32_ps(den));
        return _mm512_mask_blend_ps(empty, q, _mm512_set1_ps(1.0f));
    } else if constexpr (Metric_ == BitMetric::dice) {
        const __m512i den = _mm512_add_epi32(pa, pb);
        const __mmask16 empty = _mm512_cmpeq_epi32_mask(den, _mm512_setzero_si512());
        const __m512 q = _mm512_div_ps(_mm512_cvtepi32_ps(_mm512_add_epi32(c, c)), _mm512_cvtepi32_ps(den));
        return _mm512_mask_blend_ps(empty, q, _mm512_setzero_ps());
    } else if constexpr (Metric_ == BitMetric::cosine) {
        const __m512i prod = _mm512_mullo_epi32(pa, pb);
        const __mmask16 empty = _mm512_cmpeq_epi32_mask(prod, _mm512_setzero_si512());
        const __m512 q = _mm512_div_ps(_mm512_cvtepi32_ps(c), _mm512_sqrt_ps(_mm512_cvtepi32_ps(prod)));
        return _mm512_mask_blend_ps(empty, q, _mm512_setzero_ps());
    } else {
        return _mm512_cvtepi32_ps(c);
    }
}

C2S_TARGET_AVX512 inline void dense_counts(const std::uint64_t* q, const std::uint64_t* rows, std::size_t stride,
                                           std::size_t words, std::size_t n, std::uint32_t* out) noexcept {
    for (std::size_t r = 0; r < n; ++r) out[r] = and_count(q, rows + r * stride, words);
}

template <BitMetric Metric_>
C2S_TARGET_AVX512 void dense_row(const std::uint64_t* q, std::uint32_t pa, const std::uint64_t* rows, std::size_t stride,
                                 std::size_t words, const std::uint32_t* popcounts, std::size_t n, float* out) noexcept {
    alignas(64) std::uint32_t counts[16];
    const __m512i pav = _mm512_set1_epi32(static_cast<int>(pa));
    for (std::size_t r0 = 0; r0 < n; r0 += 16) {
        const std::size_t m = n - r0 < 16 ? n - r0 : 16;
        for (std::size_t r = 0; r < m; ++r) counts[r] = and_count(q, rows + (r0 + r) * stride, words);
        const __mmask16 keep = m == 16 ? __mmask16(0xffff) : static_cast<__mmask16>((1u << m) - 1);
        const __m512i c = _mm512_maskz_load_epi32(keep, counts);
        const __m512i pb = _mm512_maskz_loadu_epi32(keep, popcounts + r0);
        _mm512_mask_storeu_ps(out + r0, keep, convert16<Metric_>(c, pav, pb));
    }
}

template <BitMetric Metric_>
C2S_TARGET_AVX512 void sliced_tile(const std::uint16_t* qbits, std::uint32_t pa, const std::uint64_t* tile,
                                   const std::uint32_t* popcounts, std::size_t n, float* out) noexcept {
    __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    const __m512i one = _mm512_set1_epi8(1);
    for (std::uint32_t t = 0; t < pa; ++t) {
        const std::uint64_t* p = tile + std::size_t{qbits[t]} * serial::sliced_tile_words;
        a0 = _mm512_mask_add_epi8(a0, _cvtu64_mask64(p[0]), a0, one);
        a1 = _mm512_mask_add_epi8(a1, _cvtu64_mask64(p[1]), a1, one);
        a2 = _mm512_mask_add_epi8(a2, _cvtu64_mask64(p[2]), a2, one);
        a3 = _mm512_mask_add_epi8(a3, _cvtu64_mask64(p[3]), a3, one);
        a4 = _mm512_mask_add_epi8(a4, _cvtu64_mask64(p[4]), a4, one);
        a5 = _mm512_mask_add_epi8(a5, _cvtu64_mask64(p[5]), a5, one);
        a6 = _mm512_mask_add_epi8(a6, _cvtu64_mask64(p[6]), a6, one);
        a7 = _mm512_mask_add_epi8(a7, _cvtu64_mask64(p[7]), a7, one);
    }
    alignas(64) std::uint8_t counts[serial::sliced_tile_rows];
    _mm512_store_si512(counts + 0, a0);
    _mm512_store_si512(counts + 64, a1);
    _mm512_store_si512(counts + 128, a2);
    _mm512_store_si512(counts + 192, a3);
    _mm512_store_si512(counts + 256, a4);
    _mm512_store_si512(counts + 320, a5);
    _mm512_store_si512(counts + 384, a6);
    _mm512_store_si512(counts + 448, a7);
    const __m512i pav = _mm512_set1_epi32(static_cast<int>(pa));
    if (n == serial::sliced_tile_rows) {
        for (std::size_t r0 = 0; r0 < serial::sliced_tile_rows; r0 += 16) {
            const __m512i c = _mm512_cvtepu8_epi32(_mm_load_si128(reinterpret_cast<const __m128i*>(counts + r0)));
            const __m512i pb = _mm512_load_si512(popcounts + r0);
            _mm512_storeu_ps(out + r0, convert16<Metric_>(c, pav, pb));
        }
    } else {
        for (std::size_t r0 = 0; r0 < n; r0 += 16) {
            const std::size_t m = n - r0 < 16 ? n - r0 : 16;
            const __mmask16 keep = m == 16 ? __mmask16(0xffff) : static_cast<__mmask16>((1u << m) - 1);
            const __m512i c = _mm512_cvtepu8_epi32(_mm_load_si128(reinterpret_cast<const __m128i*>(counts + r0)));
            const __m512i pb = _mm512_load_si512(popcounts + r0);
            _mm512_mask_storeu_ps(out + r0, keep, convert16<Metric_>(c, pav, pb));
        }
    }
}

/// Copies `n` floats with non-temporal (streaming) stores once `dst` is 64-byte aligned: a large
/// output matrix is then written without first reading each line into the cache. Call `fence()`
/// before another thread reads `dst`.
C2S_TARGET_AVX512 inline void stream_copy(float* dst, const float* src, std::size_t n) noexcept {
    std::size_t i = 0;
    while (i < n && (reinterpret_cast<std::uintptr_t>(dst + i) & 63U) != 0) {
        dst[i] = src[i];
        ++i;
    }
    for (; i + 16 <= n; i += 16) _mm512_stream_ps(dst + i, _mm512_loadu_ps(src + i));
    for (; i < n; ++i) dst[i] = src[i];
}
inline void fence() noexcept { _mm_sfence(); }

/// 16×16 transpose of float rows: `r[q]` holds row q (16 lanes); on return `r[k]` holds column k.
C2S_TARGET_AVX512 inline void transpose16(__m512 r[16]) noexcept {
    __m512 t[16], u[16];
    for (int p = 0; p < 8; ++p) {
        t[2 * p] = _mm512_unpacklo_ps(r[2 * p], r[2 * p + 1]);
        t[2 * p + 1] = _mm512_unpackhi_ps(r[2 * p], r[2 * p + 1]);
    }
    // u[4g + c], lane L: column 4L + c, rows 4g .. 4g + 3
    for (int g = 0; g < 4; ++g) {
        const __m512d a = _mm512_castps_pd(t[4 * g]), b = _mm512_castps_pd(t[4 * g + 1]);
        const __m512d c = _mm512_castps_pd(t[4 * g + 2]), d = _mm512_castps_pd(t[4 * g + 3]);
        u[4 * g + 0] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
        u[4 * g + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
        u[4 * g + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, d));
        u[4 * g + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, d));
    }
    // 4×4 transpose of the 128-bit lanes of u[c], u[4 + c], u[8 + c], u[12 + c]
    for (int c = 0; c < 4; ++c) {
        const __m512 x0 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0x44), x1 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0xee);
        const __m512 y0 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0x44), y1 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0xee);
        r[c] = _mm512_shuffle_f32x4(x0, y0, 0x88);
        r[4 + c] = _mm512_shuffle_f32x4(x0, y0, 0xdd);
        r[8 + c] = _mm512_shuffle_f32x4(x1, y1, 0x88);
        r[12 + c] = _mm512_shuffle_f32x4(x1, y1, 0xdd);
    }
}

/// The transposed copy (kernels/serial.hpp `transpose_store`), 16×16 blocks in registers. With
/// `stream` (caller guarantees `rows == 16` and 64-byte aligned destinations) lines are written
/// with non-temporal stores.
C2S_TARGET_AVX512 inline void transpose_store(const float* src, std::size_t ld_src, std::size_t rows,
                                              std::size_t c_begin, std::size_t c_end, float* dst, std::size_t ld_dst,
                                              bool stream) noexcept {
    const __mmask16 keep = rows >= 16 ? __mmask16(0xffff) : static_cast<__mmask16>((1u << rows) - 1);
    __m512 r[16];
    for (std::size_t c0 = c_begin & ~std::size_t{15}; c0 < c_end; c0 += 16) {
        for (std::size_t q = 0; q < 16; ++q) r[q] = _mm512_loadu_ps(src + q * ld_src + c0);
        transpose16(r);
        const std::size_t k0 = c0 < c_begin ? c_begin - c0 : 0, k1 = c_end - c0 < 16 ? c_end - c0 : 16;
        if (stream) {
            for (std::size_t k = k0; k < k1; ++k) _mm512_stream_ps(dst + (c0 + k) * ld_dst, r[k]);
        } else {
            for (std::size_t k = k0; k < k1; ++k) _mm512_mask_storeu_ps(dst + (c0 + k) * ld_dst, keep, r[k]);
        }
    }
}

#else
inline void transpose_store(const float* src, std::size_t ld_src, std::size_t rows, std::size_t c_begin,
                            std::size_t c_end, float* dst, std::size_t ld_dst, bool) noexcept {
    serial::transpose_store(src, ld_src, rows, c_begin, c_end, dst, ld_dst);
}
inline constexpr bool compiled = false;
inline void stream_copy(float* dst, const float* src, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) dst[i] = src[i];
}
inline void fence() noexcept {}
inline void dense_counts(const std::uint64_t* q, const std::uint64_t* rows, std::size_t stride, std::size_t words,
                         std::size_t n, std::uint32_t* out) noexcept {
    serial::dense_counts(q, rows, stride, words, n, out);
}
template <BitMetric Metric_>
void dense_row(const std::uint64_t* q, std::uint32_t pa, const std::uint64_t* rows, std::size_t stride,
               std::size_t words, const std::uint32_t* popcounts, std::size_t n, float* out) noexcept {
    serial::dense_row<Metric_>(q, pa, rows, stride, words, popcounts, n, out);
}
template <BitMetric Metric_>
void sliced_tile(const std::uint16_t* qbits, std::uint32_t pa, const std::uint64_t* tile, const std::uint32_t* popcounts,
                 std::size_t n, float* out) noexcept {
    serial::sliced_tile<Metric_>(qbits, pa, tile, popcounts, n, out);
}
#endif

}  // namespace c2s::distance::kernels::avx512

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
