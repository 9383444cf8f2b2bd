#pragma once
/// @file descriptors.hpp
/// @brief The 208 molecular descriptors of RDKit Python's `Descriptors.descList` (RDKit 2022.09),
/// computed from C++.
///
/// Where RDKit has a descriptor in C++ (`RDKit::Descriptors`), that function is called with the
/// arguments the Python wrapper uses. The descriptors that exist only in Python are implemented
/// here from RDKit's C++ building blocks, following the Python source step by step (same
/// distance matrices, same accumulation order): MaxEStateIndex, MinEStateIndex,
/// MaxAbsEStateIndex, MinAbsEStateIndex, EState_VSA1-11, VSA_EState1-10, NumValenceElectrons,
/// NumRadicalElectrons, Max/Min(Abs)PartialCharge, FpDensityMorgan1-3, BalabanJ, BertzCT, Chi0,
/// Chi1, Ipc, HeavyAtomCount, qed and the 85 fr_* fragment counts (SMARTS read from RDKit's
/// `FragmentDescriptors.csv`). `qed` reads its SMARTS and parameters from RDKit's own `QED.py`
/// (python3-rdkit); without that file it is NaN and a warning says so.
/// A descriptor that RDKit cannot compute for a molecule (e.g. BCUT2D and Gasteiger charges of
/// metal complexes) is NaN, as in Python; see `scaling.hpp` for how NaN is handled downstream.

#include <DataStructs/SparseIntVect.h>
#include <GraphMol/ChemTransforms/ChemTransforms.h>
// Debian's RDKit is built with Eigen, so BCUT2D exists in the library; its header declares it only
// when RDK_HAS_EIGEN3 is defined.
#ifndef RDK_HAS_EIGEN3
#define RDK_HAS_EIGEN3 1
#define C2S_DEFINED_RDK_HAS_EIGEN3
#endif
#include <GraphMol/Descriptors/BCUT.h>
#ifdef C2S_DEFINED_RDK_HAS_EIGEN3
#undef RDK_HAS_EIGEN3
#undef C2S_DEFINED_RDK_HAS_EIGEN3
#endif
#include <GraphMol/Descriptors/ConnectivityDescriptors.h>
#include <GraphMol/Descriptors/Crippen.h>
#include <GraphMol/Descriptors/Lipinski.h>
#include <GraphMol/Descriptors/MolDescriptors.h>
#include <GraphMol/Descriptors/MolSurf.h>
#include <GraphMol/Fingerprints/MorganFingerprints.h>
#include <GraphMol/GraphMol.h>
#include <GraphMol/MolOps.h>
#include <GraphMol/PartialCharges/GasteigerCharges.h>
#include <GraphMol/SmilesParse/SmilesParse.h>
#include <GraphMol/Substruct/SubstructMatch.h>

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "c2s/chem/molecules.hpp"
#include "c2s/core/error.hpp"
#include "c2s/io/table.hpp"
#include "c2s/core/parallelize.hpp"

