#pragma once
// The c2s command-line tool's small framework: a registry of subcommands that each component adds
// to from its own file under tools/c2s/commands/, and an argument parser with clear errors.

#include <algorithm>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/io/csv.hpp"

namespace c2s::cli {

/// Thrown for command-line mistakes; main() prints it with the command's usage and exits with 2.
struct usage_error : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

class Args {
public:
    Args(std::string command, std::vector<std::string> words, const std::vector<std::string>& options,
         const std::vector<std::string>& flags)
        : command_(std::move(command)) {
        for (std::size_t i = 0; i < words.size(); ++i) {
            const std::string& w = words[i];
            if (w.size() > 2 && w.starts_with("--")) {
                std::string key = w.substr(2), value;
                const auto eq = key.find('=');
                bool has_value = false;
                if (eq != std::string::npos) {
                    value = key.substr(eq + 1);
                    key = key.substr(0, eq);
                    has_value = true;
                }
                if (std::find(flags.begin(), flags.end(), key) != flags.end()) {
                    if (has_value) throw usage_error(concat("option --", key, " takes no value"));
                    flags_.push_back(key);
                } else if (std::find(options.begin(), options.end(), key) != options.end()) {
                    if (!has_value) {
                        if (i + 1 >= words.size()) throw usage_error(concat("option --", key, " needs a value"));
                        value = words[++i];
                    }
                    values_[key] = value;
                } else {
                    throw usage_error(concat("unknown option --", key));
                }
            } else {
                positional_.push_back(w);
            }
        }
    }

    [[nodiscard]] bool flag(const std::string& name) const {
        return std::find(flags_.begin(), flags_.end(), name) != flags_.end();
    }
    [[nodiscard]] bool has(const std::string& name) const { return values_.count(name) > 0; }
    [[nodiscard]] std::optional<std::string> get(const std::string& name) const {
        auto it = values_.find(name);
        if (it == values_.end()) return std::nullopt;
        return it->second;
    }
    [[nodiscard]] std::string get(const std::string& name, const std::string& fallback) const {
        return get(name).value_or(fallback);
    }
    [[nodiscard]] std::string required(const std::string& name) const {
        if (auto v = get(name)) return *v;
        throw usage_error(concat("option --", name, " is required"));
    }
    [[nodiscard]] double number(const std::string& name, double fallback) const {
        auto v = get(name);
        if (!v) return fallback;
        auto d = io::parse_number(*v);
        if (!d || v->empty()) throw usage_error(concat("option --", name, " expects a number, got '", *v, "'"));
        return *d;
    }
    [[nodiscard]] long integer(const std::string& name, long fallback) const {
        const double d = number(name, static_cast<double>(fallback));
        if (d != static_cast<double>(static_cast<long>(d)))
            throw usage_error(concat("option --", name, " expects an integer, got '", *get(name), "'"));
        return static_cast<long>(d);
    }
    /// Comma-separated list.
    [[nodiscard]] std::vector<std::string> list(const std::string& name) const {
        std::vector<std::string> out;
        auto v = get(name);
        if (!v || v->empty()) return out;
        std::stringstream in(*v);
        std::string item;
        while (std::getline(in, item, ',')) out.push_back(item);
        return out;
    }
    [[nodiscard]] const std::vector<std::string>& positional() const noexcept { return positional_; }
    [[nodiscard]] const std::string& positional(std::size_t i, const char* what) const {
        if (i >= positional_.size()) throw usage_error(concat("missing argument <", what, ">"));
        return positional_[i];
    }
    void expect_positional(std::size_t count) const {
        if (positional_.size() > count)
            throw usage_error(concat("unexpected argument '", positional_[count], "'"));
    }
    [[nodiscard]] int threads() const { return static_cast<int>(integer("threads", 0)); }

private:
    std::string command_;
    std::map<std::string, std::string> values_;
    std::vector<std::string> flags_;
    std::vector<std::string> positional_;
};

struct Command {
    /// One or more words, e.g. "bbbc021 summary".
    std::string name;
    /// One line for `c2s --help`.
    std::string summary;
    /// Full usage text for `c2s <name> --help`.
    std::string help;
    /// Options taking a value (without the leading --).
    std::vector<std::string> options;
    /// Boolean options.
    std::vector<std::string> flags;
    std::function<int(const Args&)> run;
};

inline std::vector<Command>& registry() {
    static std::vector<Command> commands;
    return commands;
}

/// Adds a command at static-initialisation time: `static const c2s::cli::Register r{{...}};`
struct Register {
    explicit Register(Command command) { registry().push_back(std::move(command)); }
};

/// The default BBBC021 folder: $C2S_DATA, ./data/bbbc021, or the source tree's data/bbbc021.
inline std::filesystem::path default_bbbc021_folder() {
    if (const char* env = std::getenv("C2S_DATA")) return std::filesystem::path(env) / "bbbc021";
    if (std::filesystem::exists("data/bbbc021/BBBC021_v1_image.csv")) return "data/bbbc021";
#ifdef C2S_SOURCE_DIR
    return std::filesystem::path(C2S_SOURCE_DIR) / "data" / "bbbc021";
#else
    return "data/bbbc021";
#endif
}

}  // namespace c2s::cli
