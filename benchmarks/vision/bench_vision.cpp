// Embedding throughput, C++ (LibTorch) vs PyTorch in Python (scripts/bench/vision/embed_torch.py),
// in ONE run: the same synthetic BBBC021 fields (1280x1024, three 16-bit TIFFs each), the same
// Inception V3 weights (both sides fill them as init_seeded(model, 1); the run checks that the
// embeddings agree), the same batch and thread count.
//
//   BM_decode_transform_*   decode 3 TIFFs + percentile scaling + antialiased resize to 299 +
//                           ImageNet normalisation, one batch
//   BM_forward_*            Inception V3 to the 2048-d pooled layer on the SAME input tensor
//                           (the C++ side's decoded batch, written to a file the peer reads)
//   BM_embed_*              end to end: decode + transform + forward, one batch
//   BM_embed_stream_cpp     4 batches through c2s::vision::embed, prefetch 0 (decode, then
//                           forward) vs 1 (next batch decoded during the forward)
//
// The Python peer is one long-lived subprocess (started before the benchmarks, warmed up); each
// Python iteration asks it for one timed iteration, so both sides are interleaved in the same
// run. The run uses repetitions with random interleaving (Google Benchmark's
// --benchmark_enable_random_interleaving, on by default here) because the machine is shared:
// compare medians. Counter cpu_s = process CPU seconds per batch (all threads of that process).
// scripts/bench/vision/ratio_table.py turns the JSON output into the ratio table of docs/vision.md.
//
// OpenMP: the binary re-executes itself with OMP_WAIT_POLICY=PASSIVE unless OMP_WAIT_POLICY or
// C2S_KEEP_OMP_WAIT_POLICY is set (c2s/vision/omp_env.hpp); the peer inherits the same setting.
// Environment: C2S_BENCH_VISION_FIELD=WxH (default 1280x1024), C2S_BENCH_VISION_BATCH (default 8),
// C2S_BENCH_VISION_THREADS (default 2), C2S_BENCH_VISION_REPS (default 5),
// C2S_BENCH_VISION_DEVICE=cuda (+ bf16, both sides) when a CUDA LibTorch and a GPU are present.

#include <benchmark/benchmark.h>

#include <ATen/Parallel.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "c2s/data/bbbc021.hpp"
#include "c2s/io/npy.hpp"
#include "c2s/vision/embed.hpp"
#include "c2s/vision/inception.hpp"
#include "c2s/vision/omp_env.hpp"
#include "c2s/vision/synth.hpp"

