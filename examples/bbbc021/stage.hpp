#pragma once
// The BBBC021 main job is a sequence of stages. Each component adds its stage as
// examples/bbbc021/stage_<NN>_<name>.cpp (NN orders them) that registers itself here; stages pass
// results to later stages through files in the output folder and the `artifacts` map.

#include <any>
#include <chrono>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <string>
#include <vector>

namespace c2s::examples {

struct StageContext {
    std::filesystem::path data_dir;  ///< data/bbbc021
    std::filesystem::path out_dir;   ///< the run's output folder
    int num_threads = 0;
    bool quick = false;              ///< smaller problem sizes (tests)
    std::ostream& log = std::cout;
    /// Named results handed to later stages (e.g. "chem.tanimoto").
    std::map<std::string, std::any> artifacts;
    /// Lines for the run's report (out_dir/report.md), appended by each stage.
    std::vector<std::string> report;
};

struct Stage {
    int order = 0;
    std::string name;
    std::string description;
    std::function<void(StageContext&)> run;
};

inline std::vector<Stage>& stages() {
    static std::vector<Stage> all;
    return all;
}

struct RegisterStage {
    explicit RegisterStage(Stage s) { stages().push_back(std::move(s)); }
};

}  // namespace c2s::examples
