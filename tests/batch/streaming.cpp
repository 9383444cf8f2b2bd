// The streaming path (row blocks of an .npy file) equals the in-memory result.
#include <doctest/doctest.h>

#include <random>

#include "c2s/batch/combat_streaming.hpp"
#include "test_support.hpp"

namespace {
struct Data {
    Eigen::MatrixXd x;
    std::vector<std::string> batch;
    Eigen::MatrixXd cov;
};
Data make(Eigen::Index n, Eigen::Index g) {
    std::mt19937_64 rng(11);
    std::normal_distribution<double> normal;
    Data d;
    d.x.resize(n, g);
    d.cov.resize(n, 1);
    for (Eigen::Index i = 0; i < n; ++i) {
        const int b = static_cast<int>((i * 7) % 5);
        d.batch.push_back(c2s::concat("batch", b));
        d.cov(i, 0) = (i % 4 == 0) ? 1.0 : 0.0;
        for (Eigen::Index j = 0; j < g; ++j)
            d.x(i, j) = 1.0 + 0.3 * b * static_cast<double>(j % 3) + (1.0 + 0.2 * b) * normal(rng) + 0.7 * d.cov(i, 0) * static_cast<double>(j % 2);
    }
    return d;
}
std::vector<double> as_row_major(const Eigen::MatrixXd& x) {
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> r = x;
    return {r.data(), r.data() + r.size()};
}
}  // namespace

TEST_CASE("combat_npy over row blocks equals the in-memory combat (double, with covariates)") {
    const auto d = make(203, 17);
    c2s::test::TempDir dir;
    const auto values = as_row_major(d.x);
    c2s::io::write_npy<double>(dir / "x.npy", values, {203, 17});
    for (bool parametric : {true, false}) {
        c2s::batch::CombatOptions o;
        o.parametric = parametric;
        o.num_threads = 2;
        const auto mem = c2s::batch::combat(d.x, d.batch, &d.cov, o);
        c2s::batch::CombatStreamingOptions so;
        so.block_rows = 16;
        const auto st = c2s::batch::combat_npy(dir / "x.npy", d.batch, &d.cov, dir / "y.npy", o, so);
        CHECK(st.rows == 203);
        const auto y = c2s::io::read_npy<double>(dir / "y.npy");
        REQUIRE(y.shape == std::vector<std::size_t>{203, 17});
        const Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> ym(y.data.data(), 203, 17);
        // Block sums are added in another order than one big block: equal to rounding.
        CHECK((ym - mem.corrected).cwiseAbs().maxCoeff() < 1e-11);
        CHECK((st.model.gamma_star - mem.model.gamma_star).cwiseAbs().maxCoeff() < 1e-11);
        CHECK((ym - d.x).cwiseAbs().maxCoeff() > 0.1);
    }
}

TEST_CASE("combat_npy keeps float32 files float32 and apply_npy reuses a model") {
    const auto d = make(120, 9);
    c2s::test::TempDir dir;
    std::vector<float> values;
    for (double v : as_row_major(d.x)) values.push_back(static_cast<float>(v));
    c2s::io::write_npy<float>(dir / "x.npy", values, {120, 9});
    c2s::batch::CombatStreamingOptions so;
    so.block_rows = 25;
    const auto st = c2s::batch::combat_npy(dir / "x.npy", d.batch, nullptr, dir / "y.npy", {}, so);
    CHECK(c2s::io::read_npy_header(dir / "y.npy").dtype == c2s::io::DType::float32);
    const Eigen::MatrixXf xf = d.x.cast<float>();
    const auto mem = c2s::batch::combat_any(xf, d.batch);
    const auto y = c2s::io::read_npy<float>(dir / "y.npy");
    const Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> ym(y.data.data(), 120, 9);
    CHECK((ym - mem.corrected).cwiseAbs().maxCoeff() < 1e-5f);
    c2s::batch::apply_npy(st.model, dir / "x.npy", d.batch, nullptr, dir / "z.npy");
    const auto z = c2s::io::read_npy<float>(dir / "z.npy");
    CHECK(z.data == y.data);
    // A bad batch vector leaves no output file behind.
    std::vector<std::string> short_batch(d.batch.begin(), d.batch.end() - 2);
    C2S_CHECK_THROWS_WITH_SUBSTR(c2s::batch::combat_npy(dir / "x.npy", short_batch, nullptr, dir / "w.npy"),
                                 std::invalid_argument, "'batch' has 118 entries but 'x' has 120 rows");
    CHECK(!std::filesystem::exists(dir / "w.npy"));
}
