// Distance kernels and their peers in one Google Benchmark binary; items_per_second = pairs/s
// (FLOP/s counter for cosine). Data: Morgan fingerprints (radius 2, 2,048 bits) of 4,000 drug-like
// molecules (benchmarks/distance/data/morgan2048.npy, scripts/bench/distance/make_data.py),
// replicated to N rows: copy c > 0 of a molecule gets 2 extra bits at deterministic positions.
//
//   bench_distance --benchmark_filter=Tanimoto    (see docs/distance.md for the full table)

#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <atomic>
#include <map>
#include <random>

#include "c2s/distance/all.hpp"
#include "c2s/io/npy.hpp"

#if defined(C2S_HAVE_CHEM)
#include <DataStructs/BitOps.h>
#include <DataStructs/ExplicitBitVect.h>
#endif

namespace cd = c2s::distance;

namespace {

const c2s::FingerprintSet& base_fps() {
    static const c2s::FingerprintSet fps = [] {
        const auto w = c2s::io::read_npy<std::uint64_t>(std::string(C2S_SOURCE_DIR) + "/benchmarks/distance/data/morgan2048.npy");
        return c2s::FingerprintSet::from_words(w.data, w.shape[0], w.shape[1], 2048);
    }();
    return fps;
}

std::uint64_t splitmix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/// N rows: the 4,000 real fingerprints, then perturbed copies (2 extra bits each).
c2s::FingerprintSet replicate(std::size_t n) {
    const auto& base = base_fps();
    c2s::FingerprintSet out(n, 2048);
    for (std::size_t r = 0; r < n; ++r) {
        out.assign_row(r, base.row(r % base.size()));
        if (r >= base.size())
            for (std::uint64_t t = 0; t < 2; ++t) out.set(r, splitmix(r * 2 + t) % 2048);
    }
    return out;
}

const c2s::FingerprintSet& fps_n(std::size_t n) {
    static std::map<std::size_t, c2s::FingerprintSet> cache;
    auto it = cache.find(n);
    if (it == cache.end()) it = cache.emplace(n, replicate(n)).first;
    return it->second;
}

double peak_rss_mb() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_maxrss) / 1024.0;
}

constexpr std::size_t N = 20000;

// ---------------------------------------------------------------- Tanimoto N×N, c2s kernels
void BM_Tanimoto_into(benchmark::State& state, cd::Kernel kernel, std::size_t rows) {
    if (!cd::kernel_available(kernel)) {
        state.SkipWithError("kernel not available on this CPU");
        return;
    }
    const auto& f = fps_n(N);
    // `rows` queries against all N (the full matrix when rows == N)
    c2s::FingerprintSet q(rows, 2048);
    for (std::size_t r = 0; r < rows; ++r) q.assign_row(r, f.row(r));
    Eigen::MatrixXf out(static_cast<Eigen::Index>(N), static_cast<Eigen::Index>(rows));
    // Touch the pages once, outside the timing. Not setZero(): GCC turns malloc + memset(0) into
    // calloc, which leaves fresh mmap pages untouched (they then fault inside the timed loop).
    out.setConstant(-1.0f);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
    const int threads = static_cast<int>(state.range(0));
    for (auto _ : state) {
        cd::bit_similarity_matrix_into(f, q, cd::BitMetric::tanimoto, out, {threads, kernel});
        benchmark::DoNotOptimize(out.data());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * N * rows));
}

// The full N×N matrix of one set into a preallocated float32 matrix: the symmetric driver (each
// pair computed once, mirrored). items = N² (every entry of the matrix written).
void BM_Tanimoto_full_NxN_into(benchmark::State& state) {
    const auto& f = fps_n(N);
    Eigen::MatrixXf out(static_cast<Eigen::Index>(N), static_cast<Eigen::Index>(N));
    // Touch the pages once, outside the timing. Not setZero(): GCC turns malloc + memset(0) into
    // calloc, which leaves fresh mmap pages untouched (they then fault inside the timed loop).
    out.setConstant(-1.0f);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
    const int threads = static_cast<int>(state.range(0));
    for (auto _ : state) {
        cd::bit_similarity_matrix_into(f, cd::BitMetric::tanimoto, out, {threads});
        benchmark::DoNotOptimize(out.data());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * N * N));
}

void BM_Tanimoto_c2s_allocating(benchmark::State& state) {
    const auto& f = fps_n(N);
    const int threads = static_cast<int>(state.range(0));
    for (auto _ : state) {
        Eigen::MatrixXf m = cd::tanimoto_similarity_matrix(f, {threads});
        benchmark::DoNotOptimize(m.data());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * N * N));
}

