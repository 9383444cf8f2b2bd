// c2s plot ...: figures (PNG, SVG or PDF by the --out extension) from .npy matrices and id CSVs.

#ifdef C2S_HAVE_PLOT

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <numeric>

#include "c2s/io/csv.hpp"
#include "c2s/io/npy.hpp"
#include "c2s/plot/heatmap.hpp"
#include "c2s/plot/scatter_plot.hpp"
#include "cli.hpp"

namespace {

namespace fs = std::filesystem;

/// The "id" column (else the first column) of an id CSV.
std::vector<std::string> read_ids(const fs::path& path, std::string* measure = nullptr) {
    const auto doc = c2s::io::read_csv(path);
    if (doc.num_columns() == 0) c2s::fail_runtime("c2s plot", "'", path.string(), "' has no columns");
    const std::size_t j = doc.find_column("id").value_or(0);
    std::vector<std::string> ids;
    for (const auto& r : doc.rows) ids.push_back(r[j]);
    if (measure) {
        if (auto m = doc.find_column("measure"); m && !doc.rows.empty()) *measure = doc.rows[0][*m];
    }
    return ids;
}

/// id -> group from a CSV with columns id,group (else the first two columns).
std::map<std::string, std::string> read_groups(const fs::path& path) {
    const auto doc = c2s::io::read_csv(path);
    if (doc.num_columns() < 2)
        c2s::fail_runtime("c2s plot", "'", path.string(), "' needs two columns (id, group); it has ", doc.num_columns());
    const std::size_t ji = doc.find_column("id").value_or(0), jg = doc.find_column("group").value_or(1);
    std::map<std::string, std::string> out;
    for (std::size_t r = 0; r < doc.rows.size(); ++r) out[doc.rows[r][ji]] = doc.rows[r][jg];
    return out;
}

std::vector<std::string> groups_for(const std::vector<std::string>& ids, const std::map<std::string, std::string>& table,
                                    const std::string& file) {
    std::vector<std::string> out;
    for (const auto& id : ids) {
        auto it = table.find(id);
        if (it == table.end()) c2s::fail_runtime("c2s plot", "id '", id, "' has no group in '", file, "'");
        out.push_back(it->second);
    }
    return out;
}

/// Positions sorted by group name, keeping the input order inside each group.
std::vector<std::size_t> order_by_group(const std::vector<std::string>& groups) {
    std::vector<std::size_t> idx(groups.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return groups[a] < groups[b]; });
    return idx;
}

c2s::plot::SaveOptions save_options(const c2s::cli::Args& args) {
    c2s::plot::SaveOptions s;
    s.dpi = args.number("dpi", s.dpi);
    if (!(s.dpi >= 10 && s.dpi <= 2400))
        throw c2s::cli::usage_error(c2s::concat("--dpi must be in [10, 2400], got ", args.required("dpi")));
    return s;
}

/// --out, whose extension must name a format (.png, .svg, .pdf).
fs::path out_path(const c2s::cli::Args& args) {
    fs::path out = args.required("out");
    try {
        (void)c2s::plot::format_of(out);
    } catch (const std::invalid_argument&) {
        throw c2s::cli::usage_error("--out '" + out.string() + "' must end in .png, .svg or .pdf");
    }
    return out;
}

c2s::plot::Colormap colormap_of(const c2s::cli::Args& args, const std::string& fallback) {
    try {
        return c2s::plot::parse_colormap(args.get("colormap", fallback));
    } catch (const std::invalid_argument& e) {
        throw c2s::cli::usage_error(e.what());
    }
}

