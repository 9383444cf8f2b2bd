#pragma once
// Reads tests/fixtures/translate/<case>.txt (scripts/fixtures/translate/make_fixtures.py): per array a
// line "name rows cols" and a line of row-major values.

#include <Eigen/Dense>

#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>

#include "test_support.hpp"

namespace c2s::test {

inline std::map<std::string, Eigen::MatrixXd> read_translate_fixture(const std::string& name) {
    std::ifstream in(fixture("translate/" + name + ".txt"));
    if (!in) throw std::runtime_error("missing fixture translate/" + name);
    std::map<std::string, Eigen::MatrixXd> out;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream head(line);
        std::string key;
        Eigen::Index r = 0, c = 0;
        head >> key >> r >> c;
        std::getline(in, line);
        std::istringstream values(line);
        Eigen::MatrixXd m(r, c);
        for (Eigen::Index i = 0; i < r; ++i)
            for (Eigen::Index j = 0; j < c; ++j) values >> m(i, j);
        if (!values && !(values.eof())) throw std::runtime_error("bad fixture array " + key);
        out[key] = m;
    }
    return out;
}

/// max |a - b| / max(|b|_max, tiny): the relative error used in the parity checks.
inline double relative_error(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
    if (a.rows() != b.rows() || a.cols() != b.cols()) return 1e300;
    const double scale = std::max(b.cwiseAbs().maxCoeff(), 1e-300);
    return (a - b).cwiseAbs().maxCoeff() / scale;
}

}  // namespace c2s::test
