// c2s similarity: similarity matrices, top-k tables and threshold hits from .npy fingerprints or embeddings.

#include <cstdio>
#include <iostream>

#include "c2s/distance/all.hpp"
#include "c2s/io/atomic_file.hpp"
#include "c2s/io/npy.hpp"
#include "cli.hpp"

namespace {

namespace cd = c2s::distance;
namespace io = c2s::io;
using c2s::cli::usage_error;

struct Input {
    bool bits = false;
    c2s::FingerprintSet fps;
    Eigen::MatrixXd dense;  // embeddings (kept in double; float32 input is computed in float32)
    bool float32 = false;
};

Input load_input(const std::string& file, long num_bits) {
    const io::NpyHeader h = io::read_npy_header(file);
    if (h.shape.size() != 2)
        c2s::fail_runtime("c2s similarity", "'", file, "' has ", h.shape.size(),
                          " dimensions; expected a 2-D array (rows = samples)");
    const std::size_t rows = h.shape[0], cols = h.shape[1];
    Input in;
    if (h.dtype == io::DType::uint8 || h.dtype == io::DType::boolean) {
        in.bits = true;
        const auto a = io::read_npy<std::uint8_t>(file);
        try {
            in.fps = c2s::FingerprintSet::from_dense_bits(a.data, rows, cols);
        } catch (const std::invalid_argument& e) {
            c2s::fail_runtime("c2s similarity", "'", file, "': ", e.what());
        }
    } else if (h.dtype == io::DType::uint64) {
        in.bits = true;
        const auto a = io::read_npy<std::uint64_t>(file);
        const std::size_t nb = num_bits > 0 ? static_cast<std::size_t>(num_bits) : cols * 64;
        try {
            in.fps = c2s::FingerprintSet::from_words(a.data, rows, cols, nb);
        } catch (const std::invalid_argument& e) {
            c2s::fail_runtime("c2s similarity", "'", file, "': ", e.what());
        }
    } else if (io::dtype_is_floating(h.dtype)) {
        in.float32 = h.dtype == io::DType::float32;
        const auto a = io::read_npy<double>(file);
        in.dense = Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
            a.data.data(), static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols));
    } else {
        c2s::fail_runtime("c2s similarity", "'", file, "' holds ", io::dtype_descr(h.dtype),
                          "; expected uint8 0/1 bits, packed uint64 words, or float32/float64 embeddings");
    }
    return in;
}

std::string number(float v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
    return buf;
}

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// Top-k of each row of a dense similarity matrix (rows = queries), ties by lower index.
cd::TopK top_k_of(const Eigen::MatrixXf& sim_rows_queries, std::size_t k, bool exclude_self) {
    const auto nq = static_cast<std::size_t>(sim_rows_queries.rows()), nl = static_cast<std::size_t>(sim_rows_queries.cols());
    const std::size_t cols = std::min(k, nl - (exclude_self && nl > 0 ? 1 : 0));
    cd::TopK out;
    out.indices.resize(static_cast<Eigen::Index>(nq), static_cast<Eigen::Index>(cols));
    out.scores.resize(static_cast<Eigen::Index>(nq), static_cast<Eigen::Index>(cols));
    std::vector<std::int64_t> idx;
    for (std::size_t q = 0; q < nq; ++q) {
        idx.clear();
        for (std::size_t j = 0; j < nl; ++j)
            if (!(exclude_self && j == q)) idx.push_back(static_cast<std::int64_t>(j));
        const auto row = static_cast<Eigen::Index>(q);
        std::partial_sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(cols), idx.end(), [&](auto x, auto y) {
            const float sx = sim_rows_queries(row, x), sy = sim_rows_queries(row, y);
            return sx > sy || (sx == sy && x < y);
        });
        for (std::size_t c = 0; c < cols; ++c) {
            out.indices(row, static_cast<Eigen::Index>(c)) = idx[c];
            out.scores(row, static_cast<Eigen::Index>(c)) = sim_rows_queries(row, idx[c]);
        }
    }
    return out;
}

