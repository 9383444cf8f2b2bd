#pragma once
/// @file molecules.hpp
/// @brief SMILES -> sanitised RDKit molecules, keyed by compound id, with a failure report.
///
/// Every input compound either becomes a molecule or a `ParseFailure` naming its id, row, SMILES
/// and RDKit's reason; nothing vanishes silently. By default the first failure throws; with
/// `ParseOptions::skip_failures` the failures are collected and the rest is kept.
/// Molecules are built exactly as RDKit Python's `Chem.MolFromSmiles(smiles)` builds them
/// (`RDKit::SmilesToMol` with sanitisation), so descriptors and fingerprints match Python's.

#include <GraphMol/GraphMol.h>
#include <GraphMol/SmilesParse/SmilesParse.h>
#include <RDGeneral/RDLog.h>

#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/io/csv.hpp"

namespace c2s::chem {

/// One compound to parse: an id (unique), its SMILES, and the row it came from (for messages;
/// 1-based data row of the source table, 0 when unknown).
struct CompoundInput {
    std::string id;
    std::string smiles;
    std::size_t row = 0;
};

struct ParseOptions {
    /// false (default): the first compound that fails (no SMILES, bad SMILES, failed
    /// sanitisation) throws naming it. true: failures are collected in `MoleculeSet::failures`
    /// and the other compounds are kept.
    bool skip_failures = false;
};

struct ParseFailure {
    std::string id;
    std::size_t row = 0;
    std::string smiles;
    std::string reason;  ///< "no SMILES", or RDKit's message
};

/// Parsed molecules (`ids[i]` <-> `molecules[i]`, in input order) and the compounds that failed.
struct MoleculeSet {
    std::vector<std::string> ids;
    std::vector<std::size_t> rows;
    std::vector<std::string> smiles;
    std::vector<std::shared_ptr<const RDKit::ROMol>> molecules;
    std::vector<ParseFailure> failures;

