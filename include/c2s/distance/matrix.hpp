#pragma once
/// @file matrix.hpp
/// @brief Similarity matrices: Tanimoto / Dice / cosine on fingerprints, cosine on dense rows.
///
/// - `tanimoto_similarity_matrix(a)` (N×N), `(a, b)` (N×M, entry (i, j) = sim(a_i, b_j)), float32.
/// - `bit_similarity_matrix(a, b, metric)` for any `BitMetric`; `condensed_bit_similarity(a, metric)`
///   gives the strict upper triangle in `scipy.spatial.distance.pdist` order.
/// - `cosine_similarity_matrix(a)` / `(a, b)`: rows are samples; zero rows give 0 (cosine.hpp).
///
/// Conventions are in bits.hpp (two empty fingerprints: Tanimoto 1, Dice 0, cosine 0 — RDKit's).
/// Fingerprint lengths must match (else `std::invalid_argument` naming both lengths).
/// Tiled traversal and the `.npy` writer are in tiles.hpp, top-k and threshold search in search.hpp.

#include <Eigen/Dense>
#include <atomic>
#include <cstddef>
#include <cstring>
#include <cstdint>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/core/fingerprints.hpp"
#include "c2s/core/parallelize.hpp"
#include "c2s/distance/bits.hpp"
#include "c2s/distance/cosine.hpp"
#include "c2s/distance/engine.hpp"