// A plain scalar loop a user would write: std::popcount over the words of each pair (compiled
// with the popcnt instruction, as -march=native would).
__attribute__((target("popcnt"))) void BM_Tanimoto_plain_scalar_loop(benchmark::State& state) {
    const auto& f = fps_n(N);
    const std::size_t rows = 1000;
    std::vector<float> out(rows * N);
    for (auto _ : state) {
        for (std::size_t i = 0; i < rows; ++i)
            for (std::size_t j = 0; j < N; ++j) {
                const auto a = f.row(i), b = f.row(j);
                std::uint32_t c = 0;
                for (std::size_t w = 0; w < a.size(); ++w) c += static_cast<std::uint32_t>(std::popcount(a[w] & b[w]));
                const std::uint32_t den = f.popcount(i) + f.popcount(j) - c;
                out[i * N + j] = den ? float(c) / float(den) : 1.0f;
            }
        benchmark::DoNotOptimize(out.data());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * rows * N));
}

#if defined(C2S_HAVE_CHEM)
const std::vector<ExplicitBitVect>& rdkit_fps() {
    static const std::vector<ExplicitBitVect> v = [] {
        const auto& f = fps_n(N);
        std::vector<ExplicitBitVect> out;
        out.reserve(N);
        for (std::size_t i = 0; i < N; ++i) {
            ExplicitBitVect bv(2048);
            for (unsigned b = 0; b < 2048; ++b)
                if (f.test(i, b)) bv.setBit(b);
            out.push_back(std::move(bv));
        }
        return out;
    }();
    return v;
}

// RDKit C++ TanimotoSimilarity(ExplicitBitVect, ExplicitBitVect) over 100 rows × N (the loop its
// Python BulkTanimotoSimilarity runs; the Bulk* functions are only in RDKit's Python wrappers).
void BM_Tanimoto_RDKit_TanimotoSimilarity(benchmark::State& state) {
    const auto& v = rdkit_fps();
    const std::size_t rows = 100;
    std::vector<float> out(rows * N);
    for (auto _ : state) {
        for (std::size_t i = 0; i < rows; ++i)
            for (std::size_t j = 0; j < N; ++j) out[i * N + j] = static_cast<float>(TanimotoSimilarity(v[i], v[j]));
        benchmark::DoNotOptimize(out.data());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * rows * N));
}
// The same through RDKit's pointer-list form (what BulkTanimotoSimilarity iterates over).
void BM_Tanimoto_RDKit_bulk_loop(benchmark::State& state) {
    const auto& v = rdkit_fps();
    std::vector<const ExplicitBitVect*> list;
    for (const auto& bv : v) list.push_back(&bv);
    const std::size_t rows = 100;
    std::vector<double> out(N);
    for (auto _ : state) {
        for (std::size_t i = 0; i < rows; ++i) {
            for (std::size_t j = 0; j < N; ++j) out[j] = TanimotoSimilarity(v[i], *list[j]);
            benchmark::DoNotOptimize(out.data());
        }
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * rows * N));
}
BENCHMARK(BM_Tanimoto_RDKit_TanimotoSimilarity)->Arg(1)->UseRealTime()->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_Tanimoto_RDKit_bulk_loop)->Arg(1)->UseRealTime()->Unit(benchmark::kMillisecond)->Iterations(1);
#endif

BENCHMARK(BM_Tanimoto_plain_scalar_loop)->Arg(1)->UseRealTime()->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(BM_Tanimoto_into, c2s_serial_1000rows, cd::Kernel::serial, 1000)->Arg(1)->UseRealTime()->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(BM_Tanimoto_into, c2s_avx2_1000rows, cd::Kernel::avx2, 1000)->Arg(1)->UseRealTime()->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(BM_Tanimoto_into, c2s_avx512_1000rows, cd::Kernel::avx512, 1000)->Arg(1)->UseRealTime()->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK_CAPTURE(BM_Tanimoto_into, c2s_sliced_avx512_1000rows, cd::Kernel::sliced_avx512, 1000)->Arg(1)->UseRealTime()->Unit(benchmark::kMillisecond)->Iterations(5);
// N queries (a copy of the set) vs N: the rectangular driver, every pair computed (no symmetry).
BENCHMARK_CAPTURE(BM_Tanimoto_into, c2s_automatic_rectangular_NxN, cd::Kernel::automatic, N)->Arg(1)->UseRealTime()->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_Tanimoto_full_NxN_into)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_Tanimoto_c2s_allocating)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond)->Iterations(2);