namespace c2s::chem {

/// The names of RDKit Python's `Descriptors.descList` (RDKit 2022.09), in its order.
[[nodiscard]] inline const std::vector<std::string>& descriptor_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n{"MaxEStateIndex", "MinEStateIndex", "MaxAbsEStateIndex", "MinAbsEStateIndex",
                                   "qed", "MolWt", "HeavyAtomMolWt", "ExactMolWt", "NumValenceElectrons",
                                   "NumRadicalElectrons", "MaxPartialCharge", "MinPartialCharge",
                                   "MaxAbsPartialCharge", "MinAbsPartialCharge", "FpDensityMorgan1",
                                   "FpDensityMorgan2", "FpDensityMorgan3"};
        for (const char* s : {"MWHI", "MWLOW", "CHGHI", "CHGLO", "LOGPHI", "LOGPLOW", "MRHI", "MRLOW"})
            n.push_back(std::string("BCUT2D_") + s);
        for (const char* s : {"BalabanJ", "BertzCT", "Chi0", "Chi0n", "Chi0v", "Chi1", "Chi1n", "Chi1v", "Chi2n",
                              "Chi2v", "Chi3n", "Chi3v", "Chi4n", "Chi4v", "HallKierAlpha", "Ipc", "Kappa1",
                              "Kappa2", "Kappa3", "LabuteASA"})
            n.push_back(s);
        // Python sorts these names as strings: 1, 10, 11, ..., 2, 3, ...
        auto numbered = [&n](const std::string& prefix, int count) {
            std::vector<std::string> v;
            for (int i = 1; i <= count; ++i) v.push_back(prefix + std::to_string(i));
            std::sort(v.begin(), v.end());
            n.insert(n.end(), v.begin(), v.end());
        };
        numbered("PEOE_VSA", 14);
        numbered("SMR_VSA", 10);
        numbered("SlogP_VSA", 12);
        n.push_back("TPSA");
        numbered("EState_VSA", 11);
        numbered("VSA_EState", 10);
        for (const char* s : {"FractionCSP3", "HeavyAtomCount", "NHOHCount", "NOCount", "NumAliphaticCarbocycles",
                              "NumAliphaticHeterocycles", "NumAliphaticRings", "NumAromaticCarbocycles",
                              "NumAromaticHeterocycles", "NumAromaticRings", "NumHAcceptors", "NumHDonors",
                              "NumHeteroatoms", "NumRotatableBonds", "NumSaturatedCarbocycles",
                              "NumSaturatedHeterocycles", "NumSaturatedRings", "RingCount", "MolLogP", "MolMR"})
            n.push_back(s);
        for (const char* s :
             {"fr_Al_COO", "fr_Al_OH", "fr_Al_OH_noTert", "fr_ArN", "fr_Ar_COO", "fr_Ar_N", "fr_Ar_NH", "fr_Ar_OH",
              "fr_COO", "fr_COO2", "fr_C_O", "fr_C_O_noCOO", "fr_C_S", "fr_HOCCN", "fr_Imine", "fr_NH0", "fr_NH1",
              "fr_NH2", "fr_N_O", "fr_Ndealkylation1", "fr_Ndealkylation2", "fr_Nhpyrrole", "fr_SH", "fr_aldehyde",
              "fr_alkyl_carbamate", "fr_alkyl_halide", "fr_allylic_oxid", "fr_amide", "fr_amidine", "fr_aniline",
              "fr_aryl_methyl", "fr_azide", "fr_azo", "fr_barbitur", "fr_benzene", "fr_benzodiazepine",
              "fr_bicyclic", "fr_diazo", "fr_dihydropyridine", "fr_epoxide", "fr_ester", "fr_ether", "fr_furan",
              "fr_guanido", "fr_halogen", "fr_hdrzine", "fr_hdrzone", "fr_imidazole", "fr_imide", "fr_isocyan",
              "fr_isothiocyan", "fr_ketone", "fr_ketone_Topliss", "fr_lactam", "fr_lactone", "fr_methoxy",
              "fr_morpholine", "fr_nitrile", "fr_nitro", "fr_nitro_arom", "fr_nitro_arom_nonortho", "fr_nitroso",
              "fr_oxazole", "fr_oxime", "fr_para_hydroxylation", "fr_phenol", "fr_phenol_noOrthoHbond",
              "fr_phos_acid", "fr_phos_ester", "fr_piperdine", "fr_piperzine", "fr_priamide", "fr_prisulfonamd",
              "fr_pyridine", "fr_quatN", "fr_sulfide", "fr_sulfonamd", "fr_sulfone", "fr_term_acetylene",
              "fr_tetrazole", "fr_thiazole", "fr_thiocyan", "fr_thiophene", "fr_unbrch_alkane", "fr_urea"})
            n.push_back(s);
        return n;
    }();
    return names;
}

struct DescriptorOptions {
    /// Folder with RDKit's `FragmentDescriptors.csv` (the fr_* SMARTS).
    std::filesystem::path rdkit_data_dir =
#ifdef C2S_RDKIT_DATA_DIR
        C2S_RDKIT_DATA_DIR;
#else
        "/usr/share/RDKit/Data";
#endif
    /// RDKit's `QED.py` (python3-rdkit), source of the qed SMARTS and parameters. Empty or missing:
    /// qed is NaN and `Descriptors::warnings` says so.
    std::filesystem::path qed_source = "/usr/lib/python3/dist-packages/rdkit/Chem/QED.py";
    /// Worker threads (values < 1: all hardware threads). Each molecule is copied before RDKit
    /// caches its properties on it, so the shared input molecules are never written.
    int num_threads = 1;
};

/// Descriptor table: `values(i, j)` is descriptor `names[j]` of compound `ids[i]`; NaN where RDKit
/// cannot compute it.
struct Descriptors {
    std::vector<std::string> ids;
    std::vector<std::string> names;
    Eigen::MatrixXd values;
    std::vector<std::string> warnings;
};

/// Writes `d` as CSV (atomically): an `id` column, then one column per descriptor; NaN as empty cells.
inline void write_descriptors_csv(const std::filesystem::path& path, const Descriptors& d) {
    io::Table table;
    table.metadata_names = {"id"};
    table.metadata = {d.ids};
    table.feature_names = d.names;
    table.features = d.values;
    io::write_table(path, table);
}