namespace c2s::distance {

namespace detail {

/// Queries per block and library rows per chunk: a block of queries sweeps one chunk of the library
/// (whose sliced tiles then stay in L2) before moving to the next chunk.
inline constexpr std::size_t query_block = 256;
inline constexpr std::size_t library_chunk = 8 * SlicedFingerprints::tile_rows;

/// out[q * ld + c] = sim(query q, library c) for queries [0, nq) of `queries` and all library rows.
inline void fill_rows(const BitEngine& engine, const FingerprintSet& queries, float* out, std::size_t ld,
                      int num_threads) {
    const std::size_t nq = queries.size(), nl = engine.library().size();
    parallelize(num_threads, nq, [&](int, std::size_t start, std::size_t length) {
        BitScratch scratch;
        for (std::size_t q0 = start; q0 < start + length; q0 += query_block) {
            const std::size_t q1 = std::min(start + length, q0 + query_block);
            for (std::size_t c0 = 0; c0 < nl; c0 += library_chunk) {
                const std::size_t c1 = std::min(nl, c0 + library_chunk);
                for (std::size_t q = q0; q < q1; ++q)
                    engine.compute(queries.row_data(q), queries.popcount(q), c0, c1, out + q * ld + c0, scratch);
            }
        }
    });
}

/// Output size from which the N×N driver writes with non-temporal stores (the matrix cannot stay
/// in cache anyway; below it, regular stores keep the result cached for the caller).
inline constexpr std::size_t stream_min_bytes = std::size_t{64} << 20;

/**
 * N×N driver: out[j * ld + i] = sim(a_i, a_j) for all i, j, computing each unordered pair once.
 *
 * Queries (columns j) go in sub-blocks of 16; a sub-block [j0, j1) is compared with every library
 * tile (512 rows, the sliced layout) that has rows >= j0, into a 16 × 512 scratch block in L1/L2.
 * Each scratch block is written twice: straight (column j, rows i >= j0: contiguous runs) and
 * mirrored through a 16×16 register transpose (row j0..j1 of column i, i >= j1: one 64-byte line
 * per library row). Every entry is covered: (i, j) with i >= j by the straight write of j's
 * sub-block, i < j by the mirror of i's sub-block, or by the straight write when both share one.
 * Values are bit-identical either way (every metric is symmetric in its integer inputs).
 *
 * Sub-block boundaries are shifted so that mirrored lines start on 64-byte boundaries when `ld`
 * allows it (then, with `stream`, they go out as non-temporal stores). 16 sub-blocks (256
 * queries) form a work unit; the units are claimed in order (largest triangle rows first) from an
 * atomic counter, so threads get equal work, and within a unit each library tile is reused by all
 * 16 sub-blocks while it is in L2 (and the mirrored lines of one library row share a page).
 */
inline void fill_symmetric(const BitEngine& engine, const FingerprintSet& a, float* out, std::size_t ld, int num_threads,
                           bool stream) {
    constexpr std::size_t T = SlicedFingerprints::tile_rows, SB = 16, unit_queries = 16 * SB, max_bits = 256;
    const std::size_t n = a.size();
    if (n == 0) return;
    const auto address = reinterpret_cast<std::uintptr_t>(out);
    const bool lines = ld % SB == 0 && address % sizeof(float) == 0;
    const std::size_t shift = lines ? ((64 - address % 64) % 64) / sizeof(float) : 0;
    // Unit starts: 0, then shift + m * unit_queries.
    std::vector<std::size_t> starts{0};
    for (std::size_t s = shift == 0 ? unit_queries : shift; s < n; s += unit_queries) starts.push_back(s);
    starts.push_back(n);
    const std::size_t units = starts.size() - 1, tiles = (n + T - 1) / T;
    const bool simd = kernel_available(Kernel::avx512);
    stream = stream && simd;
    std::atomic<std::size_t> next{0};
    const int threads = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(resolve_num_threads(num_threads)), units));
    parallelize(threads, static_cast<std::size_t>(threads), [&](int, std::size_t, std::size_t) {
        std::vector<float, AlignedAllocator<float>> scratch(SB * T, 0.0f);
        std::vector<std::uint16_t> bits(unit_queries * max_bits);
        for (std::size_t u = next++; u < units; u = next++) {
            const std::size_t q0 = starts[u], q1 = starts[u + 1];
            for (std::size_t q = q0; q < q1; ++q)
                if (engine.sliced_for(a.popcount(q)))
                    (void)set_bit_indices(a.row(q), bits.data() + (q - q0) * max_bits, max_bits);
            for (std::size_t t = q0 / T; t < tiles; ++t) {
                const std::size_t t0 = t * T, nt = std::min(T, n - t0);
                for (std::size_t j0 = q0; j0 < q1; j0 += SB) {
                    const std::size_t j1 = std::min(q1, j0 + SB), nq = j1 - j0;
                    if (t0 + nt <= j0) continue;
                    for (std::size_t q = j0; q < j1; ++q)
                        engine.compute_tile(a.row_data(q), a.popcount(q), bits.data() + (q - q0) * max_bits, t,
                                            scratch.data() + (q - j0) * T);
                    const std::size_t rb = j0 > t0 ? j0 - t0 : 0;
                    for (std::size_t q = j0; q < j1; ++q) {
                        float* dst = out + q * ld + t0 + rb;
                        const float* src = scratch.data() + (q - j0) * T + rb;
                        if (stream) kernels::avx512::stream_copy(dst, src, nt - rb);
                        else std::memcpy(dst, src, (nt - rb) * sizeof(float));
                    }
                    const std::size_t mb = j1 > t0 ? std::min(nt, j1 - t0) : 0;
                    if (mb >= nt) continue;
                    float* dst = out + t0 * ld + j0;
                    if (simd)
                        kernels::avx512::transpose_store(scratch.data(), T, nq, mb, nt, dst, ld,
                                                         stream && nq == SB && lines && reinterpret_cast<std::uintptr_t>(dst) % 64 == 0);
                    else
                        kernels::serial::transpose_store(scratch.data(), T, nq, mb, nt, dst, ld);
                }
            }
        }
        if (stream) kernels::avx512::fence();
    });
}

}  // namespace detail

/**
 * @brief Similarity of every row of `a` with every row of `b` (|a| × |b|, float32).
 * @param a, b    Fingerprints of equal length.
 * @param metric  Tanimoto, Dice, cosine or intersection count (bits.hpp).
 * @param options Threads and kernel.
 */
