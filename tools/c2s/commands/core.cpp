// c2s npy ... / c2s convert: inspect and convert the interchange formats.

#include <iostream>

#include "c2s/io/npy.hpp"
#include "c2s/io/table.hpp"
#include "cli.hpp"

namespace {

const c2s::cli::Register info{{
    "npy info",
    "print the element type and shape of .npy files",
    "usage: c2s npy info FILE.npy [FILE.npy ...]\n",
    {},
    {},
    [](const c2s::cli::Args& args) {
        if (args.positional().empty()) throw c2s::cli::usage_error("missing argument <FILE.npy>");
        for (const auto& f : args.positional()) {
            const auto h = c2s::io::read_npy_header(f);
            std::cout << f << ": " << c2s::io::dtype_descr(h.dtype) << " (";
            for (std::size_t i = 0; i < h.shape.size(); ++i) std::cout << (i ? ", " : "") << h.shape[i];
            std::cout << (h.shape.size() == 1 ? ",)" : ")") << "\n";
        }
        return 0;
    }}};

const c2s::cli::Register convert{{
    "convert",
    "convert the feature columns of a CSV to .npy (float32/float64), or a 2-D .npy to CSV",
    "usage: c2s convert IN.csv OUT.npy [--dtype float32|float64] [--metadata COL,COL,...] [--metadata-out M.csv]\n"
    "       c2s convert IN.npy OUT.csv [--prefix feature_]\n\n"
    "CSV -> npy writes the numeric feature columns (columns named by --metadata or starting with\n"
    "Metadata_ are metadata; --metadata-out writes them, row-aligned). npy -> CSV names the columns\n"
    "<prefix>0, <prefix>1, ...\n",
    {"dtype", "metadata", "metadata-out", "prefix"},
    {},
    [](const c2s::cli::Args& args) {
        const std::filesystem::path in = args.positional(0, "IN"), out = args.positional(1, "OUT");
        args.expect_positional(2);
        if (in.extension() == ".npy") {
            const auto a = c2s::io::read_npy<double>(in);
            if (a.shape.size() != 2) throw std::runtime_error("'" + in.string() + "' is not 2-D");
            c2s::io::Table t;
            t.features = Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
                a.data.data(), static_cast<Eigen::Index>(a.shape[0]), static_cast<Eigen::Index>(a.shape[1]));
            const auto prefix = args.get("prefix", "feature_");
            for (std::size_t j = 0; j < a.shape[1]; ++j) t.feature_names.push_back(prefix + std::to_string(j));
            c2s::io::write_table(out, t);
            return 0;
        }
        c2s::io::TableOptions opt;
        opt.metadata_columns = args.list("metadata");
        const auto t = c2s::io::read_table(in, opt);
        const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> rm = t.features;
        const auto dtype = args.get("dtype", "float32");
        const std::vector<std::size_t> shape{t.num_rows(), t.num_features()};
        if (dtype == "float64") {
            c2s::io::write_npy<double>(out, {rm.data(), static_cast<std::size_t>(rm.size())}, shape);
        } else if (dtype == "float32") {
            const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> f = rm.cast<float>();
            c2s::io::write_npy<float>(out, {f.data(), static_cast<std::size_t>(f.size())}, shape);
        } else {
            throw c2s::cli::usage_error("--dtype must be float32 or float64, got '" + dtype + "'");
        }
        if (auto m = args.get("metadata-out")) {
            std::vector<std::vector<std::string>> rows(t.num_rows());
            for (std::size_t r = 0; r < t.num_rows(); ++r)
                for (const auto& col : t.metadata) rows[r].push_back(col[r]);
            c2s::io::write_csv(*m, t.metadata_names, rows);
        }
        return 0;
    }}};

}  // namespace