namespace detail {

inline double py_min(double a, double b) { return b < a ? b : a; }  // Python's min(a, b), NaN included
inline double py_max(double a, double b) { return b > a ? b : a; }

/// rdInfoTheory.InfoEntropy: -sum p log2 p over the non-zero entries.
inline double info_entropy(const std::vector<double>& v) {
    double total = 0;
    for (double x : v) total += x;
    if (total == 0) return 0;
    double accum = 0;
    for (double x : v)
        if (x != 0) {
            const double p = x / total;
            accum -= p * std::log(p);
        }
    return accum / std::log(2.0);
}

inline int principal_quantum_number(int z) {
    if (z <= 2) return 1;
    if (z <= 10) return 2;
    if (z <= 18) return 3;
    if (z <= 36) return 4;
    if (z <= 54) return 5;
    if (z <= 86) return 6;
    return 7;
}

/// EState.EStateIndices (Hall, Mohney and Kier 1991).
inline std::vector<double> estate_indices(const RDKit::ROMol& mol) {
    const auto n = mol.getNumAtoms();
    const auto* table = RDKit::PeriodicTable::getTable();
    std::vector<double> is(n, 0.0);
    for (unsigned i = 0; i < n; ++i) {
        const auto* at = mol.getAtomWithIdx(i);
        const auto d = at->getDegree();
        if (d > 0) {
            const int z = at->getAtomicNum();
            const double dv = table->getNouterElecs(static_cast<unsigned>(z)) - static_cast<double>(at->getTotalNumHs());
            const double q = principal_quantum_number(z);
            is[i] = (4. / (q * q) * dv + 1) / static_cast<double>(d);
        }
    }
    const double* dm = RDKit::MolOps::getDistanceMat(mol, false, false);
    std::vector<double> accum(n, 0.0);
    for (unsigned i = 0; i < n; ++i)
        for (unsigned j = i + 1; j < n; ++j) {
            const double p = dm[i * n + j] + 1;
            if (p < 1e6) {
                const double tmp = (is[i] - is[j]) / (p * p);
                accum[i] += tmp;
                accum[j] -= tmp;
            }
        }
    for (unsigned i = 0; i < n; ++i) accum[i] += is[i];
    return accum;
}

/// GraphDescriptors.BalabanJ.
inline double balaban_j(const RDKit::ROMol& mol) {
    const auto n = mol.getNumAtoms();
    const double* dm = RDKit::MolOps::getDistanceMat(mol, true, false, false, "Balaban");
    const double* adj = RDKit::MolOps::getAdjacencyMatrix(mol, false, 0, false, "NoBO");
    std::vector<double> s(n, 0.0);
    for (unsigned i = 0; i < n; ++i)
        for (unsigned j = 0; j < n; ++j) s[j] += dm[i * n + j];
    const double q = mol.getNumBonds();
    const double mu = q - n + 1;
    double sum = 0;
    for (unsigned i = 0; i < n; ++i)
        for (unsigned j = i; j < n; ++j)
            if (adj[i * n + j] == 1) sum += 1. / std::sqrt(s[i] * s[j]);
    return mu + 1 != 0 ? q / (mu + 1) * sum : 0.0;
}

/// Insertion-ordered counter (Python dict semantics, so entropy sums run in the same order).
template <class Key_>
struct OrderedCounter {
    std::map<Key_, std::size_t> index;
    std::vector<double> values;
    void add(const Key_& k, double v) {
        auto [it, fresh] = index.emplace(k, values.size());
        if (fresh) values.push_back(0.0);
        values[it->second] += v;
    }
};

/// GraphDescriptors.BertzCT (cutoff 100).
inline double bertz_ct(const RDKit::ROMol& mol) {
    const auto n = mol.getNumAtoms();
    // Python computes a topological matrix first, then (forceDMat) replaces it by the bond-order
    // weighted "Balaban" matrix for the symmetry classes; only the latter is used.
    if (n < 2) return 0;
    const double* dm = RDKit::MolOps::getDistanceMat(mol, true, false, true, "Balaban");
    std::map<std::pair<unsigned, unsigned>, double> bond_order;
    std::vector<std::vector<unsigned>> neighbours(n);
    for (const auto* b : mol.bonds()) {
        unsigned a1 = b->getBeginAtomIdx(), a2 = b->getEndAtomIdx();
        if (a1 > a2) std::swap(a1, a2);
        bond_order[{a1, a2}] = b->getIsAromatic() ? 1.5 : b->getBondTypeAsDouble();
        if (std::find(neighbours[a1].begin(), neighbours[a1].end(), a2) == neighbours[a1].end())
            neighbours[a1].push_back(a2);
        if (std::find(neighbours[a2].begin(), neighbours[a2].end(), a1) == neighbours[a2].end())
            neighbours[a2].push_back(a1);
    }
    for (auto& v : neighbours) std::sort(v.begin(), v.end());
    // Symmetry classes: atoms whose sorted distance rows agree to 4 decimals (first 100 entries).
    std::map<std::vector<std::string>, int> keys;
    std::vector<int> cls(n);
    for (unsigned i = 0; i < n; ++i) {
        std::vector<double> row(dm + i * n, dm + (i + 1) * n);
        std::sort(row.begin(), row.end());
        std::vector<std::string> key;
        for (std::size_t k = 0; k < row.size() && k < 100; ++k) {
            char buf[64];
            std::snprintf(buf, sizeof(buf), "%.4f", row[k]);
            key.emplace_back(buf);
        }
        auto [it, fresh] = keys.emplace(std::move(key), static_cast<int>(keys.size()) + 1);
        cls[i] = it->second;
    }
    auto order = [&](unsigned a, unsigned b) { return bond_order.at({std::min(a, b), std::max(a, b)}); };
    OrderedCounter<int> atom_types;
    OrderedCounter<std::vector<int>> connections;
    for (unsigned a = 0; a < n; ++a) {
        atom_types.add(mol.getAtomWithIdx(a)->getAtomicNum(), 1);
        const int hinge = cls[a];
        const auto& nb = neighbours[a];
        for (std::size_t i = 0; i < nb.size(); ++i) {
            const int ci = cls[nb[i]];
            const double oi = order(a, nb[i]);
            if (oi > 1 && nb[i] > a) connections.add({std::min(hinge, ci), std::max(hinge, ci)}, oi * (oi - 1) / 2);
            for (std::size_t j = i + 1; j < nb.size(); ++j) {
                const int cj = cls[nb[j]];
                connections.add({std::min(ci, cj), hinge, std::max(ci, cj)}, oi * order(a, nb[j]));
            }
        }
    }
    if (connections.values.empty()) connections.values.push_back(1);
    double total = 0;
    for (double v : connections.values) total += v;
    const double connection_ie = total * (info_entropy(connections.values) + std::log(total) / std::log(2.0));
    const double atom_type_ie = n * info_entropy(atom_types.values);
    return atom_type_ie + connection_ie;
}

/// GraphDescriptors.Ipc: information content of the characteristic polynomial's coefficients
/// (Le Verrier-Faddeev-Frame) of the hydrogen-suppressed adjacency matrix.
inline double ipc(const RDKit::ROMol& mol) {
    const auto n = static_cast<Eigen::Index>(mol.getNumAtoms());
    const double* dm = RDKit::MolOps::getDistanceMat(mol, false, false);
    Eigen::MatrixXd a(n, n);
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j < n; ++j) a(i, j) = dm[i * n + j] == 1 ? 1.0 : 0.0;
    std::vector<double> res(static_cast<std::size_t>(n) + 1, 0.0);
    res[0] = 1.0;
    Eigen::MatrixXd an = a;
    for (Eigen::Index k = 1; k <= n; ++k) {
        res[static_cast<std::size_t>(k)] = 1. / static_cast<double>(k) * an.trace();
        Eigen::MatrixXd bn = an - res[static_cast<std::size_t>(k)] * Eigen::MatrixXd::Identity(n, n);
        an = a * bn;
    }
    for (std::size_t k = 1; k < res.size(); ++k) res[k] = -res[k];
    double total = 0;
    for (auto& v : res) {
        v = std::abs(v);
        total += v;
    }
    return total * info_entropy(res);
}

