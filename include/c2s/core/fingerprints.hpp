#pragma once
/// @file fingerprints.hpp
/// @brief `c2s::FingerprintSet`: bit-packed binary fingerprints with per-row popcounts.
///
/// Layout: row `i` occupies `stride()` 64-bit words starting at a 64-byte boundary; bit `j` of the
/// fingerprint is bit `j % 64` of word `j / 64` (little-endian bit order, the order of RDKit's
/// `ExplicitBitVect` indices). Padding words are always zero, so kernels may process whole strides.
/// Popcounts are kept up to date by every mutating member.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "c2s/core/aligned.hpp"
#include "c2s/core/error.hpp"

namespace c2s {

class FingerprintSet {
public:
    using Word = std::uint64_t;
    static constexpr std::size_t bits_per_word = 64;
    /// Rows are padded to a multiple of this many words (64 bytes), one cache line.
    static constexpr std::size_t words_per_line = 8;

    FingerprintSet() = default;

    /// `num_rows` empty fingerprints of `num_bits` bits each.
    FingerprintSet(std::size_t num_rows, std::size_t num_bits)
        : rows_(num_rows),
          bits_(num_bits),
          words_((num_bits + bits_per_word - 1) / bits_per_word),
          stride_((words_ + words_per_line - 1) / words_per_line * words_per_line),
          data_(num_rows * stride_, 0),
          popcounts_(num_rows, 0) {}

    /// From a row-major 0/1 byte matrix (`num_rows` × `num_bits`), e.g. a uint8 `.npy` of bits.
    /// Any value other than 0 or 1 is an error naming row and column.
    static FingerprintSet from_dense_bits(std::span<const std::uint8_t> bits, std::size_t num_rows,
                                          std::size_t num_bits) {
        if (bits.size() != num_rows * num_bits)
            fail_argument("c2s::FingerprintSet::from_dense_bits", "'bits' has ", bits.size(),
                          " entries but num_rows * num_bits = ", num_rows * num_bits);
        FingerprintSet out(num_rows, num_bits);
        for (std::size_t i = 0; i < num_rows; ++i) {
            const auto* row = bits.data() + i * num_bits;
            for (std::size_t j = 0; j < num_bits; ++j) {
                if (row[j] > 1)
                    fail_argument("c2s::FingerprintSet::from_dense_bits", "'bits' holds ",
                                  int(row[j]), " at row ", i, ", column ", j, " (expected 0 or 1)");
                if (row[j]) out.set(i, j);
            }
        }
        return out;
    }

    /// From packed 64-bit words (`num_rows` × `words_per_row`, little-endian bit order), e.g. a
    /// uint64 `.npy` written by `c2s fingerprints`. Bits at or beyond `num_bits` must be zero.
    static FingerprintSet from_words(std::span<const Word> words, std::size_t num_rows,
                                     std::size_t words_per_row, std::size_t num_bits) {
        if (words.size() != num_rows * words_per_row)
            fail_argument("c2s::FingerprintSet::from_words", "'words' has ", words.size(),
                          " entries but num_rows * words_per_row = ", num_rows * words_per_row);
        if (num_bits > words_per_row * bits_per_word)
            fail_argument("c2s::FingerprintSet::from_words", "'num_bits' = ", num_bits,
                          " does not fit in ", words_per_row, " words per row");
        FingerprintSet out(num_rows, num_bits);
        for (std::size_t i = 0; i < num_rows; ++i) {
            std::uint32_t count = 0;
            for (std::size_t w = 0; w < words_per_row; ++w) {
                const Word value = words[i * words_per_row + w];
                const std::size_t first_bit = w * bits_per_word;
                if (value != 0 && (first_bit >= num_bits ||
                                   (num_bits - first_bit < bits_per_word &&
                                    (value >> (num_bits - first_bit)) != 0)))
                    fail_argument("c2s::FingerprintSet::from_words", "row ", i,
                                  " sets a bit at or beyond num_bits = ", num_bits, " in word ", w);
                if (w < out.words_) out.data_[i * out.stride_ + w] = value;
                count += static_cast<std::uint32_t>(std::popcount(value));
            }
            out.popcounts_[i] = count;
        }
        return out;
    }

