#pragma once
/// @file tiles.hpp
/// @brief Tiled traversal of a similarity matrix too large for memory, and a tiled `.npy` writer.
///
/// `for_each_bit_similarity_tile(a, b, metric, callback)` computes the |a| × |b| matrix one tile at
/// a time and hands each finished tile to `callback(const SimilarityTile&)`; only one tile per
/// thread is in memory (`tile_rows * tile_cols` floats), so N = 200,000 (a 160 GB matrix) can be
/// reduced on the fly. `write_bit_similarity_npy` streams row blocks to a float32 `.npy`
/// (row i = a_i) through `c2s::io::NpyRowWriter`: the file appears only when complete.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <filesystem>
#include <vector>

#include "c2s/core/aligned.hpp"
#include "c2s/core/error.hpp"
#include "c2s/core/parallelize.hpp"
#include "c2s/core/progress.hpp"
#include "c2s/distance/engine.hpp"
#include "c2s/io/npy.hpp"

namespace c2s::distance {

/// One finished tile: rows `[row_begin, row_begin + rows)` of `a`, columns `[col_begin, col_begin +
/// cols)` of `b`, row-major in `values` (`values[i * cols + j]` = sim(a_{row_begin+i}, b_{col_begin+j})).
/// `values` is valid only during the callback.
struct SimilarityTile {
    std::size_t row_begin = 0, rows = 0, col_begin = 0, cols = 0;
    const float* values = nullptr;
    /// The worker thread that computed the tile (0 .. num_threads-1), for per-thread accumulators.
    int thread_index = 0;
    [[nodiscard]] float operator()(std::size_t i, std::size_t j) const noexcept { return values[i * cols + j]; }
};

struct TileOptions {
    /// Rows (of `a`) per tile; larger tiles mean fewer callbacks and more memory per thread.
    std::size_t tile_rows = 256;
    /// Columns (of `b`) per tile; 0 = all columns (whole row blocks).
    std::size_t tile_cols = 16384;
    /// Optional progress (tiles done / total) and interruption between tiles.
    Progress* progress = nullptr;
};

/**
 * @brief Computes the |a| × |b| similarity matrix tile by tile and calls `callback(tile)` for each.
 *
 * With `num_threads > 1` the callback runs concurrently on the worker threads (each thread handles
 * a contiguous range of row blocks, tiles in row-major order within it), so it must be thread-safe;
 * `tile.thread_index` identifies the thread. An exception from the callback stops the traversal
 * and is rethrown.
 */
template <class Callback_>
void for_each_bit_similarity_tile(const FingerprintSet& a, const FingerprintSet& b, BitMetric metric, Callback_&& callback,
                                  const MatrixOptions& options = {}, const TileOptions& tiles = {}) {
    constexpr const char* where = "c2s::distance::for_each_bit_similarity_tile";
    detail::check_same_bits(where, a, b);
    if (tiles.tile_rows == 0) fail_argument(where, "'tile_rows' must be at least 1");
    if (a.size() == 0 || b.size() == 0) return;
    const std::size_t tile_cols = tiles.tile_cols == 0 ? b.size() : std::min(tiles.tile_cols, b.size());
    const std::size_t row_blocks = (a.size() + tiles.tile_rows - 1) / tiles.tile_rows;
    const std::size_t col_blocks = (b.size() + tile_cols - 1) / tile_cols;
    const BitEngine engine(b, metric, options.kernel, where);
    std::atomic<std::size_t> done{0};
    parallelize(options.num_threads, row_blocks, [&](int thread, std::size_t start, std::size_t length) {
        BitScratch scratch;
        std::vector<float, AlignedAllocator<float>> buffer(std::min(tiles.tile_rows, a.size()) * tile_cols);
        for (std::size_t rb = start; rb < start + length; ++rb) {
            const std::size_t r0 = rb * tiles.tile_rows, r1 = std::min(a.size(), r0 + tiles.tile_rows);
            for (std::size_t cb = 0; cb < col_blocks; ++cb) {
                if (tiles.progress) tiles.progress->check_interrupt(where);
                const std::size_t c0 = cb * tile_cols, c1 = std::min(b.size(), c0 + tile_cols);
                for (std::size_t r = r0; r < r1; ++r)
                    engine.compute(a.row_data(r), a.popcount(r), c0, c1, buffer.data() + (r - r0) * (c1 - c0), scratch);
                callback(SimilarityTile{r0, r1 - r0, c0, c1 - c0, buffer.data(), thread});
                const std::size_t d = ++done;
                if (tiles.progress && thread == 0) tiles.progress->report(d, row_blocks * col_blocks, "similarity tiles");
            }
        }
    });
}

/// `for_each_bit_similarity_tile(a, a, ...)`: the N × N matrix of one set.
template <class Callback_>
void for_each_bit_similarity_tile(const FingerprintSet& a, BitMetric metric, Callback_&& callback,
                                  const MatrixOptions& options = {}, const TileOptions& tiles = {}) {
    for_each_bit_similarity_tile(a, a, metric, std::forward<Callback_>(callback), options, tiles);
}

/**
 * @brief Writes the |a| × |b| similarity matrix to `path` as a float32 `.npy` (row i = a_i), in
 * row blocks of about `block_bytes` bytes computed with `num_threads` threads.
 *
 * Peak memory is one row block (default 64 MiB) plus the library; the file is written through
 * `AtomicFile` and appears only when complete (an error or interruption leaves nothing behind).
 */
inline void write_bit_similarity_npy(const std::filesystem::path& path, const FingerprintSet& a, const FingerprintSet& b,
                                     BitMetric metric, const MatrixOptions& options = {},
                                     std::size_t block_bytes = std::size_t{64} << 20, Progress* progress = nullptr) {
    constexpr const char* where = "c2s::distance::write_bit_similarity_npy";
    detail::check_same_bits(where, a, b);
    if (a.size() == 0 || b.size() == 0) {
        io::write_npy<float>(path, std::span<const float>{}, {a.size(), b.size()});
        return;
    }
    const BitEngine engine(b, metric, options.kernel, where);
    const std::size_t rows_per_block = std::max<std::size_t>(1, block_bytes / (b.size() * sizeof(float)));
    std::vector<float> block(std::min(rows_per_block, a.size()) * b.size());
    io::NpyRowWriter<float> writer(path, a.size(), b.size());
    for (std::size_t r0 = 0; r0 < a.size(); r0 += rows_per_block) {
        if (progress) progress->check_interrupt(where);
        const std::size_t r1 = std::min(a.size(), r0 + rows_per_block);
        parallelize(options.num_threads, r1 - r0, [&](int, std::size_t start, std::size_t length) {
            BitScratch scratch;
            for (std::size_t r = r0 + start; r < r0 + start + length; ++r)
                engine.compute(a.row_data(r), a.popcount(r), 0, b.size(), block.data() + (r - r0) * b.size(), scratch);
        });
        writer.write_rows(std::span<const float>(block.data(), (r1 - r0) * b.size()));
        if (progress) progress->report(r1, a.size(), "similarity rows written");
    }
    writer.commit();
}

}  // namespace c2s::distance
