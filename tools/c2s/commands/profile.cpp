// c2s profiles ...: normalise, select, aggregate, evaluate (NSC, NSCB, mAP) and compare (Mantel)
// feature tables in CSV (Metadata_* columns + numeric features).

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
        args.expect_positional(1);
        const auto table = c2s::io::read_table(args.positional(0, "IN.csv"));
        cp::NormalizeOptions o;
        o.method = parse_or_usage([&] { return cp::parse_normalize_method(args.get("method", "standardize")); });
        o.ddof = static_cast<int>(args.integer("ddof", 1));
        if (args.has("epsilon")) o.epsilon = args.number("epsilon", 0);
        if (args.has("components")) o.components = static_cast<std::size_t>(args.integer("components", 0));
        cp::ReferenceSpec spec;
        spec.strata_column = args.get("strata", "Metadata_Plate");
        if (spec.strata_column == "none") spec.strata_column.clear();
        spec.reference_column = args.get("reference-column", "Metadata_Compound");
        if (spec.reference_column == "none") spec.reference_column.clear();
        spec.reference_value = args.get("reference-value", "DMSO");
        std::vector<std::string> warnings;
        const auto out = cp::normalize_table(table, spec, o, &warnings);
        c2s::io::write_table(args.required("out"), out);
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
        args.expect_positional(1);
        auto table = c2s::io::read_table(args.positional(0, "IN.csv"));
        auto ops = args.list("operations");
        if (ops.empty()) ops = {"variance", "replicate", "correlation", "na"};
        if (args.flag("exact") && args.flag("fast")) throw usage_error("--exact and --fast exclude each other");
        for (const auto& op : ops) {
            const std::size_t before = table.num_features();
            if (op == "variance") {
                table = cp::select_features(table, cp::near_zero_variance(table.features));
            } else if (op == "replicate") {
                auto keys = args.list("replicate-keys");
                if (keys.empty()) keys = {"Metadata_Compound", "Metadata_Concentration"};
                std::vector<std::string> group(table.num_rows());
                for (const auto& k : keys) {
                    const auto& col = table.metadata_column(k);
                    for (std::size_t r = 0; r < group.size(); ++r) group[r] += col[r] + '\x1f';
                }
                cp::ReplicateCorrelationOptions ro;
                ro.replicates = static_cast<std::size_t>(args.integer("replicates", 3));
                ro.threshold = args.number("replicate-threshold", 0.5);
                table = cp::select_features(table, cp::replicate_correlation(table.features, group, {}, ro).selection);
            } else if (op == "correlation") {
                cp::CorrelationThresholdOptions co;
                co.cutoff = args.number("cutoff", 0.95);
                if (args.flag("exact")) co.method = cp::FindCorrelationMethod::exact;
                if (args.flag("fast")) co.method = cp::FindCorrelationMethod::fast;
                table = cp::select_features(table, cp::correlation_threshold(table.features, co));
            } else if (op == "na") {
                table = cp::select_features(table, cp::drop_na_columns(table.features, args.number("na-cutoff", 0.05)));
            } else {
                throw usage_error("unknown operation '" + op + "' (expected variance, replicate, correlation, na)");
            }
            std::cerr << op << ": " << before << " -> " << table.num_features() << " features\n";
        }
        c2s::io::write_table(args.required("out"), table);
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
        args.expect_positional(1);
        const auto table = c2s::io::read_table(args.positional(0, "IN.csv"));
        const auto keys = args.list("keys");
        if (keys.empty()) throw usage_error("--keys is required");
        const auto op = args.get("operation", "mean");
        if (op != "mean" && op != "median") throw usage_error("--operation must be mean or median, got '" + op + "'");
        cp::AggregateOptions o;
        o.operation = op == "mean" ? cp::AggregateOperation::mean : cp::AggregateOperation::median;
        const auto out = cp::aggregate(table, keys, o);
        c2s::io::write_table(args.required("out"), out);
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
        args.expect_positional(1);
        auto table = c2s::io::read_table(args.positional(0, "IN.csv"));
        const auto label_col = args.get("label", "Metadata_MoA"), comp_col = args.get("compound", "Metadata_Compound"),
                   batch_col = args.get("batch", "Metadata_Week"), exclude = args.get("exclude-value", "DMSO");
        std::vector<std::size_t> rows;
        for (std::size_t r = 0; r < table.num_rows(); ++r)
            if (table.metadata_column(comp_col)[r] != exclude && !table.metadata_column(label_col)[r].empty()) rows.push_back(r);
        table = table.select_rows(rows);
        const auto sim = parse_or_usage([&] { return cp::parse_similarity(args.get("similarity", "pearson")); });
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
        cp::MapOptions mo;
        mo.null_size = static_cast<std::size_t>(args.integer("null-size", 10000));
        mo.seed = static_cast<std::uint64_t>(args.integer("seed", 0));
        const auto map = cp::mean_average_precision(table.features, label, comp, mo);
        std::cout << "mAP         " << map.mean_map << " (" << map.fraction_significant << " of labels with BH q < 0.05)\n";
        if (auto out = args.get("out")) {
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
        args.expect_positional(2);
        const auto a = c2s::load_labeled_matrix(args.positional(0, "A.npy"));
        const auto b = c2s::load_labeled_matrix(args.positional(1, "B.npy"));
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
        o.permutations = static_cast<std::size_t>(args.integer("permutations", 999));
        o.seed = static_cast<std::uint64_t>(args.integer("seed", 42));
        o.require_same_ids = args.flag("strict");
        const auto r = cp::mantel(a, b, o);
        std::cout << "ids         " << r.note << "\n"
                  << "statistic   " << r.statistic << " (" << cp::to_string(o.method) << ")\n"
                  << "p-value     " << r.p_value << " (" << r.permutations << " permutations, " << cp::to_string(o.alternative)
                  << ")\n";
        return 0;
    }}};

}  // namespace
