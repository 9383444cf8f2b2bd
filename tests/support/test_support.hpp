#pragma once
// Shared helpers for the test suites: temporary folders and fixture paths.

#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <unistd.h>

namespace c2s::test {

/// A fresh folder under the system temp dir, removed with its contents at scope exit.
class TempDir {
public:
    TempDir() {
        static std::atomic<int> counter{0};
        path_ = std::filesystem::temp_directory_path() /
                ("c2s-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
    [[nodiscard]] std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

inline void write_text(const std::filesystem::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary);
    out << text;
}

/// Path of a committed fixture: tests/fixtures/<relative>.
inline std::filesystem::path fixture(const std::string& relative) {
    return std::filesystem::path(C2S_SOURCE_DIR) / "tests" / "fixtures" / relative;
}

/// The bundled BBBC021 folder.
inline std::filesystem::path bbbc021_folder() { return std::filesystem::path(C2S_SOURCE_DIR) / "data" / "bbbc021"; }

/// Number of files in a folder (to check that no temporary was left behind).
inline std::size_t count_files(const std::filesystem::path& dir) {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++n;
    return n;
}

}  // namespace c2s::test

/// CHECK that `expr` throws `type` whose what() contains `fragment`.
#define C2S_CHECK_THROWS_WITH_SUBSTR(expr, type, fragment)                                     \
    do {                                                                                      \
        bool c2s_thrown_ = false;                                                             \
        try {                                                                                 \
            (void)(expr);                                                                     \
        } catch (const type& e) {                                                             \
            c2s_thrown_ = true;                                                               \
            INFO("message: " << e.what());                                                    \
            CHECK(std::string(e.what()).find(fragment) != std::string::npos);                 \
        }                                                                                     \
        CHECK_MESSAGE(c2s_thrown_, "expected " #type " from " #expr);                         \
    } while (false)
