#include <doctest/doctest.h>

#include <cmath>

#include "c2s/chem/scaling.hpp"
#include "test_support.hpp"

using namespace c2s::chem;

namespace {
const std::vector<std::string> ids{"a", "b", "c", "d"};
const std::vector<std::string> names{"x", "gap", "const"};
Eigen::MatrixXd table() {
    Eigen::MatrixXd v(4, 3);
    v << 1, 5, 2,  //
        2, NAN, 2, //
        3, 7, 2,   //
        6, 1, 2;
    return v;
}
}  // namespace

TEST_CASE("scale_descriptors: NaN columns are dropped by default and reported") {
    const auto s = scale_descriptors(ids, names, table());
    CHECK(s.names == std::vector<std::string>{"x", "const"});
    REQUIRE(s.dropped.size() == 1);
    CHECK(s.dropped[0] == "gap: 1 non-finite value(s) (b)");
    CHECK(s.values(0, 0) == doctest::Approx(0.0));
    CHECK(s.values(3, 0) == doctest::Approx(1.0));
    CHECK(s.values(1, 0) == doctest::Approx(0.2));
    CHECK(s.values(2, 1) == 0.0);  // constant column -> 0, as scikit-learn
}

TEST_CASE("scale_descriptors: median imputation and z-score") {
    const auto s = scale_descriptors(ids, names, table(), {.method = Scaling::z_score, .missing = MissingValues::impute_median});
    REQUIRE(s.names.size() == 3);
    REQUIRE(s.imputed.size() == 1);
    CHECK(s.imputed[0] == "gap: 1 value(s) set to the median 5 (b)");
    // column gap = 5, 5, 7, 1: mean 4.5, population sd sqrt(4.75)
    CHECK(s.values(2, 1) == doctest::Approx((7 - 4.5) / std::sqrt(4.75)));
    CHECK(s.values.col(0).mean() == doctest::Approx(0.0));
}

TEST_CASE("scale_descriptors: fail names the compound and descriptor; constant columns can be dropped") {
    C2S_CHECK_THROWS_WITH_SUBSTR(scale_descriptors(ids, names, table(), {.missing = MissingValues::fail}),
                                 std::runtime_error, "descriptor 'gap' is nan for compound 'b'");
    const auto s = scale_descriptors(ids, names, table(), {.drop_constant = true});
    CHECK(s.names == std::vector<std::string>{"x"});
    C2S_CHECK_THROWS_WITH_SUBSTR(parse_scaling("log"), std::invalid_argument, "'log' is not");
}