namespace {

namespace cv = c2s::vision;
namespace bb = c2s::data::bbbc021;

double process_cpu_seconds() {
    rusage r{};
    ::getrusage(RUSAGE_SELF, &r);
    return static_cast<double>(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
           1e-6 * static_cast<double>(r.ru_utime.tv_usec + r.ru_stime.tv_usec);
}

int env_int(const char* name, int fallback) {
    const char* v = std::getenv(name);
    return v ? std::atoi(v) : fallback;
}

/// The numbers after `"key": [` in a one-line JSON answer.
std::vector<double> json_array(const std::string& line, const std::string& key) {
    std::vector<double> out;
    const auto at = line.find("\"" + key + "\": [");
    if (at == std::string::npos) return out;
    for (const char* p = line.c_str() + at + key.size() + 5; *p && *p != ']';) {
        char* end = nullptr;
        const double v = std::strtod(p, &end);
        if (end == p) break;
        out.push_back(v);
        p = end;
        while (*p == ',' || *p == ' ') ++p;
    }
    return out;
}

/// The Python peer as a long-lived child process: one request line in, one JSON line out.
class PythonPeer {
public:
    explicit PythonPeer(std::vector<std::string> args) {
        int in[2], out[2];
        if (::pipe(in) != 0 || ::pipe(out) != 0) return;
        pid_ = ::fork();
        if (pid_ == 0) {
            ::dup2(in[0], 0);
            ::dup2(out[1], 1);
            ::close(in[1]);
            ::close(out[0]);
            std::vector<char*> argv;
            for (auto& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            std::_Exit(127);
        }
        ::close(in[0]);
        ::close(out[1]);
        to_ = ::fdopen(in[1], "w");
        from_ = ::fdopen(out[0], "r");
        ready_ = read_line();
    }
    ~PythonPeer() {
        if (to_) {
            std::fputs("quit\n", to_);
            std::fclose(to_);
        }
        if (from_) std::fclose(from_);
        if (pid_ > 0) ::waitpid(pid_, nullptr, 0);
    }
    PythonPeer(const PythonPeer&) = delete;
    PythonPeer& operator=(const PythonPeer&) = delete;

    [[nodiscard]] bool ok() const { return ready_.find("\"ready\": true") != std::string::npos; }
    [[nodiscard]] const std::string& ready_line() const { return ready_; }
    /// One timed iteration of `what` (embed | decode | forward): {wall, cpu} seconds, or an error text.
    std::string request(const std::string& what, double& wall, double& cpu) {
        if (!to_ || !from_) return "peer not running";
        std::fprintf(to_, "%s 1\n", what.c_str());
        std::fflush(to_);
        const auto line = read_line();
        const auto w = json_array(line, "wall"), c = json_array(line, "cpu");
        if (w.empty() || c.empty()) return "python peer: " + (line.empty() ? std::string("no answer") : line);
        wall = w[0];
        cpu = c[0];
        return {};
    }

private:
    std::string read_line() {
        std::string s;
        if (!from_) return s;
        char buf[4096];
        while (std::fgets(buf, sizeof buf, from_)) {
            s += buf;
            if (!s.empty() && s.back() == '\n') break;
        }
        return s;
    }
    pid_t pid_ = -1;
    std::FILE* to_ = nullptr;
    std::FILE* from_ = nullptr;
    std::string ready_;
};

struct Setup {
    std::filesystem::path root;
    std::size_t batch = 8;
    int threads = 2;
    std::string device = "cpu";
    std::vector<bb::Image> images;
    torch::Tensor input;          ///< the C++ side's decoded batch (also in root/input.f32 for the peer)
    std::unique_ptr<PythonPeer> peer;
    double python_max_abs_diff = -1;

    Setup() {
        root = std::filesystem::temp_directory_path() / ("c2s-bench-vision-" + std::to_string(::getpid()));
        batch = static_cast<std::size_t>(env_int("C2S_BENCH_VISION_BATCH", 8));
        threads = env_int("C2S_BENCH_VISION_THREADS", 2);
        if (const char* d = std::getenv("C2S_BENCH_VISION_DEVICE")) device = d;
        unsigned w = 1280, h = 1024;
        if (const char* f = std::getenv("C2S_BENCH_VISION_FIELD")) std::sscanf(f, "%ux%u", &w, &h);
        cv::SynthOptions o;
        o.weeks = 1;
        o.sites_per_well = static_cast<int>(batch);
        o.dmso_wells = 0;
        o.width = w;
        o.height = h;
        o.treatments = {{"taxol", 1, "Microtubule stabilizers"}};
        o.num_threads = threads;
        cv::generate_synthetic_plates(root, o);
        images = bb::load(root, bb::MoaJoin::compound).images;
        images.resize(std::min(images.size(), batch));
        torch::set_num_threads(threads);
        cv::ImageDataset ds(images, root, {}, cv::make_input_transform({}));
        cv::BatchLoader loader(ds, cv::LoaderOptions{batch, threads, 0});
        input = loader.next()->images.contiguous();
        std::ofstream(root / "input.f32", std::ios::binary)
            .write(reinterpret_cast<const char*>(input.data_ptr<float>()),
                   static_cast<std::streamsize>(input.numel() * sizeof(float)));
        // the peer, and whether it computes the same embeddings as the C++ model
        std::vector<std::string> args{"/usr/bin/python3", std::string(C2S_SOURCE_DIR) + "/scripts/bench/vision/embed_torch.py",
                                      "--serve", "--root", root.string(), "--batch", std::to_string(batch),
                                      "--threads", std::to_string(threads), "--input", (root / "input.f32").string(),
                                      "--dump", (root / "python_embed.npy").string()};
        if (device == "cuda") {
            args.insert(args.end(), {"--device", "cuda", "--bf16"});
        }
        peer = std::make_unique<PythonPeer>(args);
        if (peer->ok() && device == "cpu") {
            auto py = c2s::io::read_npy<float>(root / "python_embed.npy");
            auto mine = embed_once();
            auto theirs = torch::from_blob(py.data.data(), mine.sizes(), torch::kFloat32);
            python_max_abs_diff = (mine - theirs).abs().max().item<double>();
        }
    }
    ~Setup() {
        peer.reset();
        std::error_code ec;
        std::filesystem::remove_all(root, ec);
    }
    torch::Tensor embed_once() {
        cv::InceptionV3 model;
        cv::init_seeded(*model, 1);
        cv::InceptionBackbone backbone(model);
        cv::ImageDataset ds(images, root, {}, cv::make_input_transform({}));
        cv::EmbedOptions eo;
        eo.batch_size = batch;
        eo.num_threads = threads;
        eo.prefetch = 0;
        return cv::embed(backbone, ds, eo).values;
    }
};

Setup& setup() {
    static Setup s;
    return s;
}

/// Times one C++ iteration: manual (wall) time, process CPU time into `cpu`.
template <class Work_>
void timed(benchmark::State& state, double& cpu, Work_&& work) {
    const auto c = process_cpu_seconds();
    const auto t = std::chrono::steady_clock::now();
    work();
    state.SetIterationTime(std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count());
    cpu += process_cpu_seconds() - c;
}

void finish(benchmark::State& state, double cpu, std::size_t images_per_iteration) {
    auto& s = setup();
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * images_per_iteration));
    state.counters["cpu_s"] = cpu / static_cast<double>(std::max<benchmark::IterationCount>(state.iterations(), 1));
    state.counters["batch"] = static_cast<double>(s.batch);
    state.counters["threads"] = static_cast<double>(s.threads);
    state.counters["intraop_threads"] = static_cast<double>(at::get_num_threads());
}

bool cuda_wanted(benchmark::State& state) {
    if (setup().device != "cuda") return false;
    if (!torch::cuda::is_available()) state.SkipWithError("C2S_BENCH_VISION_DEVICE=cuda but no CUDA device");
    return true;
}

void python_iterations(benchmark::State& state, const std::string& what) {
    auto& s = setup();
    if (!s.peer || !s.peer->ok()) {
        state.SkipWithError(("python peer did not start: " + (s.peer ? s.peer->ready_line() : std::string())).c_str());
        return;
    }
    double cpu = 0;
    for (auto _ : state) {
        double w = 0, c = 0;
        const auto err = s.peer->request(what, w, c);
        if (!err.empty()) {
            state.SkipWithError(err.c_str());
            return;
        }
        state.SetIterationTime(w);
        cpu += c;
    }
    finish(state, cpu, s.batch);
}

void BM_decode_transform_cpp(benchmark::State& state) {
    auto& s = setup();
    torch::set_num_threads(s.threads);
    cv::ImageDataset ds(s.images, s.root, {}, cv::make_input_transform({}));
    double cpu = 0;
    for (auto _ : state)
        timed(state, cpu, [&] {
            cv::BatchLoader loader(ds, cv::LoaderOptions{s.batch, s.threads, 0});
            auto b = loader.next();
            benchmark::DoNotOptimize(b->images.data_ptr<float>());
        });
    finish(state, cpu, s.batch);
}
void BM_decode_transform_python(benchmark::State& state) { python_iterations(state, "decode"); }

void BM_forward_cpp(benchmark::State& state) {
    auto& s = setup();
    torch::set_num_threads(s.threads);
    cv::InceptionV3 model;
    cv::init_seeded(*model, 1);
    cv::InceptionBackbone backbone(model);
    auto x = s.input;
    if (cuda_wanted(state)) {
        if (!torch::cuda::is_available()) return;
        backbone.to(torch::kCUDA, torch::kBFloat16);
        x = x.to(torch::kCUDA, torch::kBFloat16);
    }
    (void)backbone.features(x, "");  // warm-up (oneDNN primitive creation)
    double cpu = 0;
    for (auto _ : state)
        timed(state, cpu, [&] {
            auto f = backbone.features(x, "").to(torch::kCPU, torch::kFloat32);
            benchmark::DoNotOptimize(f.data_ptr<float>());
        });
    finish(state, cpu, s.batch);
}
void BM_forward_python(benchmark::State& state) { python_iterations(state, "forward"); }

void run_embed(benchmark::State& state, std::size_t repeat, std::size_t prefetch) {
    auto& s = setup();
    torch::set_num_threads(s.threads);
    std::vector<bb::Image> rows;
    for (std::size_t r = 0; r < repeat; ++r) rows.insert(rows.end(), s.images.begin(), s.images.end());
    cv::ImageDataset ds(rows, s.root, {}, cv::make_input_transform({}));
    cv::InceptionV3 model;
    cv::init_seeded(*model, 1);
    cv::InceptionBackbone backbone(model);
    cv::EmbedOptions eo;
    eo.batch_size = s.batch;
    eo.num_threads = s.threads;
    eo.prefetch = prefetch;
    if (cuda_wanted(state)) {
        if (!torch::cuda::is_available()) return;
        eo.device = torch::kCUDA;
        eo.dtype = torch::kBFloat16;
    }
    (void)cv::embed(backbone, ds, eo);  // warm-up
    double cpu = 0;
    for (auto _ : state)
        timed(state, cpu, [&] {
            auto e = cv::embed(backbone, ds, eo);
            benchmark::DoNotOptimize(e.values.data_ptr<float>());
        });
    finish(state, cpu, ds.size());
}

void BM_embed_cpp_libtorch(benchmark::State& state) { run_embed(state, 1, 0); }
void BM_embed_python_pytorch(benchmark::State& state) { python_iterations(state, "embed"); }
void BM_embed_stream_cpp(benchmark::State& state) { run_embed(state, 4, static_cast<std::size_t>(state.range(0))); }

}  // namespace