inline double chi0(const RDKit::ROMol& mol) {
    double res = 0;
    for (const auto* at : mol.atoms())
        if (at->getDegree() != 0) res += std::sqrt(1. / at->getDegree());
    return res;
}
inline double chi1(const RDKit::ROMol& mol) {
    double res = 0;
    for (const auto* b : mol.bonds()) {
        const double c = b->getBeginAtom()->getDegree() * b->getEndAtom()->getDegree();
        if (c != 0) res += std::sqrt(1. / c);
    }
    return res;
}

/// bisect.bisect_right(bins, x).
inline std::size_t bisect_right(const std::vector<double>& bins, double x) {
    return static_cast<std::size_t>(std::upper_bound(bins.begin(), bins.end(), x) - bins.begin());
}

struct Pattern {
    std::string name;
    std::shared_ptr<RDKit::ROMol> query;
};

inline std::size_t count_matches(const RDKit::ROMol& mol, const RDKit::ROMol& query) {
    std::vector<RDKit::MatchVectType> matches;
    return RDKit::SubstructMatch(mol, query, matches, true, true, false, false, 1000);
}

inline std::shared_ptr<RDKit::ROMol> parse_smarts(const std::string& smarts, const std::string& source) {
    std::shared_ptr<RDKit::ROMol> q;
    try {
        q.reset(RDKit::SmartsToMol(smarts));
    } catch (const std::exception& e) {
        fail_runtime("c2s::chem::compute_descriptors", "'", source, "': SMARTS '", smarts, "' failed: ", e.what());
    }
    if (!q || q->getNumAtoms() == 0)
        fail_runtime("c2s::chem::compute_descriptors", "'", source, "': SMARTS '", smarts, "' could not be parsed");
    return q;
}

