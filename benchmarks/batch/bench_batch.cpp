// ComBat (c2s::batch) against R's sva::ComBat in one Google Benchmark run.
//
// Data (generated, deterministic): 2,048 features × N samples in B batches; batch of sample i is
// i % B; x = mu_g + shift_{b,g} + scale_{b,g} * N(0, 1). sva::ComBat runs through Rscript
// (scripts/bench/batch/sva_combat.R) on the same data written as a float64 .npy; its time is the
// ComBat call alone (R start-up and data loading excluded). All times are manual: the call alone
// (freeing its result, and copying the input for the moved case, are outside). At the end
// the binary prints sva / c2s time ratios.
//
//   bench_batch                                   # 6,000 × 55 and 100,000 × 200, c2s and sva
//   bench_batch --benchmark_filter=c2s            # c2s only
//   bench_batch --make-npy PATH --rows N --batches B [--float32]
//                                                 # writes a (large) input + PATH.meta.csv for `c2s combat`

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <utility>

#include "c2s/batch/combat.hpp"
#include "c2s/io/csv.hpp"
#include "c2s/io/npy.hpp"

namespace {

constexpr Eigen::Index kFeatures = 2048;

/// One generated sample (row) `i`; same numbers wherever it is asked for.
template <class Float_>
void sample_row(std::size_t i, std::size_t batches, Float_* out) {
    const std::size_t b = i % batches;
    std::mt19937_64 rng(1000003ULL * i + 17);
    std::normal_distribution<double> normal;
    for (Eigen::Index g = 0; g < kFeatures; ++g) {
        const auto gg = static_cast<std::uint64_t>(g);
        const double mu = 5.0 + static_cast<double>((gg * 2654435761ULL) % 1000) / 250.0;
        const double shift = static_cast<double>(((gg + 1) * (b + 3) * 40503ULL) % 1001) / 1000.0 - 0.5;
        const double scale = 0.6 + static_cast<double>(((gg + 7) * (b + 11) * 9973ULL) % 801) / 1000.0;
        out[g] = static_cast<Float_>(mu + shift + scale * normal(rng));
    }
}

struct Problem {
    Eigen::MatrixXd x;  // samples × features
    std::vector<std::string> batch;
    std::filesystem::path npy;  // same data for R
};

std::filesystem::path scratch() {
    const char* env = std::getenv("C2S_BENCH_TMP");
    auto p = std::filesystem::path(env ? env : "/tmp") / ("c2s-bench-batch-" + std::to_string(::getpid()));
    std::filesystem::create_directories(p);
    return p;
}

const Problem& problem(std::size_t n, std::size_t batches) {
    static std::map<std::pair<std::size_t, std::size_t>, Problem> cache;
    auto key = std::pair{n, batches};
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
    Problem p;
    p.x.resize(static_cast<Eigen::Index>(n), kFeatures);
    std::vector<double> row(kFeatures);
    p.npy = scratch() / c2s::concat("x_", n, "_", batches, ".npy");
    c2s::io::NpyRowWriter<double> writer(p.npy, n, kFeatures);
    for (std::size_t i = 0; i < n; ++i) {
        sample_row(i, batches, row.data());
        p.x.row(static_cast<Eigen::Index>(i)) = Eigen::Map<const Eigen::RowVectorXd>(row.data(), kFeatures);
        writer.write_rows(row);
        p.batch.push_back(c2s::concat("batch", i % batches));
    }
    writer.commit();
    return cache.emplace(key, std::move(p)).first->second;
}

std::map<std::string, double> seconds_of;  // "combat|6000/55|1" or "sva|6000/55" -> s

/// Runs `call()` once per iteration and times it alone (manual time): `setup()` before it and the
/// destruction of what `call` returns (e.g. a 1.6 GB result) after it are outside. The mean goes to
/// `seconds_of[key]` for the ratio table.
template <class Call_, class Setup_>
void time_calls(benchmark::State& state, const std::string& key, Call_&& call, Setup_&& setup) {
    double total = 0;
    for (auto _ : state) {
        setup();
        const auto t0 = std::chrono::steady_clock::now();
        auto kept = call();
        benchmark::DoNotOptimize(kept);
        const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        state.SetIterationTime(dt);
        total += dt;
    }
    seconds_of[key] = total / static_cast<double>(state.iterations());
}
template <class Call_>
void time_calls(benchmark::State& state, const std::string& key, Call_&& call) {
    time_calls(state, key, std::forward<Call_>(call), [] {});
}

/// A ComBat case from the benchmark's arguments (samples, batches, threads).
struct ComBatCase {
    std::size_t n, b;
    int threads;
    const Problem& p;
    c2s::batch::CombatOptions options;

