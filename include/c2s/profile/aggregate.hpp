#pragma once
/// @file aggregate.hpp
/// @brief Aggregation of rows by any key combination (image → well → treatment → compound), mean
/// or median, keeping the group sizes (cytominer::aggregate, pycytominer.aggregate).

#include <Eigen/Dense>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/io/table.hpp"
#include "c2s/profile/groups.hpp"

namespace c2s::profile {

enum class AggregateOperation { mean, median };

struct AggregateOptions {
    AggregateOperation operation = AggregateOperation::mean;
    /// Name of the metadata column holding each group's row count.
    std::string size_column = "Metadata_Count";
    /// Other metadata columns: kept with their value where constant within every group; where a
    /// group has several values they are joined, sorted, with this separator (e.g. "Week1;Week2").
    std::string separator = ";";
};

/// Groups rows by the values of `keys` (metadata columns), in sorted key order, and reduces each
/// feature by the operation. NaN values are skipped (a group with none left gives NaN).
[[nodiscard]] inline io::Table aggregate(const io::Table& table, const std::vector<std::string>& keys,
                                         const AggregateOptions& o = {}) {
    constexpr const char* where = "c2s::profile::aggregate";
    if (keys.empty()) fail_argument(where, "'keys' is empty; name at least one metadata column");
    std::vector<const std::vector<std::string>*> key_cols;
    for (const auto& k : keys) key_cols.push_back(&table.metadata_column(k));
    std::map<std::vector<std::string>, std::vector<std::size_t>> groups;
    for (std::size_t r = 0; r < table.num_rows(); ++r) {
        std::vector<std::string> key;
        for (const auto* c : key_cols) key.push_back((*c)[r]);
        groups[key].push_back(r);
    }
    io::Table out;
    const auto ng = static_cast<Eigen::Index>(groups.size());
    out.feature_names = table.feature_names;
    out.features.resize(ng, table.features.cols());
    out.metadata_names = keys;
    out.metadata.assign(keys.size(), {});
    std::vector<std::size_t> others;
    for (std::size_t c = 0; c < table.metadata_names.size(); ++c)
        if (std::find(keys.begin(), keys.end(), table.metadata_names[c]) == keys.end() &&
            table.metadata_names[c] != o.size_column) {
            others.push_back(c);
            out.metadata_names.push_back(table.metadata_names[c]);
            out.metadata.emplace_back();
        }
    out.metadata_names.push_back(o.size_column);
    out.metadata.emplace_back();
    Eigen::Index gi = 0;
    for (const auto& [key, rows] : groups) {
        for (std::size_t k = 0; k < keys.size(); ++k) out.metadata[k].push_back(key[k]);
        for (std::size_t m = 0; m < others.size(); ++m) {
            std::set<std::string> values;
            for (auto r : rows) values.insert(table.metadata[others[m]][r]);
            std::string joined;
            for (const auto& v : values) joined += (joined.empty() ? "" : o.separator) + v;
            out.metadata[keys.size() + m].push_back(joined);
        }
        out.metadata.back().push_back(std::to_string(rows.size()));
        for (Eigen::Index j = 0; j < table.features.cols(); ++j) {
            std::vector<double> v;
            v.reserve(rows.size());
            for (auto r : rows) {
                const double x = table.features(static_cast<Eigen::Index>(r), j);
                if (!std::isnan(x)) v.push_back(x);
            }
            double value = std::numeric_limits<double>::quiet_NaN();
            if (!v.empty()) {
                if (o.operation == AggregateOperation::mean) {
                    double s = 0;
                    for (double x : v) s += x;
                    value = s / static_cast<double>(v.size());
                } else {
                    value = detail::median(std::move(v));
                }
            }
            out.features(gi, j) = value;
        }
        ++gi;
    }
    return out;
}

}  // namespace c2s::profile
