// c2s fingerprints / c2s descriptors: RDKit Morgan fingerprints and descriptors of a compound table.

#ifdef C2S_HAVE_CHEM

#include <iostream>

#include "c2s/chem/descriptors.hpp"
#include "c2s/chem/fingerprints.hpp"
#include "c2s/chem/molecules.hpp"
#include "c2s/io/csv.hpp"
#include "c2s/io/npy.hpp"
#include "cli.hpp"

namespace {

namespace chem = c2s::chem;

chem::MoleculeSet read_molecules(const c2s::cli::Args& args) {
    const auto input = args.positional(0, "compounds.csv");
    args.expect_positional(1);
    const auto compounds = chem::read_compounds_csv(input, args.get("id-column", "id"), args.get("smiles-column", "smiles"));
    auto set = chem::parse_compounds(compounds, {.skip_failures = args.flag("skip-failures")});
    for (const auto& line : set.failure_lines()) std::cerr << "skipped " << line << "\n";
    return set;
}

void write_ids(const std::string& path, const chem::MoleculeSet& set) {
    std::vector<std::vector<std::string>> rows;
    for (std::size_t i = 0; i < set.size(); ++i) rows.push_back({set.ids[i], set.smiles[i]});
    c2s::io::write_csv(path, {"id", "smiles"}, rows);
}

int positive(const c2s::cli::Args& args, const std::string& name, long fallback) {
    const long v = args.integer(name, fallback);
    if (v < 1 || v > 1 << 20) throw c2s::cli::usage_error(c2s::concat("--", name, " must be in [1, 1048576], got ", v));
    return static_cast<int>(v);
}

const c2s::cli::Register fingerprints{{
    "fingerprints",
    "Morgan (ECFP/FCFP) fingerprints of a CSV of compound ids and SMILES, as .npy",
    "usage: c2s fingerprints COMPOUNDS.csv --out STEM [--radius 2] [--bits 2048] [--chirality]\n"
    "                        [--features] [--no-bond-types] [--counts] [--format bits|packed|both]\n"
    "                        [--id-column id] [--smiles-column smiles] [--skip-failures] [--threads N]\n\n"
    "Writes STEM.npy (uint8 0/1 matrix, compounds x bits; with --format packed STEM.u64.npy: uint64\n"
    "words, bit j in word j/64 at position j%64; both: the two files) and STEM.ids.csv (id, smiles,\n"
    "row order). --counts writes STEM.counts.npy (uint32 hashed counts) instead. The bits equal RDKit's\n"
    "AllChem.GetMorganFingerprintAsBitVect(mol, radius, nBits, useChirality, useBondTypes, useFeatures).\n"
    "A compound without a usable SMILES is an error naming it; --skip-failures reports and skips it.\n",
    {"out", "radius", "bits", "format", "id-column", "smiles-column", "threads"},
    {"chirality", "features", "no-bond-types", "counts", "skip-failures"},
    [](const c2s::cli::Args& args) {
        const auto stem = args.required("out");
        chem::MorganOptions o;
        o.radius = static_cast<unsigned>(args.integer("radius", 2));
        if (args.integer("radius", 2) < 0 || o.radius > 32)
            throw c2s::cli::usage_error("--radius must be in [0, 32]");
        o.num_bits = static_cast<unsigned>(positive(args, "bits", 2048));
        o.use_chirality = args.flag("chirality");
        o.use_features = args.flag("features");
        o.use_bond_types = !args.flag("no-bond-types");
        o.num_threads = static_cast<int>(args.integer("threads", 0));
        const auto format = args.get("format", "bits");
        if (format != "bits" && format != "packed" && format != "both")
            throw c2s::cli::usage_error("--format must be bits, packed or both, got '" + format + "'");
        const auto set = read_molecules(args);
        const std::size_t n = set.size();
        if (args.flag("counts")) {
            const auto counts = chem::morgan_count_fingerprints(set.molecules, o);
            c2s::io::write_npy<std::uint32_t>(stem + ".counts.npy", {counts.data(), static_cast<std::size_t>(counts.size())},
                                              {n, o.num_bits});
        } else {
            const auto fps = chem::morgan_fingerprints(set.molecules, o);
            if (format != "packed") {
                std::vector<std::uint8_t> dense(n * o.num_bits, 0);
                for (std::size_t i = 0; i < n; ++i)
                    for (std::size_t b = 0; b < o.num_bits; ++b)
                        dense[i * o.num_bits + b] = static_cast<std::uint8_t>((fps.row(i)[b / 64] >> (b % 64)) & 1U);
                c2s::io::write_npy<std::uint8_t>(stem + ".npy", dense, {n, o.num_bits});
            }
            if (format != "bits")
                c2s::io::write_npy<std::uint64_t>(stem + ".u64.npy", fps.packed_words(), {n, fps.num_words()});
        }
        write_ids(stem + ".ids.csv", set);
        std::cerr << "wrote fingerprints of " << n << " compounds (" << set.failures.size() << " skipped) to " << stem
                  << ".*\n";
        return 0;
    }}};

const c2s::cli::Register descriptors{{
    "descriptors",
    "the 208 RDKit descriptors (Python's Descriptors.descList) of a CSV of compound ids and SMILES",
    "usage: c2s descriptors COMPOUNDS.csv --out FILE.csv [--id-column id] [--smiles-column smiles]\n"
    "                       [--skip-failures] [--threads N]\n\n"
    "One row per compound: id, then the 208 descriptors in RDKit 2022.09's descList order. Values RDKit\n"
    "cannot compute (e.g. BCUT2D of metal complexes) are empty cells (NaN).\n",
    {"out", "id-column", "smiles-column", "threads"},
    {"skip-failures"},
    [](const c2s::cli::Args& args) {
        const auto path = args.required("out");
        const auto set = read_molecules(args);
        chem::DescriptorOptions o;
        o.num_threads = static_cast<int>(args.integer("threads", 0));
        const auto d = chem::compute_descriptors(set, o);
        for (const auto& w : d.warnings) std::cerr << "warning: " << w << "\n";
        chem::write_descriptors_csv(path, d);
        std::cerr << "wrote " << d.names.size() << " descriptors of " << d.ids.size() << " compounds ("
                  << set.failures.size() << " skipped) to " << path << "\n";
        return 0;
    }}};

}  // namespace

#endif  // C2S_HAVE_CHEM