/// The fr_* patterns of FragmentDescriptors.csv, names as Python spells them ('=' and '-' -> '_').
inline std::vector<Pattern> load_fragment_patterns(const std::filesystem::path& dir) {
    const auto file = dir / "FragmentDescriptors.csv";
    std::ifstream in(file);
    if (!in)
        fail_runtime("c2s::chem::compute_descriptors", "cannot read '", file.string(),
                     "' (RDKit's fragment SMARTS); set DescriptorOptions::rdkit_data_dir to RDKit's Data folder");
    std::vector<Pattern> out;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::vector<std::string> fields;
        std::stringstream ss(line);
        std::string f;
        while (std::getline(ss, f, '\t')) fields.push_back(f);
        if (fields.size() < 3) continue;
        std::string name = fields[0];
        std::replace(name.begin(), name.end(), '=', '_');
        std::replace(name.begin(), name.end(), '-', '_');
        out.push_back({name, parse_smarts(fields[2], file.string())});
    }
    return out;
}

/// Data of RDKit's QED.py: acceptor and alert SMARTS, aliphatic-ring SMARTS, ADS parameters, weights.
struct QedData {
    std::vector<std::shared_ptr<RDKit::ROMol>> acceptors, alerts;
    std::shared_ptr<RDKit::ROMol> aliphatic_rings;
    std::vector<std::array<double, 7>> ads;  // MW, ALOGP, HBA, HBD, PSA, ROTB, AROM, ALERTS: A..F, DMAX
    std::vector<double> weights;             // WEIGHT_MEAN
};

/// Quoted strings ('...') in `text`, with "'a' + 'b'" joined.
inline std::vector<std::string> python_string_list(const std::string& text) {
    std::vector<std::string> out;
    bool join = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '#') {
            while (i < text.size() && text[i] != '\n') ++i;
        } else if (c == '+') {
            join = true;
        } else if (c == '\'' || c == '"') {
            const auto end = text.find(c, i + 1);
            if (end == std::string::npos) break;
            std::string s = text.substr(i + 1, end - i - 1);
            if (join && !out.empty()) out.back() += s;
            else out.push_back(s);
            join = false;
            i = end;
        }
    }
    return out;
}

inline std::string python_block(const std::string& text, const std::string& start, char close,
                                const std::string& file) {
    const auto p = text.find(start);
    if (p == std::string::npos) fail_runtime("c2s::chem::load_qed_data", "'", file, "' has no '", start, "'");
    const auto e = text.find(std::string(1, close) + "\n", p + start.size());
    if (e == std::string::npos) fail_runtime("c2s::chem::load_qed_data", "'", file, "': unterminated '", start, "'");
    return text.substr(p + start.size(), e - p - start.size());
}

inline std::shared_ptr<const QedData> load_qed_data(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) return nullptr;
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str(), name = file.string();
    auto data = std::make_shared<QedData>();
    for (const auto& s : python_string_list(python_block(text, "AcceptorSmarts = [", ']', name)))
        data->acceptors.push_back(parse_smarts(s, name));
    for (const auto& s : python_string_list(python_block(text, "StructuralAlertSmarts = [", ']', name)))
        data->alerts.push_back(parse_smarts(s, name));
    {
        const auto lst = python_string_list(python_block(text, "AliphaticRings = Chem.MolFromSmarts(", ')', name));
        if (lst.size() != 1) fail_runtime("c2s::chem::load_qed_data", "'", name, "': cannot read AliphaticRings");
        data->aliphatic_rings = parse_smarts(lst[0], name);
    }
    const std::string ads = python_block(text, "adsParameters = {", '}', name);
    const std::regex num(R"(([A-Z]+)=(-?[0-9.]+(?:[eE][-+]?[0-9]+)?))");
    for (const char* prop : {"'MW'", "'ALOGP'", "'HBA'", "'HBD'", "'PSA'", "'ROTB'", "'AROM'", "'ALERTS'"}) {
        const auto p = ads.find(prop);
        const auto e = p == std::string::npos ? p : ads.find(')', p);
        if (e == std::string::npos) fail_runtime("c2s::chem::load_qed_data", "'", name, "': no ADS parameters for ", prop);
        const std::string chunk = ads.substr(p, e - p);
        std::array<double, 7> v{};
        int found = 0;
        for (std::sregex_iterator it(chunk.begin(), chunk.end(), num), end; it != end; ++it) {
            static const std::string order[7] = {"A", "B", "C", "D", "E", "F", "DMAX"};
            for (int k = 0; k < 7; ++k)
                if ((*it)[1] == order[k]) {
                    v[static_cast<std::size_t>(k)] = std::stod((*it)[2]);
                    ++found;
                }
        }
        if (found != 7) fail_runtime("c2s::chem::load_qed_data", "'", name, "': incomplete ADS parameters for ", prop);
        data->ads.push_back(v);
    }
    const std::string w = python_block(text, "WEIGHT_MEAN = QEDproperties(", ')', name);
    std::stringstream ws(w);
    std::string item;
    while (std::getline(ws, item, ',')) data->weights.push_back(std::stod(item));
    if (data->weights.size() != 8) fail_runtime("c2s::chem::load_qed_data", "'", name, "': WEIGHT_MEAN has ", data->weights.size(), " entries");
    return data;
}

