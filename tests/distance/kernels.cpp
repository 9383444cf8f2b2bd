// Every kernel against the serial reference: exact counts, similarities bit for bit (Tanimoto,
// Dice, intersection) or within 1e-6 (cosine), on random and edge-case fingerprints.

#include <random>

#include "c2s/distance/dispatch.hpp"
#include "c2s/distance/engine.hpp"
#include "c2s/distance/sliced.hpp"
#include "test_support.hpp"

namespace cd = c2s::distance;

namespace {

/// Random fingerprints: densities from empty to full, including rows with > 255 bits.
c2s::FingerprintSet random_fps(std::size_t n, std::size_t bits, std::uint64_t seed, double max_density = 1.0) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0, 1);
    c2s::FingerprintSet f(n, bits);
    for (std::size_t i = 0; i < n; ++i) {
        double p = 0;
        switch (i % 6) {
            case 0: p = 0; break;                       // empty
            case 1: p = 1; break;                       // full
            case 2: p = 0.02; break;                    // Morgan-like
            case 3: p = 0.005; break;                   // very sparse
            default: p = u(rng) * max_density; break;   // anything
        }
        p = std::min(p, max_density);
        for (std::size_t b = 0; b < bits; ++b)
            if (u(rng) < p) f.set(i, b);
    }
    return f;
}

std::vector<cd::Kernel> dense_kernels() {
    std::vector<cd::Kernel> out{cd::Kernel::serial};
    for (auto k : {cd::Kernel::avx2, cd::Kernel::avx512})
        if (cd::kernel_available(k)) out.push_back(k);
    return out;
}

}  // namespace

TEST_CASE("dense count kernels equal the serial popcount exactly") {
    for (std::size_t bits : {1u, 63u, 64u, 65u, 511u, 512u, 1000u, 2048u, 4096u}) {
        const auto f = random_fps(37, bits, bits);
        for (auto k : dense_kernels()) {
            INFO("bits " << bits << " kernel " << cd::to_string(k));
            std::vector<std::uint32_t> got(f.size()), want(f.size());
            for (std::size_t i = 0; i < f.size(); ++i) {
                cd::kernels::serial::dense_counts(f.row_data(i), f.data(), f.stride(), f.num_words(), f.size(), want.data());
                cd::dense_counts_kernel(k)(f.row_data(i), f.data(), f.stride(), f.num_words(), f.size(), got.data());
                CHECK(got == want);
                for (std::size_t j = 0; j < f.size(); ++j) {
                    std::uint32_t manual = 0;
                    for (std::size_t b = 0; b < bits; ++b) manual += f.test(i, b) && f.test(j, b);
                    REQUIRE(want[j] == manual);
                }
            }
        }
    }
}

TEST_CASE("every kernel reproduces the serial similarities (random and edge-case rows, all metrics)") {
    std::vector<cd::Kernel> all{cd::Kernel::serial, cd::Kernel::sliced_serial};
    for (auto k : {cd::Kernel::avx2, cd::Kernel::avx512, cd::Kernel::sliced_avx512})
        if (cd::kernel_available(k)) all.push_back(k);
    all.push_back(cd::Kernel::automatic);
    for (std::size_t bits : {64u, 100u, 2048u}) {
        // 1100 rows: three sliced tiles, the last partial.
        const auto lib = random_fps(1100, bits, 7 + bits);
        const auto queries = random_fps(30, bits, 99 + bits);
        for (auto metric : {cd::BitMetric::tanimoto, cd::BitMetric::dice, cd::BitMetric::cosine, cd::BitMetric::intersection}) {
            const cd::BitEngine reference(lib, metric, cd::Kernel::serial, "test");
            for (auto k : all) {
                const cd::BitEngine engine(lib, metric, k, "test");
                cd::BitScratch s1, s2;
                std::vector<float> want(lib.size() + 1), got(lib.size() + 1);
                for (std::size_t q = 0; q < queries.size(); ++q)
                    // column ranges: all, unaligned start inside a tile, short range
                    for (auto [c0, c1] : {std::pair<std::size_t, std::size_t>{0, lib.size()}, {3, 1037}, {600, 601}, {512, 1024}}) {
                        INFO("bits " << bits << " metric " << cd::to_string(metric) << " kernel " << cd::to_string(k)
                                     << " query " << q << " cols " << c0 << ".." << c1);
                        reference.compute(queries.row_data(q), queries.popcount(q), c0, c1, want.data(), s1);
                        std::fill(got.begin(), got.end(), -7.0f);
                        engine.compute(queries.row_data(q), queries.popcount(q), c0, c1, got.data(), s2);
                        std::size_t bad = 0;
                        for (std::size_t j = 0; j < c1 - c0; ++j) {
                            const float tol = metric == cd::BitMetric::cosine ? 1e-6f : 0.0f;
                            if (!(std::abs(got[j] - want[j]) <= tol)) ++bad;
                        }
                        CHECK(bad == 0);
                        CHECK(got[c1 - c0] == -7.0f);  // nothing written past the range
                    }
            }
        }
    }
}