    [[nodiscard]] std::size_t size() const noexcept { return rows_; }
    [[nodiscard]] std::size_t num_bits() const noexcept { return bits_; }
    /// Words holding bits (`ceil(num_bits / 64)`).
    [[nodiscard]] std::size_t num_words() const noexcept { return words_; }
    /// Words between the starts of consecutive rows (`num_words()` rounded up to 8).
    [[nodiscard]] std::size_t stride() const noexcept { return stride_; }

    /// The `num_words()` words of row `i` (unchecked).
    [[nodiscard]] std::span<const Word> row(std::size_t i) const noexcept {
        return {data_.data() + i * stride_, words_};
    }
    /// The whole padded row (`stride()` words) of row `i` (unchecked).
    [[nodiscard]] const Word* row_data(std::size_t i) const noexcept { return data_.data() + i * stride_; }
    [[nodiscard]] const Word* data() const noexcept { return data_.data(); }
    [[nodiscard]] std::uint32_t popcount(std::size_t i) const noexcept { return popcounts_[i]; }
    [[nodiscard]] std::span<const std::uint32_t> popcounts() const noexcept { return popcounts_; }

    [[nodiscard]] bool test(std::size_t i, std::size_t bit) const {
        check(i, bit, "c2s::FingerprintSet::test");
        return (data_[i * stride_ + bit / bits_per_word] >> (bit % bits_per_word)) & 1U;
    }
    void set(std::size_t i, std::size_t bit) {
        check(i, bit, "c2s::FingerprintSet::set");
        Word& w = data_[i * stride_ + bit / bits_per_word];
        const Word mask = Word{1} << (bit % bits_per_word);
        if (!(w & mask)) {
            w |= mask;
            ++popcounts_[i];
        }
    }
    void reset(std::size_t i, std::size_t bit) {
        check(i, bit, "c2s::FingerprintSet::reset");
        Word& w = data_[i * stride_ + bit / bits_per_word];
        const Word mask = Word{1} << (bit % bits_per_word);
        if (w & mask) {
            w &= ~mask;
            --popcounts_[i];
        }
    }
    /// Overwrites row `i` with `words` (`num_words()` entries) and recomputes its popcount.
    void assign_row(std::size_t i, std::span<const Word> words) {
        if (i >= rows_) fail_argument("c2s::FingerprintSet::assign_row", "row ", i, " >= size() = ", rows_);
        if (words.size() != words_)
            fail_argument("c2s::FingerprintSet::assign_row", "'words' has ", words.size(),
                          " entries, expected ", words_);
        std::uint32_t count = 0;
        for (std::size_t w = 0; w < words_; ++w) {
            data_[i * stride_ + w] = words[w];
            count += static_cast<std::uint32_t>(std::popcount(words[w]));
        }
        popcounts_[i] = count;
    }
    /// Row-major packed words without padding (`size()` × `num_words()`), for `.npy` output.
    [[nodiscard]] std::vector<Word> packed_words() const {
        std::vector<Word> out(rows_ * words_);
        for (std::size_t i = 0; i < rows_; ++i)
            for (std::size_t w = 0; w < words_; ++w) out[i * words_ + w] = data_[i * stride_ + w];
        return out;
    }

private:
    void check(std::size_t i, std::size_t bit, const char* where) const {
        if (i >= rows_) fail_argument(where, "row ", i, " >= size() = ", rows_);
        if (bit >= bits_) fail_argument(where, "bit ", bit, " >= num_bits() = ", bits_);
    }

    std::size_t rows_ = 0, bits_ = 0, words_ = 0, stride_ = 0;
    std::vector<Word, AlignedAllocator<Word>> data_;
    std::vector<std::uint32_t> popcounts_;
};

}  // namespace c2s
