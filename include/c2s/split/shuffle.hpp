#pragma once
/// @file shuffle.hpp
/// @brief Group shuffle split into train / validation / test (any number of sides) with target
/// fractions: no group on two sides, optionally stratified (e.g. by MoA) so every stratum appears
/// on every side when it has enough groups, controls (e.g. DMSO) as a role with their own quota,
/// per-class caps, and balanced class weights.
///
/// Algorithm (deterministic for a seed, see random.hpp): strata are visited in sorted order; the
/// groups of a stratum, in sorted label order, are shuffled with the seeded `SplitRng` and then
/// stably sorted by decreasing size. Each group in turn goes to the side whose sample count falls
/// furthest below its target `fraction * stratum size` (ties: larger fraction, then first side).
/// With `every_stratum_on_every_side`, once the groups left are no more than the sides still
/// without a group of the stratum, they go to those sides (largest deficit first).
///
/// Guarantees (tested over random group structures): no group on two sides; every side's sample
/// count stays below its target plus the largest group of the stratum; without the every-side rule
/// it is also above its target minus the largest group, i.e. within one group of the target.

#include <algorithm>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "c2s/core/concepts.hpp"
#include "c2s/core/error.hpp"
#include "c2s/split/assignment.hpp"
#include "c2s/split/labels.hpp"
#include "c2s/split/random.hpp"

