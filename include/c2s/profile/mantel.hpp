#pragma once
/// @file mantel.hpp
/// @brief Mantel test between two distance matrices over the same ids (scikit-bio / vegan
/// definition): the statistic is the Pearson or Spearman correlation of the upper-triangle
/// entries; the p-value comes from permuting the ids of the first matrix.
/// @see Mantel N (1967) Cancer Res 27:209; skbio.stats.distance.mantel; vegan::mantel.

#include <Eigen/Dense>

#include <cstdint>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/core/labeled_matrix.hpp"
#include "c2s/profile/groups.hpp"

namespace c2s::profile {

enum class MantelMethod { pearson, spearman };
enum class Alternative { two_sided, greater, less };

[[nodiscard]] inline const char* to_string(MantelMethod m) noexcept { return m == MantelMethod::pearson ? "pearson" : "spearman"; }
[[nodiscard]] inline const char* to_string(Alternative a) noexcept {
    return a == Alternative::two_sided ? "two-sided" : (a == Alternative::greater ? "greater" : "less");
}

struct MantelOptions {
    MantelMethod method = MantelMethod::pearson;
    /// Number of permutations; more give finer p-values (smallest: 1/(permutations+1)). 0: no test.
    std::size_t permutations = 999;
    /// scikit-bio's default is two-sided; vegan's is "greater".
    Alternative alternative = Alternative::two_sided;
    std::uint64_t seed = 42;
    /// LabeledMatrix overload: fail when the id sets differ instead of intersecting them.
    bool require_same_ids = false;
};

struct MantelResult {
    double statistic = 0;
    double p_value = 1;  ///< NaN when permutations == 0
    std::size_t n = 0;   ///< ids compared
    std::size_t permutations = 0;
    /// LabeledMatrix overload: the ids used and what was dropped ("kept 35 common ids; ...").
    std::vector<std::string> ids;
    std::string note;
};

namespace detail {
inline void check_distance_matrix(const Eigen::Ref<const Eigen::MatrixXd>& m, const char* name) {
    constexpr const char* where = "c2s::profile::mantel";
    if (m.rows() != m.cols()) fail_argument(where, "'", name, "' is ", m.rows(), " x ", m.cols(), ", not square");
    // Hollow up to rounding: a cosine distance computed as 1 - u.u can leave ~1e-16 on the diagonal
    // (only the upper triangle enters the statistic).
    const double diag_tol = 1e-12 * std::max(1.0, m.size() > 0 ? m.cwiseAbs().maxCoeff() : 0.0);
    for (Eigen::Index i = 0; i < m.rows(); ++i) {
        if (!(std::abs(m(i, i)) <= diag_tol))
            fail_argument(where, "'", name, "' has ", m(i, i), " on the diagonal at ", i, "; a distance matrix is hollow");
        for (Eigen::Index j = 0; j < i; ++j) {
            if (!std::isfinite(m(i, j))) fail_argument(where, "'", name, "' has a missing or infinite value at (", i, ", ", j, ")");
            if (std::abs(m(i, j) - m(j, i)) > 1e-12 * std::max(1.0, std::abs(m(i, j))))
                fail_argument(where, "'", name, "' is not symmetric at (", i, ", ", j, ")");
        }
    }
}
}  // namespace detail

/// Mantel test of two n × n distance matrices in the same id order.
[[nodiscard]] inline MantelResult mantel(const Eigen::Ref<const Eigen::MatrixXd>& x, const Eigen::Ref<const Eigen::MatrixXd>& y,
                                         const MantelOptions& o = {}) {
    constexpr const char* where = "c2s::profile::mantel";
    detail::check_distance_matrix(x, "x");
    detail::check_distance_matrix(y, "y");
    if (x.rows() != y.rows()) fail_argument(where, "'x' is ", x.rows(), " x ", x.rows(), " but 'y' is ", y.rows(), " x ", y.rows());
    const auto n = static_cast<std::size_t>(x.rows());
    if (n < 3) fail_argument(where, "the matrices have ", n, " ids; the Mantel test needs at least 3");
    Eigen::MatrixXd xs = x, ys = y;
    const Eigen::Index m = static_cast<Eigen::Index>(n * (n - 1) / 2);
    auto condensed = [&](const Eigen::MatrixXd& a, const std::vector<std::size_t>& perm) {
        Eigen::VectorXd v(m);
        Eigen::Index k = 0;
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = i + 1; j < n; ++j)
                v[k++] = a(static_cast<Eigen::Index>(perm[i]), static_cast<Eigen::Index>(perm[j]));
        return v;
    };
    std::vector<std::size_t> id(n);
    std::iota(id.begin(), id.end(), 0);
    Eigen::VectorXd yv = condensed(ys, id);
    if (o.method == MantelMethod::spearman) {
        // Ranks of the condensed entries, written back into matrix form so permutations keep them.
        const Eigen::VectorXd xr = detail::average_ranks(condensed(xs, id));
        Eigen::Index k = 0;
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = i + 1; j < n; ++j) {
                xs(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = xr[k];
                xs(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(i)) = xr[k];
                ++k;
            }
        yv = detail::average_ranks(yv);
    }
    // Pearson against a fixed, standardised y.
    const Eigen::VectorXd yc = yv.array() - yv.mean();
    const double ynorm = yc.norm();
    if (!(ynorm > 0)) fail_runtime(where, "the entries of 'y' are all equal; the correlation is undefined");
    auto corr = [&](const Eigen::VectorXd& xv) {
        const Eigen::VectorXd xc = xv.array() - xv.mean();
        return xc.dot(yc) / (xc.norm() * ynorm);
    };
    const Eigen::VectorXd x0 = condensed(xs, id);
    if (!((x0.array() - x0.mean()).matrix().norm() > 0))
        fail_runtime(where, "the entries of 'x' are all equal; the correlation is undefined");
    MantelResult res;
    res.n = n;
    res.statistic = corr(x0);
    res.permutations = o.permutations;
    if (o.permutations == 0) {
        res.p_value = std::numeric_limits<double>::quiet_NaN();
        return res;
    }
    std::mt19937_64 rng(o.seed);
    std::size_t hits = 0;
    std::vector<std::size_t> perm = id;
    for (std::size_t t = 0; t < o.permutations; ++t) {
        for (std::size_t i = n - 1; i > 0; --i) {
            std::uniform_int_distribution<std::size_t> d(0, i);
            std::swap(perm[i], perm[d(rng)]);
        }
        const double r = corr(condensed(xs, perm));
        switch (o.alternative) {
            case Alternative::two_sided: hits += std::abs(r) >= std::abs(res.statistic) ? 1 : 0; break;
            case Alternative::greater: hits += r >= res.statistic ? 1 : 0; break;
            case Alternative::less: hits += r <= res.statistic ? 1 : 0; break;
        }
    }
    res.p_value = static_cast<double>(hits + 1) / static_cast<double>(o.permutations + 1);
    return res;
}

/// Mantel test of two labelled matrices: restricted to their common ids (c2s::intersect, in the
/// order of `a`), with the dropped ids in `note`, or failing on different id sets when
/// `require_same_ids`.
[[nodiscard]] inline MantelResult mantel(const LabeledMatrix& a, const LabeledMatrix& b, const MantelOptions& o = {}) {
    if (o.require_same_ids) {
        a.validate("c2s::profile::mantel: 'a'");
        b.validate("c2s::profile::mantel: 'b'");
        std::vector<std::string> sa = a.ids, sb = b.ids;
        std::sort(sa.begin(), sa.end());
        std::sort(sb.begin(), sb.end());
        if (sa != sb) {
            const auto both = intersect(a, b, 0);
            fail_argument("c2s::profile::mantel", "the matrices have different ids: ", both.note());
        }
    }
    const auto both = intersect(a, b);
    auto res = mantel(both.a.values, both.b.values, o);
    res.ids = both.a.ids;
    res.note = both.note();
    return res;
}

}  // namespace c2s::profile
