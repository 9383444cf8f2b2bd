// Matrix drivers: N×N, N×M, condensed; conventions; errors; threads.

#include <random>

#include "c2s/distance/matrix.hpp"
#include "test_support.hpp"

namespace cd = c2s::distance;

namespace {

c2s::FingerprintSet sparse_fps(std::size_t n, std::size_t bits, std::uint64_t seed, double p = 0.02) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0, 1);
    c2s::FingerprintSet f(n, bits);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t b = 0; b < bits; ++b)
            if (i % 5 != 0 && u(rng) < p * double(i % 7 + 1)) f.set(i, b);  // every 5th row empty
    return f;
}

float brute_tanimoto(const c2s::FingerprintSet& a, std::size_t i, const c2s::FingerprintSet& b, std::size_t j) {
    std::uint32_t both = 0, either = 0;
    for (std::size_t k = 0; k < a.num_bits(); ++k) {
        both += a.test(i, k) && b.test(j, k);
        either += a.test(i, k) || b.test(j, k);
    }
    return either == 0 ? 1.0f : float(both) / float(either);
}

}  // namespace

TEST_CASE("tanimoto matrices equal a brute-force bit loop, for every kernel and thread count") {
    const auto a = sparse_fps(70, 300, 1);
    const auto b = sparse_fps(45, 300, 2);
    for (auto k : {cd::Kernel::automatic, cd::Kernel::serial, cd::Kernel::sliced_serial}) {
        for (int threads : {1, 2, 3}) {
            const cd::MatrixOptions opt{threads, k};
            const Eigen::MatrixXf ab = cd::tanimoto_similarity_matrix(a, b, opt);
            const Eigen::MatrixXf aa = cd::tanimoto_similarity_matrix(a, opt);
            REQUIRE(ab.rows() == 70);
            REQUIRE(ab.cols() == 45);
            REQUIRE(aa.rows() == 70);
            for (Eigen::Index i = 0; i < 70; ++i) {
                for (Eigen::Index j = 0; j < 45; ++j) REQUIRE(ab(i, j) == brute_tanimoto(a, i, b, j));
                for (Eigen::Index j = 0; j < 70; ++j) REQUIRE(aa(i, j) == brute_tanimoto(a, i, a, j));
            }
        }
    }
}

TEST_CASE("empty fingerprints: Tanimoto 1 with each other, 0 with any non-empty one; Dice and cosine 0") {
    c2s::FingerprintSet f(3, 2048);
    f.set(2, 17);
    const auto t = cd::tanimoto_similarity_matrix(f);
    CHECK(t(0, 1) == 1.0f);
    CHECK(t(0, 0) == 1.0f);
    CHECK(t(0, 2) == 0.0f);
    CHECK(t(2, 2) == 1.0f);
    const auto d = cd::dice_similarity_matrix(f);
    CHECK(d(0, 1) == 0.0f);
    CHECK(d(2, 2) == 1.0f);
    const auto c = cd::bit_similarity_matrix(f, cd::BitMetric::cosine);
    CHECK(c(0, 1) == 0.0f);
    CHECK(c(0, 2) == 0.0f);
    CHECK(c(2, 2) == 1.0f);
}

TEST_CASE("N = 0 and N = 1") {
    const c2s::FingerprintSet none(0, 2048), one = sparse_fps(2, 2048, 5);
    c2s::FingerprintSet single(1, 2048);
    single.set(0, 3);
    CHECK(cd::tanimoto_similarity_matrix(none).size() == 0);
    CHECK(cd::tanimoto_similarity_matrix(none, one).rows() == 0);
    CHECK(cd::tanimoto_similarity_matrix(none, one).cols() == 2);
    CHECK(cd::tanimoto_similarity_matrix(one, none).rows() == 2);
    CHECK(cd::tanimoto_similarity_matrix(one, none).cols() == 0);
    const auto s = cd::tanimoto_similarity_matrix(single);
    REQUIRE(s.rows() == 1);
    CHECK(s(0, 0) == 1.0f);
    CHECK(cd::condensed_bit_similarity(single, cd::BitMetric::tanimoto).empty());
    CHECK(cd::condensed_bit_similarity(none, cd::BitMetric::tanimoto).empty());
    const Eigen::MatrixXf e0(0, 5), e1 = Eigen::MatrixXf::Ones(1, 5);
    CHECK(cd::cosine_similarity_matrix(e0).size() == 0);
    const Eigen::MatrixXf c1 = cd::cosine_similarity_matrix(e1);
    REQUIRE(c1.size() == 1);
    CHECK(c1(0, 0) == doctest::Approx(1.0).epsilon(1e-6));
    CHECK(cd::cosine_similarity_matrix(e0, e1).rows() == 0);
}