/// QED.qed with the mean weights (Bickerton et al. 2012).
inline double qed(const RDKit::ROMol& input, const QedData& data) {
    std::unique_ptr<RDKit::ROMol> mol(RDKit::MolOps::removeHs(input));
    double props[8];
    props[0] = RDKit::Descriptors::calcAMW(*mol);
    double logp = 0, mr = 0;
    RDKit::Descriptors::calcCrippenDescriptors(*mol, logp, mr);
    props[1] = logp;
    double hba = 0;
    for (const auto& q : data.acceptors) hba += static_cast<double>(count_matches(*mol, *q));
    props[2] = hba;
    props[3] = RDKit::Descriptors::calcNumHBD(*mol);
    props[4] = RDKit::Descriptors::calcTPSA(*mol);
    props[5] = RDKit::Descriptors::calcNumRotatableBonds(*mol, RDKit::Descriptors::Strict);
    {
        std::unique_ptr<RDKit::ROMol> stripped(RDKit::deleteSubstructs(*mol, *data.aliphatic_rings));
        RDKit::VECT_INT_VECT rings;
        props[6] = RDKit::MolOps::findSSSR(*stripped, rings);
    }
    double alerts = 0;
    for (const auto& q : data.alerts) {
        RDKit::MatchVectType m;
        if (RDKit::SubstructMatch(*mol, *q, m)) alerts += 1;
    }
    props[7] = alerts;
    double t = 0, wsum = 0;
    for (std::size_t k = 0; k < 8; ++k) {
        const auto& p = data.ads[k];
        const double x = props[k];
        const double e1 = 1 + std::exp(-1 * (x - p[2] + p[3] / 2) / p[4]);
        const double e2 = 1 + std::exp(-1 * (x - p[2] - p[3] / 2) / p[5]);
        const double dx = p[0] + p[1] / e1 * (1 - 1 / e2);
        t += data.weights[k] * std::log(dx / p[6]);
    }
    for (double w : data.weights) wsum += w;
    return std::exp(t / wsum);
}

inline double fp_density_morgan(const RDKit::ROMol& mol, unsigned radius) {
    std::unique_ptr<RDKit::SparseIntVect<std::uint32_t>> fp(RDKit::MorganFingerprints::getFingerprint(mol, radius));
    const auto heavy = mol.getNumHeavyAtoms();
    if (heavy == 0) return 0;
    return static_cast<double>(fp->getNonzeroElements().size()) / heavy;
}