// ---------------------------------------------------------------- cosine, 2,048-d float32
const Eigen::MatrixXf& embeddings() {
    static const Eigen::MatrixXf x = [] {
        std::mt19937 rng(7);
        std::normal_distribution<float> g;
        Eigen::MatrixXf m(static_cast<Eigen::Index>(N), 2048);
        for (Eigen::Index j = 0; j < m.cols(); ++j)
            for (Eigen::Index i = 0; i < m.rows(); ++i) m(i, j) = g(rng);
        return m;
    }();
    return x;
}
constexpr double cosine_flops = 2.0 * double(N) * double(N) * 2048.0;

void BM_Cosine_c2s(benchmark::State& state) {
    const auto& x = embeddings();
    const int threads = static_cast<int>(state.range(0));
    for (auto _ : state) {
        Eigen::MatrixXf s = cd::cosine_similarity_matrix(x, {threads});
        benchmark::DoNotOptimize(s.data());
    }
    state.counters["FLOPs"] = benchmark::Counter(cosine_flops * double(state.iterations()), benchmark::Counter::kIsRate);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * N * N));
}
void BM_Cosine_Eigen_GEMM(benchmark::State& state) {
    const auto& x = embeddings();
    for (auto _ : state) {
        Eigen::MatrixXf s = x * x.transpose();  // Eigen's own GEMM (Eigen is not told to use BLAS)
        benchmark::DoNotOptimize(s.data());
    }
    state.counters["FLOPs"] = benchmark::Counter(cosine_flops * double(state.iterations()), benchmark::Counter::kIsRate);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * N * N));
}
BENCHMARK(BM_Cosine_c2s)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_Cosine_Eigen_GEMM)->Arg(1)->UseRealTime()->Unit(benchmark::kMillisecond)->Iterations(1);
#if defined(C2S_DISTANCE_CBLAS)
void BM_Cosine_OpenBLAS_sgemm(benchmark::State& state) {
    const auto& x = embeddings();
    const int saved = openblas_get_num_threads();
    openblas_set_num_threads(static_cast<int>(state.range(0)));
    for (auto _ : state) {
        Eigen::MatrixXf c(x.rows(), x.rows());
        const auto n = static_cast<blasint>(x.rows());
        cblas_sgemm(CblasColMajor, CblasNoTrans, CblasTrans, n, n, 2048, 1.0f, x.data(), n, x.data(), n, 0.0f, c.data(), n);
        benchmark::DoNotOptimize(c.data());
    }
    openblas_set_num_threads(saved);
    state.counters["FLOPs"] = benchmark::Counter(cosine_flops * double(state.iterations()), benchmark::Counter::kIsRate);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * N * N));
}
BENCHMARK(BM_Cosine_OpenBLAS_sgemm)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond)->Iterations(1);
#endif

// ---------------------------------------------------------------- top-k and tiled N = 200,000
void BM_TopK10_1000_vs_1M(benchmark::State& state) {
    const auto& lib = fps_n(1000000);
    c2s::FingerprintSet q(1000, 2048);
    for (std::size_t r = 0; r < 1000; ++r) q.assign_row(r, lib.row(r * 997));
    std::size_t computed = 0;
    for (auto _ : state) {
        auto top = cd::bit_top_k(q, lib, cd::BitMetric::tanimoto, 10, {static_cast<int>(state.range(0))});
        computed = top.pairs_computed;
        benchmark::DoNotOptimize(top.scores.data());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * 1000 * 1000000));
    state.counters["pairs_computed_fraction"] = double(computed) / 1e9;
    state.counters["peak_rss_MB"] = peak_rss_mb();
}
void BM_Tiled_200k_count_above_0p7(benchmark::State& state) {
    const std::size_t n = 200000;
    const auto& f = fps_n(n);
    std::atomic<std::size_t> hits{0};
    for (auto _ : state) {
        hits = 0;
        cd::for_each_bit_similarity_tile(
            f, cd::BitMetric::tanimoto,
            [&](const cd::SimilarityTile& t) {
                std::size_t h = 0;
                for (std::size_t k = 0; k < t.rows * t.cols; ++k) h += t.values[k] >= 0.7f;
                hits += h;
            },
            {static_cast<int>(state.range(0))}, {256, 16384});
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n * n));
    state.counters["pairs_ge_0.7"] = double(hits.load());
    state.counters["peak_rss_MB"] = peak_rss_mb();
}
BENCHMARK(BM_TopK10_1000_vs_1M)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_Tiled_200k_count_above_0p7)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
