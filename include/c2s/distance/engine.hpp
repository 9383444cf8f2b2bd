#pragma once
/// @file engine.hpp
/// @brief `BitEngine`: one query row against a range of library rows, with the kernel chosen once.
///
/// The drivers (matrix.hpp, tiles.hpp, search.hpp) split queries over threads and call
/// `BitEngine::compute` per query and column range; the engine holds the library, its optional
/// bit-sliced copy and the kernel function pointers, so no dispatch happens in inner loops.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "c2s/core/aligned.hpp"
#include "c2s/core/error.hpp"
#include "c2s/core/fingerprints.hpp"
#include "c2s/distance/bits.hpp"
#include "c2s/distance/dispatch.hpp"
#include "c2s/distance/sliced.hpp"

namespace c2s::distance {

/// Options shared by every matrix driver.
struct MatrixOptions {
    /// Worker threads; values < 1 use all hardware threads. More threads split the queries (rows).
    int num_threads = 1;
    /// Bit kernel (dispatch.hpp); `automatic` picks the fastest this CPU runs. Ignored by cosine on
    /// dense matrices.
    Kernel kernel = Kernel::automatic;
};

/// Per-thread scratch for `BitEngine::compute`.
struct BitScratch {
    std::vector<std::uint16_t> bits;
    std::vector<float, AlignedAllocator<float>> tile;
    BitScratch() : bits(max_fingerprint_bits), tile(SlicedFingerprints::tile_rows) {}
};

class BitEngine {
public:
    /// Prepares `library` (kept by reference: it must outlive the engine) for `metric` with `kernel`.
    BitEngine(const FingerprintSet& library, BitMetric metric, Kernel kernel, const char* caller)
        : lib_(&library), metric_(metric) {
        detail::check_bits(caller, library);
        if (!kernel_available(kernel))
            fail_argument(caller, "kernel '", to_string(kernel), "' is not available on this CPU or compiler");
        Kernel dense = kernel, sliced = Kernel::serial;
        max_sliced_ = 0;
        switch (kernel) {
            case Kernel::automatic:
                dense = best_dense_kernel();
                sliced = best_sliced_kernel();
                if (sliced != Kernel::serial) max_sliced_ = sliced_max_popcount;
                break;
            case Kernel::sliced_serial:
                dense = Kernel::serial;
                sliced = Kernel::sliced_serial;
                max_sliced_ = 255;
                break;
            case Kernel::sliced_avx512:
                dense = Kernel::avx512;
                sliced = Kernel::sliced_avx512;
                max_sliced_ = 255;
                break;
            default: break;
        }
        dense_ = dense_row_kernel(dense, metric);
        if (max_sliced_ > 0) {
            sliced_fn_ = sliced_tile_kernel(sliced, metric);
            sliced_ = std::make_unique<SlicedFingerprints>(library);
            stream_ = sliced == Kernel::sliced_avx512;
        }
    }

    [[nodiscard]] const FingerprintSet& library() const noexcept { return *lib_; }
    [[nodiscard]] BitMetric metric() const noexcept { return metric_; }

    /// Similarities of `query` (a padded row of `library().stride()` words with `pa` bits set) with
    /// library rows `[c0, c1)`, written to `out[0 .. c1 - c0)`.
    void compute(const std::uint64_t* query, std::uint32_t pa, std::size_t c0, std::size_t c1, float* out,
                 BitScratch& scratch) const noexcept {
        if (c1 <= c0) return;
        if (!sliced_ || pa > max_sliced_) {
            dense_(query, pa, lib_->row_data(c0), lib_->stride(), lib_->num_words(), lib_->popcounts().data() + c0,
                   c1 - c0, out);
            return;
        }
        const std::size_t n_bits = set_bit_indices({query, lib_->num_words()}, scratch.bits.data(), scratch.bits.size());
        const std::uint16_t* bits = scratch.bits.data();
        constexpr std::size_t T = SlicedFingerprints::tile_rows;
        if (stream_ && c1 - c0 >= stream_min_columns) {
            // Long rows (large matrices): tile into L1 scratch, then streaming stores to `out`.
            for (std::size_t t = c0 / T; t * T < c1; ++t) {
                const std::size_t start = t * T, n = std::min(T, c1 - start);
                sliced_fn_(bits, static_cast<std::uint32_t>(n_bits), sliced_->tile(t), sliced_->tile_popcounts(t), n,
                           scratch.tile.data());
                const std::size_t skip = start < c0 ? c0 - start : 0;
                kernels::avx512::stream_copy(out + (start + skip - c0), scratch.tile.data() + skip, n - skip);
            }
            kernels::avx512::fence();
            return;
        }
        for (std::size_t t = c0 / T; t * T < c1; ++t) {
            const std::size_t start = t * T, n = std::min(T, c1 - start);
            if (start >= c0) {
                sliced_fn_(bits, static_cast<std::uint32_t>(n_bits), sliced_->tile(t), sliced_->tile_popcounts(t), n,
                           out + (start - c0));
            } else {
                sliced_fn_(bits, static_cast<std::uint32_t>(n_bits), sliced_->tile(t), sliced_->tile_popcounts(t), n,
                           scratch.tile.data());
                std::memcpy(out, scratch.tile.data() + (c0 - start), (n - (c0 - start)) * sizeof(float));
            }
        }
    }

    /// Whether `compute_tile` uses the sliced kernel for a query with `pa` bits set (then it needs
    /// the query's set-bit indices, `set_bit_indices`).
    [[nodiscard]] bool sliced_for(std::uint32_t pa) const noexcept { return sliced_ != nullptr && pa <= max_sliced_; }

    /// Similarities of `query` (popcount `pa`; `bits` = its set-bit indices when `sliced_for(pa)`,
    /// else unused) with the rows of library tile `t` (rows `[512 t, 512 t + n)`, n = min(512,
    /// size - 512 t)), written to `out[0 .. n)`.
    void compute_tile(const std::uint64_t* query, std::uint32_t pa, const std::uint16_t* bits, std::size_t t,
                      float* out) const noexcept {
        constexpr std::size_t T = SlicedFingerprints::tile_rows;
        const std::size_t start = t * T, n = std::min(T, lib_->size() - start);
        if (sliced_for(pa)) {
            sliced_fn_(bits, pa, sliced_->tile(t), sliced_->tile_popcounts(t), n, out);
        } else {
            dense_(query, pa, lib_->row_data(start), lib_->stride(), lib_->num_words(), lib_->popcounts().data() + start,
                   n, out);
        }
    }

private:
    const FingerprintSet* lib_;
    BitMetric metric_;
    static constexpr std::size_t stream_min_columns = 2048;
    std::uint32_t max_sliced_ = 0;
    bool stream_ = false;
    DenseRowFn dense_ = nullptr;
    SlicedTileFn sliced_fn_ = nullptr;
    std::unique_ptr<SlicedFingerprints> sliced_;
};

}  // namespace c2s::distance