/// All descriptors of one molecule (a private copy: RDKit caches results on it).
inline void compute_one(const RDKit::ROMol& input, const std::vector<Pattern>& fragments, const QedData* qed_data,
                        std::unordered_map<std::string, double>& v) {
    namespace D = RDKit::Descriptors;
    RDKit::ROMol mol(input);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    v.clear();

    const auto es = estate_indices(mol);
    {
        double mx = -std::numeric_limits<double>::infinity(), mn = std::numeric_limits<double>::infinity();
        double amx = mx, amn = mn;
        if (es.empty()) mx = mn = amx = amn = nan;  // Python: max() of an empty sequence fails
        for (double x : es) {
            mx = std::max(mx, x);
            mn = std::min(mn, x);
            amx = std::max(amx, std::abs(x));
            amn = std::min(amn, std::abs(x));
        }
        v["MaxEStateIndex"] = mx;
        v["MinEStateIndex"] = mn;
        v["MaxAbsEStateIndex"] = amx;
        v["MinAbsEStateIndex"] = amn;
    }
    v["qed"] = qed_data ? qed(mol, *qed_data) : nan;
    v["MolWt"] = D::calcAMW(mol);
    v["HeavyAtomMolWt"] = D::calcAMW(mol, true);
    v["ExactMolWt"] = D::calcExactMW(mol);
    {
        const auto* table = RDKit::PeriodicTable::getTable();
        double ve = 0, re = 0;
        for (const auto* at : mol.atoms()) {
            ve += table->getNouterElecs(static_cast<unsigned>(at->getAtomicNum())) - at->getFormalCharge() +
                  static_cast<double>(at->getTotalNumHs());
            re += at->getNumRadicalElectrons();
        }
        v["NumValenceElectrons"] = ve;
        v["NumRadicalElectrons"] = re;
    }
    {
        RDKit::computeGasteigerCharges(mol, 12, false);
        double mn = 500., mx = -500.;
        for (const auto* at : mol.atoms()) {
            const double c = at->getProp<double>(RDKit::common_properties::_GasteigerCharge);
            mn = py_min(c, mn);
            mx = py_max(c, mx);
        }
        v["MaxPartialCharge"] = mx;
        v["MinPartialCharge"] = mn;
        v["MaxAbsPartialCharge"] = py_max(std::abs(mn), std::abs(mx));
        v["MinAbsPartialCharge"] = py_min(std::abs(mn), std::abs(mx));
    }
    for (unsigned r = 1; r <= 3; ++r) v["FpDensityMorgan" + std::to_string(r)] = fp_density_morgan(mol, r);
    {
        static const char* bcut[8] = {"MWHI", "MWLOW", "CHGHI", "CHGLO", "LOGPHI", "LOGPLOW", "MRHI", "MRLOW"};
        std::vector<double> b;
        try {
            b = D::BCUT2D(mol);
        } catch (...) {
            b.clear();
        }
        for (std::size_t k = 0; k < 8; ++k) v[std::string("BCUT2D_") + bcut[k]] = b.size() == 8 ? b[k] : nan;
    }
    v["BalabanJ"] = balaban_j(mol);
    v["BertzCT"] = bertz_ct(mol);
    v["Chi0"] = chi0(mol);
    v["Chi1"] = chi1(mol);
    v["Chi0n"] = D::calcChi0n(mol);
    v["Chi0v"] = D::calcChi0v(mol);
    v["Chi1n"] = D::calcChi1n(mol);
    v["Chi1v"] = D::calcChi1v(mol);
    v["Chi2n"] = D::calcChi2n(mol);
    v["Chi2v"] = D::calcChi2v(mol);
    v["Chi3n"] = D::calcChi3n(mol);
    v["Chi3v"] = D::calcChi3v(mol);
    v["Chi4n"] = D::calcChi4n(mol);
    v["Chi4v"] = D::calcChi4v(mol);
    v["HallKierAlpha"] = D::calcHallKierAlpha(mol);
    v["Ipc"] = ipc(mol);
    v["Kappa1"] = D::calcKappa1(mol);
    v["Kappa2"] = D::calcKappa2(mol);
    v["Kappa3"] = D::calcKappa3(mol);
    v["LabuteASA"] = D::calcLabuteASA(mol);
    {
        const auto peoe = D::calcPEOE_VSA(mol);
        for (std::size_t k = 0; k < peoe.size(); ++k) v["PEOE_VSA" + std::to_string(k + 1)] = peoe[k];
        const auto smr = D::calcSMR_VSA(mol);
        for (std::size_t k = 0; k < smr.size(); ++k) v["SMR_VSA" + std::to_string(k + 1)] = smr[k];
        const auto slogp = D::calcSlogP_VSA(mol);
        for (std::size_t k = 0; k < slogp.size(); ++k) v["SlogP_VSA" + std::to_string(k + 1)] = slogp[k];
    }
    v["TPSA"] = D::calcTPSA(mol);
    {
        std::vector<double> contribs(mol.getNumAtoms(), 0.0);
        double h = 0;
        D::getLabuteAtomContribs(mol, contribs, h, true, false);
        static const std::vector<double> vsa_bins{4.78, 5.00, 5.410, 5.740, 6.00, 6.07, 6.45, 7.00, 11.0};
        static const std::vector<double> estate_bins{-0.390, 0.290, 0.717, 1.165, 1.540, 1.807, 2.05, 4.69, 9.17, 15.0};
        std::vector<double> vsa_estate(vsa_bins.size() + 1, 0.0), estate_vsa(estate_bins.size() + 1, 0.0);
        for (std::size_t i = 0; i < es.size(); ++i) {
            vsa_estate[bisect_right(vsa_bins, contribs[i])] += es[i];
            estate_vsa[bisect_right(estate_bins, es[i])] += contribs[i];
        }
        for (std::size_t k = 0; k < vsa_estate.size(); ++k) v["VSA_EState" + std::to_string(k + 1)] = vsa_estate[k];
        for (std::size_t k = 0; k < estate_vsa.size(); ++k) v["EState_VSA" + std::to_string(k + 1)] = estate_vsa[k];
    }
    v["FractionCSP3"] = D::calcFractionCSP3(mol);
    v["HeavyAtomCount"] = mol.getNumHeavyAtoms();
    v["NHOHCount"] = D::calcLipinskiHBD(mol);
    v["NOCount"] = D::calcLipinskiHBA(mol);
    v["NumAliphaticCarbocycles"] = D::calcNumAliphaticCarbocycles(mol);
    v["NumAliphaticHeterocycles"] = D::calcNumAliphaticHeterocycles(mol);
    v["NumAliphaticRings"] = D::calcNumAliphaticRings(mol);
    v["NumAromaticCarbocycles"] = D::calcNumAromaticCarbocycles(mol);
    v["NumAromaticHeterocycles"] = D::calcNumAromaticHeterocycles(mol);
    v["NumAromaticRings"] = D::calcNumAromaticRings(mol);
    v["NumHAcceptors"] = D::calcNumHBA(mol);
    v["NumHDonors"] = D::calcNumHBD(mol);
    v["NumHeteroatoms"] = D::calcNumHeteroatoms(mol);
    v["NumRotatableBonds"] = D::calcNumRotatableBonds(mol);
    v["NumSaturatedCarbocycles"] = D::calcNumSaturatedCarbocycles(mol);
    v["NumSaturatedHeterocycles"] = D::calcNumSaturatedHeterocycles(mol);
    v["NumSaturatedRings"] = D::calcNumSaturatedRings(mol);
    v["RingCount"] = D::calcNumRings(mol);
    {
        double logp = 0, mr = 0;
        D::calcCrippenDescriptors(mol, logp, mr);
        v["MolLogP"] = logp;
        v["MolMR"] = mr;
    }
    for (const auto& p : fragments) v[p.name] = static_cast<double>(count_matches(mol, *p.query));
}

}  // namespace detail

