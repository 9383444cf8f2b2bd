#pragma once
/// @file table.hpp
/// @brief `c2s::io::Table`: metadata columns (text) + a numeric feature matrix, the CSV
/// interchange format of cell2structure (one row per sample: image, cell, well, treatment, ...).

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/io/csv.hpp"

namespace c2s::io {

struct Table {
    std::vector<std::string> metadata_names;
    /// Column-major: `metadata[c][row]`.
    std::vector<std::vector<std::string>> metadata;
    std::vector<std::string> feature_names;
    /// Samples × features.
    Eigen::MatrixXd features;

    [[nodiscard]] std::size_t num_rows() const noexcept { return static_cast<std::size_t>(features.rows()); }
    [[nodiscard]] std::size_t num_features() const noexcept { return feature_names.size(); }

    [[nodiscard]] bool has_metadata(std::string_view name) const {
        return std::find(metadata_names.begin(), metadata_names.end(), name) != metadata_names.end();
    }
    /// The metadata column `name`; throws naming the columns there are.
    [[nodiscard]] const std::vector<std::string>& metadata_column(std::string_view name) const {
        for (std::size_t c = 0; c < metadata_names.size(); ++c)
            if (metadata_names[c] == name) return metadata[c];
        std::string have;
        for (const auto& m : metadata_names) have += (have.empty() ? "" : ", ") + m;
        fail_argument("c2s::io::Table::metadata_column", "no metadata column '", name,
                      "' (metadata columns: ", have.empty() ? "none" : have, ")");
    }
    /// Adds (or replaces) a metadata column.
    void set_metadata(std::string name, std::vector<std::string> values) {
        if (values.size() != num_rows())
            fail_argument("c2s::io::Table::set_metadata", "column '", name, "' has ", values.size(),
                          " values but the table has ", num_rows(), " rows");
        for (std::size_t c = 0; c < metadata_names.size(); ++c)
            if (metadata_names[c] == name) {
                metadata[c] = std::move(values);
                return;
            }
        metadata_names.push_back(std::move(name));
        metadata.push_back(std::move(values));
    }
    /// A new table with the rows `rows` (in that order).
    [[nodiscard]] Table select_rows(const std::vector<std::size_t>& rows) const {
        Table out;
        out.metadata_names = metadata_names;
        out.feature_names = feature_names;
        out.metadata.resize(metadata.size());
        out.features.resize(static_cast<Eigen::Index>(rows.size()), features.cols());
        for (std::size_t r = 0; r < rows.size(); ++r) {
            if (rows[r] >= num_rows())
                fail_argument("c2s::io::Table::select_rows", "row ", rows[r], " >= ", num_rows());
            for (std::size_t c = 0; c < metadata.size(); ++c) out.metadata[c].push_back(metadata[c][rows[r]]);
            out.features.row(static_cast<Eigen::Index>(r)) = features.row(static_cast<Eigen::Index>(rows[r]));
        }
        return out;
    }
};

struct TableOptions {
    /// Columns that are metadata whatever their content.
    std::vector<std::string> metadata_columns;
    /// Columns whose name starts with one of these are metadata (CellProfiler/pycytominer naming).
    std::vector<std::string> metadata_prefixes{"Metadata_", "Image_Metadata_"};
    /// Every other column is a feature; when true, a column with a non-numeric cell becomes metadata
    /// instead of failing.
    bool non_numeric_as_metadata = false;
};

/// Splits a CSV document into metadata and numeric features. A feature column with a non-numeric
/// cell fails naming the file, line and column (unless `non_numeric_as_metadata`).
[[nodiscard]] inline Table to_table(const CsvDocument& doc, const TableOptions& options = {}) {
    const std::size_t ncol = doc.num_columns(), nrow = doc.num_rows();
    for (const auto& m : options.metadata_columns)
        if (!doc.find_column(m))
            fail_argument("c2s::io::to_table", "metadata column '", m, "' is not in '", doc.source, "'");
    std::vector<char> is_meta(ncol, 0);
    for (std::size_t j = 0; j < ncol; ++j) {
        const auto& name = doc.header[j];
        if (std::find(options.metadata_columns.begin(), options.metadata_columns.end(), name) !=
            options.metadata_columns.end())
            is_meta[j] = 1;
        for (const auto& p : options.metadata_prefixes)
            if (name.starts_with(p)) is_meta[j] = 1;
    }
    std::vector<std::vector<double>> numeric(ncol);
    for (std::size_t j = 0; j < ncol; ++j) {
        if (is_meta[j]) continue;
        numeric[j].resize(nrow);
        for (std::size_t r = 0; r < nrow; ++r) {
            const auto value = parse_number(doc.rows[r][j]);
            if (!value) {
                if (options.non_numeric_as_metadata) {
                    is_meta[j] = 1;
                    numeric[j].clear();
                    break;
                }
                fail_runtime("c2s::io::to_table", "'", doc.source, "' line ", doc.lines[r], ", column ",
                             j + 1, " ('", doc.header[j], "'): '", doc.rows[r][j],
                             "' is not a number; name the column as metadata if it is one");
            }
            numeric[j][r] = *value;
        }
    }
    Table table;
    std::size_t nfeat = 0;
    for (std::size_t j = 0; j < ncol; ++j) nfeat += is_meta[j] ? 0 : 1;
    table.features.resize(static_cast<Eigen::Index>(nrow), static_cast<Eigen::Index>(nfeat));
    Eigen::Index f = 0;
    for (std::size_t j = 0; j < ncol; ++j) {
        if (is_meta[j]) {
            table.metadata_names.push_back(doc.header[j]);
            std::vector<std::string> col(nrow);
            for (std::size_t r = 0; r < nrow; ++r) col[r] = doc.rows[r][j];
            table.metadata.push_back(std::move(col));
        } else {
            table.feature_names.push_back(doc.header[j]);
            for (std::size_t r = 0; r < nrow; ++r) table.features(static_cast<Eigen::Index>(r), f) = numeric[j][r];
            ++f;
        }
    }
    return table;
}

/// Reads a CSV (optionally `.gz`) into a Table.
[[nodiscard]] inline Table read_table(const std::filesystem::path& path, const TableOptions& options = {}) {
    return to_table(read_csv(path), options);
}

/// Writes metadata columns first, then features; NaN as empty cells. Atomic.
inline void write_table(const std::filesystem::path& path, const Table& table) {
    if (table.feature_names.size() != static_cast<std::size_t>(table.features.cols()))
        fail_argument("c2s::io::write_table", "'feature_names' has ", table.feature_names.size(),
                      " entries but 'features' has ", table.features.cols(), " columns");
    std::vector<std::string> header = table.metadata_names;
    header.insert(header.end(), table.feature_names.begin(), table.feature_names.end());
    std::string out;
    auto put_header = [&] {
        for (std::size_t j = 0; j < header.size(); ++j) {
            if (j) out.push_back(',');
            append_csv_field(out, header[j]);
        }
        out.push_back('\n');
    };
    put_header();
    for (std::size_t r = 0; r < table.num_rows(); ++r) {
        bool first = true;
        for (std::size_t c = 0; c < table.metadata.size(); ++c) {
            if (!first) out.push_back(',');
            first = false;
            append_csv_field(out, table.metadata[c][r]);
        }
        for (Eigen::Index j = 0; j < table.features.cols(); ++j) {
            if (!first) out.push_back(',');
            first = false;
            out += format_number(table.features(static_cast<Eigen::Index>(r), j));
        }
        out.push_back('\n');
    }
    write_file_atomically(path, out);
}

}  // namespace c2s::io
