#pragma once
/// @file similarity.hpp
/// @brief Row-by-row similarity matrices: cosine, Pearson (= cosine of row-centred rows) and Spearman
/// (= Pearson of the rows' ranks, ties given their average rank as scipy.stats.rankdata).

#include <Eigen/Dense>

#include <algorithm>
#include <numeric>
#include <string_view>
#include <vector>

#include "c2s/core/error.hpp"

namespace c2s::profile {

enum class Similarity { cosine, pearson, spearman };

[[nodiscard]] inline const char* to_string(Similarity s) noexcept {
    switch (s) {
        case Similarity::cosine: return "cosine";
        case Similarity::pearson: return "pearson";
        case Similarity::spearman: return "spearman";
    }
    return "?";
}
[[nodiscard]] inline Similarity parse_similarity(std::string_view s) {
    if (s == "cosine") return Similarity::cosine;
    if (s == "pearson") return Similarity::pearson;
    if (s == "spearman") return Similarity::spearman;
    fail_argument("c2s::profile::parse_similarity", "'similarity' is '", s, "'; expected cosine, pearson or spearman");
}

/// Ranks 1..n of each row's values, ties sharing their average rank (scipy.stats.rankdata 'average').
/// A row holding NaN fails, naming it.
[[nodiscard]] inline Eigen::MatrixXd row_ranks(const Eigen::Ref<const Eigen::MatrixXd>& x,
                                               std::string_view where = "c2s::profile::row_ranks") {
    Eigen::MatrixXd r(x.rows(), x.cols());
    std::vector<Eigen::Index> order(static_cast<std::size_t>(x.cols()));
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
        if (x.row(i).hasNaN()) fail_argument(where, "row ", i, " has a missing value; its ranks are undefined");
        std::iota(order.begin(), order.end(), Eigen::Index{0});
        std::stable_sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) { return x(i, a) < x(i, b); });
        for (std::size_t k = 0; k < order.size();) {
            std::size_t e = k + 1;
            while (e < order.size() && x(i, order[e]) == x(i, order[k])) ++e;
            const double rank = 0.5 * static_cast<double>(k + 1 + e);  // average of ranks k+1 .. e
            for (std::size_t q = k; q < e; ++q) r(i, order[q]) = rank;
            k = e;
        }
    }
    return r;
}

/// Rows scaled to unit length (after ranking each row for Spearman and centring it for Pearson and
/// Spearman), so that similarity = dot product. A zero or constant row fails, naming it.
[[nodiscard]] inline Eigen::MatrixXd unit_rows(const Eigen::Ref<const Eigen::MatrixXd>& x, Similarity s,
                                               std::string_view where = "c2s::profile::unit_rows") {
    Eigen::MatrixXd z = s == Similarity::spearman ? row_ranks(x, where) : Eigen::MatrixXd(x);
    if (s != Similarity::cosine) z = z.colwise() - z.rowwise().mean();
    for (Eigen::Index i = 0; i < z.rows(); ++i) {
        if (!z.row(i).allFinite()) fail_argument(where, "row ", i, " has a missing or infinite value");
        const double n = z.row(i).norm();
        if (!(n > 0))
            fail_argument(where, "row ", i, " is ", s == Similarity::cosine ? "all zero" : "constant", "; its ",
                          to_string(s), " similarity is undefined");
        z.row(i) /= n;
    }
    return z;
}

/// n × n similarity of the rows of `x`.
[[nodiscard]] inline Eigen::MatrixXd similarity_matrix(const Eigen::Ref<const Eigen::MatrixXd>& x, Similarity s) {
    const Eigen::MatrixXd z = unit_rows(x, s, "c2s::profile::similarity_matrix");
    Eigen::MatrixXd m = z * z.transpose();
    m.diagonal().setOnes();
    return m;
}

}  // namespace c2s::profile
