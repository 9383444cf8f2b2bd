// Property tests over many random group structures (generated with the seeded SplitRng).

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "c2s/split/split.hpp"

namespace cs = c2s::split;

namespace {

struct Structure {
    std::vector<int> group, stratum, batch;
    std::vector<char> control;
    std::vector<std::string> control_key;
};

/// Random structure: groups of random sizes, each group in one stratum (like compounds in MoAs),
/// samples spread over a few batches, optionally some control samples.
Structure random_structure(cs::SplitRng& rng, bool with_controls) {
    Structure s;
    const auto n_groups = 2 + rng.uniform_below(40);
    const auto n_strata = 1 + rng.uniform_below(6);
    const auto n_batches = 1 + rng.uniform_below(8);
    for (std::uint64_t g = 0; g < n_groups; ++g) {
        const auto size = 1 + rng.uniform_below(rng.uniform_below(2) ? 4 : 25);
        const int st = static_cast<int>(rng.uniform_below(n_strata));
        const auto home = rng.uniform_below(n_batches);
        for (std::uint64_t i = 0; i < size; ++i) {
            s.group.push_back(static_cast<int>(g));
            s.stratum.push_back(st);
            // mostly in the home batch, sometimes elsewhere
            s.batch.push_back(static_cast<int>(rng.uniform_below(5) ? home : rng.uniform_below(n_batches)));
            s.control.push_back(0);
            s.control_key.push_back("");
        }
    }
    if (with_controls) {
        const auto nc = 1 + rng.uniform_below(30);
        for (std::uint64_t i = 0; i < nc; ++i) {
            s.group.push_back(-1);
            s.stratum.push_back(-1);
            s.batch.push_back(static_cast<int>(rng.uniform_below(n_batches)));
            s.control.push_back(1);
            s.control_key.push_back("well" + std::to_string(rng.uniform_below(12)));
        }
    }
    return s;
}

std::vector<double> random_fractions(cs::SplitRng& rng) {
    std::vector<double> f{0.5 + 0.4 * static_cast<double>(rng.uniform_below(100)) / 100.0, 0, 0};
    f[1] = (1 - f[0]) * static_cast<double>(1 + rng.uniform_below(9)) / 10.0;
    f[2] = 1 - f[0] - f[1];
    return f;
}

/// Max group size per stratum (non-control).
std::map<int, std::size_t> max_group_size(const Structure& s) {
    std::map<int, std::size_t> size;
    for (std::size_t i = 0; i < s.group.size(); ++i)
        if (!s.control[i]) ++size[s.group[i]];
    std::map<int, std::size_t> out;
    for (std::size_t i = 0; i < s.group.size(); ++i)
        if (!s.control[i]) out[s.stratum[i]] = std::max(out[s.stratum[i]], size[s.group[i]]);
    return out;
}

}  // namespace

TEST_CASE("k-fold splitters never put a group on both sides of a fold, and the test folds partition the samples") {
    cs::SplitRng rng(11);
    for (int trial = 0; trial < 200; ++trial) {
        const auto s = random_structure(rng, false);
        const std::size_t n = s.group.size();
        std::set<int> distinct(s.group.begin(), s.group.end());
        const std::size_t k = std::min<std::size_t>(2 + rng.uniform_below(4), distinct.size());
        if (k < 2) continue;
        std::vector<std::vector<cs::Fold>> all{cs::GroupKFold{k}.split(s.group), cs::LeaveOneGroupOut{}.split(s.group)};
        try {
            all.push_back(cs::StratifiedGroupKFold{k}.split(s.stratum, s.group));
        } catch (const std::invalid_argument&) {
        }
        for (const auto& folds : all) {
            std::vector<int> seen(n, 0);
            for (const auto& f : folds) {
                CHECK(cs::check_leakage(f, "group", s.group).empty());
                CHECK(f.train.size() + f.test.size() == n);
                CHECK(std::is_sorted(f.test.begin(), f.test.end()));
                for (auto i : f.test) ++seen[i];
            }
            CHECK(std::all_of(seen.begin(), seen.end(), [](int c) { return c == 1; }));
        }
    }
}

