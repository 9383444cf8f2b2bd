#pragma once
/// @file leakage.hpp
/// @brief The leakage check: given a split, list every key value (compound, week, plate, ...)
/// present on more than one side.

#include <algorithm>
#include <cstddef>
#include <utility>
#include <set>
#include <string>
#include <vector>

#include "c2s/core/concepts.hpp"
#include "c2s/core/error.hpp"
#include "c2s/split/assignment.hpp"
#include "c2s/split/kfold.hpp"
#include "c2s/split/labels.hpp"

namespace c2s::split {

/// One key value on more than one side.
struct Leak {
    std::string key;                 ///< the key's name, e.g. "compound"
    std::string value;               ///< e.g. "taxol"
    std::vector<std::string> sides;  ///< the sides it is on, in side order
    std::vector<std::size_t> samples_per_side;  ///< its samples on each of those sides
};

struct LeakageReport {
    std::vector<Leak> leaks;
    /// Keys that were checked, in order.
    std::vector<std::string> keys_checked;
    [[nodiscard]] bool empty() const noexcept { return leaks.empty(); }
    /// One line per leak, or "no leakage (checked: ...)".
    [[nodiscard]] std::vector<std::string> lines() const {
        std::vector<std::string> out;
        std::string keys;
        for (const auto& k : keys_checked) keys += (keys.empty() ? "" : ", ") + k;
        if (leaks.empty()) {
            out.push_back("no leakage (checked: " + keys + ")");
            return out;
        }
        for (const auto& l : leaks) {
            std::string s = l.key + " '" + l.value + "' is on";
            for (std::size_t j = 0; j < l.sides.size(); ++j)
                s += concat(j ? ", " : " ", l.sides[j], " (", l.samples_per_side[j], ")");
            out.push_back(s);
        }
        return out;
    }
};

struct LeakageOptions {
    /// Key values shared by design and therefore not reported (e.g. "DMSO" for the compound key,
    /// since controls are split by their own grouping).
    std::vector<std::string> ignore_values;
};

/// Adds to `report` every value of `keys` on more than one side of `assignment` (excluded samples
/// do not count).
template <label_sequence K_>
void check_leakage(LeakageReport& report, const SideAssignment& assignment, const std::string& key_name, const K_& keys,
                   const LeakageOptions& options = {}) {
    if (static_cast<std::size_t>(std::ranges::size(keys)) != assignment.side.size())
        fail_argument("c2s::split::check_leakage", "key '", key_name, "' has ", std::ranges::size(keys),
                      " entries but the split has ", assignment.side.size(), " samples");
    report.keys_checked.push_back(key_name);
    std::vector<std::ranges::range_value_t<K_>> values;
    std::vector<std::size_t> code(assignment.side.size());
    if constexpr (ordered_label_sequence<K_>) {
        auto e = encode(keys);
        values = std::move(e.unique);
        code = std::move(e.code);
    } else {
        // Equality comparable is all a label_sequence promises: group by first appearance.
        std::size_t i = 0;
        for (const auto& v : keys) {
            std::size_t c = 0;
            while (c < values.size() && !(values[c] == v)) ++c;
            if (c == values.size()) values.push_back(v);
            code[i++] = c;
        }
    }
    const std::size_t k = assignment.num_sides();
    std::vector<std::size_t> count(values.size() * k, 0);
    for (std::size_t s = 0; s < code.size(); ++s)
        if (assignment.side[s] >= 0) ++count[code[s] * k + static_cast<std::size_t>(assignment.side[s])];
    std::vector<std::pair<std::string, std::size_t>> named;
    for (std::size_t c = 0; c < values.size(); ++c) named.emplace_back(label_name(values[c], c), c);
    std::sort(named.begin(), named.end());
    for (const auto& [name, c] : named) {
        bool ignored = false;
        for (const auto& iv : options.ignore_values) ignored = ignored || iv == name;
        if (ignored) continue;
        Leak leak{key_name, name, {}, {}};
        for (std::size_t s = 0; s < k; ++s)
            if (count[c * k + s]) {
                leak.sides.push_back(assignment.side_names[s]);
                leak.samples_per_side.push_back(count[c * k + s]);
            }
        if (leak.sides.size() > 1) report.leaks.push_back(std::move(leak));
    }
}

/// The leakage report of one key.
template <label_sequence K_>
[[nodiscard]] LeakageReport check_leakage(const SideAssignment& assignment, const std::string& key_name, const K_& keys,
                                          const LeakageOptions& options = {}) {
    LeakageReport r;
    check_leakage(r, assignment, key_name, keys, options);
    return r;
}

/// The leakage report of a train/test fold (sides "train" and "test"; samples in neither are
/// excluded; a sample in both is an error).
template <label_sequence K_>
[[nodiscard]] LeakageReport check_leakage(const Fold& fold, const std::string& key_name, const K_& keys,
                                          const LeakageOptions& options = {}) {
    SideAssignment a;
    a.side_names = {"train", "test"};
    a.side.assign(static_cast<std::size_t>(std::ranges::size(keys)), -1);
    for (int s = 0; s < 2; ++s)
        for (auto i : s == 0 ? fold.train : fold.test) {
            if (i >= a.side.size())
                fail_argument("c2s::split::check_leakage", "fold sample ", i, " is out of range (", a.side.size(),
                              " samples)");
            if (a.side[i] >= 0) fail_argument("c2s::split::check_leakage", "sample ", i, " is in both train and test");
            a.side[i] = s;
        }
    return check_leakage(a, key_name, keys, options);
}

}  // namespace c2s::split
