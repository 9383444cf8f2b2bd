// The error paths of the profile component named in issue 6.

#include <doctest/doctest.h>

#include "c2s/core/labeled_matrix.hpp"
#include "c2s/io/table.hpp"
#include "c2s/profile/centroid.hpp"
#include "c2s/profile/mantel.hpp"
#include "c2s/profile/normalize.hpp"
#include "c2s/profile/select.hpp"
#include "test_support.hpp"

namespace cp = c2s::profile;

TEST_CASE("bad input: a feature column that is not numeric names the file, line and column") {
    c2s::test::TempDir dir;
    c2s::test::write_text(dir / "p.csv", "Metadata_Plate,f1,f2\nP1,1.0,2\nP1,2.5,abc\n");
    C2S_CHECK_THROWS_WITH_SUBSTR(c2s::io::read_table(dir / "p.csv"), std::runtime_error, "line 3, column 3 ('f2'): 'abc'");
}

TEST_CASE("bad input: a reference subset empty on some plate names the plate") {
    Eigen::MatrixXd x = Eigen::MatrixXd::Random(6, 3);
    const std::vector<std::string> plate{"P1", "P1", "P1", "P2", "P2", "P2"};
    const std::vector<bool> ref{true, true, false, false, false, false};
    C2S_CHECK_THROWS_WITH_SUBSTR(cp::normalize(x, plate, ref), std::runtime_error,
                                 "stratum 'P2' has 0 reference row(s)");
    // A table without any reference row.
    c2s::io::Table t;
    t.features = x;
    t.feature_names = {"a", "b", "c"};
    t.metadata_names = {"Metadata_Plate", "Metadata_Compound"};
    t.metadata = {plate, std::vector<std::string>(6, "drug")};
    C2S_CHECK_THROWS_WITH_SUBSTR(cp::normalize_table(t, {}), std::invalid_argument,
                                 "no row has Metadata_Compound == 'DMSO'");
    // A zero scale is a documented result: NaN and a warning.
    Eigen::MatrixXd y = x;
    y.col(1).setConstant(2.0);
    const auto res = cp::normalize(y, plate, std::vector<bool>(6, true));
    CHECK(std::isnan(res.normalized(0, 1)));
    CHECK(res.warnings.size() == 2);
    CHECK(cp::drop_na_columns(res.normalized).dropped == std::vector<std::size_t>{1});
}

TEST_CASE("bad input: a group with one member gets distance 0 and a warning, never filtered") {
    Eigen::MatrixXd x(4, 2);
    x << 1, 0, 0.9, 0.2, 1, 0.1, 0.3, 1;
    const std::vector<std::string> g{"a", "a", "a", "lonely"};
    const auto res = cp::centroid_analysis(x, g);
    CHECK(res.distance[3] == 0.0);
    CHECK(res.kept[3] == 1);
    REQUIRE(res.warnings.size() == 1);
    CHECK(res.warnings[0].find("group 'lonely' has one member") != std::string::npos);
    // Replicate correlation with groups that never have 3 members.
    const std::vector<std::string> singles{"a", "b", "c", "d"};
    C2S_CHECK_THROWS_WITH_SUBSTR(cp::replicate_correlation(x, singles), std::runtime_error,
                                 "no batch has at least 3 groups with exactly 3 replicates");
    C2S_CHECK_THROWS_WITH_SUBSTR(cp::centroid_analysis(x, {"a"}), std::invalid_argument, "'groups' has 1 entries but 'x' has 4 rows");
}

TEST_CASE("bad input: matrices with different compound ids are intersected and reported, or rejected") {
    c2s::LabeledMatrix a{{"A", "B", "C", "D"}, Eigen::MatrixXd::Zero(4, 4), "cosine distance"};
    c2s::LabeledMatrix b{{"B", "C", "D", "E"}, Eigen::MatrixXd::Zero(4, 4), "tanimoto distance"};
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j)
            if (i != j) {
                a.values(i, j) = std::abs(i - j) + 0.1 * (i + j);
                b.values(i, j) = std::abs(i - j) * 0.5 + 0.05 * (i * j);
            }
    const auto res = cp::mantel(a, b, {});
    CHECK(res.n == 3);
    CHECK(res.ids == std::vector<std::string>{"B", "C", "D"});
    CHECK(res.note.find("dropped 1 only in the first (A)") != std::string::npos);
    CHECK(res.note.find("dropped 1 only in the second (E)") != std::string::npos);
    cp::MantelOptions strict;
    strict.require_same_ids = true;
    C2S_CHECK_THROWS_WITH_SUBSTR(cp::mantel(a, b, strict), std::invalid_argument, "the matrices have different ids");
    // Raw matrices of different sizes, or not distance matrices.
    C2S_CHECK_THROWS_WITH_SUBSTR(cp::mantel(a.values, Eigen::MatrixXd(b.values.topLeftCorner(3, 3)), {}), std::invalid_argument,
                                 "'x' is 4 x 4 but 'y' is 3 x 3");
    Eigen::MatrixXd asym = a.values;
    asym(0, 1) += 1;
    C2S_CHECK_THROWS_WITH_SUBSTR(cp::mantel(asym, a.values, {}), std::invalid_argument, "'x' is not symmetric at (1, 0)");
    // A diagonal of rounding noise (1 - u.u of a unit vector) is accepted; a real non-zero diagonal is not.
    Eigen::MatrixXd noisy = a.values;
    noisy(2, 2) = 1.1102230246251565e-16;
    CHECK(cp::mantel(noisy, a.values, {}).statistic == doctest::Approx(1.0));
    noisy(2, 2) = 0.25;
    C2S_CHECK_THROWS_WITH_SUBSTR(cp::mantel(a.values, noisy, {}), std::invalid_argument,
                                 "'y' has 0.25 on the diagonal at 2; a distance matrix is hollow");
}

TEST_CASE("bad input: constant columns in the correlation threshold are named") {
    Eigen::MatrixXd x = Eigen::MatrixXd::Random(10, 3);
    x.col(2).setConstant(1);
    C2S_CHECK_THROWS_WITH_SUBSTR(cp::correlation_threshold(x), std::invalid_argument, "column 2 is constant");
}
