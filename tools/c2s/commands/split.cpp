// c2s split: compound-grouped splits of a sample table (CSV).

#include <iostream>
#include <string>
#include <vector>

#include "c2s/io/table.hpp"
#include "c2s/split/split.hpp"
#include "cli.hpp"

namespace {

namespace cs = c2s::split;

std::vector<double> fractions_of(const c2s::cli::Args& args, std::size_t sides) {
    std::vector<double> f;
    for (const auto& s : args.list("fractions")) {
        auto v = c2s::io::parse_number(s);
        if (!v || s.empty()) throw c2s::cli::usage_error("--fractions expects numbers, got '" + s + "'");
        f.push_back(*v);
    }
    if (f.empty()) f = sides == 3 ? std::vector<double>{0.7, 0.15, 0.15} : std::vector<double>(sides, 1.0 / static_cast<double>(sides));
    return f;
}

int run(const c2s::cli::Args& args) {
    args.expect_positional(0);
    const auto in = args.required("in"), out = args.required("out"), group_col = args.required("group");
    const std::string method = args.get("method", "stratified");
    const std::string column = args.get("column", method == "group-kfold" || method == "stratified-group-kfold" || method == "logo"
                                                      ? "Metadata_Fold"
                                                      : "Metadata_Split");
    c2s::io::TableOptions topt;
    topt.non_numeric_as_metadata = true;
    topt.metadata_columns.push_back(group_col);
    for (const auto* o : {"stratify", "batch", "control-column", "control-group"})
        if (auto v = args.get(o)) topt.metadata_columns.push_back(*v);
    auto table = c2s::io::read_table(in, topt);
    const auto& groups = table.metadata_column(group_col);
    auto need = [&](const char* option) -> const std::vector<std::string>& {
        const auto name = args.get(option);
        if (!name) throw c2s::cli::usage_error(c2s::concat("--method ", method, " needs --", option));
        return table.metadata_column(*name);
    };

    std::vector<std::string> side_names = args.list("sides");
    if (side_names.empty()) side_names = {"train", "validation", "test"};
    cs::SideOptions opt;
    opt.side_names = side_names;
    opt.fractions = fractions_of(args, side_names.size());
    const long seed = args.integer("seed", 0);
    if (seed < 0) throw c2s::cli::usage_error("--seed must be non-negative");
    opt.seed = static_cast<std::uint64_t>(seed);
    opt.every_stratum_on_every_side = !args.flag("no-every-side");
    if (args.has("max-per-class")) opt.max_samples_per_class = static_cast<std::size_t>(args.integer("max-per-class", 0));

    cs::ControlRole role;
    const cs::ControlRole* controls = nullptr;
    cs::LeakageOptions leak_opt;
    if (auto cc = args.get("control-column")) {
        const auto value = args.get("control-value", "DMSO");
        const auto& col = table.metadata_column(*cc);
        const auto& key = args.has("control-group") ? table.metadata_column(*args.get("control-group")) : groups;
        for (std::size_t i = 0; i < col.size(); ++i) role.is_control.push_back(col[i] == value ? 1 : 0);
        role.groups = key;
        if (args.has("control-fractions")) {
            for (const auto& s : args.list("control-fractions")) {
                auto v = c2s::io::parse_number(s);
                if (!v || s.empty()) throw c2s::cli::usage_error("--control-fractions expects numbers, got '" + s + "'");
                role.fractions.push_back(*v);
            }
        }
        if (*cc == group_col) leak_opt.ignore_values.push_back(value);
        controls = &role;
    }

    cs::LeakageReport leaks;
    if (method == "stratified" || method == "shuffle") {
        const auto r = method == "stratified" ? cs::stratified_group_split(groups, need("stratify"), opt, controls)
                                              : cs::group_shuffle_split(groups, opt, controls);
        cs::write_split_column(table, r.assignment, column);
        for (const auto& s : r.strata) {
            std::cout << (s.control ? "control" : s.name) << ": " << s.groups << " groups;";
            for (std::size_t k = 0; k < side_names.size(); ++k)
                std::cout << " " << side_names[k] << " " << s.groups_per_side[k] << "/" << s.samples_per_side[k];
            std::cout << (s.capped ? c2s::concat(" (", s.capped, " capped)") : std::string()) << "\n";
        }
        for (const auto& s : r.unsplittable_strata) std::cout << "cannot be on every side: " << s << "\n";
        for (const auto& w : r.warnings) std::cerr << "warning: " << w << "\n";
        cs::check_leakage(leaks, r.assignment, group_col, groups, leak_opt);
    } else if (method == "two-key") {
        const auto& batch = need("batch");
        cs::TwoKeyOptions two;
        two.sides = opt;
        two.trials = static_cast<std::size_t>(args.integer("trials", 64));
        const auto& strata = args.has("stratify") ? table.metadata_column(*args.get("stratify"))
                                                  : std::vector<std::string>(groups.size(), "all");
        const auto r = cs::two_key_split(groups, batch, strata, two, controls);
        cs::write_split_column(table, r.assignment, column);
        for (const auto& s : r.strata) {
            std::cout << (s.control ? "control" : s.name) << ":";
            for (std::size_t k = 0; k < side_names.size(); ++k) std::cout << " " << side_names[k] << " " << s.samples_per_side[k];
            std::cout << " excluded " << s.excluded_by_batch << "\n";
        }
        std::cout << "excluded samples: " << r.excluded << "\n";
        for (const auto& w : r.warnings) std::cerr << "warning: " << w << "\n";
        cs::check_leakage(leaks, r.assignment, group_col, groups, leak_opt);
        cs::check_leakage(leaks, r.assignment, *args.get("batch"), batch);
    } else if (method == "group-kfold" || method == "stratified-group-kfold" || method == "logo") {
        const auto k = static_cast<std::size_t>(args.integer("folds", 5));
        std::vector<cs::Fold> folds;
        if (method == "group-kfold") folds = cs::GroupKFold{k}.split(groups);
        else if (method == "logo") folds = cs::LeaveOneGroupOut{}.split(groups);
        else {
            const auto a = cs::StratifiedGroupKFold{k}.assign(need("stratify"), groups);
            for (const auto& w : a.warnings) std::cerr << "warning: " << w << "\n";
            folds.assign(k, {});
            for (std::size_t i = 0; i < a.fold.size(); ++i)
                for (std::size_t f = 0; f < k; ++f) (a.fold[i] == f ? folds[f].test : folds[f].train).push_back(i);
        }
        cs::write_fold_column(table, folds, column);
        for (std::size_t f = 0; f < folds.size(); ++f) {
            std::cout << "fold " << f << ": " << folds[f].test.size() << " test samples\n";
            for (auto& l : cs::check_leakage(folds[f], c2s::concat(group_col, " (fold ", f, ")"), groups).leaks)
                leaks.leaks.push_back(std::move(l));
        }
        leaks.keys_checked.push_back(group_col);
    } else {
        throw c2s::cli::usage_error("--method must be stratified, shuffle, two-key, group-kfold, stratified-group-kfold "
                                    "or logo, got '" + method + "'");
    }
    for (const auto& line : leaks.lines()) std::cout << "leakage: " << line << "\n";
    if (!leaks.empty()) {  // a failed command leaves no output file
        std::cerr << "c2s split: error: the split leaks (see the leakage lines above); nothing written to " << out << "\n";
        return 1;
    }
    c2s::io::write_table(out, table);
    std::cerr << "wrote " << table.num_rows() << " rows with column " << column << " to " << out << "\n";
    return 0;
}

const c2s::cli::Register split{{
    "split",
    "compound-grouped train/validation/test or k-fold splits of a sample table, with the leakage check",
    "usage: c2s split --in TABLE.csv --out OUT.csv --group COLUMN [--method METHOD] [--stratify COLUMN]\n"
    "                 [--batch COLUMN] [--sides train,validation,test] [--fractions 0.7,0.15,0.15] [--seed N]\n"
    "                 [--control-column COLUMN [--control-value DMSO] [--control-group COLUMN]\n"
    "                  [--control-fractions F,F,F]] [--max-per-class N] [--no-every-side] [--folds K] [--trials N]\n"
    "                 [--column NAME]\n\n"
    "Methods: stratified (default; group shuffle split stratified by --stratify), shuffle (unstratified),\n"
    "two-key (groups and --batch both disjoint; samples whose batch is on another side are 'excluded'),\n"
    "group-kfold, stratified-group-kfold, logo (scikit-learn 1.2 GroupKFold / StratifiedGroupKFold /\n"
    "LeaveOneGroupOut, fold = the sample's test fold). Writes the table with the split column added\n"
    "(Metadata_Split or Metadata_Fold), prints sizes per stratum and the leakage check; exits 1 on leakage.\n"
    "Controls (rows whose --control-column equals --control-value) are split by --control-group with\n"
    "their own quota and are not a stratum; in two-key splits they follow their batch.\n",
    {"in", "out", "group", "method", "stratify", "batch", "sides", "fractions", "seed", "control-column", "control-value",
     "control-group", "control-fractions", "max-per-class", "folds", "trials", "column"},
    {"no-every-side"},
    run}};

}  // namespace
