#pragma once
/// @file matrices.hpp
/// @brief Compound x compound distance matrices keyed by compound id (`c2s::LabeledMatrix`):
/// Tanimoto distance of fingerprints and cosine distance of scaled descriptors, through the
/// distance component's kernels (distance = 1 - similarity).

#include <Eigen/Dense>

#include <string>
#include <vector>

#include "c2s/chem/scaling.hpp"
#include "c2s/core/error.hpp"
#include "c2s/core/fingerprints.hpp"
#include "c2s/core/labeled_matrix.hpp"
#include "c2s/distance/matrix.hpp"

namespace c2s::chem {

/// 1 - Tanimoto similarity of every pair of fingerprints; `ids[i]` names row `i` of `fps`.
[[nodiscard]] inline LabeledMatrix tanimoto_distance_matrix(const std::vector<std::string>& ids,
                                                            const FingerprintSet& fps,
                                                            const distance::MatrixOptions& options = {}) {
    if (ids.size() != fps.size())
        fail_argument("c2s::chem::tanimoto_distance_matrix", "'ids' has ", ids.size(), " entries but 'fps' has ",
                      fps.size(), " rows");
    const Eigen::MatrixXf sim = distance::tanimoto_similarity_matrix(fps, options);
    LabeledMatrix m{ids, (1.0 - sim.cast<double>().array()).matrix(), "tanimoto distance"};
    m.values.diagonal().setZero();
    m.validate("c2s::chem::tanimoto_distance_matrix");
    return m;
}

/// 1 - cosine similarity of every pair of rows of the scaled descriptors.
[[nodiscard]] inline LabeledMatrix cosine_distance_matrix(const ScaledDescriptors& d,
                                                          const distance::MatrixOptions& options = {}) {
    if (d.values.cols() == 0)
        fail_argument("c2s::chem::cosine_distance_matrix", "no descriptor columns are left (", d.dropped.size(),
                      " dropped); use missing = impute_median");
    const Eigen::MatrixXd sim = distance::cosine_similarity_matrix<double>(d.values, options);
    LabeledMatrix m{d.ids, (1.0 - sim.array()).matrix(), "descriptor cosine distance"};
    m.validate("c2s::chem::cosine_distance_matrix");
    return m;
}

}  // namespace c2s::chem
