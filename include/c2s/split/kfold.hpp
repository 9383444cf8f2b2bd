#pragma once
/// @file kfold.hpp
/// @brief Group k-fold, stratified group k-fold and leave-one-group-out, each reproducing
/// scikit-learn 1.2 (`GroupKFold`, `StratifiedGroupKFold(shuffle=False)`, `LeaveOneGroupOut`)
/// index for index, including its tie-breaking (see numpy_compat.hpp).
///
/// Each splitter's `split(...)` returns `std::vector<Fold>`; a `Fold` has `train` and `test`
/// index lists in ascending order, so the splitters model `c2s::group_splitter`
/// (StratifiedGroupKFold through `with_labels`).

#include <algorithm>
#include <cstddef>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "c2s/core/concepts.hpp"
#include "c2s/core/error.hpp"
#include "c2s/split/labels.hpp"
#include "c2s/split/numpy_compat.hpp"

namespace c2s::split {

/// One train/test split: ascending sample indices.
struct Fold {
    std::vector<std::size_t> train;
    std::vector<std::size_t> test;
};

namespace detail {

/// Folds from each sample's test-fold number (`fold[i]` in [0, k)).
inline std::vector<Fold> folds_from_assignment(const std::vector<std::size_t>& fold, std::size_t k) {
    std::vector<Fold> out(k);
    for (std::size_t i = 0; i < fold.size(); ++i)
        for (std::size_t f = 0; f < k; ++f) (fold[i] == f ? out[f].test : out[f].train).push_back(i);
    return out;
}

}  // namespace detail

/// Each sample's test fold (the inverse of `split`), -1 for a sample in no test fold.
[[nodiscard]] inline std::vector<long> test_fold_of(const std::vector<Fold>& folds, std::size_t num_samples) {
    std::vector<long> out(num_samples, -1);
    for (std::size_t f = 0; f < folds.size(); ++f)
        for (auto i : folds[f].test) {
            if (i >= num_samples)
                fail_argument("c2s::split::test_fold_of", "fold ", f, " holds sample ", i, " but 'num_samples' is ",
                              num_samples);
            out[i] = static_cast<long>(f);
        }
    return out;
}

/**
 * @brief `sklearn.model_selection.GroupKFold(n_splits)`: groups, heaviest first (NumPy argsort
 * order), each go to the fold with the fewest samples so far (lowest index on ties).
 */
struct GroupKFold {
    /// Number of folds (at least 2, at most the number of groups).
    std::size_t n_splits = 5;

    /// Each sample's test fold.
    template <ordered_label_sequence G_>
    [[nodiscard]] std::vector<std::size_t> assign(const G_& groups) const {
        const auto enc = encode(groups);
        if (n_splits < 2)
            fail_argument("c2s::split::GroupKFold", "'n_splits' is ", n_splits, "; k-fold needs at least 2");
        if (n_splits > enc.code.size())
            fail_argument("c2s::split::GroupKFold", "'n_splits' is ", n_splits, " but there are only ",
                          enc.code.size(), " samples");
        if (n_splits > enc.num_labels())
            fail_argument("c2s::split::GroupKFold", "'n_splits' is ", n_splits, " but 'groups' has only ",
                          enc.num_labels(), " distinct groups");
        const auto counts = enc.counts();
        std::vector<long long> sizes(counts.begin(), counts.end());
        auto order = numpy_compat::argsort_quicksort(sizes);
        std::reverse(order.begin(), order.end());
        std::vector<double> load(n_splits, 0.0);
        std::vector<std::size_t> fold_of_group(enc.num_labels(), 0);
        for (auto g : order) {
            const auto lightest =
                static_cast<std::size_t>(std::min_element(load.begin(), load.end()) - load.begin());
            load[lightest] += static_cast<double>(sizes[g]);
            fold_of_group[g] = lightest;
        }
        std::vector<std::size_t> fold(enc.code.size());
        for (std::size_t i = 0; i < fold.size(); ++i) fold[i] = fold_of_group[enc.code[i]];
        return fold;
    }

    template <ordered_label_sequence G_>
    [[nodiscard]] std::vector<Fold> split(const G_& groups) const {
        return detail::folds_from_assignment(assign(groups), n_splits);
    }
};

/**
 * @brief `sklearn.model_selection.StratifiedGroupKFold(n_splits, shuffle=False)`.
 *
 * Groups are taken in order of decreasing standard deviation of their class counts (stable);
 * each goes to the fold that minimises the mean over classes of the standard deviation across
 * folds of the fraction of that class in the fold, ties (np.isclose) going to the fold with the
 * fewest samples, then the lowest index.
 */
struct StratifiedGroupKFold {
    /// Number of folds (at least 2, at most the size of the largest class).
    std::size_t n_splits = 5;

    struct Assignment {
        std::vector<std::size_t> fold;
        /// scikit-learn's UserWarning when the smallest class has fewer members than folds.
        std::vector<std::string> warnings;
    };

