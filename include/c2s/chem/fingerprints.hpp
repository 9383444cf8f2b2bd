#pragma once
/// @file fingerprints.hpp
/// @brief Morgan (ECFP/FCFP) fingerprints of RDKit molecules, written straight into the core's
/// bit-packed `c2s::FingerprintSet` (bit vectors) or a dense count matrix (count vectors).
///
/// The bits equal RDKit Python's `AllChem.GetMorganFingerprintAsBitVect(mol, radius, nBits=...,
/// useChirality=..., useFeatures=..., useBondTypes=...)`; the counts equal
/// `AllChem.GetHashedMorganFingerprint(...)`. Molecules are only read (each thread fingerprints its
/// own molecules), so parallel work is safe.
/// @see Rogers D, Hahn M (2010) J Chem Inf Model 50(5):742-754.

#include <DataStructs/ExplicitBitVect.h>
#include <DataStructs/SparseIntVect.h>
#include <GraphMol/Fingerprints/FingerprintUtil.h>
#include <GraphMol/Fingerprints/MorganFingerprints.h>
#include <GraphMol/GraphMol.h>

#include <Eigen/Dense>

#include <cstdint>
#include <memory>
#include <vector>

#include "c2s/chem/molecules.hpp"
#include "c2s/core/error.hpp"
#include "c2s/core/fingerprints.hpp"
#include "c2s/core/parallelize.hpp"
#include "c2s/core/progress.hpp"

namespace c2s::chem {

struct MorganOptions {
    /// Number of neighbourhood iterations (2 = ECFP4-like, the founding study's choice). A larger
    /// radius encodes larger substructures and sets more bits.
    unsigned radius = 2;
    /// Fingerprint length (bits, or count slots). A larger value means fewer hash collisions.
    unsigned num_bits = 2048;
    /// Include chirality (R/S) in the atom environments.
    bool use_chirality = false;
    /// FCFP: pharmacophoric feature invariants (donor, acceptor, aromatic, halogen, basic, acidic)
    /// instead of the default ECFP connectivity invariants.
    bool use_features = false;
    /// Distinguish bond types in the environments (RDKit's default).
    bool use_bond_types = true;
    /// Worker threads (values < 1: all hardware threads).
    int num_threads = 1;
};

namespace detail {

inline void check_morgan_options(const MorganOptions& o, const char* where) {
    if (o.num_bits == 0) fail_argument(where, "'num_bits' is 0; use a positive fingerprint length such as 2048");
    if (o.radius > 32) fail_argument(where, "'radius' is ", o.radius, "; use a value up to 32");
}

inline std::unique_ptr<std::vector<std::uint32_t>> morgan_invariants(const RDKit::ROMol& mol,
                                                                    const MorganOptions& o) {
    if (!o.use_features) return nullptr;
    auto inv = std::make_unique<std::vector<std::uint32_t>>(mol.getNumAtoms());
    RDKit::MorganFingerprints::getFeatureInvariants(mol, *inv);
    return inv;
}

}  // namespace detail

/// Morgan bit fingerprint of one molecule, as packed words in `c2s::FingerprintSet` bit order.
inline void morgan_bits_into(const RDKit::ROMol& mol, const MorganOptions& options, FingerprintSet& out,
                             std::size_t row) {
    auto inv = detail::morgan_invariants(mol, options);
    std::unique_ptr<ExplicitBitVect> bv(RDKit::MorganFingerprints::getFingerprintAsBitVect(
        mol, options.radius, options.num_bits, inv.get(), nullptr, options.use_chirality, options.use_bond_types));
    std::vector<FingerprintSet::Word> words(out.num_words(), 0);
    for (unsigned b = 0; b < options.num_bits; ++b)
        if (bv->getBit(b)) words[b / 64] |= FingerprintSet::Word{1} << (b % 64);
    out.assign_row(row, words);
}

/// Morgan bit fingerprints of all `molecules` (row `i` <-> `molecules[i]`).
[[nodiscard]] inline FingerprintSet morgan_fingerprints(
    const std::vector<std::shared_ptr<const RDKit::ROMol>>& molecules, const MorganOptions& options = {},
    Progress* progress = nullptr) {
    static constexpr const char* where = "c2s::chem::morgan_fingerprints";
    detail::check_morgan_options(options, where);
    for (std::size_t i = 0; i < molecules.size(); ++i)
        if (!molecules[i]) fail_argument(where, "'molecules' holds a null molecule at position ", i);
    FingerprintSet out(molecules.size(), options.num_bits);
    // Rows are written by exactly one thread each; assign_row touches only its own row.
    parallelize(options.num_threads, molecules.size(), [&](int, std::size_t start, std::size_t length) {
        for (std::size_t i = start; i < start + length; ++i) morgan_bits_into(*molecules[i], options, out, i);
    });
    if (progress) progress->report(molecules.size(), molecules.size(), "Morgan fingerprints");
    return out;
}

/// Morgan count fingerprints (hashed to `num_bits` slots), `molecules.size()` x `num_bits`.
[[nodiscard]] inline Eigen::Matrix<std::uint32_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>
morgan_count_fingerprints(const std::vector<std::shared_ptr<const RDKit::ROMol>>& molecules,
                          const MorganOptions& options = {}) {
    static constexpr const char* where = "c2s::chem::morgan_count_fingerprints";
    detail::check_morgan_options(options, where);
    for (std::size_t i = 0; i < molecules.size(); ++i)
        if (!molecules[i]) fail_argument(where, "'molecules' holds a null molecule at position ", i);
    Eigen::Matrix<std::uint32_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> out =
        Eigen::Matrix<std::uint32_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>::Zero(
            static_cast<Eigen::Index>(molecules.size()), static_cast<Eigen::Index>(options.num_bits));
    parallelize(options.num_threads, molecules.size(), [&](int, std::size_t start, std::size_t length) {
        for (std::size_t i = start; i < start + length; ++i) {
            auto inv = detail::morgan_invariants(*molecules[i], options);
            std::unique_ptr<RDKit::SparseIntVect<std::uint32_t>> fp(RDKit::MorganFingerprints::getHashedFingerprint(
                *molecules[i], options.radius, options.num_bits, inv.get(), nullptr, options.use_chirality,
                options.use_bond_types));
            for (const auto& [index, count] : fp->getNonzeroElements())
                out(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(index)) = static_cast<std::uint32_t>(count);
        }
    });
    return out;
}

}  // namespace c2s::chem