    explicit ComBatCase(benchmark::State& state)
        : n(static_cast<std::size_t>(state.range(0))), b(static_cast<std::size_t>(state.range(1))),
          threads(static_cast<int>(state.range(2))), p(problem(n, b)) {
        options.num_threads = threads;
        state.counters["samples"] = static_cast<double>(n);
    }
    [[nodiscard]] std::string key(const char* variant) const { return c2s::concat(variant, "|", n, "/", b, "|", threads); }
};

void BM_c2s_combat(benchmark::State& state) {
    const ComBatCase c(state);
    time_calls(state, c.key("combat"), [&] { return c2s::batch::combat(c.p.x, c.p.batch, nullptr, c.options); });
}

/// Same, through `combat_into` with one output matrix reused over iterations (the first iteration
/// pays the page faults of the fresh 1.6 GB result; the reported time is the mean of all).
void BM_c2s_combat_into(benchmark::State& state) {
    const ComBatCase c(state);
    Eigen::MatrixXd out;
    std::vector<std::string> warnings;
    time_calls(state, c.key("combat_into"), [&] {
        auto m = c2s::batch::combat_into(c.p.x, c.p.batch, out, warnings, nullptr, c.options);
        benchmark::DoNotOptimize(out.data());
        return m;
    });
}

/// Same, through `combat(std::move(x))`: the caller gives up its copy of the data, which is corrected
/// in place (no second matrix). Each iteration first copies the input (untimed: that is the
/// caller's data, already in memory, as R's matrix is for sva).
void BM_c2s_combat_moved(benchmark::State& state) {
    const ComBatCase c(state);
    Eigen::MatrixXd work;
    time_calls(
        state, c.key("combat(move)"),
        [&] { return c2s::batch::combat(std::move(work), c.p.batch, nullptr, c.options); },
        [&] { work = c.p.x; });
}

/// Not ComBat: the operating system's cost of a fresh samples × 2,048 double matrix written once
/// (allocation and first touch, the writes split over `threads` as `combat` splits its output),
/// measured here so the gap between `combat` and the in-place calls is accounted for in this run.
void BM_fresh_matrix_first_touch(benchmark::State& state) {
    const auto n = static_cast<Eigen::Index>(state.range(0));
    const int threads = static_cast<int>(state.range(1));
    time_calls(state, c2s::concat("first_touch|", n, "|", threads), [&] {
        Eigen::MatrixXd m(n, kFeatures);
        c2s::parallelize(threads, static_cast<std::size_t>(kFeatures), [&](int, std::size_t start, std::size_t len) {
            m.middleCols(static_cast<Eigen::Index>(start), static_cast<Eigen::Index>(len)).setConstant(1.0);
        });
        return m;
    });
}

void BM_sva_ComBat(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0)), b = static_cast<std::size_t>(state.range(1));
    const auto& p = problem(n, b);
    const std::string script = std::string(C2S_SOURCE_DIR) + "/scripts/bench/batch/sva_combat.R";
    for (auto _ : state) {
        const std::string cmd = c2s::concat("Rscript '", script, "' '", p.npy.string(), "' ", b, " 2>&1");
        FILE* pipe = ::popen(cmd.c_str(), "r");
        if (!pipe) {
            state.SkipWithError("cannot start Rscript");
            return;
        }
        char line[512];
        double seconds = -1;
        std::string all;
        while (std::fgets(line, sizeof line, pipe)) {
            all += line;
            if (std::sscanf(line, "seconds %lf", &seconds) == 1) {}
        }
        ::pclose(pipe);
        if (seconds < 0) {
            state.SkipWithError(("sva::ComBat did not report a time: " + all).c_str());
            return;
        }
        state.SetIterationTime(seconds);
        seconds_of[c2s::concat("sva|", n, "/", b)] = seconds;
    }
    state.counters["samples"] = static_cast<double>(n);
}

}  // namespace