namespace c2s::split {

/// What happened to one stratum (or to the controls) in a split.
struct StratumReport {
    std::string name;
    bool control = false;
    std::size_t groups = 0;
    std::vector<std::size_t> groups_per_side;
    std::vector<std::size_t> samples_per_side;
    /// Samples excluded by `max_samples_per_class` / `max_controls_per_side`.
    std::size_t capped = 0;
    /// Samples excluded because their batch is on another side (two-key split only).
    std::size_t excluded_by_batch = 0;
    /// True when the stratum has samples on every side with a positive fraction.
    bool on_every_side = false;
};

struct SplitResult {
    SideAssignment assignment;
    /// Strata in sorted order, then the controls (if any).
    std::vector<StratumReport> strata;
    /// Strata with fewer groups than sides (e.g. a MoA with a single compound): they cannot be on
    /// every side.
    std::vector<std::string> unsplittable_strata;
    std::vector<std::string> warnings;
};

namespace detail {

/// Greedy deficit allocation of groups (`order`, already in processing order) to sides.
/// Returns the side of each entry of `order`.
inline std::vector<int> allocate_groups(const std::vector<std::size_t>& order, const std::vector<std::size_t>& size_of,
                                        const std::vector<double>& fractions, bool every_side) {
    const std::size_t k = fractions.size();
    double total = 0;
    for (auto g : order) total += static_cast<double>(size_of[g]);
    std::vector<std::size_t> active;
    for (std::size_t s = 0; s < k; ++s)
        if (fractions[s] > 0) active.push_back(s);
    const bool need_every = every_side && order.size() >= active.size();
    std::vector<double> have(k, 0.0);
    std::vector<std::size_t> groups_on(k, 0);
    std::vector<int> out(order.size(), -1);
    for (std::size_t p = 0; p < order.size(); ++p) {
        std::vector<std::size_t> candidates;
        if (need_every) {
            for (auto s : active)
                if (groups_on[s] == 0) candidates.push_back(s);
            if (order.size() - p > candidates.size()) candidates.clear();
        }
        if (candidates.empty()) candidates = active;
        std::size_t best = candidates.front();
        for (auto s : candidates) {
            const double d = fractions[s] * total - have[s], db = fractions[best] * total - have[best];
            if (d > db || (d == db && fractions[s] > fractions[best])) best = s;
        }
        out[p] = static_cast<int>(best);
        have[best] += static_cast<double>(size_of[order[p]]);
        ++groups_on[best];
    }
    return out;
}

/// Shuffles `ids` with `rng`, then stably sorts them by decreasing size.
inline void shuffled_by_size(std::vector<std::size_t>& ids, const std::vector<std::size_t>& size_of, SplitRng& rng) {
    rng.shuffle(ids);
    std::stable_sort(ids.begin(), ids.end(), [&](std::size_t a, std::size_t b) { return size_of[a] > size_of[b]; });
}

/// Keeps at most `cap` of `members` (chosen with `rng`); returns those to exclude.
inline std::vector<std::size_t> over_cap(std::vector<std::size_t> members, std::size_t cap, SplitRng& rng) {
    if (members.size() <= cap) return {};
    rng.shuffle(members);
    std::vector<std::size_t> drop(members.begin() + static_cast<std::ptrdiff_t>(cap), members.end());
    std::sort(drop.begin(), drop.end());
    return drop;
}

}  // namespace detail

/**
 * @brief Splits samples into sides so that no group is on two sides, stratified by `strata`.
 * @param groups  per sample, the group that must stay on one side (e.g. compound)
 * @param strata  per sample, the class to spread over the sides (e.g. MoA); a group whose samples
 *                have several strata is placed by its most common one (reported in `warnings`)
 * @param options sides, fractions, seed, caps
 * @param controls optional control role: controls are split by `controls->groups` with their own
 *                quota and are not a stratum
 */
template <ordered_label_sequence G_, ordered_label_sequence S_>
[[nodiscard]] SplitResult stratified_group_split(const G_& groups, const S_& strata, const SideOptions& options = {},
                                                 const ControlRole* controls = nullptr) {
    constexpr const char* where = "c2s::split::stratified_group_split";
    detail::check_side_options(where, options.side_names, options.fractions);
    const auto ge = encode(groups);
    const auto se = encode(strata);
    const std::size_t n = ge.code.size(), k = options.side_names.size();
    if (se.code.size() != n) fail_argument(where, "'strata' has ", se.code.size(), " entries but 'groups' has ", n);
    std::vector<double> control_fractions = options.fractions;
    if (controls) {
        if (controls->is_control.size() != n)
            fail_argument(where, "'controls.is_control' has ", controls->is_control.size(), " entries but 'groups' has ", n);
        if (controls->groups.size() != n)
            fail_argument(where, "'controls.groups' has ", controls->groups.size(), " entries but 'groups' has ", n);
        if (!controls->fractions.empty()) {
            detail::check_side_options(where, options.side_names, controls->fractions, "controls.fractions");
            control_fractions = controls->fractions;
        }
    }
    auto is_control = [&](std::size_t i) { return controls && controls->is_control[i] != 0; };
    const auto group_names = names_of(ge);
    const auto stratum_names = names_of(se);

    SplitResult result;
    result.assignment.side_names = options.side_names;
    result.assignment.side.assign(n, -1);

    // Each group's stratum: the most common among its non-control samples.
    const std::size_t ng = ge.num_labels(), ns = se.num_labels();
    std::vector<std::map<std::size_t, std::size_t>> strata_of_group(ng);
    std::vector<std::size_t> size_of(ng, 0);
    std::vector<char> group_has_control(ng, 0);
    for (std::size_t i = 0; i < n; ++i) {
        if (is_control(i)) {
            group_has_control[ge.code[i]] = 1;
            continue;
        }
        ++strata_of_group[ge.code[i]][se.code[i]];
        ++size_of[ge.code[i]];
    }
    std::vector<std::vector<std::size_t>> groups_of_stratum(ns);
    std::vector<std::size_t> stratum_of_group(ng, 0);
    for (std::size_t g = 0; g < ng; ++g) {
        if (size_of[g] == 0) continue;
        std::size_t best = strata_of_group[g].begin()->first, best_n = 0;
        for (auto [s, c] : strata_of_group[g])
            if (c > best_n) best = s, best_n = c;
        if (strata_of_group[g].size() > 1)
            result.warnings.push_back(concat("group '", group_names[g], "' has samples of ", strata_of_group[g].size(),
                                             " strata; it is placed by its most common one, '", stratum_names[best], "'"));
        if (group_has_control[g])
            result.warnings.push_back(concat("group '", group_names[g],
                                             "' has both control and other samples; its controls are split "
                                             "by the control grouping and may sit on other sides"));
        stratum_of_group[g] = best;
        groups_of_stratum[best].push_back(g);
    }

    SplitRng rng(options.seed);
    std::vector<int> side_of_group(ng, -1);
    std::size_t active = 0;
    for (auto f : options.fractions) active += f > 0 ? 1 : 0;
    for (std::size_t s = 0; s < ns; ++s) {
        auto ids = groups_of_stratum[s];
        if (ids.empty()) continue;
        if (ids.size() < active) result.unsplittable_strata.push_back(stratum_names[s]);
        detail::shuffled_by_size(ids, size_of, rng);
        const auto sides = detail::allocate_groups(ids, size_of, options.fractions, options.every_stratum_on_every_side);
        for (std::size_t p = 0; p < ids.size(); ++p) side_of_group[ids[p]] = sides[p];
    }
    for (std::size_t i = 0; i < n; ++i)
        if (!is_control(i)) result.assignment.side[i] = side_of_group[ge.code[i]];

    // Controls: split by their own grouping and quota.
    Encoded<std::string> ce;
    if (controls) {
        std::vector<std::string> keys;
        std::vector<std::size_t> members;
        for (std::size_t i = 0; i < n; ++i)
            if (is_control(i)) keys.push_back(controls->groups[i]), members.push_back(i);
        ce = encode(keys);
        std::vector<std::size_t> csize = ce.counts(), ids(ce.num_labels());
        for (std::size_t g = 0; g < ids.size(); ++g) ids[g] = g;
        detail::shuffled_by_size(ids, csize, rng);
        const auto sides = detail::allocate_groups(ids, csize, control_fractions, options.every_stratum_on_every_side);
        std::vector<int> side_of(ids.size());
        for (std::size_t p = 0; p < ids.size(); ++p) side_of[ids[p]] = sides[p];
        for (std::size_t m = 0; m < members.size(); ++m) result.assignment.side[members[m]] = side_of[ce.code[m]];
    }

    // Caps.
    std::vector<std::size_t> capped(ns + 1, 0);
    if (options.max_samples_per_class || (controls && options.max_controls_per_side)) {
        for (std::size_t side = 0; side < k; ++side) {
            std::vector<std::vector<std::size_t>> members(ns + 1);
            for (std::size_t i = 0; i < n; ++i)
                if (result.assignment.side[i] == static_cast<int>(side))
                    members[is_control(i) ? ns : stratum_of_group[ge.code[i]]].push_back(i);
            for (std::size_t s = 0; s <= ns; ++s) {
                const bool ctrl = s == ns;
                const auto& cap = ctrl ? options.max_controls_per_side : options.max_samples_per_class;
                if (!cap) continue;
                for (auto i : detail::over_cap(members[s], *cap, rng)) {
                    result.assignment.side[i] = -1;
                    ++capped[s];
                }
            }
        }
    }

    // Report.
    auto make_report = [&](const std::string& name, bool ctrl, std::size_t num_groups) {
        StratumReport r;
        r.name = name;
        r.control = ctrl;
        r.groups = num_groups;
        r.groups_per_side.assign(k, 0);
        r.samples_per_side.assign(k, 0);
        return r;
    };
    for (std::size_t s = 0; s < ns; ++s) {
        if (groups_of_stratum[s].empty()) continue;
        auto r = make_report(stratum_names[s], false, groups_of_stratum[s].size());
        std::vector<std::vector<char>> seen(k, std::vector<char>(ng, 0));
        for (std::size_t i = 0; i < n; ++i) {
            const int side = result.assignment.side[i];
            if (is_control(i) || side < 0 || stratum_of_group[ge.code[i]] != s) continue;
            ++r.samples_per_side[static_cast<std::size_t>(side)];
            auto& flag = seen[static_cast<std::size_t>(side)][ge.code[i]];
            if (!flag) flag = 1, ++r.groups_per_side[static_cast<std::size_t>(side)];
        }
        r.capped = capped[s];
        r.on_every_side = true;
        for (std::size_t side = 0; side < k; ++side)
            if (options.fractions[side] > 0 && r.samples_per_side[side] == 0) r.on_every_side = false;
        result.strata.push_back(std::move(r));
    }
    if (controls && ce.num_labels() > 0) {
        auto r = make_report("control", true, ce.num_labels());
        std::vector<std::vector<char>> seen(k, std::vector<char>(ce.num_labels(), 0));
        std::size_t m = 0;
        for (std::size_t i = 0; i < n; ++i) {
            if (!is_control(i)) continue;
            const int side = result.assignment.side[i];
            const auto code = ce.code[m++];
            if (side < 0) continue;
            ++r.samples_per_side[static_cast<std::size_t>(side)];
            auto& flag = seen[static_cast<std::size_t>(side)][code];
            if (!flag) flag = 1, ++r.groups_per_side[static_cast<std::size_t>(side)];
        }
        r.capped = capped[ns];
        r.on_every_side = true;
        for (std::size_t side = 0; side < k; ++side)
            if (control_fractions[side] > 0 && r.samples_per_side[side] == 0) r.on_every_side = false;
        result.strata.push_back(std::move(r));
    }
    return result;
}

/// Unstratified group shuffle split: `stratified_group_split` with a single stratum.
template <ordered_label_sequence G_>
[[nodiscard]] SplitResult group_shuffle_split(const G_& groups, const SideOptions& options = {},
                                              const ControlRole* controls = nullptr) {
    const std::vector<int> one(static_cast<std::size_t>(std::ranges::size(groups)), 0);
    auto r = stratified_group_split(groups, one, options, controls);
    for (auto& s : r.strata)
        if (!s.control) s.name = "all";
    for (auto& s : r.unsplittable_strata) s = "all";
    return r;
}

/**
 * @brief Balanced per-sample weights: on each side, a sample of class c gets
 * `n_side / (classes_on_side * n_{c,side})` (scikit-learn's "balanced" class weight, per side), so
 * every class contributes equally to a loss; excluded samples get 0.
 */
template <ordered_label_sequence Y_>
[[nodiscard]] std::vector<double> balanced_weights(const SideAssignment& assignment, const Y_& classes) {
    const auto ye = encode(classes);
    if (ye.code.size() != assignment.side.size())
        fail_argument("c2s::split::balanced_weights", "'classes' has ", ye.code.size(), " entries but the split has ",
                      assignment.side.size(), " samples");
    const std::size_t k = assignment.num_sides(), nc = ye.num_labels();
    std::vector<std::size_t> count(k * nc, 0), total(k, 0), present(k, 0);
    for (std::size_t i = 0; i < ye.code.size(); ++i) {
        if (assignment.side[i] < 0) continue;
        const auto s = static_cast<std::size_t>(assignment.side[i]);
        if (count[s * nc + ye.code[i]]++ == 0) ++present[s];
        ++total[s];
    }
    std::vector<double> w(ye.code.size(), 0.0);
    for (std::size_t i = 0; i < w.size(); ++i) {
        if (assignment.side[i] < 0) continue;
        const auto s = static_cast<std::size_t>(assignment.side[i]);
        w[i] = static_cast<double>(total[s]) /
               (static_cast<double>(present[s]) * static_cast<double>(count[s * nc + ye.code[i]]));
    }
    return w;
}

}  // namespace c2s::split
