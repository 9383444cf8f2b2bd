// Tiled traversal, tiled .npy writer, top-k and threshold search against the full matrix.

#include <algorithm>
#include <mutex>
#include <numeric>
#include <random>

#include "c2s/distance/all.hpp"
#include "test_support.hpp"

namespace cd = c2s::distance;

namespace {
c2s::FingerprintSet morganish(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> bit(0, 255), count(0, 30);
    c2s::FingerprintSet f(n, 256);
    for (std::size_t i = 0; i < n; ++i) {
        const int c = (i % 9 == 0) ? 0 : count(rng);
        for (int k = 0; k < c; ++k) f.set(i, std::size_t(bit(rng)));
    }
    // duplicates, so that ties occur
    for (std::size_t i = 10; i + 3 < n; i += 17) f.assign_row(i + 3, f.row(i));
    return f;
}
}  // namespace

TEST_CASE("tiled traversal covers every entry once and matches the full matrix") {
    const auto a = morganish(300, 1), b = morganish(700, 2);
    const Eigen::MatrixXf full = cd::tanimoto_similarity_matrix(a, b);
    for (int threads : {1, 2}) {
        std::vector<int> seen(300 * 700, 0);
        std::size_t bad = 0;
        std::mutex m;
        cd::for_each_bit_similarity_tile(
            a, b, cd::BitMetric::tanimoto,
            [&](const cd::SimilarityTile& t) {
                std::lock_guard<std::mutex> lock(m);
                for (std::size_t i = 0; i < t.rows; ++i)
                    for (std::size_t j = 0; j < t.cols; ++j) {
                        ++seen[(t.row_begin + i) * 700 + t.col_begin + j];
                        bad += t(i, j) != full(Eigen::Index(t.row_begin + i), Eigen::Index(t.col_begin + j));
                    }
            },
            {threads}, {64, 250});
        CHECK(bad == 0);
        CHECK(std::all_of(seen.begin(), seen.end(), [](int s) { return s == 1; }));
    }
    C2S_CHECK_THROWS_WITH_SUBSTR(cd::for_each_bit_similarity_tile(a, cd::BitMetric::tanimoto, [](const cd::SimilarityTile&) {},
                                                                  {}, {0, 10}),
                                 std::invalid_argument, "'tile_rows' must be at least 1");
}

TEST_CASE("tiled .npy writer writes the full matrix row by row, and nothing on error") {
    c2s::test::TempDir dir;
    const auto a = morganish(130, 3), b = morganish(90, 4);
    const Eigen::MatrixXf full = cd::tanimoto_similarity_matrix(a, b);
    cd::write_bit_similarity_npy(dir / "s.npy", a, b, cd::BitMetric::tanimoto, {2}, 90 * 4 * 7);  // 7-row blocks
    const auto back = c2s::io::read_npy<float>(dir / "s.npy");
    REQUIRE(back.shape == std::vector<std::size_t>{130, 90});
    std::size_t bad = 0;
    for (std::size_t i = 0; i < 130; ++i)
        for (std::size_t j = 0; j < 90; ++j) bad += back.data[i * 90 + j] != full(Eigen::Index(i), Eigen::Index(j));
    CHECK(bad == 0);
    const c2s::FingerprintSet none(0, 256);
    cd::write_bit_similarity_npy(dir / "e.npy", none, b, cd::BitMetric::tanimoto);
    CHECK(c2s::io::read_npy<float>(dir / "e.npy").shape == std::vector<std::size_t>{0, 90});
    c2s::Progress p;
    p.request_interrupt();
    CHECK_THROWS_AS(cd::write_bit_similarity_npy(dir / "i.npy", a, b, cd::BitMetric::tanimoto, {}, 1 << 20, &p), c2s::interrupted);
    CHECK(!std::filesystem::exists(dir / "i.npy"));
    const c2s::FingerprintSet other(3, 128);
    C2S_CHECK_THROWS_WITH_SUBSTR(cd::write_bit_similarity_npy(dir / "m.npy", a, other, cd::BitMetric::tanimoto),
                                 std::invalid_argument, "lengths must match");
    CHECK(!std::filesystem::exists(dir / "m.npy"));
}

TEST_CASE("top-k equals a stable sort of each row of the full matrix (ties by lower index)") {
    const auto q = morganish(40, 5), lib = morganish(1500, 6);
    for (auto metric : {cd::BitMetric::tanimoto, cd::BitMetric::dice})
        for (int threads : {1, 2}) {
            const Eigen::MatrixXf full = cd::bit_similarity_matrix(lib, q, metric);  // column j = query j
            const auto top = cd::bit_top_k(q, lib, metric, 10, {threads});
            REQUIRE(top.indices.rows() == 40);
            REQUIRE(top.indices.cols() == 10);
            for (Eigen::Index i = 0; i < 40; ++i) {
                std::vector<std::int64_t> idx(1500);
                std::iota(idx.begin(), idx.end(), 0);
                std::stable_sort(idx.begin(), idx.end(), [&](auto x, auto y) { return full(x, i) > full(y, i); });
                for (Eigen::Index c = 0; c < 10; ++c) {
                    REQUIRE(top.indices(i, c) == idx[std::size_t(c)]);
                    REQUIRE(top.scores(i, c) == full(idx[std::size_t(c)], i));
                }
            }
        }
    // one set, excluding self; k larger than the candidates
    const auto small = morganish(5, 7);
    const auto self = cd::bit_top_k(small, cd::BitMetric::tanimoto, 10);
    CHECK(self.indices.cols() == 4);
    for (Eigen::Index i = 0; i < 5; ++i)
        for (Eigen::Index c = 0; c < 4; ++c) CHECK(self.indices(i, c) != i);
    CHECK(cd::bit_top_k(small, cd::BitMetric::tanimoto, 10, false).indices.cols() == 5);
    const c2s::FingerprintSet none(0, 256), one(1, 256);
    CHECK(cd::bit_top_k(none, small, cd::BitMetric::tanimoto, 3).indices.rows() == 0);
    CHECK(cd::bit_top_k(one, cd::BitMetric::tanimoto, 3).indices.cols() == 0);
    const c2s::FingerprintSet other(2, 128);
    C2S_CHECK_THROWS_WITH_SUBSTR(cd::bit_top_k(other, small, cd::BitMetric::tanimoto, 3), std::invalid_argument,
                                 "c2s::distance::bit_top_k: 'a' has 128-bit");
}

