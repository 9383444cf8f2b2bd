#pragma once
/// @file labels.hpp
/// @brief Label encoding shared by the splitters: `np.unique(labels, return_inverse=True)`
/// semantics (sorted unique values, each sample's code) for any `c2s::label_sequence`, and
/// printable names for reports.

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <ranges>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "c2s/core/concepts.hpp"

namespace c2s::split {

/// A label sequence whose values can also be sorted (needed for NumPy-compatible group order).
template <class L_>
concept ordered_label_sequence = label_sequence<L_> && std::totally_ordered<std::ranges::range_value_t<L_>>;

/// Sorted unique labels and each sample's index into them.
template <class T_>
struct Encoded {
    std::vector<T_> unique;
    std::vector<std::size_t> code;
    [[nodiscard]] std::size_t num_labels() const noexcept { return unique.size(); }
    /// Samples per label (`np.bincount(code)`).
    [[nodiscard]] std::vector<std::size_t> counts() const {
        std::vector<std::size_t> c(unique.size(), 0);
        for (auto k : code) ++c[k];
        return c;
    }
};

/// `np.unique(labels, return_inverse=True)`: labels sorted by `operator<` (strings byte-wise, which
/// for UTF-8 is NumPy's code-point order).
template <ordered_label_sequence L_>
[[nodiscard]] Encoded<std::ranges::range_value_t<L_>> encode(const L_& labels) {
    using T = std::ranges::range_value_t<L_>;
    Encoded<T> out;
    const auto n = static_cast<std::size_t>(std::ranges::size(labels));
    out.unique.reserve(n);
    for (const auto& v : labels) out.unique.push_back(v);
    std::sort(out.unique.begin(), out.unique.end());
    out.unique.erase(std::unique(out.unique.begin(), out.unique.end()), out.unique.end());
    out.code.resize(n);
    std::size_t i = 0;
    for (const auto& v : labels) {
        out.code[i++] = static_cast<std::size_t>(std::lower_bound(out.unique.begin(), out.unique.end(), v) -
                                                 out.unique.begin());
    }
    return out;
}

/// A label as text for reports: strings as they are, numbers and other streamable values through
/// `operator<<`, anything else as `#<code>`.
template <class T_>
[[nodiscard]] std::string label_name(const T_& value, std::size_t code = 0) {
    if constexpr (std::is_convertible_v<const T_&, std::string_view>) {
        return std::string(std::string_view(value));
    } else if constexpr (requires(std::ostream& o) { o << value; }) {
        std::ostringstream s;
        s << value;
        return s.str();
    } else {
        return "#" + std::to_string(code);
    }
}

/// Names of the sorted unique labels of an encoding.
template <class T_>
[[nodiscard]] std::vector<std::string> names_of(const Encoded<T_>& e) {
    std::vector<std::string> out;
    out.reserve(e.unique.size());
    for (std::size_t i = 0; i < e.unique.size(); ++i) out.push_back(label_name(e.unique[i], i));
    return out;
}

}  // namespace c2s::split