BENCHMARK(BM_c2s_combat)->Args({6000, 55, 1})->Args({6000, 55, 2})->Args({100000, 200, 1})->Args({100000, 200, 2})
    ->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(3);
BENCHMARK(BM_c2s_combat_into)->Args({6000, 55, 1})->Args({6000, 55, 2})->Args({100000, 200, 1})->Args({100000, 200, 2})
    ->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(3);
BENCHMARK(BM_c2s_combat_moved)->Args({6000, 55, 1})->Args({6000, 55, 2})->Args({100000, 200, 1})->Args({100000, 200, 2})
    ->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(3);
BENCHMARK(BM_fresh_matrix_first_touch)->Args({100000, 1})->Args({100000, 2})->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(3);
BENCHMARK(BM_sva_ComBat)->Args({6000, 55})->Args({100000, 200})->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(1);

int main(int argc, char** argv) {
    // --make-npy PATH --rows N --batches B [--float32]: write a streaming input and its metadata.
    for (int i = 1; i < argc; ++i)
        if (std::string(argv[i]) == "--make-npy") {
            std::string path;
            std::size_t rows = 0, batches = 0;
            bool f32 = false;
            for (int j = 1; j < argc; ++j) {
                const std::string a = argv[j];
                if (a == "--make-npy" && j + 1 < argc) path = argv[++j];
                else if (a == "--rows" && j + 1 < argc) rows = std::stoul(argv[++j]);
                else if (a == "--batches" && j + 1 < argc) batches = std::stoul(argv[++j]);
                else if (a == "--float32") f32 = true;
            }
            if (path.empty() || rows == 0 || batches == 0) {
                std::cerr << "usage: bench_batch --make-npy PATH --rows N --batches B [--float32]\n";
                return 2;
            }
            auto write = [&]<class F_>(F_) {
                c2s::io::NpyRowWriter<F_> w(path, rows, kFeatures);
                std::vector<F_> block(static_cast<std::size_t>(kFeatures) * 1024);
                for (std::size_t first = 0; first < rows; first += 1024) {
                    const std::size_t count = std::min<std::size_t>(1024, rows - first);
                    for (std::size_t r = 0; r < count; ++r) sample_row(first + r, batches, block.data() + r * kFeatures);
                    w.write_rows(std::span<const F_>(block.data(), count * kFeatures));
                }
                w.commit();
            };
            if (f32) write(float{});
            else write(double{});
            std::string meta = "batch\n";
            for (std::size_t r = 0; r < rows; ++r) meta += c2s::concat("batch", r % batches, "\n");
            c2s::io::write_file_atomically(path + ".meta.csv", meta);
            return 0;
        }
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    std::cout << "\nsva::ComBat time / c2s::batch time (same data, same run):\n";
    for (const auto& [key, s] : seconds_of) {
        const auto bar1 = key.find('|'), bar2 = key.rfind('|');
        const auto variant = key.substr(0, bar1);
        if (variant == "sva" || variant == "first_touch" || bar1 == bar2) continue;
        const auto size = key.substr(bar1 + 1, bar2 - bar1 - 1), threads = key.substr(bar2 + 1);
        const auto sva = seconds_of.find("sva|" + size);
        if (sva == seconds_of.end()) continue;
        std::cout << "  " << size << " (samples/batches), " << variant << ", c2s threads " << threads << ": sva "
                  << sva->second << " s, c2s " << s << " s, ratio " << sva->second / s << "x\n";
    }
    for (const auto& [key, s] : seconds_of)
        if (key.rfind("first_touch|", 0) == 0)
            std::cout << "  fresh " << key.substr(12, key.rfind('|') - 12) << " x 2048 double matrix, first touch with "
                      << key.substr(key.rfind('|') + 1) << " thread(s): " << s << " s (operating system cost in `combat`)\n";
    std::error_code ec;
    std::filesystem::remove_all(scratch(), ec);
    return 0;
}
