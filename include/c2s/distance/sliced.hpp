#pragma once
/// @file sliced.hpp
/// @brief `SlicedFingerprints`: a bit-sliced (transposed) copy of a fingerprint set for the
/// sparsity-aware kernels.
///
/// Rows are grouped in tiles of 512. For tile `t` and bit `j`, 8 consecutive words (one 64-byte
/// line) hold bit `j` of the tile's 512 rows (row `r` of the tile in bit `r % 64` of word `r / 64`).
/// A tile occupies `num_bits * 64` bytes (128 KiB for 2,048 bits, so it stays in L2 while a block of
/// queries is compared with it). The popcounts are padded with zeros to whole tiles; rows beyond
/// `size()` are all-zero. Memory: the same as the `FingerprintSet` (plus up to one tile).

#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "c2s/core/aligned.hpp"
#include "c2s/core/fingerprints.hpp"
#include "c2s/distance/kernels/serial.hpp"

namespace c2s::distance {

class SlicedFingerprints {
public:
    static constexpr std::size_t tile_rows = kernels::serial::sliced_tile_rows;
    static constexpr std::size_t tile_words = kernels::serial::sliced_tile_words;

    SlicedFingerprints() = default;
    explicit SlicedFingerprints(const FingerprintSet& fps)
        : rows_(fps.size()),
          bits_(fps.num_bits()),
          tiles_((fps.size() + tile_rows - 1) / tile_rows),
          data_(tiles_ * bits_ * tile_words, 0),
          popcounts_(tiles_ * tile_rows, 0) {
        for (std::size_t r = 0; r < rows_; ++r) {
            const std::size_t t = r / tile_rows, rr = r % tile_rows;
            std::uint64_t* tile = data_.data() + t * bits_ * tile_words;
            const std::uint64_t mask = std::uint64_t{1} << (rr % 64);
            const auto row = fps.row(r);
            for (std::size_t w = 0; w < row.size(); ++w)
                for (std::uint64_t word = row[w]; word != 0; word &= word - 1) {
                    const std::size_t bit = w * 64 + static_cast<std::size_t>(std::countr_zero(word));
                    tile[bit * tile_words + rr / 64] |= mask;
                }
            popcounts_[r] = fps.popcount(r);
        }
    }

    [[nodiscard]] std::size_t size() const noexcept { return rows_; }
    [[nodiscard]] std::size_t num_bits() const noexcept { return bits_; }
    [[nodiscard]] std::size_t num_tiles() const noexcept { return tiles_; }
    /// The `num_bits() * tile_words` words of tile `t` (unchecked).
    [[nodiscard]] const std::uint64_t* tile(std::size_t t) const noexcept { return data_.data() + t * bits_ * tile_words; }
    /// The 512 popcounts of tile `t`, zero beyond `size()` (64-byte aligned).
    [[nodiscard]] const std::uint32_t* tile_popcounts(std::size_t t) const noexcept { return popcounts_.data() + t * tile_rows; }

private:
    std::size_t rows_ = 0, bits_ = 0, tiles_ = 0;
    std::vector<std::uint64_t, AlignedAllocator<std::uint64_t>> data_;
    std::vector<std::uint32_t, AlignedAllocator<std::uint32_t>> popcounts_;
};

/// The indices of the bits set in `row` (at most `capacity` are written); returns the count.
inline std::size_t set_bit_indices(std::span<const std::uint64_t> row, std::uint16_t* out, std::size_t capacity) noexcept {
    std::size_t n = 0;
    for (std::size_t w = 0; w < row.size(); ++w)
        for (std::uint64_t word = row[w]; word != 0 && n < capacity; word &= word - 1)
            out[n++] = static_cast<std::uint16_t>(w * 64 + static_cast<std::size_t>(std::countr_zero(word)));
    return n;
}

}  // namespace c2s::distance
