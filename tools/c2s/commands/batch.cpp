// c2s combat: ComBat batch correction of a CSV table or a samples × features .npy file.

#include <iostream>

#include "c2s/batch/combat.hpp"
#include "c2s/batch/combat_streaming.hpp"
#include "c2s/batch/design.hpp"
#include "c2s/io/table.hpp"
#include "cli.hpp"

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

c2s::batch::CombatOptions options_of(const c2s::cli::Args& args) {
    c2s::batch::CombatOptions o;
    o.parametric = !args.flag("nonparametric");
    o.mean_only = args.flag("mean-only");
    if (auto r = args.get("reference-batch")) o.reference_batch = *r;
    o.num_threads = args.threads();
    if (args.flag("nan-leave-uncorrected")) o.nan_policy = c2s::batch::NanPolicy::leave_feature_uncorrected;
    return o;
}

/// Batch labels and covariate design from metadata columns of a table.
struct Labels {
    std::vector<std::string> batch;
    c2s::batch::CovariateDesign design;
};

Labels labels_of(const c2s::cli::Args& args, const std::function<const std::vector<std::string>&(const std::string&)>& column) {
    Labels l;
    l.batch = column(args.required("batch"));
    const auto covs = args.list("covariates");
    std::vector<std::vector<std::string>> factors;
    for (const auto& c : covs) factors.push_back(column(c));
    l.design = c2s::batch::categorical_design(factors, covs);
    return l;
}

void report(const c2s::batch::CombatModel& m, const std::vector<std::string>& warnings, std::size_t rows) {
    std::cerr << "combat: " << rows << " samples, " << m.num_features << " features, " << m.num_batches() << " batches, "
              << m.num_covariates() << " protected covariate column(s), " << (m.parametric ? "parametric" : "non-parametric")
              << (m.mean_only ? ", mean only" : "") << (m.reference_batch ? ", reference batch '" + *m.reference_batch + "'" : "")
              << "\n";
    for (const auto& w : warnings) std::cerr << "warning: " << w << "\n";
}

int run(const c2s::cli::Args& args) {
    args.expect_positional(0);
    const std::string in = args.required("in"), out = args.required("out");
    const auto options = options_of(args);
    const bool npy = ends_with(in, ".npy");
    if (npy != ends_with(out, ".npy"))
        throw c2s::cli::usage_error("--in and --out must both be .npy or both be CSV");
    if (npy) {
        const auto meta_path = args.get("meta");
        if (!meta_path) throw c2s::cli::usage_error("a .npy input needs --meta FILE.csv holding the --batch/--covariates columns");
        const auto meta = c2s::io::read_csv(*meta_path);
        std::map<std::string, std::vector<std::string>> cache;
        const auto labels = labels_of(args, [&](const std::string& name) -> const std::vector<std::string>& {
            auto it = cache.find(name);
            if (it == cache.end()) it = cache.emplace(name, meta.column_values(name)).first;
            return it->second;
        });
        auto o = options;
        o.covariate_names = labels.design.names;
        c2s::batch::CombatStreamingOptions so;
        so.block_rows = static_cast<std::size_t>(args.integer("block-rows", 4096));
        const auto r = c2s::batch::combat_npy(in, labels.batch, labels.design.names.empty() ? nullptr : &labels.design.matrix,
                                              out, o, so);
        if (auto m = args.get("model")) r.model.save(*m);
        report(r.model, r.warnings, r.rows);
        return 0;
    }
    c2s::io::TableOptions to;
    to.non_numeric_as_metadata = true;
    auto table = c2s::io::read_table(in, to);
    for (const auto& c : args.list("metadata")) {
        // Numeric columns the user names as metadata (e.g. an integer batch id) move out of the features.
        auto it = std::find(table.feature_names.begin(), table.feature_names.end(), c);
        if (it == table.feature_names.end()) continue;
        const auto j = static_cast<Eigen::Index>(it - table.feature_names.begin());
        std::vector<std::string> values;
        for (Eigen::Index i = 0; i < table.features.rows(); ++i) values.push_back(c2s::io::format_number(table.features(i, j)));
        table.set_metadata(c, values);
        Eigen::MatrixXd rest(table.features.rows(), table.features.cols() - 1);
        rest << table.features.leftCols(j), table.features.rightCols(table.features.cols() - j - 1);
        table.features = std::move(rest);
        table.feature_names.erase(it);
    }
    const auto labels = labels_of(args, [&](const std::string& name) -> const std::vector<std::string>& {
        if (!table.has_metadata(name))
            throw c2s::cli::usage_error("'" + in + "' has no metadata column '" + name +
                                        "' (numeric columns become metadata with --metadata " + name + ")");
        return table.metadata_column(name);
    });
    auto o = options;
    o.covariate_names = labels.design.names;
    // The table gives its features up: corrected in place, no second samples × features matrix.
    auto r = c2s::batch::combat(std::move(table.features), labels.batch, labels.design.names.empty() ? nullptr : &labels.design.matrix, o);
    table.features = std::move(r.corrected);
    c2s::io::write_table(out, table);
    if (auto m = args.get("model")) r.model.save(*m);
    report(r.model, r.warnings, static_cast<std::size_t>(table.features.rows()));
    return 0;
}

const c2s::cli::Register combat_command{{
    "combat",
    "ComBat batch correction (matches R's sva::ComBat) of a CSV table or a .npy matrix",
    "usage: c2s combat --in FILE --out FILE --batch COLUMN [--covariates COL,COL] [--model MODEL.txt]\n"
    "                  [--meta META.csv] [--metadata COL,COL] [--reference-batch NAME] [--nonparametric]\n"
    "                  [--mean-only] [--nan-leave-uncorrected] [--threads N] [--block-rows N]\n\n"
    "CSV (optionally .gz): one row per sample; non-numeric columns (and those named in --metadata) are\n"
    "metadata, the others features. --batch names the batch column; --covariates the categorical\n"
    "columns to protect (coded like model.matrix(~a+b)[,-1]). The corrected table keeps the metadata.\n"
    ".npy: a samples x features float32/float64 matrix, corrected by streaming row blocks (memory does\n"
    "not grow with the samples); --meta names a CSV with one row per sample holding the columns.\n"
    "--model writes the fitted estimates (grand mean, pooled variance, gamma/delta hat and star,\n"
    "covariate coefficients, priors) as text. Warnings (passed-through features, mean-only fallback)\n"
    "go to stderr.\n",
    {"in", "out", "batch", "covariates", "model", "meta", "metadata", "reference-batch", "threads", "block-rows"},
    {"nonparametric", "mean-only", "nan-leave-uncorrected"},
    run}};

}  // namespace
