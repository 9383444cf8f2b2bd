#pragma once
/// @file pipeline.hpp
/// @brief `c2s::pipeline(stage1, stage2, ...)`: composes heterogeneous stages into one callable.
///
/// Stages are kept in a `boost::hana::tuple`; calling the pipeline folds the input through them.
/// If a stage cannot accept what the previous one returns, compilation stops at a `static_assert`
/// inside `c2s::detail::StageCheck<Index, Stage, Input>`, whose template arguments name the
/// zero-based stage index and the types involved.

#include <boost/hana/fold_left.hpp>
#include <boost/hana/tuple.hpp>

#include <cstddef>
#include <type_traits>
#include <utility>

#include "c2s/core/concepts.hpp"

namespace c2s {
namespace detail {

template <std::size_t Index_, class Stage_, class Input_>
struct StageCheck {
    static_assert(pipeline_stage<Stage_, Input_>,
                  "c2s::pipeline: stage number Index_ (see the template arguments of StageCheck) "
                  "cannot be called with the previous stage's output (Input_), or returns void");
    static constexpr bool value = pipeline_stage<Stage_, Input_>;
};

template <std::size_t Index_, class Input_, class... Stages_>
struct PipelineChecks;

template <std::size_t Index_, class Input_>
struct PipelineChecks<Index_, Input_> {
    using output = Input_;
    static constexpr bool value = true;
};

template <std::size_t Index_, class Input_, class First_, class... Rest_>
struct PipelineChecks<Index_, Input_, First_, Rest_...> {
    static constexpr bool first_ok = StageCheck<Index_, First_, Input_>::value;
    using next = std::conditional_t<first_ok, std::invoke_result_t<const First_&, Input_>, Input_>;
    using rest = PipelineChecks<Index_ + 1, next, Rest_...>;
    using output = typename rest::output;
    static constexpr bool value = first_ok && rest::value;
};

}  // namespace detail

/// A composed pipeline; build one with `c2s::pipeline(...)`.
template <class... Stages_>
class Pipeline {
public:
    explicit Pipeline(Stages_... stages) : stages_(std::move(stages)...) {}

    /// Runs `input` through every stage in order and returns the last stage's result.
    template <class Input_>
        requires detail::PipelineChecks<0, Input_, Stages_...>::value
    auto operator()(Input_&& input) const {
        return boost::hana::fold_left(stages_, std::forward<Input_>(input),
                                      [](auto&& value, const auto& stage) {
                                          return stage(std::forward<decltype(value)>(value));
                                      });
    }

    /// Number of stages.
    static constexpr std::size_t size = sizeof...(Stages_);

private:
    boost::hana::tuple<Stages_...> stages_;
};

/// Composes `stages` left to right: `pipeline(f, g)(x) == g(f(x))`.
template <class... Stages_>
[[nodiscard]] Pipeline<std::decay_t<Stages_>...> pipeline(Stages_&&... stages) {
    return Pipeline<std::decay_t<Stages_>...>(std::forward<Stages_>(stages)...);
}

}  // namespace c2s
