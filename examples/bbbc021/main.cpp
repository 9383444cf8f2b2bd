// c2s-bbbc021: the main job. Runs every registered stage on the bundled BBBC021 data and writes
// everything into one output folder, whose path it prints last.
//
//   c2s-bbbc021 [--data DIR] [--out DIR] [--threads N] [--only stage,stage] [--quick]

#include <algorithm>
#include <chrono>
#include <ctime>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "c2s/core/error.hpp"
#include "c2s/io/atomic_file.hpp"
#include "stage.hpp"

namespace {

std::string timestamp() {
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    localtime_r(&now, &tm);
    std::ostringstream out;
    out << std::put_time(&tm, "%Y%m%d-%H%M%S");
    return out.str();
}

int usage() {
    std::cerr << "usage: c2s-bbbc021 [--data DIR] [--out DIR] [--threads N] [--only STAGE,...] [--quick]\n\nstages:\n";
    for (const auto& s : c2s::examples::stages()) std::cerr << "  " << s.name << ": " << s.description << "\n";
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    std::filesystem::path data = std::filesystem::path(C2S_SOURCE_DIR) / "data" / "bbbc021";
    std::filesystem::path out = std::filesystem::path("results") / ("bbbc021-" + timestamp());
    int threads = 0;
    bool quick = false;
    std::vector<std::string> only;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::cerr << "c2s-bbbc021: " << a << " needs a value\n";
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--data") data = value();
        else if (a == "--out") out = value();
        else if (a == "--threads") threads = std::stoi(value());
        else if (a == "--quick") quick = true;
        else if (a == "--only") {
            std::stringstream in(value());
            std::string s;
            while (std::getline(in, s, ',')) only.push_back(s);
        } else return usage();
    }
    auto& stages = c2s::examples::stages();
    std::sort(stages.begin(), stages.end(), [](const auto& a, const auto& b) { return a.order < b.order; });
    for (const auto& o : only)
        if (std::none_of(stages.begin(), stages.end(), [&](const auto& s) { return s.name == o; })) {
            std::cerr << "c2s-bbbc021: unknown stage '" << o << "'\n";
            return usage();
        }
    std::filesystem::create_directories(out);
    c2s::examples::StageContext ctx{data, out, threads, quick, std::cout, {}, {}};
    ctx.report.push_back("# cell2structure main job on BBBC021\n");
    ctx.report.push_back(c2s::concat("Data: `", data.string(), "`  \nOutput: `", out.string(), "`\n"));
    const auto t0 = std::chrono::steady_clock::now();
    try {
        for (const auto& s : stages) {
            if (!only.empty() && std::find(only.begin(), only.end(), s.name) == only.end()) continue;
            std::cout << "== stage " << s.name << ": " << s.description << std::endl;
            const auto start = std::chrono::steady_clock::now();
            s.run(ctx);
            const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            std::cout << "   (" << std::fixed << std::setprecision(1) << secs << " s)" << std::endl;
        }
    } catch (const std::exception& e) {
        std::cerr << "c2s-bbbc021: error: " << e.what() << "\n";
        return 1;
    }
    std::string report;
    for (const auto& line : ctx.report) report += line + "\n";
    c2s::io::write_file_atomically(out / "report.md", report);
    const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::cout << "\nmain job finished in " << std::fixed << std::setprecision(1) << total << " s\n"
              << "results: " << std::filesystem::absolute(out).lexically_normal().string() << std::endl;
    return 0;
}