[[nodiscard]] inline Eigen::MatrixXf bit_similarity_matrix(const FingerprintSet& a, const FingerprintSet& b, BitMetric metric,
                                                           const MatrixOptions& options = {}) {
    constexpr const char* where = "c2s::distance::bit_similarity_matrix";
    detail::check_same_bits(where, a, b);
    Eigen::MatrixXf out(static_cast<Eigen::Index>(a.size()), static_cast<Eigen::Index>(b.size()));
    if (a.size() == 0 || b.size() == 0) return out;
    // Column-major: column j (query b_j) is contiguous over the rows of `a` (the library).
    const BitEngine engine(a, metric, options.kernel, where);
    if (&a == &b)
        detail::fill_symmetric(engine, a, out.data(), a.size(), options.num_threads,
                               a.size() * a.size() * sizeof(float) >= detail::stream_min_bytes);
    else
        detail::fill_rows(engine, b, out.data(), a.size(), options.num_threads);
    return out;
}

/**
 * @brief Like `bit_similarity_matrix(a, b, metric)` but writes into `out`, which must already be
 * |a| × |b| (column-major): no allocation, so repeated calls skip the page faults of a fresh matrix.
 */
inline void bit_similarity_matrix_into(const FingerprintSet& a, const FingerprintSet& b, BitMetric metric,
                                       Eigen::Ref<Eigen::MatrixXf> out, const MatrixOptions& options = {}) {
    constexpr const char* where = "c2s::distance::bit_similarity_matrix_into";
    detail::check_same_bits(where, a, b);
    if (out.rows() != static_cast<Eigen::Index>(a.size()) || out.cols() != static_cast<Eigen::Index>(b.size()))
        fail_argument(where, "'out' is ", out.rows(), " x ", out.cols(), " but 'a' and 'b' need ", a.size(), " x ", b.size());
    if (out.outerStride() != out.rows())
        fail_argument(where, "'out' must be contiguous (outer stride ", out.outerStride(), ", rows ", out.rows(), ")");
    if (a.size() == 0 || b.size() == 0) return;
    const BitEngine engine(a, metric, options.kernel, where);
    if (&a == &b)
        detail::fill_symmetric(engine, a, out.data(), a.size(), options.num_threads,
                               a.size() * a.size() * sizeof(float) >= detail::stream_min_bytes);
    else
        detail::fill_rows(engine, b, out.data(), a.size(), options.num_threads);
}

/**
 * @brief The N × N similarity matrix of `a` written into `out` (N × N, contiguous): each pair is
 * computed once and mirrored (symmetric driver), no allocation.
 */
inline void bit_similarity_matrix_into(const FingerprintSet& a, BitMetric metric, Eigen::Ref<Eigen::MatrixXf> out,
                                       const MatrixOptions& options = {}) {
    bit_similarity_matrix_into(a, a, metric, out, options);
}

/// Similarity of every pair of rows of `a` (N × N, symmetric).
[[nodiscard]] inline Eigen::MatrixXf bit_similarity_matrix(const FingerprintSet& a, BitMetric metric,
                                                           const MatrixOptions& options = {}) {
    constexpr const char* where = "c2s::distance::bit_similarity_matrix";
    detail::check_bits(where, a);
    Eigen::MatrixXf out(static_cast<Eigen::Index>(a.size()), static_cast<Eigen::Index>(a.size()));
    if (a.size() == 0) return out;
    const BitEngine engine(a, metric, options.kernel, where);
    detail::fill_symmetric(engine, a, out.data(), a.size(), options.num_threads,
                           a.size() * a.size() * sizeof(float) >= detail::stream_min_bytes);
    return out;
}

/// Tanimoto similarity matrix of the rows of `a` (N × N, float32; two empty fingerprints give 1).
[[nodiscard]] inline Eigen::MatrixXf tanimoto_similarity_matrix(const FingerprintSet& a, const MatrixOptions& options = {}) {
    return bit_similarity_matrix(a, BitMetric::tanimoto, options);
}
/// Tanimoto similarity of each row of `a` with each row of `b` (|a| × |b|, float32).
[[nodiscard]] inline Eigen::MatrixXf tanimoto_similarity_matrix(const FingerprintSet& a, const FingerprintSet& b,
                                                                const MatrixOptions& options = {}) {
    return bit_similarity_matrix(a, b, BitMetric::tanimoto, options);
}
/// Dice similarity matrices (two empty fingerprints give 0).
[[nodiscard]] inline Eigen::MatrixXf dice_similarity_matrix(const FingerprintSet& a, const MatrixOptions& options = {}) {
    return bit_similarity_matrix(a, BitMetric::dice, options);
}
[[nodiscard]] inline Eigen::MatrixXf dice_similarity_matrix(const FingerprintSet& a, const FingerprintSet& b,
                                                            const MatrixOptions& options = {}) {
    return bit_similarity_matrix(a, b, BitMetric::dice, options);
}