TEST_CASE("group shuffle split: disjoint groups, every side within one group of its target fraction, seeded") {
    cs::SplitRng rng(12);
    for (int trial = 0; trial < 300; ++trial) {
        const auto s = random_structure(rng, false);
        cs::SideOptions opt;
        opt.fractions = random_fractions(rng);
        opt.seed = rng.next();
        opt.every_stratum_on_every_side = false;
        const auto r = cs::group_shuffle_split(s.group, opt);
        const double n = static_cast<double>(s.group.size());
        std::map<int, std::size_t> size;
        for (auto g : s.group) ++size[g];
        std::size_t gmax = 0;
        for (auto [g, c] : size) gmax = std::max(gmax, c);
        INFO("trial " << trial);
        CHECK(r.assignment.excluded().empty());
        CHECK(cs::check_leakage(r.assignment, "group", s.group).empty());
        for (std::size_t k = 0; k < 3; ++k) {
            const double dev = static_cast<double>(r.assignment.count(k)) - opt.fractions[k] * n;
            CHECK(dev < static_cast<double>(gmax));
            CHECK(dev >= -static_cast<double>(gmax));
        }
        // Same seed, same split; the split does not depend on the order of the samples.
        CHECK(cs::group_shuffle_split(s.group, opt).assignment.side == r.assignment.side);
        std::vector<std::size_t> perm(s.group.size());
        for (std::size_t i = 0; i < perm.size(); ++i) perm[i] = i;
        rng.shuffle(perm);
        std::vector<int> permuted(perm.size());
        for (std::size_t i = 0; i < perm.size(); ++i) permuted[i] = s.group[perm[i]];
        const auto rp = cs::group_shuffle_split(permuted, opt);
        for (std::size_t i = 0; i < perm.size(); ++i) CHECK(rp.assignment.side[i] == r.assignment.side[perm[i]]);
    }
}

TEST_CASE("stratified group split: every stratum on every side when it has enough groups, unsplittable ones reported") {
    cs::SplitRng rng(13);
    std::size_t seeds_differ = 0;
    for (int trial = 0; trial < 300; ++trial) {
        const bool with_controls = trial % 2 == 0;
        const auto s = random_structure(rng, with_controls);
        cs::SideOptions opt;
        opt.fractions = random_fractions(rng);
        opt.seed = rng.next();
        cs::ControlRole role{s.control, s.control_key, {}};
        const auto r = cs::stratified_group_split(s.group, s.stratum, opt, with_controls ? &role : nullptr);
        INFO("trial " << trial);
        // groups (controls aside) never on two sides
        std::vector<int> g_noctrl;
        cs::SideAssignment a = r.assignment;
        for (std::size_t i = 0; i < s.group.size(); ++i)
            if (s.control[i]) a.side[i] = -1;
        CHECK(cs::check_leakage(a, "group", s.group).empty());
        // controls: each control well key on one side
        if (with_controls) {
            cs::SideAssignment c = r.assignment;
            for (std::size_t i = 0; i < s.group.size(); ++i)
                if (!s.control[i]) c.side[i] = -1;
            CHECK(cs::check_leakage(c, "control well", s.control_key).empty());
        }
        // strata
        std::map<int, std::set<int>> groups_of;
        for (std::size_t i = 0; i < s.group.size(); ++i)
            if (!s.control[i]) groups_of[s.stratum[i]].insert(s.group[i]);
        const auto gmax = max_group_size(s);
        std::size_t unsplittable = 0;
        for (const auto& rep : r.strata) {
            if (rep.control) continue;
            const int st = std::stoi(rep.name);
            const bool enough = groups_of[st].size() >= 3;
            unsplittable += enough ? 0 : 1;
            if (enough) CHECK(rep.on_every_side);
            std::size_t total = 0;
            for (auto c : rep.samples_per_side) total += c;
            for (std::size_t k = 0; k < 3; ++k)
                CHECK(static_cast<double>(rep.samples_per_side[k]) - opt.fractions[k] * static_cast<double>(total) <
                      static_cast<double>(gmax.at(st)));
        }
        CHECK(unsplittable == r.unsplittable_strata.size());
        // same seed -> same split; another seed -> (usually) another split
        CHECK(cs::stratified_group_split(s.group, s.stratum, opt, with_controls ? &role : nullptr).assignment.side ==
              r.assignment.side);
        auto other = opt;
        other.seed = opt.seed + 1;
        seeds_differ += cs::stratified_group_split(s.group, s.stratum, other, with_controls ? &role : nullptr).assignment.side !=
                        r.assignment.side;
    }
    CHECK(seeds_differ > 150);
}

