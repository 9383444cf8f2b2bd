#pragma once
/// @file csv.hpp
/// @brief RFC 4180 CSV reading and writing.
///
/// Reading handles quoted fields (with commas, doubled quotes and line breaks inside), empty cells,
/// LF and CRLF line ends, a UTF-8 byte-order mark and gzip-compressed files (`.csv.gz`). A malformed
/// file fails with `std::runtime_error` naming the file, the line and the column. Numeric cells are
/// parsed with `parse_number`: empty, `NA`, `NaN` (any case) become NaN.
/// Writing quotes fields only where needed, writes numbers in the shortest form that reads back to
/// the same value, and goes through `AtomicFile`.

#include <charconv>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/io/atomic_file.hpp"
#include "c2s/io/text_file.hpp"

namespace c2s::io {

struct CsvOptions {
    /// Field separator.
    char delimiter = ',';
};

/// A parsed CSV file: the header row and the data rows, all as text.
struct CsvDocument {
    /// Where the text came from (file name), used in error messages.
    std::string source;
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    /// 1-based line in the source where each data row starts.
    std::vector<std::size_t> lines;

    [[nodiscard]] std::size_t num_rows() const noexcept { return rows.size(); }
    [[nodiscard]] std::size_t num_columns() const noexcept { return header.size(); }

    /// Index of the column called `name`, if any.
    [[nodiscard]] std::optional<std::size_t> find_column(std::string_view name) const {
        for (std::size_t j = 0; j < header.size(); ++j)
            if (header[j] == name) return j;
        return std::nullopt;
    }
    /// Index of the column called `name`; throws naming the file and the columns it has.
    [[nodiscard]] std::size_t column(std::string_view name) const {
        if (auto j = find_column(name)) return *j;
        std::string have;
        for (std::size_t j = 0; j < header.size() && j < 12; ++j) have += (j ? ", " : "") + header[j];
        if (header.size() > 12) have += ", ...";
        fail_runtime("c2s::io::CsvDocument::column", "'", source, "' has no column '", name,
                     "' (columns: ", have, ")");
    }
    /// All values of column `name`.
    [[nodiscard]] std::vector<std::string> column_values(std::string_view name) const {
        const std::size_t j = column(name);
        std::vector<std::string> out;
        out.reserve(rows.size());
        for (const auto& r : rows) out.push_back(r[j]);
        return out;
    }
};

namespace detail {
inline bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}
}  // namespace detail

/// True for cells that mean "missing": empty, `NA`, `NaN`, `null` (any case, surrounding blanks).
[[nodiscard]] inline bool is_missing(std::string_view cell) noexcept {
    while (!cell.empty() && (cell.front() == ' ' || cell.front() == '\t')) cell.remove_prefix(1);
    while (!cell.empty() && (cell.back() == ' ' || cell.back() == '\t')) cell.remove_suffix(1);
    return cell.empty() || detail::iequals(cell, "NA") || detail::iequals(cell, "NaN") ||
           detail::iequals(cell, "null");
}

/// Parses a numeric cell: missing cells give NaN, `inf`/`-inf` infinities, anything else that is
/// not a whole number gives `std::nullopt`.
[[nodiscard]] inline std::optional<double> parse_number(std::string_view cell) noexcept {
    while (!cell.empty() && (cell.front() == ' ' || cell.front() == '\t')) cell.remove_prefix(1);
    while (!cell.empty() && (cell.back() == ' ' || cell.back() == '\t')) cell.remove_suffix(1);
    if (is_missing(cell)) return std::numeric_limits<double>::quiet_NaN();
    if (!cell.empty() && cell.front() == '+') cell.remove_prefix(1);
    double value = 0;
    const auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
    if (ec != std::errc{} || end != cell.data() + cell.size()) {
        if (ec == std::errc::result_out_of_range && end == cell.data() + cell.size()) return value;
        return std::nullopt;
    }
    return value;
}

