// End-to-end embedding throughput (decode 3 x 16-bit TIFF + percentile scaling + antialiased resize
// to 299 + ImageNet normalisation + Inception V3 forward to the 2048-d pooled layer), C++ (LibTorch)
// vs PyTorch in Python (scripts/bench/vision/embed_torch.py) on the same synthetic BBBC021 fields,
// same batch and thread count, in one run. items_per_second = images/s.
//
// Environment: C2S_BENCH_VISION_FIELD=WxH (default 1280x1024), C2S_BENCH_VISION_BATCH (default 8),
// C2S_BENCH_VISION_DEVICE=cuda (+ bf16) when a GPU is present.

#include <benchmark/benchmark.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <unistd.h>

#include "c2s/data/bbbc021.hpp"
#include "c2s/vision/embed.hpp"
#include "c2s/vision/inception.hpp"
#include "c2s/vision/synth.hpp"

namespace {

namespace cv = c2s::vision;

struct Setup {
    std::filesystem::path root;
    std::size_t batch = 8;
    std::string device = "cpu";
    Setup() {
        root = std::filesystem::temp_directory_path() / ("c2s-bench-vision-" + std::to_string(::getpid()));
        if (const char* b = std::getenv("C2S_BENCH_VISION_BATCH")) batch = static_cast<std::size_t>(std::atoi(b));
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
        o.num_threads = 2;
        cv::generate_synthetic_plates(root, o);
    }
    ~Setup() {
        std::error_code ec;
        std::filesystem::remove_all(root, ec);
    }
};

Setup& setup() {
    static Setup s;
    return s;
}

void BM_embed_cpp_libtorch(benchmark::State& state) {
    auto& s = setup();
    const int threads = static_cast<int>(state.range(0));
    torch::set_num_threads(threads);
    auto images = c2s::data::bbbc021::load(s.root, c2s::data::bbbc021::MoaJoin::compound).images;
    images.resize(std::min(images.size(), s.batch));
    cv::ImageDataset ds(images, s.root, {}, cv::make_input_transform({}));
    cv::InceptionV3 model;
    cv::init_seeded(*model, 1);
    cv::InceptionBackbone backbone(model);
    cv::EmbedOptions eo;
    eo.batch_size = s.batch;
    eo.num_threads = threads;
    eo.prefetch = 0;  // one batch per iteration: decode and forward are both inside the timing
    const bool cuda = s.device == "cuda";
    if (cuda) {
        if (!torch::cuda::is_available()) {
            state.SkipWithError("C2S_BENCH_VISION_DEVICE=cuda but no CUDA device");
            return;
        }
        eo.device = torch::kCUDA;
        eo.dtype = torch::kBFloat16;
    }
    (void)cv::embed(backbone, ds, eo);  // warm-up
    for (auto _ : state) {
        const auto t = std::chrono::steady_clock::now();
        auto e = cv::embed(backbone, ds, eo);
        benchmark::DoNotOptimize(e.values.data_ptr<float>());
        state.SetIterationTime(std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * ds.size()));
    state.counters["batch"] = static_cast<double>(s.batch);
}

void BM_embed_python_pytorch(benchmark::State& state) {
    auto& s = setup();
    const int threads = static_cast<int>(state.range(0));
    const auto iters = static_cast<int>(state.max_iterations);
    const std::string cmd = c2s::concat("/usr/bin/python3 ", C2S_SOURCE_DIR, "/scripts/bench/vision/embed_torch.py --root ",
                                        s.root.string(), " --batch ", s.batch, " --threads ", threads, " --iters ", iters,
                                        s.device == "cuda" ? " --device cuda --bf16" : "");
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(cmd.c_str(), "r"), ::pclose);
    std::string out;
    std::array<char, 4096> buf{};
    while (pipe && std::fgets(buf.data(), buf.size(), pipe.get())) out += buf.data();
    const auto at = out.find("\"seconds\": [");
    if (at == std::string::npos) {
        state.SkipWithError(("python peer failed: " + out).c_str());
        return;
    }
    std::vector<double> secs;
    for (const char* p = out.c_str() + at + 12; *p && *p != ']';) {
        char* end = nullptr;
        secs.push_back(std::strtod(p, &end));
        p = end;
        while (*p == ',' || *p == ' ') ++p;
    }
    std::size_t k = 0;
    for (auto _ : state) state.SetIterationTime(secs.at(std::min(k++, secs.size() - 1)));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * s.batch));
    state.counters["batch"] = static_cast<double>(s.batch);
}

// The two halves of the C++ pipeline, to see where the time goes.
void BM_decode_transform_cpp(benchmark::State& state) {
    auto& s = setup();
    torch::set_num_threads(static_cast<int>(state.range(0)));
    auto images = c2s::data::bbbc021::load(s.root, c2s::data::bbbc021::MoaJoin::compound).images;
    images.resize(std::min(images.size(), s.batch));
    cv::ImageDataset ds(images, s.root, {}, cv::make_input_transform({}));
    for (auto _ : state) {
        cv::BatchLoader loader(ds, cv::LoaderOptions{s.batch, static_cast<int>(state.range(0)), 0});
        auto b = loader.next();
        benchmark::DoNotOptimize(b->images.data_ptr<float>());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * ds.size()));
}

void BM_forward_cpp(benchmark::State& state) {
    auto& s = setup();
    torch::set_num_threads(static_cast<int>(state.range(0)));
    cv::InceptionV3 model;
    cv::init_seeded(*model, 1);
    model->eval();
    torch::NoGradGuard no_grad;
    const auto x = torch::randn({static_cast<std::int64_t>(s.batch), 3, 299, 299});
    for (auto _ : state) benchmark::DoNotOptimize(model->features(x).data_ptr<float>());
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * s.batch));
}

}  // namespace

BENCHMARK(BM_decode_transform_cpp)->Arg(2)->Iterations(3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_forward_cpp)->Arg(2)->Iterations(3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_embed_cpp_libtorch)->Arg(2)->Iterations(5)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_embed_python_pytorch)->Arg(2)->Iterations(5)->UseManualTime()->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