    [[nodiscard]] std::size_t size() const noexcept { return ids.size(); }
    /// One line per failure ("id 'X' (row 3): no SMILES"), empty when none failed.
    [[nodiscard]] std::vector<std::string> failure_lines() const {
        std::vector<std::string> out;
        for (const auto& f : failures)
            out.push_back(concat("compound '", f.id, "' (row ", f.row, ")",
                                 f.smiles.empty() ? std::string() : concat(" SMILES '", f.smiles, "'"), ": ",
                                 f.reason));
        return out;
    }
};

namespace detail {

/// Collects what RDKit writes to its error log while alive (RDKit reports SMILES syntax errors
/// only there). The log is process-wide, so captures are serialised.
class RdkitErrorCapture {
public:
    RdkitErrorCapture() : lock_(mutex()) {
        if (rdErrorLog) rdErrorLog->SetTee(text_);
        if (rdErrorLog) {
            was_enabled_ = rdErrorLog->df_enabled;
            rdErrorLog->df_enabled = true;
        }
    }
    ~RdkitErrorCapture() {
        if (rdErrorLog) {
            rdErrorLog->ClearTee();
            rdErrorLog->df_enabled = was_enabled_;
        }
    }
    RdkitErrorCapture(const RdkitErrorCapture&) = delete;
    RdkitErrorCapture& operator=(const RdkitErrorCapture&) = delete;
    /// The captured text, time stamps and "ERROR:" prefixes removed, lines joined with "; ".
    [[nodiscard]] std::string text() const {
        std::string out;
        std::istringstream in(text_.str());
        std::string line;
        while (std::getline(in, line)) {
            if (auto p = line.find("ERROR: "); p != std::string::npos) line = line.substr(p + 7);
            while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
            if (line.empty()) continue;
            out += (out.empty() ? "" : "; ") + line;
        }
        return out;
    }

private:
    static std::mutex& mutex() {
        static std::mutex m;
        return m;
    }
    std::lock_guard<std::mutex> lock_;
    std::ostringstream text_;
    bool was_enabled_ = true;
};

inline bool blank(std::string_view s) {
    for (char c : s)
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
    return true;
}

}  // namespace detail

/// Parses and sanitises one SMILES like `Chem.MolFromSmiles`. Returns the molecule, or nullptr and
/// sets `reason` to RDKit's message.
[[nodiscard]] inline std::shared_ptr<const RDKit::ROMol> try_parse_smiles(const std::string& smiles,
                                                                          std::string& reason) {
    reason.clear();
    if (detail::blank(smiles)) {
        reason = "no SMILES";
        return nullptr;
    }
    std::unique_ptr<RDKit::RWMol> mol;
    detail::RdkitErrorCapture capture;
    try {
        mol.reset(RDKit::SmilesToMol(smiles));
    } catch (const RDKit::MolSanitizeException& e) {
        reason = concat("RDKit sanitisation failed: ", e.what());
        return nullptr;
    } catch (const std::exception& e) {
        reason = concat("RDKit failed: ", e.what());
        return nullptr;
    }
    if (!mol) {
        const auto log = capture.text();
        reason = concat("RDKit could not parse the SMILES", log.empty() ? std::string() : concat(" (", log, ")"));
        return nullptr;
    }
    return std::shared_ptr<const RDKit::ROMol>(new RDKit::ROMol(*mol));
}

/// Parses every compound. Ids must be unique and non-empty.
/// @throws std::invalid_argument on duplicate or empty ids, and (unless `skip_failures`) on the
/// first compound without a usable SMILES, naming id, row, SMILES and RDKit's reason.
[[nodiscard]] inline MoleculeSet parse_compounds(const std::vector<CompoundInput>& compounds,
                                                 const ParseOptions& options = {}) {
    static constexpr const char* where = "c2s::chem::parse_compounds";
    std::map<std::string, std::size_t> seen;
    for (const auto& c : compounds) {
        if (detail::blank(c.id)) fail_argument(where, "row ", c.row, " has an empty compound id");
        auto [it, fresh] = seen.emplace(c.id, c.row);
        if (!fresh)
            fail_argument(where, "duplicate compound id '", c.id, "' (rows ", it->second, " and ", c.row, ")");
    }
    MoleculeSet out;
    for (const auto& c : compounds) {
        std::string reason;
        auto mol = try_parse_smiles(c.smiles, reason);
        if (!mol) {
            if (!options.skip_failures)
                fail_argument(where, "compound '", c.id, "' (row ", c.row, ")",
                              detail::blank(c.smiles) ? std::string() : concat(" SMILES '", c.smiles, "'"), ": ",
                              reason, "; fix the SMILES or set skip_failures to report and skip it");
            out.failures.push_back({c.id, c.row, c.smiles, reason});
            continue;
        }
        out.ids.push_back(c.id);
        out.rows.push_back(c.row);
        out.smiles.push_back(c.smiles);
        out.molecules.push_back(std::move(mol));
    }
    return out;
}

/// Reads compounds from a CSV table with an id column and a SMILES column (matched
/// case-insensitively). Rows are numbered from 1 (the first data row).
/// @throws std::runtime_error when a column is missing, naming the file and the columns it has.
[[nodiscard]] inline std::vector<CompoundInput> read_compounds_csv(const std::filesystem::path& path,
                                                                   const std::string& id_column = "id",
                                                                   const std::string& smiles_column = "smiles") {
    static constexpr const char* where = "c2s::chem::read_compounds_csv";
    const auto doc = io::read_csv(path);
    auto find = [&](const std::string& name) -> std::size_t {
        for (std::size_t c = 0; c < doc.header.size(); ++c)
            if (io::detail::iequals(doc.header[c], name)) return c;
        std::string have;
        for (const auto& h : doc.header) have += (have.empty() ? "'" : ", '") + h + "'";
        fail_runtime(where, "'", path.string(), "' has no column '", name, "' (columns: ", have, ")");
    };
    const auto ci = find(id_column), cs = find(smiles_column);
    std::vector<CompoundInput> out;
    out.reserve(doc.num_rows());
    for (std::size_t r = 0; r < doc.num_rows(); ++r)
        out.push_back({doc.rows[r][ci], doc.rows[r][cs], r + 1});
    return out;
}

}  // namespace c2s::chem
