// Uses the installed headers as a user's project would: the core always, and each optional
// component that find_package(cell2structure COMPONENTS ...) was asked for.
#include <c2s/c2s.hpp>

#ifdef CONSUMER_WITH_CHEM
#include <c2s/chem/fingerprints.hpp>
#include <c2s/chem/molecules.hpp>
#endif
#ifdef CONSUMER_WITH_PLOT
#include <c2s/plot/heatmap.hpp>
#endif
#ifdef CONSUMER_WITH_VISION
#include <c2s/vision/inception.hpp>
#endif

#include <filesystem>
#include <iostream>

int main(int argc, char** argv) {
    if (argc != 2) return 2;
    const auto ds = c2s::data::bbbc021::load(argv[1]);
    const auto& s = ds.summary;
    std::cout << "treatments=" << s.treatments << " compounds=" << s.compounds << " moas=" << s.moas << "\n";
#ifdef CONSUMER_WITH_CHEM
    const auto mols = c2s::chem::parse_compounds({{"ethanol", "CCO", 1}, {"cisplatin", "N.N.Cl[Pt]Cl", 2}});
    const auto fps = c2s::chem::morgan_fingerprints(mols.molecules);
    std::cout << "chem: " << fps.size() << " fingerprints, ethanol has " << fps.popcount(0) << " bits\n";
    if (fps.size() != 2 || fps.popcount(0) == 0) return 1;
#endif
#ifdef CONSUMER_WITH_PLOT
    Eigen::MatrixXd m(2, 2);
    m << 0, 1, 1, 0;
    const auto out = std::filesystem::temp_directory_path() / "c2s_consumer_heatmap.png";
    c2s::plot::heatmap(m).save(out);
    std::cout << "plot: wrote " << std::filesystem::file_size(out) << " bytes\n";
    std::filesystem::remove(out);
#endif
#ifdef CONSUMER_WITH_VISION
    c2s::vision::InceptionV3 model;
    const auto params = c2s::vision::count_parameters(*model);
    std::cout << "vision: Inception V3 with " << params << " parameters\n";
    if (params != 27161264) return 1;
#endif
    return 0;
}