/// Index of pair (i, j), i < j, in a condensed matrix of `n` rows (scipy `pdist` order).
[[nodiscard]] constexpr std::size_t condensed_index(std::size_t n, std::size_t i, std::size_t j) noexcept {
    return n * i - i * (i + 1) / 2 + (j - i - 1);
}

/**
 * @brief The strict upper triangle of the similarity matrix of `a`, row by row (`pdist` order:
 * (0,1), (0,2), …, (0,N-1), (1,2), …), N(N-1)/2 values.
 *
 * Work is balanced over threads by pairing row `k` with row `N-1-k`.
 */
[[nodiscard]] inline std::vector<float> condensed_bit_similarity(const FingerprintSet& a, BitMetric metric,
                                                                 const MatrixOptions& options = {}) {
    constexpr const char* where = "c2s::distance::condensed_bit_similarity";
    detail::check_bits(where, a);
    const std::size_t n = a.size();
    std::vector<float> out(n < 2 ? 0 : n * (n - 1) / 2);
    if (n < 2) return out;
    const BitEngine engine(a, metric, options.kernel, where);
    const std::size_t pairs = (n + 1) / 2;
    parallelize(options.num_threads, pairs, [&](int, std::size_t start, std::size_t length) {
        BitScratch scratch;
        for (std::size_t k = start; k < start + length; ++k) {
            const std::size_t rows[2] = {k, n - 1 - k};
            for (std::size_t r = 0; r < (rows[0] == rows[1] ? 1 : 2); ++r) {
                const std::size_t i = rows[r];
                if (i + 1 < n)
                    engine.compute(a.row_data(i), a.popcount(i), i + 1, n, out.data() + condensed_index(n, i, i + 1), scratch);
            }
        }
    });
    return out;
}

/// Cosine similarity of every pair of rows of `a` (rows = samples). Zero rows give 0.
template <class Float_>
[[nodiscard]] Eigen::Matrix<Float_, Eigen::Dynamic, Eigen::Dynamic> cosine_similarity_matrix(
    const Eigen::Matrix<Float_, Eigen::Dynamic, Eigen::Dynamic>& a, const MatrixOptions& options = {}) {
    static_assert(std::is_floating_point_v<Float_>, "c2s::distance::cosine_similarity_matrix needs float or double");
    const auto an = normalize_rows<Float_>(a, options.num_threads);
    return detail::product_aat<Float_>(an, options.num_threads);
}

/// Cosine similarity of each row of `a` with each row of `b` (|a| × |b|). Column counts must match.
template <class Float_>
[[nodiscard]] Eigen::Matrix<Float_, Eigen::Dynamic, Eigen::Dynamic> cosine_similarity_matrix(
    const Eigen::Matrix<Float_, Eigen::Dynamic, Eigen::Dynamic>& a,
    const Eigen::Matrix<Float_, Eigen::Dynamic, Eigen::Dynamic>& b, const MatrixOptions& options = {}) {
    static_assert(std::is_floating_point_v<Float_>, "c2s::distance::cosine_similarity_matrix needs float or double");
    if (a.cols() != b.cols())
        fail_argument("c2s::distance::cosine_similarity_matrix", "'a' has ", a.cols(), " columns but 'b' has ", b.cols(),
                      " (rows are samples; the feature counts must match)");
    const auto an = normalize_rows<Float_>(a, options.num_threads);
    const auto bn = normalize_rows<Float_>(b, options.num_threads);
    return detail::product_abt<Float_>(an, bn, options.num_threads);
}

}  // namespace c2s::distance
