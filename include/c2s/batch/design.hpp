#pragma once
/// @file design.hpp
/// @brief Covariate design matrices for ComBat from categorical labels, like R's
/// `model.matrix(~a + b)[, -1]`: one 0/1 column per level except each factor's first (sorted)
/// level, no intercept.

#include <Eigen/Dense>

#include <algorithm>
#include <string>
#include <vector>

#include "c2s/core/error.hpp"

namespace c2s::batch {

struct CovariateDesign {
    Eigen::MatrixXd matrix;          ///< samples × columns
    std::vector<std::string> names;  ///< "factor=level" per column
};

/**
 * @brief Treatment-coded design of categorical factors (first sorted level of each is the baseline).
 * @param factors one label vector per factor, all of the same length
 * @param names   one name per factor (used in the column names "name=level")
 */
[[nodiscard]] inline CovariateDesign categorical_design(const std::vector<std::vector<std::string>>& factors,
                                                        const std::vector<std::string>& names) {
    constexpr const char* where = "c2s::batch::categorical_design";
    if (factors.size() != names.size())
        fail_argument(where, "'factors' has ", factors.size(), " entries but 'names' has ", names.size());
    CovariateDesign d;
    const std::size_t n = factors.empty() ? 0 : factors[0].size();
    std::vector<std::vector<double>> cols;
    for (std::size_t f = 0; f < factors.size(); ++f) {
        if (factors[f].size() != n)
            fail_argument(where, "factor '", names[f], "' has ", factors[f].size(), " values but factor '", names[0],
                          "' has ", n);
        std::vector<std::string> levels = factors[f];
        std::sort(levels.begin(), levels.end());
        levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
        for (std::size_t l = 1; l < levels.size(); ++l) {
            std::vector<double> c(n);
            for (std::size_t i = 0; i < n; ++i) c[i] = factors[f][i] == levels[l] ? 1.0 : 0.0;
            cols.push_back(std::move(c));
            d.names.push_back(names[f] + "=" + levels[l]);
        }
    }
    d.matrix.resize(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(cols.size()));
    for (std::size_t j = 0; j < cols.size(); ++j)
        for (std::size_t i = 0; i < n; ++i) d.matrix(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = cols[j][i];
    return d;
}

}  // namespace c2s::batch
