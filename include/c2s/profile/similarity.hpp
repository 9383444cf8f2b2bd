#pragma once
/// @file similarity.hpp
/// @brief Row-by-row similarity matrices: cosine and Pearson (Pearson = cosine of row-centred rows).

#include <Eigen/Dense>

#include <string_view>

#include "c2s/core/error.hpp"

namespace c2s::profile {

enum class Similarity { cosine, pearson };

[[nodiscard]] inline const char* to_string(Similarity s) noexcept { return s == Similarity::cosine ? "cosine" : "pearson"; }
[[nodiscard]] inline Similarity parse_similarity(std::string_view s) {
    if (s == "cosine") return Similarity::cosine;
    if (s == "pearson") return Similarity::pearson;
    fail_argument("c2s::profile::parse_similarity", "'similarity' is '", s, "'; expected cosine or pearson");
}

/// Rows scaled to unit length (after centring each row for Pearson). A zero row fails, naming it.
[[nodiscard]] inline Eigen::MatrixXd unit_rows(const Eigen::Ref<const Eigen::MatrixXd>& x, Similarity s,
                                               std::string_view where = "c2s::profile::unit_rows") {
    Eigen::MatrixXd z = x;
    if (s == Similarity::pearson) z = z.colwise() - z.rowwise().mean();
    for (Eigen::Index i = 0; i < z.rows(); ++i) {
        if (!z.row(i).allFinite()) fail_argument(where, "row ", i, " has a missing or infinite value");
        const double n = z.row(i).norm();
        if (!(n > 0))
            fail_argument(where, "row ", i, " is ", s == Similarity::pearson ? "constant" : "all zero", "; its ",
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
