// Every concept of c2s/core/concepts.hpp checked both ways: a type that models it, and types that
// each miss one numbered requirement.
#include <Eigen/Dense>

#include <list>
#include <span>
#include <string>
#include <vector>

#include "c2s/core/concepts.hpp"
#include "c2s/core/fingerprints.hpp"
#include "test_support.hpp"

namespace {
struct NoCols {
    using Scalar = double;
    long rows() const;
    double operator()(long, long) const;
};
struct IntScalar {
    using Scalar = int;
    long rows() const;
    long cols() const;
    int operator()(long, long) const;
};
struct FpNoPopcount {
    std::size_t size() const;
    std::size_t num_bits() const;
    std::span<const std::uint64_t> row(std::size_t) const;
};
struct CosineLike {
    static constexpr const char* name = "cosine";
    double operator()(std::span<const float>, std::span<const float>) const noexcept { return 0; }
};
struct Unnamed {
    double operator()(std::span<const float>, std::span<const float>) const noexcept { return 0; }
};
struct Fitted {
    Eigen::MatrixXd apply(const Eigen::MatrixXd& x, const std::vector<std::string>&) const { return x; }
};
struct Corrector {
    Fitted fit(const Eigen::MatrixXd&, const std::vector<std::string>&) const { return {}; }
};
struct NotFitting {};
struct Split {
    std::vector<std::size_t> train, test;
};
struct Splitter {
    std::vector<Split> split(const std::vector<std::string>&) const { return {}; }
};
struct SplitterNoTest {
    struct P {
        std::vector<std::size_t> train;
    };
    std::vector<P> split(const std::vector<std::string>&) const { return {}; }
};
struct Double {
    int operator()(int x) const { return 2 * x; }
};
struct Sink {
    void operator()(int) const {}
};
}  // namespace

TEST_CASE("feature_matrix") {
    static_assert(c2s::feature_matrix<Eigen::MatrixXd>);
    static_assert(c2s::feature_matrix<Eigen::MatrixXf>);
    static_assert(c2s::feature_matrix<Eigen::Ref<const Eigen::MatrixXf>>);
    static_assert(!c2s::feature_matrix<NoCols>);      // 1. cols() missing
    static_assert(!c2s::feature_matrix<IntScalar>);   // 2. Scalar not floating point
    static_assert(!c2s::feature_matrix<Eigen::MatrixXi>);
    CHECK(true);
}

TEST_CASE("fingerprint_set") {
    static_assert(c2s::fingerprint_set<c2s::FingerprintSet>);
    static_assert(!c2s::fingerprint_set<FpNoPopcount>);  // 3. popcount missing
    static_assert(!c2s::fingerprint_set<std::vector<std::uint64_t>>);
    CHECK(true);
}

TEST_CASE("label_sequence") {
    static_assert(c2s::label_sequence<std::vector<std::string>>);
    static_assert(c2s::label_sequence<std::vector<int>>);
    static_assert(c2s::label_sequence<std::span<const std::size_t>>);
    static_assert(!c2s::label_sequence<std::list<int>>);  // 1. not random access
    static_assert(!c2s::label_sequence<int>);
    CHECK(true);
}

TEST_CASE("distance_kernel") {
    static_assert(c2s::distance_kernel<CosineLike, float>);
    static_assert(!c2s::distance_kernel<Unnamed, float>);     // 2. no name
    static_assert(!c2s::distance_kernel<CosineLike, double>);  // 1. wrong element type
    CHECK(true);
}

TEST_CASE("batch_corrector") {
    static_assert(c2s::batch_corrector<Corrector, Eigen::MatrixXd, std::vector<std::string>>);
    static_assert(!c2s::batch_corrector<NotFitting, Eigen::MatrixXd, std::vector<std::string>>);  // 1.
    static_assert(!c2s::batch_corrector<Corrector, Eigen::MatrixXi, std::vector<std::string>>);
    CHECK(true);
}

TEST_CASE("group_splitter") {
    static_assert(c2s::group_splitter<Splitter, std::vector<std::string>>);
    static_assert(!c2s::group_splitter<SplitterNoTest, std::vector<std::string>>);  // 2. no test side
    static_assert(!c2s::group_splitter<Splitter, std::list<std::string>>);
    CHECK(true);
}

TEST_CASE("pipeline_stage") {
    static_assert(c2s::pipeline_stage<Double, int>);
    static_assert(!c2s::pipeline_stage<Double, std::string>);  // 1. cannot take the input
    static_assert(!c2s::pipeline_stage<Sink, int>);            // 1. returns void
    CHECK(true);
}
