#include <cmath>
#include <cstdint>
#include <vector>

#include "c2s/io/npy.hpp"
#include "c2s/io/text_file.hpp"
#include "test_support.hpp"

TEST_CASE("npy: files written by numpy are read with shape and values") {
    // tests/fixtures/io/*.npy are written by scripts/fixtures/make_npy_fixtures.py (numpy.save):
    // value(i, j) = i * 10 + j - 0.5 for floats, (i * 10 + j) for integers.
    for (const char* name : {"f4_3x4.npy", "f8_3x4.npy", "u1_3x4.npy", "u8_3x4.npy", "i8_3x4.npy", "f8_vec5.npy"}) {
        CAPTURE(name);
        const auto a = c2s::io::read_npy<double>(c2s::test::fixture(std::string("io/") + name));
        const bool vec = std::string(name).find("vec") != std::string::npos;
        const bool floating = name[0] == 'f';
        if (vec) {
            REQUIRE(a.shape == std::vector<std::size_t>{5});
        } else {
            REQUIRE(a.shape == std::vector<std::size_t>{3, 4});
        }
        for (std::size_t k = 0; k < a.data.size(); ++k) {
            const std::size_t i = vec ? 0 : k / 4, j = vec ? k : k % 4;
            CHECK(a.data[k] == static_cast<double>(i * 10 + j) - (floating ? 0.5 : 0.0));
        }
    }
    const auto u64 = c2s::io::read_npy<std::uint64_t>(c2s::test::fixture("io/u8_3x4.npy"));
    CHECK(u64.data[11] == 23);
    const auto big = c2s::io::read_npy<std::uint64_t>(c2s::test::fixture("io/u8_big.npy"));
    CHECK(big.data[0] == 0xFFFFFFFFFFFFFFFFull);
}

TEST_CASE("npy: write/read round trip for every interchange type, and exact bytes like numpy") {
    c2s::test::TempDir dir;
    const std::vector<float> f{1.5f, -2.0f, 3.25f, 0.0f, 1e-30f, 7.0f};
    c2s::io::write_npy<float>(dir / "f.npy", f, {2, 3});
    const auto rf = c2s::io::read_npy<float>(dir / "f.npy");
    CHECK(rf.shape == std::vector<std::size_t>{2, 3});
    CHECK(rf.data == f);
    const std::vector<std::uint8_t> u{0, 1, 255};
    c2s::io::write_npy<std::uint8_t>(dir / "u.npy", u, {3});
    CHECK(c2s::io::read_npy<std::uint8_t>(dir / "u.npy").data == u);
    const std::vector<std::uint64_t> w{1, 0xFFFFFFFFFFFFFFFFull};
    c2s::io::write_npy<std::uint64_t>(dir / "w.npy", w, {1, 2});
    CHECK(c2s::io::read_npy<std::uint64_t>(dir / "w.npy").data == w);
    const std::vector<double> d{0.1, 0.2};
    c2s::io::write_npy<double>(dir / "d.npy", d, {2, 1});
    CHECK(c2s::io::read_npy<double>(dir / "d.npy").data == d);
    // numpy.save(np.arange(12, dtype='<f4').reshape(3, 4) * 10 + ... ) gives these exact bytes:
    const auto ours = dir / "same.npy";
    const auto fixture = c2s::io::read_npy<float>(c2s::test::fixture("io/f4_3x4.npy"));
    c2s::io::write_npy<float>(ours, fixture.data, fixture.shape);
    CHECK(c2s::io::read_file(ours) == c2s::io::read_file(c2s::test::fixture("io/f4_3x4.npy")));
}

TEST_CASE("npy: bad files and bad requests fail naming the file") {
    c2s::test::TempDir dir;
    c2s::test::write_text(dir / "not.npy", "hello world, not numpy");
    C2S_CHECK_THROWS_WITH_SUBSTR(c2s::io::read_npy<float>(dir / "not.npy"), std::runtime_error, "bad magic string");
    const auto good = c2s::io::read_file(c2s::test::fixture("io/f8_3x4.npy"));
    c2s::test::write_text(dir / "trunc.npy", good.substr(0, good.size() - 8));
    C2S_CHECK_THROWS_WITH_SUBSTR(c2s::io::read_npy<double>(dir / "trunc.npy"), std::runtime_error,
                                 "trunc.npy' is truncated: the header announces 12 elements");
    C2S_CHECK_THROWS_WITH_SUBSTR(c2s::io::read_npy<double>(c2s::test::fixture("io/f8_fortran.npy")),
                                 std::runtime_error, "Fortran-ordered");
    C2S_CHECK_THROWS_WITH_SUBSTR(c2s::io::read_npy<double>(c2s::test::fixture("io/c16_2.npy")), std::runtime_error,
                                 "element type '<c16' is not supported");
    C2S_CHECK_THROWS_WITH_SUBSTR(c2s::io::read_npy<std::uint8_t>(c2s::test::fixture("io/f4_3x4.npy")),
                                 std::runtime_error, "not converted to an integer type");
    const std::vector<float> f(5);
    C2S_CHECK_THROWS_WITH_SUBSTR(c2s::io::write_npy<float>(dir / "x.npy", f, {2, 3}), std::invalid_argument,
                                 "'data' has 5 elements but 'shape' needs 6");
    CHECK_FALSE(std::filesystem::exists(dir / "x.npy"));
}

TEST_CASE("npy: row streaming reads blocks and writes atomically with a row-count check") {
    c2s::test::TempDir dir;
    {
        c2s::io::NpyRowWriter<float> w(dir / "s.npy", 5, 3);
        std::vector<float> block(6);
        for (int b = 0; b < 2; ++b) {
            for (int k = 0; k < 6; ++k) block[static_cast<std::size_t>(k)] = static_cast<float>(b * 6 + k);
            w.write_rows(block);
        }
        CHECK_FALSE(std::filesystem::exists(dir / "s.npy"));
        C2S_CHECK_THROWS_WITH_SUBSTR(w.commit(), std::runtime_error, "4 rows written but 5 announced");
        CHECK_FALSE(std::filesystem::exists(dir / "s.npy"));
        w.write_rows(std::vector<float>{12, 13, 14});
        C2S_CHECK_THROWS_WITH_SUBSTR(w.write_rows(std::vector<float>{1, 2, 3}), std::invalid_argument,
                                     "exceeds the announced 5 rows");
        w.commit();
    }
    c2s::io::NpyRowReader r(dir / "s.npy");
    CHECK(r.rows() == 5);
    CHECK(r.cols() == 3);
    std::vector<double> out(6);
    r.read_rows<double>(3, 2, out);
    CHECK(out == std::vector<double>{9, 10, 11, 12, 13, 14});
    C2S_CHECK_THROWS_WITH_SUBSTR(r.read_rows<double>(4, 2, out), std::invalid_argument, "rows [4, 6) exceed the 5 rows");
    CHECK(c2s::test::count_files(dir.path()) == 1);
}

TEST_CASE("npy: empty arrays round-trip") {
    c2s::test::TempDir dir;
    c2s::io::write_npy<float>(dir / "empty.npy", std::span<const float>{}, {0, 4});
    const auto a = c2s::io::read_npy<double>(dir / "empty.npy");
    CHECK(a.shape == std::vector<std::size_t>{0, 4});
    CHECK(a.data.empty());
}
