// c2s profiles ...: normalise, select, aggregate, evaluate (NSC, NSCB, mAP) and compare (Mantel)
// feature tables in CSV (Metadata_* columns + numeric features).

#include <algorithm>
#include <iostream>

#include "c2s/core/labeled_matrix.hpp"
#include "c2s/io/table.hpp"
#include "c2s/profile/aggregate.hpp"
#include "c2s/profile/mantel.hpp"
#include "c2s/profile/normalize.hpp"
#include "c2s/profile/retrieval.hpp"
#include "c2s/profile/select.hpp"
#include "cli.hpp"

namespace {

namespace cp = c2s::profile;
using c2s::cli::usage_error;

template <class F>
auto parse_or_usage(F&& f) {
    try {
        return f();
    } catch (const std::invalid_argument& e) {
        throw usage_error(e.what());
    }
}

/// Fails naming the option and the file when `table` (read from `path`) has no metadata column
/// `name` (given by --`option`).
void require_column(const c2s::io::Table& table, const std::string& path, const std::string& option,
                    const std::string& name) {
    if (table.has_metadata(name)) return;
    std::string have;
    for (const auto& m : table.metadata_names) have += (have.empty() ? "" : ", ") + m;
    c2s::fail_runtime("c2s profiles", "--", option, " '", name, "' is not a metadata column of '", path,
                      "' (metadata columns: ", have.empty() ? "none" : have, ")");
}

const c2s::cli::Register normalize_cmd{{
    "profiles normalize",
    "normalise features per stratum against a reference subset (standardize, robustize, MAD, PCA/ZCA sphering)",
    "usage: c2s profiles normalize IN.csv --out OUT.csv [--method standardize|robustize|mad_robustize|\n"
    "                              spherize_pca|spherize_zca] [--strata Metadata_Plate|none]\n"
    "                              [--reference-column Metadata_Compound|none] [--reference-value DMSO]\n"
    "                              [--ddof 1] [--epsilon E] [--components K]\n\n"
    "Each stratum (default: plate) is fitted on its rows whose reference column equals the reference\n"
    "value (default: the DMSO wells) and transforms its own rows. A stratum without reference rows is\n"
    "an error naming it; a zero scale gives empty (NaN) cells and a warning.\n",
    {"out", "method", "strata", "reference-column", "reference-value", "ddof", "epsilon", "components"},
    {},
    [](const c2s::cli::Args& args) {
        // Every option is checked before the input is read.
        args.expect_positional(1);
        const std::string in = args.positional(0, "IN.csv"), out_path = args.required("out");
        cp::NormalizeOptions o;
        o.method = parse_or_usage([&] { return cp::parse_normalize_method(args.get("method", "standardize")); });
        const long ddof = args.integer("ddof", 1);
        if (ddof != 0 && ddof != 1) throw usage_error(c2s::concat("--ddof must be 0 or 1, got ", ddof));
        o.ddof = static_cast<int>(ddof);
        if (args.has("epsilon")) {
            o.epsilon = args.number("epsilon", 0);
            if (!(*o.epsilon >= 0)) throw usage_error(c2s::concat("--epsilon must be >= 0, got ", *o.epsilon));
        }
        if (args.has("components")) {
            const long k = args.integer("components", 0);
            if (k < 1) throw usage_error(c2s::concat("--components must be >= 1, got ", k));
            o.components = static_cast<std::size_t>(k);
        }
        cp::ReferenceSpec spec;
        spec.strata_column = args.get("strata", "Metadata_Plate");
        if (spec.strata_column == "none") spec.strata_column.clear();
        spec.reference_column = args.get("reference-column", "Metadata_Compound");
        if (spec.reference_column == "none") spec.reference_column.clear();
        spec.reference_value = args.get("reference-value", "DMSO");
        const auto table = c2s::io::read_table(in);
        if (!spec.strata_column.empty()) require_column(table, in, "strata", spec.strata_column);
        if (!spec.reference_column.empty()) require_column(table, in, "reference-column", spec.reference_column);
        std::vector<std::string> warnings;
        const auto out = cp::normalize_table(table, spec, o, &warnings);
        c2s::io::write_table(out_path, out);
        for (const auto& w : warnings) std::cerr << "warning: " << w << "\n";
        std::cerr << "normalised " << out.num_rows() << " rows x " << out.num_features() << " features ("
                  << cp::to_string(o.method) << ")\n";
        return 0;
    }}};

const c2s::cli::Register select_cmd{{
    "profiles select",
    "feature selection: near-zero variance, replicate correlation, correlation threshold, NA columns",
    "usage: c2s profiles select IN.csv --out OUT.csv [--operations variance,replicate,correlation,na]\n"
    "                           [--cutoff 0.95] [--exact|--fast] [--replicate-keys Metadata_Compound,\n"
    "                           Metadata_Concentration] [--replicates 3] [--replicate-threshold 0.5]\n"
    "                           [--na-cutoff 0.05]\n\n"
    "Operations run in the order given: variance = caret::nearZeroVar (freqCut 95/5, uniqueCut 10);\n"
    "replicate = cytominer's median replicate correlation >= threshold over groups with exactly\n"
    "--replicates rows; correlation = caret::findCorrelation at --cutoff (exact below 100 features\n"
    "unless --exact/--fast); na = drop columns with more than --na-cutoff missing values.\n",
    {"out", "operations", "cutoff", "replicate-keys", "replicates", "replicate-threshold", "na-cutoff"},
    {"exact", "fast"},
    [](const c2s::cli::Args& args) {
        // Every option is checked before the input is read.
        args.expect_positional(1);
        const std::string in = args.positional(0, "IN.csv"), out_path = args.required("out");
        auto ops = args.list("operations");
        if (ops.empty()) ops = {"variance", "replicate", "correlation", "na"};
        for (const auto& op : ops)
            if (op != "variance" && op != "replicate" && op != "correlation" && op != "na")
                throw usage_error("unknown operation '" + op + "' (expected variance, replicate, correlation, na)");
        if (args.flag("exact") && args.flag("fast")) throw usage_error("--exact and --fast exclude each other");
        auto keys = args.list("replicate-keys");
        if (keys.empty()) keys = {"Metadata_Compound", "Metadata_Concentration"};
        const long replicates = args.integer("replicates", 3);
        if (replicates < 2) throw usage_error(c2s::concat("--replicates must be >= 2, got ", replicates));
        const double replicate_threshold = args.number("replicate-threshold", 0.5);
        const double cutoff = args.number("cutoff", 0.95), na_cutoff = args.number("na-cutoff", 0.05);
        auto table = c2s::io::read_table(in);
        if (std::find(ops.begin(), ops.end(), "replicate") != ops.end())
            for (const auto& k : keys) require_column(table, in, "replicate-keys", k);
        for (const auto& op : ops) {
            const std::size_t before = table.num_features();
            if (op == "variance") {
                table = cp::select_features(table, cp::near_zero_variance(table.features));
            } else if (op == "replicate") {
                std::vector<std::string> group(table.num_rows());
                for (const auto& k : keys) {
                    const auto& col = table.metadata_column(k);
                    for (std::size_t r = 0; r < group.size(); ++r) group[r] += col[r] + '\x1f';
                }
                cp::ReplicateCorrelationOptions ro;
                ro.replicates = static_cast<std::size_t>(replicates);
                ro.threshold = replicate_threshold;
                table = cp::select_features(table, cp::replicate_correlation(table.features, group, {}, ro).selection);
            } else if (op == "correlation") {
                cp::CorrelationThresholdOptions co;
                co.cutoff = cutoff;
                if (args.flag("exact")) co.method = cp::FindCorrelationMethod::exact;
                if (args.flag("fast")) co.method = cp::FindCorrelationMethod::fast;
                table = cp::select_features(table, cp::correlation_threshold(table.features, co));
            } else if (op == "na") {
                table = cp::select_features(table, cp::drop_na_columns(table.features, na_cutoff));
            }
            std::cerr << op << ": " << before << " -> " << table.num_features() << " features\n";
        }
        c2s::io::write_table(out_path, table);
        return 0;
    }}};

const c2s::cli::Register aggregate_cmd{{
    "profiles aggregate",
    "aggregate rows by metadata keys (mean or median), keeping the group sizes",
    "usage: c2s profiles aggregate IN.csv --out OUT.csv --keys COL[,COL...] [--operation mean|median]\n\n"
    "Adds Metadata_Count (rows per group). Other metadata columns are kept; where a group has several\n"
    "values they are joined with ';' (e.g. Week1;Week2).\n",
    {"out", "keys", "operation"},
    {},
    [](const c2s::cli::Args& args) {
        // Every option is checked before the input is read.
        args.expect_positional(1);
        const std::string in = args.positional(0, "IN.csv"), out_path = args.required("out");
        const auto keys = args.list("keys");
        if (keys.empty()) throw usage_error("--keys is required");
        const auto op = args.get("operation", "mean");
        if (op != "mean" && op != "median") throw usage_error("--operation must be mean or median, got '" + op + "'");
        cp::AggregateOptions o;
        o.operation = op == "mean" ? cp::AggregateOperation::mean : cp::AggregateOperation::median;
        const auto table = c2s::io::read_table(in);
        for (const auto& k : keys) require_column(table, in, "keys", k);
        const auto out = cp::aggregate(table, keys, o);
        c2s::io::write_table(out_path, out);
        std::cerr << "aggregated " << table.num_rows() << " rows into " << out.num_rows() << " groups\n";
        return 0;
    }}};

const c2s::cli::Register evaluate_cmd{{
    "profiles evaluate",
    "MoA retrieval on treatment profiles: 1-NN accuracy NSC / NSCB and mAP with permutation p-values",
    "usage: c2s profiles evaluate IN.csv [--label Metadata_MoA] [--compound Metadata_Compound]\n"
    "                             [--batch Metadata_Week] [--similarity pearson|cosine|spearman]\n"
    "                             [--exclude-value DMSO] [--null-size 10000] [--seed 0] [--out MAP.csv]\n\n"
    "Rows whose compound is --exclude-value or whose label is empty are left out. NSC: the neighbour\n"
    "is another compound; NSCB: also another batch, with labels seen in one batch left out. mAP\n"
    "follows copairs (positives: same label, other compound; cosine by default).\n",
    {"label", "compound", "batch", "similarity", "exclude-value", "null-size", "seed", "out"},
    {},
    [](const c2s::cli::Args& args) {
        // Every option is checked before the input is read (nothing is printed before a usage error).
        args.expect_positional(1);
        const std::string in = args.positional(0, "IN.csv");
        const auto label_col = args.get("label", "Metadata_MoA"), comp_col = args.get("compound", "Metadata_Compound"),
                   batch_col = args.get("batch", "Metadata_Week"), exclude = args.get("exclude-value", "DMSO");
        const auto sim = parse_or_usage([&] { return cp::parse_similarity(args.get("similarity", "pearson")); });
        cp::MapOptions mo;
        const long null_size = args.integer("null-size", 10000);
        if (null_size < 1) throw usage_error(c2s::concat("--null-size must be >= 1, got ", null_size));
        mo.null_size = static_cast<std::size_t>(null_size);
        mo.seed = static_cast<std::uint64_t>(args.integer("seed", 0));
        const auto map_out = args.get("out");
        auto table = c2s::io::read_table(in);
        require_column(table, in, "label", label_col);
        require_column(table, in, "compound", comp_col);
        if (args.has("batch")) require_column(table, in, "batch", batch_col);  // the default may be absent: no NSCB
        std::vector<std::size_t> rows;
        for (std::size_t r = 0; r < table.num_rows(); ++r)
            if (table.metadata_column(comp_col)[r] != exclude && !table.metadata_column(label_col)[r].empty()) rows.push_back(r);
        table = table.select_rows(rows);
        const auto& label = table.metadata_column(label_col);
        const auto& comp = table.metadata_column(comp_col);
        const auto nsc = cp::nearest_neighbour_accuracy(table.features, label, comp, {}, {sim, false});
        std::cout << "rows        " << table.num_rows() << "\n"
                  << "NSC         " << nsc.num_correct << "/" << nsc.queries.size() << " = " << nsc.accuracy << "\n";
        if (table.has_metadata(batch_col)) {
            const auto nscb = cp::nearest_neighbour_accuracy(table.features, label, comp, table.metadata_column(batch_col), {sim, true});
            std::cout << "NSCB        " << nscb.num_correct << "/" << nscb.queries.size() << " = " << nscb.accuracy;
            if (!nscb.labels_left_out.empty()) {
                std::cout << " (left out:";
                for (const auto& l : nscb.labels_left_out) std::cout << " '" << l << "'";
                std::cout << ")";
            }
            std::cout << "\n";
        }
        const auto map = cp::mean_average_precision(table.features, label, comp, mo);
        std::size_t significant = 0;
        for (const auto& m : map.per_label) significant += m.below_corrected_p ? 1 : 0;
        std::cout << "mAP         " << map.mean_map << " (" << significant << " of " << map.per_label.size()
                  << " labels with BH q < 0.05)\n";
        if (const auto& out = map_out) {
            std::vector<std::vector<std::string>> r;
            for (const auto& m : map.per_label)
                r.push_back({m.label, std::to_string(m.queries), c2s::io::format_number(m.mean_average_precision),
                             c2s::io::format_number(m.p_value), c2s::io::format_number(m.corrected_p_value)});
            c2s::io::write_csv(*out, {"label", "queries", "map", "p_value", "corrected_p_value"}, r);
        }
        return 0;
    }}};

const c2s::cli::Register compare_cmd{{
    "profiles compare",
    "Mantel test between two labelled distance matrices (.npy + .ids.csv), on their common ids",
    "usage: c2s profiles compare A.npy B.npy [--method pearson|spearman] [--permutations 999]\n"
    "                            [--alternative two-sided|greater|less] [--seed 42] [--strict]\n\n"
    "Reads matrices saved by c2s::save_labeled_matrix. Ids only in one matrix are dropped and listed\n"
    "(--strict: different id sets are an error).\n",
    {"method", "permutations", "alternative", "seed"},
    {"strict"},
    [](const c2s::cli::Args& args) {
        // Every option is checked before the matrices are read.
        args.expect_positional(2);
        const std::string a_path = args.positional(0, "A.npy"), b_path = args.positional(1, "B.npy");
        cp::MantelOptions o;
        const auto method = args.get("method", "pearson");
        if (method == "pearson") o.method = cp::MantelMethod::pearson;
        else if (method == "spearman") o.method = cp::MantelMethod::spearman;
        else throw usage_error("--method must be pearson or spearman, got '" + method + "'");
        const auto alt = args.get("alternative", "two-sided");
        if (alt == "two-sided") o.alternative = cp::Alternative::two_sided;
        else if (alt == "greater") o.alternative = cp::Alternative::greater;
        else if (alt == "less") o.alternative = cp::Alternative::less;
        else throw usage_error("--alternative must be two-sided, greater or less, got '" + alt + "'");
        const long permutations = args.integer("permutations", 999);
        if (permutations < 0) throw usage_error(c2s::concat("--permutations must be >= 0, got ", permutations));
        o.permutations = static_cast<std::size_t>(permutations);
        o.seed = static_cast<std::uint64_t>(args.integer("seed", 42));
        o.require_same_ids = args.flag("strict");
        const auto a = c2s::load_labeled_matrix(a_path);
        const auto b = c2s::load_labeled_matrix(b_path);
        const auto r = cp::mantel(a, b, o);
        std::cout << "ids         " << r.note << "\n"
                  << "statistic   " << r.statistic << " (" << cp::to_string(o.method) << ")\n"
                  << "p-value     " << r.p_value << " (" << r.permutations << " permutations, " << cp::to_string(o.alternative)
                  << ")\n";
        return 0;
    }}};

}  // namespace
