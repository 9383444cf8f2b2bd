#pragma once
/// @file concepts.hpp
/// @brief The concepts that cell2structure's components implement and consume.
///
/// Each concept lists numbered requirements; tests/core/concepts.cpp checks every concept both ways
/// (a type that models it, and types that miss one requirement each).

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <ranges>
#include <span>
#include <string>
#include <type_traits>
#include <utility>

namespace c2s {

/**
 * @brief `feature_matrix<M>`: a dense samples × features matrix of floating-point values.
 *
 * 1. `m.rows()` and `m.cols()` give the number of samples and features (integral).
 * 2. `m(i, j)` gives a value convertible to `double`, and `M::Scalar` is a floating-point type.
 *
 * Modelled by `Eigen::MatrixXd`, `Eigen::MatrixXf`, `Eigen::Ref<const MatrixXf>` and maps.
 */
template <class M_>
concept feature_matrix = requires(const M_& m, std::ptrdiff_t i) {
    { m.rows() } -> std::convertible_to<std::ptrdiff_t>;
    { m.cols() } -> std::convertible_to<std::ptrdiff_t>;
    { m(i, i) } -> std::convertible_to<double>;
    requires std::floating_point<typename std::remove_cvref_t<M_>::Scalar>;
};

/**
 * @brief `fingerprint_set<F>`: rows of bit-packed binary fingerprints.
 *
 * 1. `f.size()` is the number of fingerprints, `f.num_bits()` their length in bits.
 * 2. `f.row(i)` is a contiguous range of `std::uint64_t` words (bit `j` in word `j / 64`).
 * 3. `f.popcount(i)` is the number of bits set in row `i`.
 *
 * Modelled by `c2s::FingerprintSet`.
 */
template <class F_>
concept fingerprint_set = requires(const F_& f, std::size_t i) {
    { f.size() } -> std::convertible_to<std::size_t>;
    { f.num_bits() } -> std::convertible_to<std::size_t>;
    { f.row(i) } -> std::convertible_to<std::span<const std::uint64_t>>;
    { f.popcount(i) } -> std::convertible_to<std::size_t>;
};

/**
 * @brief `label_sequence<L>`: one label (class, group, batch, ...) per sample.
 *
 * 1. `L` is a sized random-access range.
 * 2. Its elements are equality comparable and can be copied (so they can key a map or be sorted
 *    when also totally ordered).
 *
 * Modelled by `std::vector<std::string>`, `std::vector<int>`, `std::span<const std::size_t>`.
 */
template <class L_>
concept label_sequence = std::ranges::random_access_range<L_> && std::ranges::sized_range<L_> &&
                         std::equality_comparable<std::ranges::range_value_t<L_>> &&
                         std::copyable<std::ranges::range_value_t<L_>>;

/**
 * @brief `distance_kernel<K, T>`: a similarity or distance between two vectors of `T`.
 *
 * 1. `k(a, b)` with `a`, `b` of type `std::span<const T>` returns a value convertible to `double`.
 * 2. `K::name` is a string literal naming the measure (used by benchmarks and file headers).
 *
 * Kernels are `noexcept`, never allocate and never start threads (the drivers do).
 */
template <class K_, class T_>
concept distance_kernel = requires(const K_& k, std::span<const T_> a, std::span<const T_> b) {
    { k(a, b) } -> std::convertible_to<double>;
    { K_::name } -> std::convertible_to<const char*>;
};

/**
 * @brief `batch_corrector<C, M, B>`: removes batch effects from a feature matrix.
 *
 * 1. `c.fit(x, batch)` with `x` a `feature_matrix` and `batch` a `label_sequence` returns a fitted
 *    model `r`.
 * 2. `r.apply(x, batch)` returns the corrected matrix, so a model fitted on one data set can be
 *    applied to new samples of known batches.
 */
template <class C_, class M_, class B_>
concept batch_corrector = feature_matrix<M_> && label_sequence<B_> &&
                          requires(const C_& c, const M_& x, const B_& batch) {
                              { c.fit(x, batch) };
                              { c.fit(x, batch).apply(x, batch) };
                          };

/**
 * @brief `group_splitter<S, G>`: assigns samples to sides (folds, or train/validation/test)
 * so that no group (e.g. compound) is on two sides.
 *
 * 1. `s.split(groups)` with `groups` a `label_sequence` returns a range of splits.
 * 2. Each split `p` has `p.train` and `p.test`, ranges of sample indices.
 */
template <class S_, class G_>
concept group_splitter = label_sequence<G_> && requires(const S_& s, const G_& groups) {
    { s.split(groups) } -> std::ranges::range;
    requires requires(std::ranges::range_value_t<decltype(s.split(groups))> p) {
        { p.train } -> std::ranges::range;
        { p.test } -> std::ranges::range;
    };
};

/**
 * @brief `pipeline_stage<S, In>`: a step of a pipeline that accepts `In`.
 *
 * 1. `s(in)` is valid for an `In` and returns a non-void value (the next stage's input).
 *
 * `c2s::pipeline(...)` (c2s/core/pipeline.hpp) checks this stage by stage at compile time.
 */
template <class S_, class In_>
concept pipeline_stage = std::invocable<const S_&, In_> &&
                         !std::is_void_v<std::invoke_result_t<const S_&, In_>>;

}  // namespace c2s