TEST_CASE("pruned top-k equals brute force over a multi-chunk library (metrics, kernels, ties, self)") {
    // 9,000 rows = 5 chunks of the popcount-sorted library; queries are library rows (exact
    // duplicates and many equal scores: every 9th row is empty, rows repeat every 17).
    const auto lib = morganish(9000, 21);
    c2s::FingerprintSet q(45, 256);
    for (std::size_t i = 0; i < 45; ++i) q.assign_row(i, lib.row(i * 197));
    std::vector<cd::Kernel> kernels{cd::Kernel::automatic, cd::Kernel::serial, cd::Kernel::sliced_serial};
    for (auto metric : {cd::BitMetric::tanimoto, cd::BitMetric::dice, cd::BitMetric::cosine, cd::BitMetric::intersection}) {
        const Eigen::MatrixXf full = cd::bit_similarity_matrix(lib, q, metric);  // brute force, column j = query j
        for (auto kernel : kernels)
            for (std::size_t k : {1u, 10u, 300u})
                for (int threads : {1, 2}) {
                    INFO("metric " << cd::to_string(metric) << " kernel " << cd::to_string(kernel) << " k " << k);
                    const auto top = cd::bit_top_k(q, lib, metric, k, {threads, kernel});
                    REQUIRE(top.indices.cols() == Eigen::Index(k));
                    std::size_t bad = 0;
                    for (Eigen::Index i = 0; i < 45; ++i) {
                        std::vector<std::int64_t> idx(9000);
                        std::iota(idx.begin(), idx.end(), 0);
                        std::stable_sort(idx.begin(), idx.end(), [&](auto x, auto y) { return full(x, i) > full(y, i); });
                        for (Eigen::Index c = 0; c < Eigen::Index(k); ++c) {
                            bad += top.indices(i, c) != idx[std::size_t(c)];
                            bad += top.scores(i, c) != full(idx[std::size_t(c)], i);
                        }
                    }
                    CHECK(bad == 0);
                    if (metric == cd::BitMetric::tanimoto && k == 10) CHECK(top.pairs_computed < 45u * 9000u);
                    CHECK(top.pairs_computed <= 45u * 9000u);
                }
    }
    // one set, self excluded: equals brute force with the diagonal removed
    const auto a = morganish(5000, 22);
    const auto self = cd::bit_top_k(a, cd::BitMetric::tanimoto, 5, true, {2});
    const Eigen::MatrixXf full = cd::tanimoto_similarity_matrix(a);
    std::size_t bad = 0;
    for (Eigen::Index i = 0; i < 5000; i += 7) {
        std::vector<std::int64_t> idx;
        for (std::int64_t j = 0; j < 5000; ++j)
            if (j != i) idx.push_back(j);
        std::stable_sort(idx.begin(), idx.end(), [&](auto x, auto y) { return full(x, i) > full(y, i); });
        for (Eigen::Index c = 0; c < 5; ++c) bad += self.indices(i, c) != idx[std::size_t(c)];
    }
    CHECK(bad == 0);
}

TEST_CASE("threshold search with popcount pruning finds exactly the pairs of the full matrix") {
    const auto q = morganish(60, 8), lib = morganish(2000, 9);
    for (auto metric : {cd::BitMetric::tanimoto, cd::BitMetric::dice, cd::BitMetric::cosine})
        for (float t : {0.0f, 0.3f, 0.55f, 1.0f})
            for (int threads : {1, 2}) {
                INFO("metric " << cd::to_string(metric) << " threshold " << t);
                const Eigen::MatrixXf full = cd::bit_similarity_matrix(lib, q, metric);
                const auto hits = cd::bit_threshold_search(q, lib, t, metric, {threads});
                REQUIRE(hits.offsets.size() == 61);
                std::size_t expected_total = 0, mismatches = 0;
                for (Eigen::Index i = 0; i < 60; ++i) {
                    std::vector<std::uint32_t> want;
                    for (Eigen::Index j = 0; j < 2000; ++j)
                        if (full(j, i) >= t) want.push_back(std::uint32_t(j));
                    expected_total += want.size();
                    const std::vector<std::uint32_t> got(hits.indices.begin() + std::ptrdiff_t(hits.offsets[std::size_t(i)]),
                                                         hits.indices.begin() + std::ptrdiff_t(hits.offsets[std::size_t(i) + 1]));
                    mismatches += got != want;
                    for (std::size_t h = hits.offsets[std::size_t(i)]; h < hits.offsets[std::size_t(i) + 1]; ++h)
                        mismatches += hits.scores[h] != full(hits.indices[h], i);
                }
                CHECK(mismatches == 0);
                CHECK(hits.indices.size() == expected_total);
                if (t > 0.5f) CHECK(hits.pairs_computed < 60u * 2000u);  // the bound pruned something
            }
    C2S_CHECK_THROWS_WITH_SUBSTR(cd::bit_threshold_search(q, lib, std::nanf(""), cd::BitMetric::tanimoto), std::invalid_argument,
                                 "'threshold' is NaN");
}
