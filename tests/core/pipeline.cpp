#include <string>
#include <vector>

#include "c2s/core/pipeline.hpp"
#include "test_support.hpp"

TEST_CASE("pipeline composes heterogeneous stages left to right") {
    auto parse = [](const std::string& s) { return std::stoi(s); };
    auto square = [](int x) { return std::vector<int>(static_cast<std::size_t>(x), x); };
    auto total = [](const std::vector<int>& v) {
        double sum = 0;
        for (int x : v) sum += x;
        return sum;
    };
    const auto p = c2s::pipeline(parse, square, total);
    static_assert(decltype(p)::size == 3);
    CHECK(p(std::string("4")) == doctest::Approx(16.0));
    CHECK(c2s::pipeline(parse)(std::string("12")) == 12);
    // A mismatched pipeline, e.g. c2s::pipeline(total, parse)(std::string("1")), stops compilation
    // at the static_assert in c2s::detail::StageCheck<0, ...>; this is checked by the concept:
    static_assert(!c2s::pipeline_stage<decltype(total), std::string>);
}