/// Parses CSV text. `source` names it in error messages.
[[nodiscard]] inline CsvDocument parse_csv(std::string_view text, std::string source,
                                           const CsvOptions& options = {}) {
    CsvDocument doc;
    doc.source = std::move(source);
    if (text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF &&
        static_cast<unsigned char>(text[1]) == 0xBB && static_cast<unsigned char>(text[2]) == 0xBF)
        text.remove_prefix(3);

    const char delim = options.delimiter;
    std::vector<std::string> record;
    std::string field;
    std::size_t line = 1, column = 1, record_line = 1;
    bool header_done = false;
    std::size_t i = 0;
    const std::size_t n = text.size();

    auto finish_record = [&]() {
        record.push_back(std::move(field));
        field.clear();
        // A line holding nothing at all is skipped (blank lines, trailing newline).
        const bool blank = record.size() == 1 && record[0].empty();
        if (!blank) {
            if (!header_done) {
                doc.header = std::move(record);
                header_done = true;
            } else {
                if (record.size() != doc.header.size())
                    fail_runtime("c2s::io::read_csv", "'", doc.source, "' line ", record_line, ": ",
                                 record.size(), " fields but the header has ", doc.header.size());
                doc.rows.push_back(std::move(record));
                doc.lines.push_back(record_line);
            }
        }
        record.clear();
    };

    while (i < n) {
        // At the start of a field.
        if (text[i] == '"') {
            const std::size_t open_line = line, open_column = column;
            ++i;
            ++column;
            bool closed = false;
            while (i < n) {
                const char c = text[i];
                if (c == '"') {
                    if (i + 1 < n && text[i + 1] == '"') {
                        field.push_back('"');
                        i += 2;
                        column += 2;
                        continue;
                    }
                    ++i;
                    ++column;
                    closed = true;
                    break;
                }
                if (c == '\n') {
                    ++line;
                    column = 1;
                } else {
                    ++column;
                }
                field.push_back(c);
                ++i;
            }
            if (!closed)
                fail_runtime("c2s::io::read_csv", "'", doc.source, "' line ", open_line, ", column ",
                             open_column, ": quoted field is never closed");
            if (i < n && text[i] != delim && text[i] != '\n' && text[i] != '\r')
                fail_runtime("c2s::io::read_csv", "'", doc.source, "' line ", line, ", column ", column,
                             ": unexpected character '", text[i], "' after a closing quote");
        } else {
            while (i < n && text[i] != delim && text[i] != '\n' && text[i] != '\r') {
                if (text[i] == '"')
                    fail_runtime("c2s::io::read_csv", "'", doc.source, "' line ", line, ", column ",
                                 column, ": quote inside an unquoted field");
                field.push_back(text[i]);
                ++i;
                ++column;
            }
        }
        // After a field: delimiter, line end or end of text.
        if (i >= n) break;
        if (text[i] == delim) {
            record.push_back(std::move(field));
            field.clear();
            ++i;
            ++column;
            if (i >= n) break;
            continue;
        }
        if (text[i] == '\r') {
            ++i;
            if (i < n && text[i] != '\n')
                fail_runtime("c2s::io::read_csv", "'", doc.source, "' line ", line, ", column ", column,
                             ": carriage return not followed by a line feed");
        }
        if (i < n && text[i] == '\n') ++i;
        finish_record();
        ++line;
        column = 1;
        record_line = line;
    }
    if (!record.empty() || !field.empty()) finish_record();
    if (!header_done) fail_runtime("c2s::io::read_csv", "'", doc.source, "' is empty (no header row)");
    return doc;
}

/// Reads a CSV file (optionally `.gz`).
[[nodiscard]] inline CsvDocument read_csv(const std::filesystem::path& path,
                                          const CsvOptions& options = {}) {
    return parse_csv(read_file(path), path.string(), options);
}

/// Formats a double in the shortest form that reads back exactly; NaN is written as an empty cell.
[[nodiscard]] inline std::string format_number(double value) {
    if (std::isnan(value)) return {};
    if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
    char buffer[64];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
    return std::string(buffer, end);
}

/// Appends `field` to `out`, quoted if it holds the delimiter, a quote, a line break or blanks at
/// either end.
inline void append_csv_field(std::string& out, std::string_view field, char delimiter = ',') {
    const bool quote = field.find_first_of(std::string{delimiter} + "\"\r\n") != std::string_view::npos ||
                       (!field.empty() && (field.front() == ' ' || field.back() == ' '));
    if (!quote) {
        out.append(field);
        return;
    }
    out.push_back('"');
    for (char c : field) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
}

/// Serialises a document (header + rows) to CSV text with LF line ends.
[[nodiscard]] inline std::string to_csv_text(const std::vector<std::string>& header,
                                             const std::vector<std::vector<std::string>>& rows,
                                             const CsvOptions& options = {}) {
    std::string out;
    auto append_row = [&](const std::vector<std::string>& row) {
        for (std::size_t j = 0; j < row.size(); ++j) {
            if (j) out.push_back(options.delimiter);
            append_csv_field(out, row[j], options.delimiter);
        }
        out.push_back('\n');
    };
    append_row(header);
    for (std::size_t r = 0; r < rows.size(); ++r) {
        if (rows[r].size() != header.size())
            fail_argument("c2s::io::write_csv", "row ", r, " has ", rows[r].size(),
                          " fields but the header has ", header.size());
        append_row(rows[r]);
    }
    return out;
}

/// Writes header + rows to `path` atomically.
inline void write_csv(const std::filesystem::path& path, const std::vector<std::string>& header,
                      const std::vector<std::vector<std::string>>& rows, const CsvOptions& options = {}) {
    write_file_atomically(path, to_csv_text(header, rows, options));
}

}  // namespace c2s::io
