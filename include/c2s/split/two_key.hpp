#pragma once
/// @file two_key.hpp
/// @brief A split that keeps two keys disjoint between sides: groups (compounds) and batches
/// (weeks or plates), stratified by class, reporting what the data do not allow.
///
/// A sample can only stay when its group and its batch are on the same side, so the splitter
/// assigns batches to sides (greedy by sample count towards the fractions, every side gets a
/// batch when there are enough), then each group to a side: within each stratum the sides are
/// first given one group each (smallest fraction first, choosing the group with most samples in
/// that side's batches; a side none of whose batches holds the stratum gets none) when the stratum
/// has enough groups, and every other group goes to the side holding most of its samples. Samples whose batch is on another side are excluded (side -1). This is
/// repeated for `trials` seeded batch assignments (the first visits batches largest first, the
/// others in shuffled order) and the best is kept: most (stratum, side)
/// pairs covered, then most samples kept, then smallest deviation from the fractions.
/// Controls (the control role) follow their batch: they are never excluded and carry no group.

#include <algorithm>
#include <cmath>
#include <limits>
#include <cstddef>
#include <string>
#include <tuple>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/split/assignment.hpp"
#include "c2s/split/labels.hpp"
#include "c2s/split/random.hpp"
#include "c2s/split/shuffle.hpp"

