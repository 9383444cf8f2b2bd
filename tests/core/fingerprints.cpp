#include <bit>
#include <random>
#include <vector>

#include "c2s/core/fingerprints.hpp"
#include "test_support.hpp"

TEST_CASE("FingerprintSet keeps bits, padding and popcounts consistent") {
    c2s::FingerprintSet fps(3, 130);
    CHECK(fps.size() == 3);
    CHECK(fps.num_words() == 3);
    CHECK(fps.stride() == 8);
    CHECK(reinterpret_cast<std::uintptr_t>(fps.row_data(1)) % 64 == 0);
    fps.set(1, 0);
    fps.set(1, 64);
    fps.set(1, 129);
    fps.set(1, 129);  // idempotent
    CHECK(fps.popcount(1) == 3);
    CHECK(fps.test(1, 129));
    CHECK_FALSE(fps.test(1, 128));
    CHECK(fps.row(1)[2] == (std::uint64_t{1} << 1));
    fps.reset(1, 64);
    CHECK(fps.popcount(1) == 2);
    CHECK(fps.popcount(0) == 0);
    C2S_CHECK_THROWS_WITH_SUBSTR(fps.set(3, 0), std::invalid_argument, "row 3 >= size() = 3");
    C2S_CHECK_THROWS_WITH_SUBSTR(fps.set(0, 130), std::invalid_argument, "bit 130 >= num_bits() = 130");
}

TEST_CASE("FingerprintSet round-trips through dense bits and packed words") {
    std::mt19937_64 rng(7);
    const std::size_t n = 5, bits = 2048;
    std::vector<std::uint8_t> dense(n * bits);
    for (auto& b : dense) b = (rng() % 50 == 0) ? 1 : 0;
    const auto fps = c2s::FingerprintSet::from_dense_bits(dense, n, bits);
    for (std::size_t i = 0; i < n; ++i) {
        std::size_t expected = 0;
        for (std::size_t j = 0; j < bits; ++j) {
            expected += dense[i * bits + j];
            CHECK(fps.test(i, j) == (dense[i * bits + j] == 1));
        }
        CHECK(fps.popcount(i) == expected);
    }
    const auto words = fps.packed_words();
    const auto again = c2s::FingerprintSet::from_words(words, n, fps.num_words(), bits);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t w = 0; w < fps.num_words(); ++w) CHECK(again.row(i)[w] == fps.row(i)[w]);
}

TEST_CASE("FingerprintSet rejects malformed input with the position") {
    std::vector<std::uint8_t> dense{0, 1, 2, 0};
    C2S_CHECK_THROWS_WITH_SUBSTR(c2s::FingerprintSet::from_dense_bits(dense, 2, 2), std::invalid_argument,
                                 "holds 2 at row 1, column 0");
    C2S_CHECK_THROWS_WITH_SUBSTR(c2s::FingerprintSet::from_dense_bits(dense, 3, 2), std::invalid_argument,
                                 "'bits' has 4 entries but num_rows * num_bits = 6");
    std::vector<std::uint64_t> words{std::uint64_t{1} << 10};
    C2S_CHECK_THROWS_WITH_SUBSTR(c2s::FingerprintSet::from_words(words, 1, 1, 8), std::invalid_argument,
                                 "row 0 sets a bit at or beyond num_bits = 8");
    const c2s::FingerprintSet empty(0, 2048);
    CHECK(empty.size() == 0);
}
