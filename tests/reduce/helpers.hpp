#pragma once
// Fixture loading for the reduce tests.

#include <Eigen/Dense>

#include <fstream>
#include <map>
#include <string>

#include "c2s/io/npy.hpp"
#include "c2s/reduce/common.hpp"
#include "test_support.hpp"

namespace c2s::test {

/// A committed .npy fixture as a double matrix (1-D arrays become one column).
inline Eigen::MatrixXd load_matrix(const std::string& name) {
    const auto a = c2s::io::read_npy<double>(fixture("reduce/" + name));
    const auto rows = static_cast<Eigen::Index>(a.rows()), cols = static_cast<Eigen::Index>(a.cols());
    Eigen::MatrixXd m(rows, cols);
    for (Eigen::Index i = 0; i < rows; ++i)
        for (Eigen::Index j = 0; j < cols; ++j) m(i, j) = a.data[static_cast<std::size_t>(i * cols + j)];
    return m;
}

inline c2s::reduce::RowMatrix load_row_matrix(const std::string& name) { return load_matrix(name); }

/// peers.txt: "name value" lines written by scripts/fixtures/reduce/make_fixtures.py.
inline std::map<std::string, double> load_peers() {
    std::ifstream in(fixture("reduce/peers.txt"));
    std::map<std::string, double> out;
    std::string key;
    double value = 0;
    while (in >> key >> value) out[key] = value;
    return out;
}

}  // namespace c2s::test