int main(int argc, char** argv) {
    // both sides (the peer inherits the environment) with idle OpenMP workers asleep, unless the
    // caller set OMP_WAIT_POLICY or C2S_KEEP_OMP_WAIT_POLICY (see c2s/vision/omp_env.hpp)
    cv::reexec_with_passive_omp_wait();
    const int reps = env_int("C2S_BENCH_VISION_REPS", 5);
    benchmark::RegisterBenchmark("BM_decode_transform_cpp", BM_decode_transform_cpp)->Iterations(3)->Repetitions(reps)->UseManualTime()->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("BM_decode_transform_python", BM_decode_transform_python)->Iterations(3)->Repetitions(reps)->UseManualTime()->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("BM_forward_cpp", BM_forward_cpp)->Iterations(2)->Repetitions(reps)->UseManualTime()->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("BM_forward_python", BM_forward_python)->Iterations(2)->Repetitions(reps)->UseManualTime()->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("BM_embed_cpp_libtorch", BM_embed_cpp_libtorch)->Iterations(2)->Repetitions(reps)->UseManualTime()->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("BM_embed_python_pytorch", BM_embed_python_pytorch)->Iterations(2)->Repetitions(reps)->UseManualTime()->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("BM_embed_stream_cpp/prefetch", BM_embed_stream_cpp)
        ->Arg(0)->Arg(1)->Iterations(1)->Repetitions(std::max(1, reps / 2))->UseManualTime()->Unit(benchmark::kMillisecond);
    // interleave repetitions of all benchmarks in random order unless the caller says otherwise
    std::vector<char*> args(argv, argv + argc);
    bool interleave_given = false;
    for (int i = 1; i < argc; ++i) interleave_given = interleave_given || std::strstr(argv[i], "random_interleaving");
    static char interleave[] = "--benchmark_enable_random_interleaving=true";
    if (!interleave_given) args.push_back(interleave);
    int n = static_cast<int>(args.size());
    benchmark::Initialize(&n, args.data());
    if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 1;
    auto& s = setup();  // plates, the peer (warmed up) and the parity check, before any timing
    benchmark::AddCustomContext("python_peer", s.peer && s.peer->ok() ? s.peer->ready_line().substr(0, s.peer->ready_line().size() - 1)
                                                                      : std::string("not started"));
    benchmark::AddCustomContext("embedding_max_abs_diff_cpp_vs_python", std::to_string(s.python_max_abs_diff));
    benchmark::AddCustomContext("intraop_threads", std::to_string(s.threads));
    const char* policy = std::getenv("OMP_WAIT_POLICY");
    benchmark::AddCustomContext("OMP_WAIT_POLICY", policy ? policy : "(unset: libgomp default)");
    {
        double load[3] = {0, 0, 0};
        if (::getloadavg(load, 3) == 3)
            benchmark::AddCustomContext("load_average_at_start", std::to_string(load[0]) + " " + std::to_string(load[1]) +
                                                                     " " + std::to_string(load[2]));
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