namespace c2s::split {

struct TwoKeyOptions {
    SideOptions sides;
    /// Number of seeded batch assignments tried; more trials find splits that keep more samples.
    std::size_t trials = 64;
};

struct TwoKeyResult {
    SideAssignment assignment;
    /// Per stratum (sorted), then the controls; `samples_per_side` counts kept samples,
    /// `excluded_by_batch` the samples lost because their batch is on another side.
    std::vector<StratumReport> strata;
    std::vector<std::string> batch_names;
    /// Side of each batch (index into `assignment.side_names`).
    std::vector<int> side_of_batch;
    std::vector<std::string> unsplittable_strata;
    /// Groups none of whose samples could be kept.
    std::vector<std::string> lost_groups;
    /// Samples excluded in total (the data do not allow keeping them with both keys disjoint).
    std::size_t excluded = 0;
    /// Which trial was kept (0-based).
    std::size_t trial = 0;
    /// Where the data do not allow both keys disjoint: groups losing samples, strata missing from
    /// a side, too few batches.
    std::vector<std::string> warnings;
};

/**
 * @brief Splits samples so that no group and no batch is on two sides.
 * @param groups  per sample, e.g. compound
 * @param batches per sample, e.g. week or plate
 * @param strata  per sample, e.g. MoA (a group is placed by its most common stratum)
 */
template <ordered_label_sequence G_, ordered_label_sequence B_, ordered_label_sequence S_>
[[nodiscard]] TwoKeyResult two_key_split(const G_& groups, const B_& batches, const S_& strata,
                                         const TwoKeyOptions& options = {}, const ControlRole* controls = nullptr) {
    constexpr const char* where = "c2s::split::two_key_split";
    const auto& so = options.sides;
    detail::check_side_options(where, so.side_names, so.fractions);
    if (options.trials == 0) fail_argument(where, "'trials' is 0; at least one trial is needed");
    const auto ge = encode(groups);
    const auto be = encode(batches);
    const auto se = encode(strata);
    const std::size_t n = ge.code.size(), k = so.side_names.size();
    if (be.code.size() != n) fail_argument(where, "'batches' has ", be.code.size(), " entries but 'groups' has ", n);
    if (se.code.size() != n) fail_argument(where, "'strata' has ", se.code.size(), " entries but 'groups' has ", n);
    if (controls && controls->is_control.size() != n)
        fail_argument(where, "'controls.is_control' has ", controls->is_control.size(), " entries but 'groups' has ", n);
    auto is_control = [&](std::size_t i) { return controls && controls->is_control[i] != 0; };
    const auto group_names = names_of(ge);
    const auto stratum_names = names_of(se);
    const std::size_t ng = ge.num_labels(), nb = be.num_labels(), ns = se.num_labels();

    TwoKeyResult result;
    result.batch_names = names_of(be);
    std::vector<std::size_t> active;
    for (std::size_t s = 0; s < k; ++s)
        if (so.fractions[s] > 0) active.push_back(s);

    // Group -> stratum (most common), per-group per-batch counts.
    std::vector<std::vector<std::size_t>> stratum_count(ng, std::vector<std::size_t>(ns, 0));
    std::vector<std::vector<std::size_t>> batch_count(ng, std::vector<std::size_t>(nb, 0));
    std::vector<std::size_t> size_of_group(ng, 0), size_of_batch = be.counts();
    for (std::size_t i = 0; i < n; ++i) {
        if (is_control(i)) continue;
        ++stratum_count[ge.code[i]][se.code[i]];
        ++batch_count[ge.code[i]][be.code[i]];
        ++size_of_group[ge.code[i]];
    }
    std::vector<std::vector<std::size_t>> groups_of_stratum(ns);
    std::vector<std::size_t> stratum_of_group(ng, 0);
    for (std::size_t g = 0; g < ng; ++g) {
        if (!size_of_group[g]) continue;
        std::size_t best = 0, multi = 0;
        for (std::size_t s = 0; s < ns; ++s) {
            if (stratum_count[g][s]) ++multi;
            if (stratum_count[g][s] > stratum_count[g][best]) best = s;
        }
        if (multi > 1)
            result.warnings.push_back(concat("group '", group_names[g], "' has samples of ", multi,
                                             " strata; it is placed by its most common one, '", stratum_names[best], "'"));
        stratum_of_group[g] = best;
        groups_of_stratum[best].push_back(g);
    }
    for (std::size_t s = 0; s < ns; ++s)
        if (!groups_of_stratum[s].empty() && groups_of_stratum[s].size() < active.size())
            result.unsplittable_strata.push_back(stratum_names[s]);
    if (nb < active.size())
        result.warnings.push_back(concat("only ", nb, " batch(es) for ", active.size(),
                                         " sides: some sides get no samples"));
    std::vector<std::size_t> sides_by_fraction = active;
    std::stable_sort(sides_by_fraction.begin(), sides_by_fraction.end(),
                     [&](std::size_t a, std::size_t b) { return so.fractions[a] < so.fractions[b]; });

    SplitRng rng(so.seed);
    using Score = std::tuple<std::size_t, std::size_t, double>;
    Score best_score{0, 0, -std::numeric_limits<double>::infinity()};
    std::vector<int> best_batch, best_group;
    for (std::size_t trial = 0; trial < options.trials; ++trial) {
        std::vector<std::size_t> ids(nb);
        for (std::size_t b = 0; b < nb; ++b) ids[b] = b;
        // Trial 0 visits batches largest first (tightest fit to the fractions); later trials in a
        // plain shuffled order, which explores more batch-to-side assignments.
        if (trial == 0)
            detail::shuffled_by_size(ids, size_of_batch, rng);
        else
            rng.shuffle(ids);
        const auto sides = detail::allocate_groups(ids, size_of_batch, so.fractions, true);
        std::vector<int> side_of_batch(nb, -1);
        for (std::size_t p = 0; p < nb; ++p) side_of_batch[ids[p]] = sides[p];
        // kept[g][s]: samples of g in batches of side s.
        std::vector<std::vector<std::size_t>> kept(ng, std::vector<std::size_t>(k, 0));
        for (std::size_t g = 0; g < ng; ++g)
            for (std::size_t b = 0; b < nb; ++b) kept[g][static_cast<std::size_t>(side_of_batch[b])] += batch_count[g][b];
        std::vector<int> side_of_group(ng, -1);
        std::size_t covered = 0, kept_total = 0;
        for (std::size_t s = 0; s < ns; ++s) {
            auto gs = groups_of_stratum[s];
            if (gs.empty()) continue;
            rng.shuffle(gs);
            std::vector<char> done(gs.size(), 0);
            if (so.every_stratum_on_every_side && gs.size() >= active.size()) {
                for (auto side : sides_by_fraction) {
                    std::size_t pick = gs.size();
                    for (std::size_t p = 0; p < gs.size(); ++p)
                        if (!done[p] && kept[gs[p]][side] > 0 &&
                            (pick == gs.size() || kept[gs[p]][side] > kept[gs[pick]][side]))
                            pick = p;
                    if (pick == gs.size()) continue;  // no group has samples in this side's batches
                    done[pick] = 1;
                    side_of_group[gs[pick]] = static_cast<int>(side);
                }
            }
            for (std::size_t p = 0; p < gs.size(); ++p) {
                if (done[p]) continue;
                std::size_t bs = active.front();
                for (auto side : active)
                    if (kept[gs[p]][side] > kept[gs[p]][bs] ||
                        (kept[gs[p]][side] == kept[gs[p]][bs] && so.fractions[side] > so.fractions[bs]))
                        bs = side;
                side_of_group[gs[p]] = static_cast<int>(bs);
            }
            std::vector<std::size_t> on_side(k, 0);
            for (auto g : gs) on_side[static_cast<std::size_t>(side_of_group[g])] += kept[g][static_cast<std::size_t>(side_of_group[g])];
            for (auto side : active) covered += on_side[side] > 0 ? 1 : 0;
            for (auto c : on_side) kept_total += c;
        }
        // Deviation from the fractions over kept samples (controls included).
        std::vector<double> count(k, 0.0);
        double total = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const int bside = side_of_batch[be.code[i]];
            if (is_control(i) || side_of_group[ge.code[i]] == bside) {
                count[static_cast<std::size_t>(bside)] += 1;
                total += 1;
            }
        }
        double deviation = 0;
        for (std::size_t s = 0; s < k; ++s) deviation += std::fabs(count[s] - so.fractions[s] * total);
        const Score score{covered, kept_total, -deviation};
        if (trial == 0 || score > best_score) {
            best_score = score;
            best_batch = side_of_batch;
            best_group = side_of_group;
            result.trial = trial;
        }
    }

