#pragma once
/// @file text_file.hpp
/// @brief Reads a whole (optionally gzip-compressed) file into memory.

#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "c2s/core/error.hpp"

namespace c2s::io {

/// Reads `path` into a string; files ending in `.gz` are decompressed (zlib).
[[nodiscard]] inline std::string read_file(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        fail_runtime("c2s::io::read_file", "'", path.string(), "' does not exist or is not a file");
    if (path.extension() == ".gz") {
        gzFile file = gzopen(path.c_str(), "rb");
        if (!file) fail_runtime("c2s::io::read_file", "cannot open '", path.string(), "'");
        std::string out;
        char buffer[1 << 16];
        for (;;) {
            const int n = gzread(file, buffer, sizeof(buffer));
            if (n < 0) {
                int code = 0;
                std::string message = gzerror(file, &code);
                gzclose(file);
                fail_runtime("c2s::io::read_file", "'", path.string(), "' is not valid gzip: ", message);
            }
            if (n == 0) break;
            out.append(buffer, static_cast<std::size_t>(n));
        }
        int code = Z_OK;
        std::string message = gzerror(file, &code);
        gzclose(file);
        if (code != Z_OK && code != Z_STREAM_END)
            fail_runtime("c2s::io::read_file", "'", path.string(), "' is truncated or corrupt: ", message);
        return out;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) fail_runtime("c2s::io::read_file", "cannot open '", path.string(), "'");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return std::move(buffer).str();
}

}  // namespace c2s::io