void write_top_k(const std::string& out, const cd::TopK& top) {
    if (ends_with(out, ".csv")) {
        io::AtomicFile file(out);
        file.stream() << "query,rank,target,similarity\n";
        for (Eigen::Index q = 0; q < top.indices.rows(); ++q)
            for (Eigen::Index c = 0; c < top.indices.cols(); ++c)
                file.stream() << q << ',' << (c + 1) << ',' << top.indices(q, c) << ',' << number(top.scores(q, c)) << '\n';
        file.commit();
    } else if (ends_with(out, ".npy")) {
        const std::string scores = out.substr(0, out.size() - 4) + ".scores.npy";
        const std::vector<std::size_t> shape{static_cast<std::size_t>(top.indices.rows()), static_cast<std::size_t>(top.indices.cols())};
        io::write_npy<float>(scores, std::span<const float>(top.scores.data(), static_cast<std::size_t>(top.scores.size())), shape);
        io::write_npy<std::int64_t>(out, std::span<const std::int64_t>(top.indices.data(), static_cast<std::size_t>(top.indices.size())), shape);
    } else {
        throw usage_error("--out must end in .csv or .npy, got '" + out + "'");
    }
}

const c2s::cli::Register similarity{{
    "similarity",
    "Tanimoto/Dice/cosine similarity matrices, top-k neighbours or threshold hits from .npy inputs",
    "usage: c2s similarity A.npy [B.npy] --out OUT.(npy|csv) [--metric tanimoto|dice|cosine]\n"
    "                      [--top-k K] [--threshold T] [--include-self] [--bits NBITS]\n"
    "                      [--kernel automatic|serial|avx2|avx512|sliced_serial|sliced_avx512] [--threads N]\n\n"
    "Inputs (rows = samples): uint8 0/1 bits or bool (N x bits), packed uint64 words (N x words,\n"
    "little-endian bit order as written by `c2s fingerprints`; --bits gives the length, default\n"
    "words*64), or float32/float64 embeddings (cosine only). Without B, A is compared with itself.\n\n"
    "Outputs:\n"
    "  default        the |A| x |B| matrix as .npy (float32; float64 for float64 embeddings), row i = A_i.\n"
    "                 Fingerprint matrices are written in row blocks, so memory stays bounded.\n"
    "  --top-k K      the K most similar rows of B (ties: lower index first) for each row of A:\n"
    "                 OUT.csv (query,rank,target,similarity) or OUT.npy (int64 indices) plus\n"
    "                 OUT.scores.npy (float32). Without B, a row is not its own neighbour unless\n"
    "                 --include-self.\n"
    "  --threshold T  every pair with similarity >= T as OUT.csv (query,target,similarity);\n"
    "                 fingerprints only (popcount-bound pruning).\n\n"
    "Conventions: two empty fingerprints have Tanimoto 1 (RDKit), Dice 0 and cosine 0; a zero\n"
    "embedding has cosine 0 with everything.\n",
    {"out", "metric", "top-k", "threshold", "bits", "kernel", "threads"},
    {"include-self"},
    [](const c2s::cli::Args& args) {
        args.expect_positional(2);
        const std::string a_file = args.positional(0, "A.npy");
        const bool self = args.positional().size() < 2;
        const std::string out = args.required("out");
        const long k = args.integer("top-k", 0);
        if (args.has("top-k") && k < 1) throw usage_error("--top-k must be at least 1");
        if (args.has("top-k") && args.has("threshold")) throw usage_error("--top-k and --threshold exclude each other");
        const long nbits = args.integer("bits", 0);
        if (args.has("bits") && nbits < 1) throw usage_error("--bits must be at least 1");
        cd::MatrixOptions opt;
        opt.num_threads = args.threads();
        try {
            opt.kernel = cd::parse_kernel(args.get("kernel", "automatic"));
        } catch (const std::invalid_argument& e) {
            throw usage_error(e.what());
        }
        const Input a = load_input(a_file, nbits);
        const Input b = self ? Input{} : load_input(args.positional(1, "B.npy"), nbits);
        if (!self && a.bits != b.bits)
            c2s::fail_runtime("c2s similarity", "'", a_file, "' holds ", a.bits ? "fingerprints" : "embeddings", " but '",
                              args.positional(1, "B.npy"), "' holds ", b.bits ? "fingerprints" : "embeddings");
        const bool exclude_self = self && !args.flag("include-self");

        if (a.bits) {
            cd::BitMetric metric;
            try {
                metric = cd::parse_bit_metric(args.get("metric", "tanimoto"));
            } catch (const std::invalid_argument& e) {
                throw usage_error(e.what());
            }
            const c2s::FingerprintSet& lib = self ? a.fps : b.fps;
            if (lib.num_bits() != a.fps.num_bits())
                c2s::fail_runtime("c2s similarity", "'", a_file, "' has ", a.fps.num_bits(), "-bit fingerprints but '",
                                  args.positional(1, "B.npy"), "' has ", lib.num_bits(), "-bit fingerprints");
            if (k > 0) {
                const auto top = self ? cd::bit_top_k(a.fps, metric, static_cast<std::size_t>(k), exclude_self, opt)
                                      : cd::bit_top_k(a.fps, lib, metric, static_cast<std::size_t>(k), opt);
                write_top_k(out, top);
            } else if (args.has("threshold")) {
                if (!ends_with(out, ".csv")) throw usage_error("--threshold writes a .csv table; got --out '" + out + "'");
                const auto t = static_cast<float>(args.number("threshold", 0));
                const auto hits = cd::bit_threshold_search(a.fps, lib, t, metric, opt);
                io::AtomicFile file(out);
                file.stream() << "query,target,similarity\n";
                std::size_t written = 0;
                for (std::size_t q = 0; q < a.fps.size(); ++q)
                    for (std::size_t h = hits.offsets[q]; h < hits.offsets[q + 1]; ++h) {
                        if (exclude_self && hits.indices[h] == q) continue;
                        file.stream() << q << ',' << hits.indices[h] << ',' << number(hits.scores[h]) << '\n';
                        ++written;
                    }
                file.commit();
                std::cout << written << " pairs with " << cd::to_string(metric) << " >= " << t << " written to " << out << "\n";
            } else {
                if (!ends_with(out, ".npy")) throw usage_error("the matrix is written as .npy; got --out '" + out + "'");
                cd::write_bit_similarity_npy(out, a.fps, lib, metric, opt);
                std::cout << a.fps.size() << " x " << lib.size() << " " << cd::to_string(metric) << " matrix written to " << out << "\n";
            }
            return 0;
        }

        const std::string metric = args.get("metric", "cosine");
        if (metric != "cosine") throw usage_error("embeddings support --metric cosine only, got '" + metric + "'");
        if (args.has("threshold")) throw usage_error("--threshold is available for fingerprints only");
        const Eigen::MatrixXd& bd = self ? a.dense : b.dense;
        if (bd.cols() != a.dense.cols())
            c2s::fail_runtime("c2s similarity", "'", a_file, "' has ", a.dense.cols(), " columns but '",
                              args.positional(1, "B.npy"), "' has ", bd.cols());
        const bool use_float = a.float32 && (self || b.float32);
        if (k > 0) {
            Eigen::MatrixXf sim = use_float ? (self ? cd::cosine_similarity_matrix<float>(a.dense.cast<float>(), opt)
                                                    : cd::cosine_similarity_matrix<float>(a.dense.cast<float>(), bd.cast<float>(), opt))
                                            : (self ? cd::cosine_similarity_matrix<double>(a.dense, opt)
                                                    : cd::cosine_similarity_matrix<double>(a.dense, bd, opt)).cast<float>();
            write_top_k(out, top_k_of(sim, static_cast<std::size_t>(k), exclude_self));
        } else {
            if (!ends_with(out, ".npy")) throw usage_error("the matrix is written as .npy; got --out '" + out + "'");
            const std::vector<std::size_t> shape{static_cast<std::size_t>(a.dense.rows()), static_cast<std::size_t>(bd.rows())};
            if (use_float) {
                const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> sim =
                    self ? cd::cosine_similarity_matrix<float>(a.dense.cast<float>(), opt)
                         : cd::cosine_similarity_matrix<float>(a.dense.cast<float>(), bd.cast<float>(), opt);
                io::write_npy<float>(out, std::span<const float>(sim.data(), static_cast<std::size_t>(sim.size())), shape);
            } else {
                const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> sim =
                    self ? cd::cosine_similarity_matrix<double>(a.dense, opt) : cd::cosine_similarity_matrix<double>(a.dense, bd, opt);
                io::write_npy<double>(out, std::span<const double>(sim.data(), static_cast<std::size_t>(sim.size())), shape);
            }
            std::cout << shape[0] << " x " << shape[1] << " cosine matrix written to " << out << "\n";
        }
        return 0;
    }}};

}  // namespace
