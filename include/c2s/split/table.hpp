#pragma once
/// @file table.hpp
/// @brief Splits and the sample table (`c2s::io::Table`): write a split back as a metadata column,
/// and take the tables of each side.

#include <cstddef>
#include <string>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/io/table.hpp"
#include "c2s/split/assignment.hpp"
#include "c2s/split/kfold.hpp"

namespace c2s::split {

/// Adds (or replaces) the metadata column `column` holding each sample's side name
/// (`excluded_side_name` for samples on no side).
inline void write_split_column(io::Table& table, const SideAssignment& assignment,
                               const std::string& column = "Metadata_Split") {
    if (assignment.side.size() != table.num_rows())
        fail_argument("c2s::split::write_split_column", "the split has ", assignment.side.size(),
                      " samples but the table has ", table.num_rows(), " rows");
    table.set_metadata(column, assignment.column());
}

/// Adds (or replaces) the metadata column `column` holding each sample's test fold (0-based;
/// empty for a sample in no test fold).
inline void write_fold_column(io::Table& table, const std::vector<Fold>& folds, const std::string& column = "Metadata_Fold") {
    const auto fold = test_fold_of(folds, table.num_rows());
    std::vector<std::string> values(fold.size());
    for (std::size_t i = 0; i < fold.size(); ++i) values[i] = fold[i] < 0 ? "" : std::to_string(fold[i]);
    table.set_metadata(column, std::move(values));
}

/// The rows of `table` on side `k`.
[[nodiscard]] inline io::Table side_table(const io::Table& table, const SideAssignment& assignment, std::size_t k) {
    if (assignment.side.size() != table.num_rows())
        fail_argument("c2s::split::side_table", "the split has ", assignment.side.size(), " samples but the table has ",
                      table.num_rows(), " rows");
    if (k >= assignment.num_sides())
        fail_argument("c2s::split::side_table", "side ", k, " does not exist (", assignment.num_sides(), " sides)");
    return table.select_rows(assignment.indices(k));
}

}  // namespace c2s::split