TEST_CASE("caps and balanced weights") {
    cs::SplitRng rng(14);
    for (int trial = 0; trial < 100; ++trial) {
        const auto s = random_structure(rng, true);
        cs::SideOptions opt;
        opt.seed = rng.next();
        opt.max_samples_per_class = 1 + rng.uniform_below(20);
        opt.max_controls_per_side = 1 + rng.uniform_below(10);
        cs::ControlRole role{s.control, s.control_key, {0.5, 0.25, 0.25}};
        const auto r = cs::stratified_group_split(s.group, s.stratum, opt, &role);
        for (const auto& rep : r.strata)
            for (auto c : rep.samples_per_side)
                CHECK(c <= (rep.control ? *opt.max_controls_per_side : *opt.max_samples_per_class));
        const auto w = cs::balanced_weights(r.assignment, s.stratum);
        // per side, each class present carries the same total weight
        for (std::size_t k = 0; k < 3; ++k) {
            std::map<int, double> per_class;
            for (std::size_t i = 0; i < w.size(); ++i)
                if (r.assignment.side[i] == static_cast<int>(k)) per_class[s.stratum[i]] += w[i];
            for (auto [c, total] : per_class) CHECK(total == doctest::Approx(per_class.begin()->second));
        }
        for (auto i : r.assignment.excluded()) CHECK(w[i] == 0.0);
    }
}

TEST_CASE("two-key split: no group and no batch on two sides; controls follow their batch; seeded") {
    cs::SplitRng rng(15);
    std::size_t full = 0;
    for (int trial = 0; trial < 150; ++trial) {
        const auto s = random_structure(rng, trial % 2 == 0);
        cs::TwoKeyOptions opt;
        opt.sides.fractions = random_fractions(rng);
        opt.sides.seed = rng.next();
        opt.trials = 8;
        cs::ControlRole role{s.control, s.control_key, {}};
        const auto r = cs::two_key_split(s.group, s.batch, s.stratum, opt, &role);
        INFO("trial " << trial);
        cs::LeakageReport report;
        cs::check_leakage(report, r.assignment, "batch", s.batch);
        cs::SideAssignment a = r.assignment;
        for (std::size_t i = 0; i < s.group.size(); ++i)
            if (s.control[i]) a.side[i] = -1;
        cs::check_leakage(report, a, "group", s.group);
        CHECK(report.empty());
        std::size_t excluded = 0;
        for (std::size_t i = 0; i < s.group.size(); ++i) {
            if (s.control[i]) CHECK(r.assignment.side[i] >= 0);
            excluded += r.assignment.side[i] < 0;
        }
        CHECK(excluded == r.excluded);
        full += r.excluded == 0;
        CHECK(cs::two_key_split(s.group, s.batch, s.stratum, opt, &role).assignment.side == r.assignment.side);
    }
    CHECK(full > 0);
}

TEST_CASE("SplitRng: the standard's mt19937_64 sequence, uniform_below in range, shuffle is a permutation") {
    cs::SplitRng rng(5489);  // std::mt19937_64's default seed
    std::uint64_t last = 0;
    for (int i = 0; i < 10000; ++i) last = rng.next();
    CHECK(last == 9981545732273789042ULL);  // [rand.predef] in the C++ standard
    cs::SplitRng r2(3);
    std::vector<std::size_t> hist(7, 0);
    for (int i = 0; i < 7000; ++i) ++hist[r2.uniform_below(7)];
    for (auto h : hist) CHECK(h > 800);
    std::vector<int> v(50);
    for (int i = 0; i < 50; ++i) v[static_cast<std::size_t>(i)] = i;
    auto w = v;
    r2.shuffle(w);
    CHECK(w != v);
    std::sort(w.begin(), w.end());
    CHECK(w == v);
}