TEST_CASE("mismatched lengths are refused with both lengths named") {
    const c2s::FingerprintSet a(2, 2048), b(2, 1024);
    C2S_CHECK_THROWS_WITH_SUBSTR(cd::tanimoto_similarity_matrix(a, b), std::invalid_argument,
                                 "c2s::distance::bit_similarity_matrix: 'a' has 2048-bit fingerprints but 'b' has 1024-bit");
    C2S_CHECK_THROWS_WITH_SUBSTR(cd::tanimoto(a, 0, b, 0), std::invalid_argument, "lengths must match");
    const Eigen::MatrixXf x(3, 4), y(3, 5);
    C2S_CHECK_THROWS_WITH_SUBSTR(cd::cosine_similarity_matrix(x, y), std::invalid_argument,
                                 "c2s::distance::cosine_similarity_matrix: 'a' has 4 columns but 'b' has 5");
    const c2s::FingerprintSet huge(1, 5000);
    C2S_CHECK_THROWS_WITH_SUBSTR(cd::tanimoto_similarity_matrix(huge), std::invalid_argument, "5000 bits; at most 4096");
}

TEST_CASE("condensed upper triangle equals the full matrix in pdist order, for odd and even N and threads") {
    for (std::size_t n : {2u, 3u, 9u, 10u, 600u}) {
        const auto a = sparse_fps(n, 256, n);
        const auto full = cd::bit_similarity_matrix(a, cd::BitMetric::dice);
        for (int threads : {1, 2}) {
            const auto cond = cd::condensed_bit_similarity(a, cd::BitMetric::dice, {threads});
            REQUIRE(cond.size() == n * (n - 1) / 2);
            std::size_t k = 0, bad = 0;
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t j = i + 1; j < n; ++j, ++k) {
                    CHECK(cd::condensed_index(n, i, j) == k);
                    bad += cond[k] != full(Eigen::Index(i), Eigen::Index(j));
                }
            CHECK(bad == 0);
        }
    }
}

TEST_CASE("cosine: zero rows give 0 (never NaN), NaN input gives NaN, N×N equals N×M") {
    Eigen::MatrixXf x(4, 3);
    x << 1, 2, 3,  //
        0, 0, 0,   //
        -1, 0, 2,  //
        3, 6, 9;
    for (int threads : {1, 2}) {
        const Eigen::MatrixXf c = cd::cosine_similarity_matrix(x, {threads});
        const Eigen::MatrixXf cx = cd::cosine_similarity_matrix(x, x, {threads});
        CHECK(c(1, 1) == 0.0f);
        CHECK(c(0, 1) == 0.0f);
        CHECK(c(1, 2) == 0.0f);
        CHECK(c(0, 3) == doctest::Approx(1.0).epsilon(1e-6));
        CHECK(c(0, 2) == doctest::Approx(5.0 / (std::sqrt(14.0) * std::sqrt(5.0))).epsilon(1e-6));
        CHECK(!c.array().isNaN().any());
        CHECK((c - cx).cwiseAbs().maxCoeff() <= 1e-6f);
        CHECK((c - c.transpose()).cwiseAbs().maxCoeff() == 0.0f);
    }
    Eigen::MatrixXd y = x.cast<double>();
    y(2, 1) = std::nan("");
    const Eigen::MatrixXd cy = cd::cosine_similarity_matrix(y);
    CHECK(std::isnan(cy(2, 0)));
    CHECK(std::isnan(cy(2, 2)));
    CHECK(cy(0, 1) == 0.0);
    CHECK(cy(0, 3) == doctest::Approx(1.0).epsilon(1e-12));
}

namespace {
/// The serial reference kernel, one query (column) at a time: out[j * ld + i] = sim(a_i, a_j).
std::vector<float> serial_reference(const c2s::FingerprintSet& a, cd::BitMetric m) {
    const std::size_t n = a.size();
    std::vector<float> out(n * n);
    const auto fn = cd::dense_row_kernel(cd::Kernel::serial, m);
    for (std::size_t j = 0; j < n; ++j)
        fn(a.row_data(j), a.popcount(j), a.data(), a.stride(), a.num_words(), a.popcounts().data(), n, out.data() + j * n);
    return out;
}
std::vector<cd::Kernel> all_kernels() {
    std::vector<cd::Kernel> out;
    for (auto k : {cd::Kernel::automatic, cd::Kernel::serial, cd::Kernel::avx2, cd::Kernel::avx512, cd::Kernel::sliced_serial,
                   cd::Kernel::sliced_avx512})
        if (cd::kernel_available(k)) out.push_back(k);
    return out;
}
}  // namespace

