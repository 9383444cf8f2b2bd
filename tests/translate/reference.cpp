// Parity of c2s::translate's ridge, CCA, PLSCanonical and PLSRegression with scikit-learn 1.2
// (fixtures from scripts/fixtures/translate/make_fixtures.py; CCA/PLS run to convergence there).

#include <doctest/doctest.h>

#include <cstdio>

#include "c2s/translate/cross_decomposition.hpp"
#include "c2s/translate/ridge.hpp"
#include "fixtures.hpp"

namespace ct = c2s::translate;
using c2s::test::relative_error;

namespace {

constexpr double tolerance = 1e-8;

void check(const char* what, const Eigen::MatrixXd& got, const Eigen::MatrixXd& expected) {
    const double e = relative_error(got, expected);
    INFO(what << ": relative error " << e << " (" << got.rows() << "x" << got.cols() << " vs " << expected.rows() << "x"
              << expected.cols() << ")");
    CHECK(e < tolerance);
    std::printf("parity %-28s %.3g\n", what, e);
}

}  // namespace

TEST_CASE("translate: ridge equals sklearn Ridge (primal and dual forms, two alphas)") {
    for (const char* name : {"tall", "wide", "one"}) {
        const auto f = c2s::test::read_translate_fixture(name);
        for (const auto& [alpha, tag] : {std::pair{0.1, "0p1"}, std::pair{3.0, "3p0"}}) {
            ct::RidgeOptions o;
            o.alpha = alpha;
            const auto m = ct::fit_ridge(f.at("X"), f.at("Y"), o);
            const std::string base = std::string(name) + " ridge_" + tag;
            check((base + " coef").c_str(), m.coef, f.at(std::string("ridge_") + tag + "_coef"));
            check((base + " intercept").c_str(), m.intercept, f.at(std::string("ridge_") + tag + "_intercept"));
            check((base + " predict").c_str(), m.predict(f.at("Xtest")), f.at(std::string("ridge_") + tag + "_predict"));
        }
    }
}

TEST_CASE("translate: CCA, PLSCanonical and PLSRegression equal sklearn's converged NIPALS") {
    for (const char* name : {"tall", "wide", "one"}) {
        const auto f = c2s::test::read_translate_fixture(name);
        for (const auto& [tag, method] : {std::pair{"plsca", ct::CrossDecompositionMethod::pls_canonical},
                                          std::pair{"plsreg", ct::CrossDecompositionMethod::pls_regression},
                                          std::pair{"cca", ct::CrossDecompositionMethod::cca}}) {
            const std::string t = tag;
            if (!f.count(t + "_ncomp")) continue;
            ct::CrossDecompositionOptions o;
            o.method = method;
            o.n_components = static_cast<std::size_t>(f.at(t + "_ncomp")(0, 0));
            const auto m = ct::fit_cross_decomposition(f.at("X"), f.at("Y"), o);
            REQUIRE(m.n_components == o.n_components);
            const std::string base = std::string(name) + " " + t;
            check((base + " x_weights").c_str(), m.x_weights, f.at(t + "_x_weights"));
            check((base + " y_weights").c_str(), m.y_weights, f.at(t + "_y_weights"));
            check((base + " x_loadings").c_str(), m.x_loadings, f.at(t + "_x_loadings"));
            check((base + " y_loadings").c_str(), m.y_loadings, f.at(t + "_y_loadings"));
            check((base + " x_rotations").c_str(), m.x_rotations, f.at(t + "_x_rotations"));
            check((base + " y_rotations").c_str(), m.y_rotations, f.at(t + "_y_rotations"));
            check((base + " coef").c_str(), m.coef, f.at(t + "_coef"));
            check((base + " transform x").c_str(), m.transform_x(f.at("Xtest")), f.at(t + "_x_scores_test"));
            check((base + " transform y").c_str(), m.transform_y(f.at("Ytest")), f.at(t + "_y_scores_test"));
            check((base + " predict").c_str(), m.predict(f.at("Xtest")), f.at(t + "_predict"));
        }
    }
}