    template <ordered_label_sequence Y_, ordered_label_sequence G_>
    [[nodiscard]] Assignment assign(const Y_& y, const G_& groups) const {
        constexpr const char* where = "c2s::split::StratifiedGroupKFold";
        const auto ye = encode(y);
        const auto ge = encode(groups);
        if (ye.code.size() != ge.code.size())
            fail_argument(where, "'y' has ", ye.code.size(), " entries but 'groups' has ", ge.code.size());
        if (n_splits < 2) fail_argument(where, "'n_splits' is ", n_splits, "; k-fold needs at least 2");
        if (n_splits > ye.code.size())
            fail_argument(where, "'n_splits' is ", n_splits, " but there are only ", ye.code.size(), " samples");
        const auto y_cnt = ye.counts();
        const std::size_t n_classes = y_cnt.size();
        const std::size_t largest = *std::max_element(y_cnt.begin(), y_cnt.end());
        if (n_splits > largest)
            fail_argument(where, "'n_splits' is ", n_splits, " but no class of 'y' has that many members (largest: ",
                          largest, ")");
        Assignment out;
        const std::size_t smallest = *std::min_element(y_cnt.begin(), y_cnt.end());
        if (n_splits > smallest)
            out.warnings.push_back(concat("the least populated class in y has only ", smallest,
                                          " members, which is less than n_splits=", n_splits));
        const std::size_t n_groups = ge.num_labels();
        std::vector<double> per_group(n_groups * n_classes, 0.0);
        for (std::size_t i = 0; i < ye.code.size(); ++i) per_group[ge.code[i] * n_classes + ye.code[i]] += 1.0;
        const auto spread = numpy_compat::std_rows(per_group, n_groups, n_classes);
        std::vector<std::size_t> order(n_groups);
        for (std::size_t g = 0; g < n_groups; ++g) order[g] = g;
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return -spread[a] < -spread[b]; });

        std::vector<double> per_fold(n_splits * n_classes, 0.0), scaled(n_splits * n_classes);
        std::vector<std::size_t> fold_of_group(n_groups, 0);
        std::vector<double> std_per_class;
        for (auto g : order) {
            const double* counts = per_group.data() + g * n_classes;
            std::size_t best = 0;
            double min_eval = std::numeric_limits<double>::infinity();
            double min_samples = std::numeric_limits<double>::infinity();
            for (std::size_t f = 0; f < n_splits; ++f) {
                for (std::size_t c = 0; c < n_classes; ++c) per_fold[f * n_classes + c] += counts[c];
                for (std::size_t k = 0; k < n_splits * n_classes; ++k)
                    scaled[k] = per_fold[k] / static_cast<double>(y_cnt[k % n_classes]);
                std_per_class = numpy_compat::std_cols(scaled, n_splits, n_classes);
                for (std::size_t c = 0; c < n_classes; ++c) per_fold[f * n_classes + c] -= counts[c];
                const double eval = numpy_compat::mean(std_per_class);
                const double samples = numpy_compat::pairwise_sum(per_fold.data() + f * n_classes, n_classes);
                if (eval < min_eval || (numpy_compat::isclose(eval, min_eval) && samples < min_samples)) {
                    min_eval = eval;
                    min_samples = samples;
                    best = f;
                }
            }
            for (std::size_t c = 0; c < n_classes; ++c) per_fold[best * n_classes + c] += counts[c];
            fold_of_group[g] = best;
        }
        out.fold.resize(ge.code.size());
        for (std::size_t i = 0; i < out.fold.size(); ++i) out.fold[i] = fold_of_group[ge.code[i]];
        return out;
    }

    template <ordered_label_sequence Y_, ordered_label_sequence G_>
    [[nodiscard]] std::vector<Fold> split(const Y_& y, const G_& groups) const {
        return detail::folds_from_assignment(assign(y, groups).fold, n_splits);
    }
};

/// A StratifiedGroupKFold bound to its class labels, so that `split(groups)` models
/// `c2s::group_splitter`. Keeps a copy of the labels.
template <ordered_label_sequence Y_>
struct StratifiedGroupKFoldWithLabels {
    StratifiedGroupKFold splitter;
    std::vector<std::ranges::range_value_t<Y_>> y;

    template <ordered_label_sequence G_>
    [[nodiscard]] std::vector<Fold> split(const G_& groups) const {
        return splitter.split(y, groups);
    }
};

template <ordered_label_sequence Y_>
[[nodiscard]] StratifiedGroupKFoldWithLabels<Y_> with_labels(StratifiedGroupKFold s, const Y_& y) {
    return {s, std::vector<std::ranges::range_value_t<Y_>>(std::ranges::begin(y), std::ranges::end(y))};
}

/// `sklearn.model_selection.LeaveOneGroupOut`: one fold per group, in sorted group order.
struct LeaveOneGroupOut {
    template <ordered_label_sequence G_>
    [[nodiscard]] std::vector<Fold> split(const G_& groups) const {
        const auto enc = encode(groups);
        if (enc.num_labels() < 2)
            fail_argument("c2s::split::LeaveOneGroupOut", "'groups' has ", enc.num_labels(),
                          " distinct group(s); leave-one-group-out needs at least 2");
        return detail::folds_from_assignment(enc.code, enc.num_labels());
    }
};

static_assert(group_splitter<GroupKFold, std::vector<std::string>>);
static_assert(group_splitter<LeaveOneGroupOut, std::vector<int>>);
static_assert(group_splitter<StratifiedGroupKFoldWithLabels<std::vector<std::string>>, std::vector<std::string>>);

}  // namespace c2s::split
