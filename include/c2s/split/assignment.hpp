#pragma once
/// @file assignment.hpp
/// @brief `SideAssignment`: each sample's side (train / validation / test, or excluded), as index
/// lists and as a column for the sample table; the options shared by the train/validation/test
/// splitters (sides, fractions, seed, the control role).

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "c2s/core/error.hpp"

namespace c2s::split {

/// The value a sample on no side gets in a split column.
inline constexpr const char* excluded_side_name = "excluded";

struct SideAssignment {
    /// Names of the sides, e.g. {"train", "validation", "test"}.
    std::vector<std::string> side_names;
    /// Per sample: index into `side_names`, or -1 when the sample is on no side (excluded).
    std::vector<int> side;

    [[nodiscard]] std::size_t num_sides() const noexcept { return side_names.size(); }
    [[nodiscard]] std::size_t num_samples() const noexcept { return side.size(); }
    /// Ascending indices of the samples on side `k`.
    [[nodiscard]] std::vector<std::size_t> indices(std::size_t k) const {
        std::vector<std::size_t> out;
        for (std::size_t i = 0; i < side.size(); ++i)
            if (side[i] == static_cast<int>(k)) out.push_back(i);
        return out;
    }
    /// Ascending indices of the samples on no side.
    [[nodiscard]] std::vector<std::size_t> excluded() const {
        std::vector<std::size_t> out;
        for (std::size_t i = 0; i < side.size(); ++i)
            if (side[i] < 0) out.push_back(i);
        return out;
    }
    [[nodiscard]] std::size_t count(std::size_t k) const {
        std::size_t n = 0;
        for (auto s : side) n += s == static_cast<int>(k) ? 1 : 0;
        return n;
    }
    /// The side name of every sample (`excluded_side_name` for samples on no side).
    [[nodiscard]] std::vector<std::string> column() const {
        std::vector<std::string> out(side.size());
        for (std::size_t i = 0; i < side.size(); ++i)
            out[i] = side[i] < 0 ? excluded_side_name : side_names[static_cast<std::size_t>(side[i])];
        return out;
    }
};

/// Reads a split column back (e.g. from a CSV written by `c2s split`): each value must be one of
/// `side_names` or `excluded_side_name`.
[[nodiscard]] inline SideAssignment assignment_from_column(const std::vector<std::string>& column,
                                                           const std::vector<std::string>& side_names) {
    SideAssignment a;
    a.side_names = side_names;
    a.side.resize(column.size());
    for (std::size_t i = 0; i < column.size(); ++i) {
        if (column[i] == excluded_side_name) {
            a.side[i] = -1;
            continue;
        }
        bool found = false;
        for (std::size_t k = 0; k < side_names.size(); ++k)
            if (column[i] == side_names[k]) {
                a.side[i] = static_cast<int>(k);
                found = true;
            }
        if (!found) {
            std::string have;
            for (const auto& s : side_names) have += (have.empty() ? "" : ", ") + s;
            fail_argument("c2s::split::assignment_from_column", "row ", i + 1, " has side '", column[i],
                          "', which is not one of ", have, " or ", excluded_side_name);
        }
    }
    return a;
}

/// The control role: samples (e.g. DMSO wells) that are not split by compound but by their own
/// grouping (e.g. plate or well) with their own quota, and do not count as a class.
struct ControlRole {
    /// Per sample: nonzero when the sample is a control.
    std::vector<char> is_control;
    /// Per sample: the key that keeps controls together (only read for controls), e.g. the well
    /// or plate so that fields of one well stay on one side.
    std::vector<std::string> groups;
    /// The control quota per side; empty = the same fractions as the other samples.
    std::vector<double> fractions;
};

/// Options shared by the train/validation/test splitters.
struct SideOptions {
    /// Side names; the number of sides is `side_names.size()`.
    std::vector<std::string> side_names{"train", "validation", "test"};
    /// Target fraction of samples per side (non-negative, summing to 1 within 1e-9; a side with
    /// fraction 0 receives nothing).
    std::vector<double> fractions{0.7, 0.15, 0.15};
    /// Seed of the `SplitRng` (std::mt19937_64); the same seed gives the same split.
    std::uint64_t seed = 0;
    /// When true, a stratum with at least as many groups as there are sides with a positive
    /// fraction gets at least one group on each of those sides, even where that moves a side away
    /// from its fraction; strata with fewer groups are reported in `unsplittable_strata`.
    bool every_stratum_on_every_side = true;
    /// Per side and stratum at most this many samples; the extra samples (drawn with the seed)
    /// are excluded, so large classes do not swamp small ones. Not applied to controls.
    std::optional<std::size_t> max_samples_per_class;
    /// At most this many control samples per side (drawn with the seed); the rest are excluded.
    std::optional<std::size_t> max_controls_per_side;
};

namespace detail {

inline void check_side_options(const char* where, const std::vector<std::string>& names,
                               const std::vector<double>& fractions, const char* what = "fractions") {
    if (names.empty()) fail_argument(where, "'side_names' is empty");
    if (fractions.size() != names.size())
        fail_argument(where, "'", what, "' has ", fractions.size(), " entries but there are ", names.size(), " sides");
    double sum = 0;
    for (std::size_t k = 0; k < fractions.size(); ++k) {
        if (!(fractions[k] >= 0) || !std::isfinite(fractions[k]))
            fail_argument(where, "'", what, "' entry ", k, " ('", names[k], "') is ", fractions[k],
                          "; fractions must be finite and non-negative");
        sum += fractions[k];
    }
    if (std::fabs(sum - 1.0) > 1e-9) fail_argument(where, "'", what, "' sum to ", sum, ", not 1");
    for (std::size_t a = 0; a < names.size(); ++a) {
        if (names[a].empty() || names[a] == excluded_side_name)
            fail_argument(where, "side name '", names[a], "' is reserved or empty");
        for (std::size_t b = a + 1; b < names.size(); ++b)
            if (names[a] == names[b]) fail_argument(where, "side name '", names[a], "' is given twice");
    }
}

}  // namespace detail

}  // namespace c2s::split