/// Computes the 208 descriptors of `descriptor_names()` for every molecule of `set`.
[[nodiscard]] inline Descriptors compute_descriptors(const MoleculeSet& set, const DescriptorOptions& options = {}) {
    static constexpr const char* where = "c2s::chem::compute_descriptors";
    Descriptors out;
    out.ids = set.ids;
    out.names = descriptor_names();
    const auto n = set.molecules.size();
    if (set.ids.size() != n) fail_argument(where, "'set' has ", set.ids.size(), " ids but ", n, " molecules");
    std::shared_ptr<const detail::QedData> qed_data;
    if (!options.qed_source.empty()) {
        qed_data = detail::load_qed_data(options.qed_source);
        if (!qed_data)
            out.warnings.push_back(concat("qed is NaN: cannot read RDKit's '", options.qed_source.string(),
                                          "' (install python3-rdkit or set DescriptorOptions::qed_source)"));
    } else {
        out.warnings.push_back("qed is NaN: DescriptorOptions::qed_source is empty");
    }
    // Check the fragment file once (and fail early), then parse one copy per thread.
    const auto fragments0 = detail::load_fragment_patterns(options.rdkit_data_dir);
    out.values.resize(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(out.names.size()));
    parallelize(options.num_threads, n, [&](int thread, std::size_t start, std::size_t length) {
        const auto fragments = thread == 0 ? fragments0 : detail::load_fragment_patterns(options.rdkit_data_dir);
        std::shared_ptr<const detail::QedData> qd =
            thread == 0 || !qed_data ? qed_data : detail::load_qed_data(options.qed_source);
        std::unordered_map<std::string, double> v;
        for (std::size_t i = start; i < start + length; ++i) {
            if (!set.molecules[i]) fail_argument(where, "compound '", set.ids[i], "' has a null molecule");
            detail::compute_one(*set.molecules[i], fragments, qd.get(), v);
            for (std::size_t j = 0; j < out.names.size(); ++j) {
                auto it = v.find(out.names[j]);
                if (it == v.end())
                    fail_runtime(where, "descriptor '", out.names[j], "' was not computed (is '",
                                 (options.rdkit_data_dir / "FragmentDescriptors.csv").string(),
                                 "' RDKit 2022.09's?)");
                out.values(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = it->second;
            }
        }
    });
    return out;
}

}  // namespace c2s::chem
