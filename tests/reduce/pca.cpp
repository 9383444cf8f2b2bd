#include <doctest/doctest.h>

#include "c2s/reduce/pca.hpp"
#include "helpers.hpp"

using c2s::test::load_matrix;
namespace r = c2s::reduce;

TEST_CASE("reduce: exact PCA equals scikit-learn's PCA (components, transform, variances) within 1e-8") {
    const auto x = load_matrix("pca_x.npy");
    r::PcaOptions o;
    o.num_components = 3;
    o.solver = r::PcaSolver::exact;
    const auto fit = r::pca(x, o);
    const double ec = (fit.model.components - load_matrix("pca_components.npy")).cwiseAbs().maxCoeff();
    const double et = (fit.embedding - load_matrix("pca_transformed.npy")).cwiseAbs().maxCoeff();
    const double en = (fit.model.transform(load_matrix("pca_x_new.npy")) - load_matrix("pca_transformed_new.npy")).cwiseAbs().maxCoeff();
    const double ev = (fit.model.explained_variance - load_matrix("pca_explained_variance.npy")).cwiseAbs().maxCoeff();
    const double er = (fit.model.explained_variance_ratio - load_matrix("pca_explained_variance_ratio.npy")).cwiseAbs().maxCoeff();
    const double es = (fit.model.singular_values - load_matrix("pca_singular_values.npy")).cwiseAbs().maxCoeff();
    const double em = (fit.model.mean - load_matrix("pca_mean.npy")).cwiseAbs().maxCoeff();
    MESSAGE("max abs errors: components " << ec << ", transformed " << et << ", new " << en << ", variance " << ev
                                          << ", ratio " << er << ", singular " << es);
    CHECK(ec < 1e-8);
    CHECK(et < 1e-8);
    CHECK(en < 1e-8);
    CHECK(ev < 1e-8);
    CHECK(er < 1e-8);
    CHECK(es < 1e-8);
    CHECK(em < 1e-12);
    CHECK(fit.solver_used == r::PcaSolver::exact);
}

TEST_CASE("reduce: exact PCA of a wide matrix (more columns than rows) equals scikit-learn") {
    const auto x = load_matrix("pca_wide_x.npy");
    r::PcaOptions o;
    o.num_components = 5;
    const auto fit = r::pca(x, o);  // automatic: small -> exact
    CHECK(fit.solver_used == r::PcaSolver::exact);
    CHECK((fit.model.components - load_matrix("pca_wide_components.npy")).cwiseAbs().maxCoeff() < 1e-8);
    CHECK((fit.embedding - load_matrix("pca_wide_transformed.npy")).cwiseAbs().maxCoeff() < 1e-8);
    CHECK((fit.model.explained_variance_ratio - load_matrix("pca_wide_explained_variance_ratio.npy")).cwiseAbs().maxCoeff() < 1e-8);
}

TEST_CASE("reduce: randomized PCA of a low-rank tall matrix is close to exact and to scikit-learn's randomized PCA") {
    const auto x = load_matrix("pca_lowrank_x.npy");
    r::PcaOptions o;
    o.num_components = 5;
    o.solver = r::PcaSolver::exact;
    const auto exact = r::pca(x, o);
    o.solver = r::PcaSolver::randomized;
    o.seed = 3;
    const auto rnd = r::pca(x, o);
    const double e_exact = (rnd.model.components - exact.model.components).cwiseAbs().maxCoeff();
    const double e_sk = (rnd.model.components - load_matrix("pca_lowrank_components.npy")).cwiseAbs().maxCoeff();
    const double e_ratio = (rnd.model.explained_variance_ratio - load_matrix("pca_lowrank_explained_variance_ratio.npy")).cwiseAbs().maxCoeff();
    MESSAGE("randomized vs exact " << e_exact << ", vs sklearn randomized " << e_sk << ", ratio " << e_ratio);
    CHECK(e_exact < 1e-8);
    CHECK(e_sk < 1e-8);
    CHECK(e_ratio < 1e-8);
    CHECK((rnd.embedding - exact.embedding).cwiseAbs().maxCoeff() < 1e-6);
    // the automatic rule picks randomized for a tall matrix with few components (scikit-learn's "auto")
    o.solver = r::PcaSolver::automatic;
    CHECK(r::pca(x, o).solver_used == r::PcaSolver::randomized);
    // same seed, same result; another seed agrees up to the approximation
    o.solver = r::PcaSolver::randomized;
    CHECK((r::pca(x, o).model.components - rnd.model.components).cwiseAbs().maxCoeff() == 0.0);
}

TEST_CASE("reduce: PCA bad input names the argument and value") {
    Eigen::MatrixXd x = Eigen::MatrixXd::Random(10, 4);
    r::PcaOptions o;
    o.num_components = 5;
    C2S_CHECK_THROWS_WITH_SUBSTR(r::pca(x, o), std::invalid_argument, "'num_components' is 5 but must be between 1 and min(rows, columns) = 4");
    o.num_components = 2;
    x(3, 2) = std::nan("");
    C2S_CHECK_THROWS_WITH_SUBSTR(r::pca(x, o), std::invalid_argument, "'x' has a non-finite value (nan) at row 3, column 2");
    C2S_CHECK_THROWS_WITH_SUBSTR(r::pca(Eigen::MatrixXd::Ones(1, 3), o), std::invalid_argument, "'x' has 1 rows; at least 2");
    const auto fit = r::pca(Eigen::MatrixXd::Random(10, 4), o);
    C2S_CHECK_THROWS_WITH_SUBSTR(fit.model.transform(Eigen::MatrixXd::Ones(2, 3)), std::invalid_argument,
                                 "'x' has 3 columns but the model was fitted on 4");
}