const c2s::cli::Register heatmap_cmd{{
    "plot heatmap",
    "draw a matrix (.npy) as a heat map with id labels and group blocks, to PNG, SVG or PDF",
    "usage: c2s plot heatmap MATRIX.npy --out FIG.png|svg|pdf [--ids IDS.csv] [--groups GROUPS.csv]\n"
    "                        [--keep-order] [--title TEXT] [--label TEXT] [--colormap viridis|magma|gray|rdbu]\n"
    "                        [--vmin X] [--vmax X] [--center X] [--annotate] [--dpi 150]\n\n"
    "MATRIX.npy is a 2-D array (rows x columns). --ids names its rows (and its columns when it is square):\n"
    "the 'id' column, else the first; default MATRIX.ids.csv when present (what save_labeled_matrix writes,\n"
    "whose 'measure' column becomes the colour-bar label). --groups maps ids to groups (columns id,group,\n"
    "else the first two): rows (and columns) are then ordered by group, unless --keep-order, and each\n"
    "group's block is outlined and named along the axes. NaN cells are grey. --center makes the colour\n"
    "range symmetric around a value (use with --colormap rdbu). The file is written atomically.\n",
    {"out", "ids", "groups", "title", "label", "colormap", "vmin", "vmax", "center", "dpi"},
    {"keep-order", "annotate"},
    [](const c2s::cli::Args& args) {
        // Every option is checked before the inputs are read.
        args.expect_positional(1);
        const fs::path matrix_path = args.positional(0, "MATRIX.npy");
        const fs::path out = out_path(args);
        const auto save = save_options(args);
        c2s::plot::HeatmapOptions o;
        o.title = args.get("title", "");
        o.colormap = colormap_of(args, "viridis");
        if (args.has("vmin")) o.vmin = args.number("vmin", 0);
        if (args.has("vmax")) o.vmax = args.number("vmax", 0);
        if (o.vmin && o.vmax && !(*o.vmin < *o.vmax))
            throw c2s::cli::usage_error(c2s::concat("--vmin (", *o.vmin, ") must be below --vmax (", *o.vmax, ")"));
        if (args.has("center")) o.center = args.number("center", 0);
        o.annotate = args.flag("annotate");
        const auto a = c2s::io::read_npy<double>(matrix_path);
        if (a.shape.size() != 2)
            c2s::fail_runtime("c2s plot heatmap", "'", matrix_path.string(), "' has ", a.shape.size(),
                              " dimensions; a 2-D matrix is needed");
        const auto R = static_cast<Eigen::Index>(a.shape[0]), C = static_cast<Eigen::Index>(a.shape[1]);
        Eigen::MatrixXd m = Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(a.data.data(), R, C);

        std::string measure;
        fs::path ids_path = args.get("ids", "");
        if (ids_path.empty()) {
            fs::path guess = matrix_path;
            guess.replace_extension(".ids.csv");
            if (fs::exists(guess)) ids_path = guess;
        }
        std::vector<std::string> ids;
        if (!ids_path.empty()) {
            ids = read_ids(ids_path, &measure);
            if (ids.size() != a.shape[0])
                c2s::fail_runtime("c2s plot heatmap", "'", ids_path.string(), "' has ", ids.size(), " ids but '",
                                  matrix_path.string(), "' has ", a.shape[0], " rows");
        }
        if (args.has("groups")) {
            if (ids.empty()) throw c2s::cli::usage_error("--groups needs --ids (or MATRIX.ids.csv) to match rows to groups");
            auto groups = groups_for(ids, read_groups(args.required("groups")), args.required("groups"));
            if (!args.flag("keep-order")) {
                const auto idx = order_by_group(groups);
                Eigen::MatrixXd sorted(R, C);
                std::vector<std::string> ids2, groups2;
                const bool square = R == C;
                for (Eigen::Index i = 0; i < R; ++i) {
                    const auto si = static_cast<Eigen::Index>(idx[static_cast<std::size_t>(i)]);
                    for (Eigen::Index j = 0; j < C; ++j)
                        sorted(i, j) = m(si, square ? static_cast<Eigen::Index>(idx[static_cast<std::size_t>(j)]) : j);
                    ids2.push_back(ids[static_cast<std::size_t>(si)]);
                    groups2.push_back(groups[static_cast<std::size_t>(si)]);
                }
                m = std::move(sorted);
                ids = std::move(ids2);
                groups = std::move(groups2);
            }
            o.row_groups = groups;
        }
        o.row_labels = ids;
        o.colorbar_label = args.get("label", measure);
        const auto fig = c2s::plot::heatmap(m, o);
        for (const auto& w : fig.warnings) std::cerr << "warning: " << w << "\n";
        fig.save(out, save);
        std::cerr << "wrote " << R << " x " << C << " heat map to " << out.string() << "\n";
        return 0;
    }}};

