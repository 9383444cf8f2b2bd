#pragma once
// Loaders for the profile fixtures (written by scripts/fixtures/profile/make_profile_fixtures.py).

#include <Eigen/Dense>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "c2s/io/csv.hpp"
#include "test_support.hpp"

namespace c2s::test {

/// A headerless numeric CSV.
inline Eigen::MatrixXd load_matrix(const std::string& relative) {
    std::ifstream in(fixture(relative));
    REQUIRE_MESSAGE(in.good(), "missing fixture " << relative);
    std::vector<std::vector<double>> rows;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        std::vector<double> row;
        std::stringstream ls(line);
        std::string cell;
        while (std::getline(ls, cell, ',')) row.push_back(std::stod(cell));
        rows.push_back(std::move(row));
    }
    Eigen::MatrixXd m(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(rows.at(0).size()));
    for (std::size_t i = 0; i < rows.size(); ++i)
        for (std::size_t j = 0; j < rows[i].size(); ++j) m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = rows[i][j];
    return m;
}

inline c2s::io::CsvDocument load_csv(const std::string& relative) { return c2s::io::read_csv(fixture(relative)); }

inline double max_abs_diff(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
    REQUIRE(a.rows() == b.rows());
    REQUIRE(a.cols() == b.cols());
    return (a - b).cwiseAbs().maxCoeff();
}

}  // namespace c2s::test
