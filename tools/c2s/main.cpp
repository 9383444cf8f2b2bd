// c2s: the cell2structure command-line tool. Subcommands live in tools/c2s/commands/*.cpp and
// register themselves; run `c2s --help` for the list and docs/cli.md for the manual.

#include <algorithm>
#include <cstring>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "cli.hpp"

namespace {

void print_overview(std::ostream& out) {
    auto commands = c2s::cli::registry();
    std::sort(commands.begin(), commands.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    out << "c2s - cell2structure, image-based compound profiling\n\n"
           "usage: c2s <command> [options]\n"
           "       c2s <command> --help      usage of one command\n\n"
           "commands:\n";
    std::size_t width = 0;
    for (const auto& c : commands) width = std::max(width, c.name.size());
    for (const auto& c : commands) out << "  " << c.name << std::string(width - c.name.size() + 3, ' ') << c.summary << "\n";
    out << "\nCommon options: --threads N (0 = all cores). Files: CSV with a header row, NumPy .npy.\n";
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> words(argv + 1, argv + argc);
    if (words.empty() || words[0] == "--help" || words[0] == "-h" || words[0] == "help") {
        print_overview(std::cout);
        return words.empty() ? 2 : 0;
    }
    if (words[0] == "--version") {
        std::cout << "c2s 0.1.0\n";
        return 0;
    }
    // Longest command name matching the leading words.
    const c2s::cli::Command* match = nullptr;
    std::size_t used = 0;
    for (const auto& c : c2s::cli::registry()) {
        std::vector<std::string> parts;
        std::string part;
        for (char ch : c.name + " ") {
            if (ch == ' ') {
                if (!part.empty()) parts.push_back(part);
                part.clear();
            } else {
                part.push_back(ch);
            }
        }
        if (parts.size() <= words.size() && std::equal(parts.begin(), parts.end(), words.begin()) &&
            parts.size() > used) {
            match = &c;
            used = parts.size();
        }
    }
    if (!match) {
        std::cerr << "c2s: unknown command '" << words[0] << "'\n\n";
        print_overview(std::cerr);
        return 2;
    }
    std::vector<std::string> rest(words.begin() + static_cast<std::ptrdiff_t>(used), words.end());
    if (std::find(rest.begin(), rest.end(), "--help") != rest.end() ||
        std::find(rest.begin(), rest.end(), "-h") != rest.end()) {
        std::cout << match->help;
        return 0;
    }
    try {
        const c2s::cli::Args args(match->name, rest, match->options, match->flags);
        return match->run(args);
    } catch (const c2s::cli::usage_error& e) {
        std::cerr << "c2s " << match->name << ": " << e.what() << "\n\n" << match->help;
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "c2s " << match->name << ": error: " << e.what() << "\n";
        return 1;
    }
}