    result.side_of_batch = best_batch;
    result.assignment.side_names = so.side_names;
    result.assignment.side.assign(n, -1);
    std::vector<std::size_t> lost_of_group(ng, 0);
    for (std::size_t i = 0; i < n; ++i) {
        const int bside = best_batch[be.code[i]];
        if (is_control(i)) {
            result.assignment.side[i] = bside;
        } else if (best_group[ge.code[i]] == bside) {
            result.assignment.side[i] = bside;
        } else {
            ++lost_of_group[ge.code[i]];
            ++result.excluded;
        }
    }
    for (std::size_t g = 0; g < ng; ++g) {
        if (!lost_of_group[g]) continue;
        if (lost_of_group[g] == size_of_group[g]) result.lost_groups.push_back(group_names[g]);
        result.warnings.push_back(concat("group '", group_names[g], "' (", stratum_names[stratum_of_group[g]], ") keeps ",
                                         size_of_group[g] - lost_of_group[g], " of ", size_of_group[g],
                                         " samples: the others are in batches of other sides"));
    }
    for (std::size_t s = 0; s < ns; ++s) {
        if (groups_of_stratum[s].empty()) continue;
        StratumReport r;
        r.name = stratum_names[s];
        r.groups = groups_of_stratum[s].size();
        r.groups_per_side.assign(k, 0);
        r.samples_per_side.assign(k, 0);
        for (auto g : groups_of_stratum[s]) {
            const auto side = static_cast<std::size_t>(best_group[g]);
            if (lost_of_group[g] < size_of_group[g]) ++r.groups_per_side[side];
            r.samples_per_side[side] += size_of_group[g] - lost_of_group[g];
            r.excluded_by_batch += lost_of_group[g];
        }
        r.on_every_side = true;
        for (auto side : active) r.on_every_side = r.on_every_side && r.samples_per_side[side] > 0;
        if (!r.on_every_side && r.groups >= active.size())
            result.warnings.push_back(concat("stratum '", r.name, "' has ", r.groups,
                                             " groups but is not on every side once batches are kept disjoint"));
        result.strata.push_back(std::move(r));
    }
    if (controls) {
        StratumReport r;
        r.name = "control";
        r.control = true;
        r.groups_per_side.assign(k, 0);
        r.samples_per_side.assign(k, 0);
        std::vector<std::vector<char>> seen(k, std::vector<char>(nb, 0));
        for (std::size_t i = 0; i < n; ++i) {
            if (!is_control(i)) continue;
            const auto side = static_cast<std::size_t>(result.assignment.side[i]);
            ++r.samples_per_side[side];
            if (!seen[side][be.code[i]]) seen[side][be.code[i]] = 1, ++r.groups_per_side[side], ++r.groups;
        }
        r.on_every_side = true;
        for (auto side : active) r.on_every_side = r.on_every_side && r.samples_per_side[side] > 0;
        if (r.groups) result.strata.push_back(std::move(r));
    }
    return result;
}

}  // namespace c2s::split