TEST_CASE("the serial reference follows RDKit's conventions for empty fingerprints") {
    using cd::similarity_from_counts;
    CHECK(similarity_from_counts(cd::BitMetric::tanimoto, 0, 0, 0) == 1.0f);
    CHECK(similarity_from_counts(cd::BitMetric::tanimoto, 0, 0, 5) == 0.0f);
    CHECK(similarity_from_counts(cd::BitMetric::dice, 0, 0, 0) == 0.0f);
    CHECK(similarity_from_counts(cd::BitMetric::cosine, 0, 0, 0) == 0.0f);
    CHECK(similarity_from_counts(cd::BitMetric::cosine, 0, 3, 0) == 0.0f);
    CHECK(similarity_from_counts(cd::BitMetric::tanimoto, 2, 3, 4) == 2.0f / 5.0f);
    CHECK(similarity_from_counts(cd::BitMetric::dice, 2, 3, 4) == 4.0f / 7.0f);
}

TEST_CASE("sliced layout transposes rows and pads the last tile with zeros") {
    const auto f = random_fps(700, 130, 3);
    const cd::SlicedFingerprints s(f);
    CHECK(s.num_tiles() == 2);
    for (std::size_t r = 0; r < 1024; ++r)
        for (std::size_t b = 0; b < 130; ++b) {
            const std::uint64_t* tile = s.tile(r / 512);
            const bool bit = (tile[b * 8 + (r % 512) / 64] >> (r % 64)) & 1U;
            REQUIRE(bit == (r < 700 && f.test(r, b)));
        }
    CHECK(s.tile_popcounts(1)[700 - 512] == 0);
    CHECK(s.tile_popcounts(1)[699 - 512] == f.popcount(699));
}

TEST_CASE("kernels the CPU lacks and unknown names are refused") {
    C2S_CHECK_THROWS_WITH_SUBSTR(cd::parse_kernel("sse9"), std::invalid_argument, "unknown kernel 'sse9'");
    C2S_CHECK_THROWS_WITH_SUBSTR(cd::parse_bit_metric("hamming"), std::invalid_argument, "unknown metric 'hamming'");
    CHECK(cd::parse_bit_metric("jaccard") == cd::BitMetric::tanimoto);
    if (!cd::kernel_available(cd::Kernel::avx512)) {
        c2s::FingerprintSet f(2, 64);
        C2S_CHECK_THROWS_WITH_SUBSTR(cd::BitEngine(f, cd::BitMetric::tanimoto, cd::Kernel::avx512, "here"),
                                     std::invalid_argument, "not available");
    }
}

TEST_CASE("long rows (streaming-store path) equal the serial kernel, for aligned and unaligned starts") {
    const auto lib = random_fps(2700, 2048, 11, 0.05);
    const auto queries = random_fps(12, 2048, 12, 0.05);
    const cd::BitEngine reference(lib, cd::BitMetric::tanimoto, cd::Kernel::serial, "test");
    std::vector<cd::Kernel> kernels{cd::Kernel::automatic, cd::Kernel::sliced_serial};
    if (cd::kernel_available(cd::Kernel::sliced_avx512)) kernels.push_back(cd::Kernel::sliced_avx512);
    for (auto k : kernels) {
        const cd::BitEngine engine(lib, cd::BitMetric::tanimoto, k, "test");
        cd::BitScratch s1, s2;
        std::vector<float> want(2701), got(2704);
        for (std::size_t q = 0; q < queries.size(); ++q)
            for (auto [c0, c1] : {std::pair<std::size_t, std::size_t>{0, 2700}, {5, 2700}, {3, 2653}, {511, 2600}}) {
                for (std::size_t shift : {0u, 1u, 3u}) {  // output pointer alignment
                    INFO(cd::to_string(k) << " cols " << c0 << ".." << c1 << " shift " << shift);
                    reference.compute(queries.row_data(q), queries.popcount(q), c0, c1, want.data(), s1);
                    std::fill(got.begin(), got.end(), -7.0f);
                    engine.compute(queries.row_data(q), queries.popcount(q), c0, c1, got.data() + shift, s2);
                    std::size_t bad = 0;
                    for (std::size_t j = 0; j < c1 - c0; ++j) bad += got[j + shift] != want[j];
                    CHECK(bad == 0);
                    CHECK(got[c1 - c0 + shift] == -7.0f);
                    if (shift) CHECK(got[shift - 1] == -7.0f);
                }
            }
    }
}