const c2s::cli::Register scatter_cmd{{
    "plot scatter",
    "draw a 2-D embedding (.npy, n x 2: t-SNE, UMAP, PCA) coloured by group, to PNG, SVG or PDF",
    "usage: c2s plot scatter POINTS.npy --out FIG.png|svg|pdf [--ids IDS.csv] [--groups GROUPS.csv]\n"
    "                        [--labels] [--title TEXT] [--x-label TEXT] [--y-label TEXT] [--legend-title TEXT]\n"
    "                        [--equal-aspect] [--dpi 150]\n\n"
    "POINTS.npy holds one point per row (columns 0 and 1 are drawn). --ids names the rows ('id' column,\n"
    "else the first); --groups (id,group) colours the points with a legend; --labels writes each id\n"
    "beside its point.\n",
    {"out", "ids", "groups", "title", "x-label", "y-label", "legend-title", "dpi"},
    {"labels", "equal-aspect"},
    [](const c2s::cli::Args& args) {
        // Every option is checked before the inputs are read.
        args.expect_positional(1);
        const fs::path path = args.positional(0, "POINTS.npy");
        const fs::path out = out_path(args);
        const auto save = save_options(args);
        if (args.has("groups") && !args.has("ids")) throw c2s::cli::usage_error("--groups needs --ids to match rows to groups");
        if (args.flag("labels") && !args.has("ids")) throw c2s::cli::usage_error("--labels needs --ids");
        const auto a = c2s::io::read_npy<double>(path);
        if (a.shape.size() != 2 || a.shape[1] < 2)
            c2s::fail_runtime("c2s plot scatter", "'", path.string(), "' must be an n x 2 (or wider) matrix");
        const std::size_t n = a.shape[0], w = a.shape[1];
        std::vector<double> x(n), y(n);
        for (std::size_t i = 0; i < n; ++i) x[i] = a.data[i * w], y[i] = a.data[i * w + 1];
        c2s::plot::ScatterOptions o;
        std::vector<std::string> ids;
        if (args.has("ids")) {
            ids = read_ids(args.required("ids"));
            if (ids.size() != n)
                c2s::fail_runtime("c2s plot scatter", "'", args.required("ids"), "' has ", ids.size(), " ids but '",
                                  path.string(), "' has ", n, " rows");
        }
        if (args.has("groups")) {
            if (ids.empty()) throw c2s::cli::usage_error("--groups needs --ids to match rows to groups");
            o.categories = groups_for(ids, read_groups(args.required("groups")), args.required("groups"));
        }
        if (args.flag("labels")) {
            if (ids.empty()) throw c2s::cli::usage_error("--labels needs --ids");
            o.labels = ids;
        }
        o.title = args.get("title", "");
        o.x_label = args.get("x-label", "");
        o.y_label = args.get("y-label", "");
        o.legend_title = args.get("legend-title", "");
        o.equal_aspect = args.flag("equal-aspect");
        if (!o.categories.empty()) o.width = 620;
        const auto fig = c2s::plot::scatter_plot(x, y, o);
        for (const auto& wmsg : fig.warnings) std::cerr << "warning: " << wmsg << "\n";
        fig.save(out, save);
        std::cerr << "wrote scatter plot of " << n << " points to " << out.string() << "\n";
        return 0;
    }}};

}  // namespace

#endif  // C2S_HAVE_PLOT