TEST_CASE("symmetric N×N driver equals the serial reference bit for bit (kernels, metrics, layouts, threads)") {
    // Rows with 0 to ~280 bits: sliced kernels for sparse rows, the dense fallback above 160 / 255 bits.
    for (std::size_t n : {1u, 2u, 17u, 33u, 530u, 1100u}) {
        const auto a = sparse_fps(n, 2048, n);
        for (auto metric : {cd::BitMetric::tanimoto, cd::BitMetric::dice, cd::BitMetric::cosine, cd::BitMetric::intersection}) {
            const auto want = serial_reference(a, metric);
            for (auto k : all_kernels()) {
                if (n == 1100 && k != cd::Kernel::automatic) continue;  // keeps the suite fast
                const cd::BitEngine engine(a, metric, k, "test");
                // ld = n (contiguous) and a padded ld (multiple of 16: 64-byte mirrored lines);
                // offsets move the output off 64-byte alignment; stream on/off; 1 to 3 threads.
                for (std::size_t ld : {n, (n + 15) / 16 * 16 + 16}) {
                    for (std::size_t offset : {0u, 3u, 8u}) {
                        for (bool stream : {false, true}) {
                            for (int threads : {1, 2, 3}) {
                                if (n >= 530 && (threads == 3 || offset == 8)) continue;
                                if (n == 1100 && offset == 3) continue;
                                INFO("n " << n << " metric " << cd::to_string(metric) << " kernel " << cd::to_string(k)
                                          << " ld " << ld << " offset " << offset << " stream " << stream << " threads "
                                          << threads);
                                std::vector<float, c2s::AlignedAllocator<float>> buf(ld * n + 64, -7.0f);
                                cd::detail::fill_symmetric(engine, a, buf.data() + offset, ld, threads, stream);
                                std::size_t bad = 0, clobbered = 0;
                                for (std::size_t j = 0; j < n; ++j) {
                                    for (std::size_t i = 0; i < n; ++i) bad += buf[offset + j * ld + i] != want[j * n + i];
                                    for (std::size_t i = n; i < ld && j * ld + i + offset < buf.size(); ++i)
                                        clobbered += buf[offset + j * ld + i] != -7.0f;  // padding untouched
                                }
                                for (std::size_t i = 0; i < offset; ++i) clobbered += buf[i] != -7.0f;
                                REQUIRE(bad == 0);
                                REQUIRE(clobbered == 0);
                            }
                        }
                    }
                }
            }
        }
    }
}

TEST_CASE("N×N entry points use the symmetric driver and agree with the rectangular one") {
    const auto a = sparse_fps(700, 2048, 11);
    c2s::FingerprintSet copy(a.size(), a.num_bits());
    for (std::size_t i = 0; i < a.size(); ++i) copy.assign_row(i, a.row(i));
    for (int threads : {1, 2}) {
        const Eigen::MatrixXf rect = cd::tanimoto_similarity_matrix(a, copy, {threads});  // N×M driver
        CHECK((cd::tanimoto_similarity_matrix(a, {threads}).array() == rect.array()).all());
        CHECK((cd::tanimoto_similarity_matrix(a, a, {threads}).array() == rect.array()).all());
        Eigen::MatrixXf out = Eigen::MatrixXf::Constant(700, 700, -1.0f);
        cd::bit_similarity_matrix_into(a, cd::BitMetric::tanimoto, out, {threads});
        CHECK((out.array() == rect.array()).all());
        out.setConstant(-1.0f);
        cd::bit_similarity_matrix_into(a, a, cd::BitMetric::tanimoto, out, {threads});
        CHECK((out.array() == rect.array()).all());
        Eigen::MatrixXf wrong(700, 699);
        C2S_CHECK_THROWS_WITH_SUBSTR(cd::bit_similarity_matrix_into(a, cd::BitMetric::tanimoto, wrong),
                                     std::invalid_argument, "'out' is 700 x 699");
    }
}
