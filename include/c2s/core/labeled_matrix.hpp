#pragma once
/// @file labeled_matrix.hpp
/// @brief `c2s::LabeledMatrix`: a square distance or similarity matrix keyed by ids (compounds),
/// so matrices over different compound sets can be intersected before they are compared.

#include <Eigen/Dense>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/io/csv.hpp"
#include "c2s/io/npy.hpp"

namespace c2s {

struct LabeledMatrix {
    /// Row and column ids (the same order on both axes).
    std::vector<std::string> ids;
    Eigen::MatrixXd values;
    /// What the values are ("tanimoto distance", "cosine distance", ...), kept in files.
    std::string measure;

    [[nodiscard]] std::size_t size() const noexcept { return ids.size(); }

    /// Throws unless `values` is square, matches `ids` and `ids` has no duplicates.
    void validate(std::string_view where) const {
        if (values.rows() != values.cols() || static_cast<std::size_t>(values.rows()) != ids.size())
            fail_argument(where, "matrix is ", values.rows(), " x ", values.cols(), " but has ", ids.size(), " ids");
        std::map<std::string, std::size_t> seen;
        for (std::size_t i = 0; i < ids.size(); ++i) {
            auto [it, fresh] = seen.emplace(ids[i], i);
            if (!fresh) fail_argument(where, "id '", ids[i], "' appears twice (positions ", it->second, " and ", i, ")");
        }
    }

    /// Index of `id`, or throws naming it.
    [[nodiscard]] std::size_t index_of(std::string_view id) const {
        for (std::size_t i = 0; i < ids.size(); ++i)
            if (ids[i] == id) return i;
        fail_argument("c2s::LabeledMatrix::index_of", "id '", id, "' is not in the matrix");
    }

    /// The sub-matrix over `keep` (ids, in that order); every id must be present.
    [[nodiscard]] LabeledMatrix subset(const std::vector<std::string>& keep) const {
        std::map<std::string, std::size_t> pos;
        for (std::size_t i = 0; i < ids.size(); ++i) pos.emplace(ids[i], i);
        std::vector<std::size_t> idx;
        idx.reserve(keep.size());
        for (const auto& k : keep) {
            auto it = pos.find(k);
            if (it == pos.end()) fail_argument("c2s::LabeledMatrix::subset", "id '", k, "' is not in the matrix");
            idx.push_back(it->second);
        }
        LabeledMatrix out{keep, Eigen::MatrixXd(idx.size(), idx.size()), measure};
        for (std::size_t i = 0; i < idx.size(); ++i)
            for (std::size_t j = 0; j < idx.size(); ++j)
                out.values(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
                    values(static_cast<Eigen::Index>(idx[i]), static_cast<Eigen::Index>(idx[j]));
        return out;
    }
};

/// Two matrices restricted to their common ids (in the order of `a`), with what was dropped.
struct IntersectedMatrices {
    LabeledMatrix a, b;
    std::vector<std::string> only_in_a, only_in_b;
    /// "kept 34 ids; dropped from a: X, Y; dropped from b: Z" (for reports).
    [[nodiscard]] std::string note() const {
        std::string out = concat("kept ", a.size(), " common ids");
        auto list = [](const std::vector<std::string>& v) {
            std::string s;
            for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
            return s;
        };
        if (!only_in_a.empty()) out += concat("; dropped ", only_in_a.size(), " only in the first (", list(only_in_a), ")");
        if (!only_in_b.empty()) out += concat("; dropped ", only_in_b.size(), " only in the second (", list(only_in_b), ")");
        return out;
    }
};

/// Restricts `a` and `b` to the ids they share. Fails if they share fewer than `min_common`.
[[nodiscard]] inline IntersectedMatrices intersect(const LabeledMatrix& a, const LabeledMatrix& b,
                                                   std::size_t min_common = 3) {
    a.validate("c2s::intersect: 'a'");
    b.validate("c2s::intersect: 'b'");
    std::vector<std::string> common, only_a, only_b;
    for (const auto& id : a.ids)
        (std::find(b.ids.begin(), b.ids.end(), id) != b.ids.end() ? common : only_a).push_back(id);
    for (const auto& id : b.ids)
        if (std::find(a.ids.begin(), a.ids.end(), id) == a.ids.end()) only_b.push_back(id);
    if (common.size() < min_common)
        fail_argument("c2s::intersect", "the matrices share ", common.size(), " ids, fewer than ", min_common);
    return {a.subset(common), b.subset(common), std::move(only_a), std::move(only_b)};
}

/// Saves as `<stem>.npy` (float64, n × n, atomic) and `<stem>.ids.csv` (columns id, measure).
inline void save_labeled_matrix(const std::filesystem::path& npy_path, const LabeledMatrix& m) {
    m.validate("c2s::save_labeled_matrix");
    const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> rm = m.values;
    const auto n = static_cast<std::size_t>(rm.rows());
    io::write_npy<double>(npy_path, {rm.data(), n * n}, {n, n});
    std::vector<std::vector<std::string>> rows;
    for (const auto& id : m.ids) rows.push_back({id, m.measure});
    auto ids_path = npy_path;
    ids_path.replace_extension(".ids.csv");
    io::write_csv(ids_path, {"id", "measure"}, rows);
}

/// Loads what `save_labeled_matrix` wrote.
[[nodiscard]] inline LabeledMatrix load_labeled_matrix(const std::filesystem::path& npy_path) {
    auto ids_path = npy_path;
    ids_path.replace_extension(".ids.csv");
    const auto doc = io::read_csv(ids_path);
    LabeledMatrix m;
    m.ids = doc.column_values("id");
    if (auto c = doc.find_column("measure"); c && doc.num_rows() > 0) m.measure = doc.rows[0][*c];
    const auto a = io::read_npy<double>(npy_path);
    if (a.shape.size() != 2 || a.shape[0] != a.shape[1] || a.shape[0] != m.ids.size())
        fail_runtime("c2s::load_labeled_matrix", "'", npy_path.string(), "' is not a square matrix matching the ",
                     m.ids.size(), " ids of '", ids_path.string(), "'");
    m.values = Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
        a.data.data(), static_cast<Eigen::Index>(a.shape[0]), static_cast<Eigen::Index>(a.shape[1]));
    m.validate("c2s::load_labeled_matrix");
    return m;
}

}  // namespace c2s
