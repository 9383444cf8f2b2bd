#pragma once
/// @file error.hpp
/// @brief The error conventions of cell2structure.
///
/// - A bad argument throws `std::invalid_argument` whose message starts with the function's
///   qualified name and names the argument and the offending value:
///   `c2s::combat: 'batch' has 95 entries but 'x' has 96 rows`.
/// - A numerical dead end or a bad file throws `std::runtime_error` with the remedy or the location
///   (file, line, column / row, feature).
/// - Headers never print: warnings travel in the `Results` structs (`std::vector<std::string>`).

#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace c2s {

/// Concatenates any streamable values into a string.
template <class... Args>
[[nodiscard]] std::string concat(Args&&... args) {
    std::ostringstream out;
    out.precision(10);
    (out << ... << std::forward<Args>(args));
    return out.str();
}

/// Throws `std::invalid_argument("<where>: <args...>")`.
template <class... Args>
[[noreturn]] void fail_argument(std::string_view where, Args&&... args) {
    throw std::invalid_argument(concat(where, ": ", std::forward<Args>(args)...));
}

/// Throws `std::runtime_error("<where>: <args...>")`.
template <class... Args>
[[noreturn]] void fail_runtime(std::string_view where, Args&&... args) {
    throw std::runtime_error(concat(where, ": ", std::forward<Args>(args)...));
}

/// Thrown when work is interrupted on request (see `c2s::Progress`), so callers can resume later.
struct interrupted : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace c2s
