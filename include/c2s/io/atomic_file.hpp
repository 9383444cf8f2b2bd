#pragma once
/// @file atomic_file.hpp
/// @brief `c2s::io::AtomicFile`: write to a temporary file beside the target, rename on commit.
///
/// No reader ever sees a half-written output: until `commit()` the data live in
/// `<target>.tmp-<pid>-<n>`; the destructor removes that temporary if `commit()` was not reached
/// (an exception, an interrupt). Parent folders are created as needed.

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <unistd.h>

#include "c2s/core/error.hpp"

namespace c2s::io {

class AtomicFile {
public:
    explicit AtomicFile(std::filesystem::path target, std::ios::openmode mode = std::ios::binary)
        : target_(std::move(target)) {
        static std::atomic<unsigned> counter{0};
        if (target_.empty()) fail_argument("c2s::io::AtomicFile", "'path' is empty");
        std::error_code ec;
        if (target_.has_parent_path()) {
            std::filesystem::create_directories(target_.parent_path(), ec);
            if (ec)
                fail_runtime("c2s::io::AtomicFile", "cannot create folder '",
                             target_.parent_path().string(), "': ", ec.message());
        }
        temp_ = target_;
        temp_ += concat(".tmp-", ::getpid(), "-", counter.fetch_add(1));
        stream_.open(temp_, mode | std::ios::out | std::ios::trunc);
        if (!stream_)
            fail_runtime("c2s::io::AtomicFile", "cannot open '", temp_.string(), "' for writing");
    }
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;
    ~AtomicFile() {
        if (!committed_) {
            stream_.close();
            std::error_code ec;
            std::filesystem::remove(temp_, ec);
        }
    }

    [[nodiscard]] std::ofstream& stream() noexcept { return stream_; }
    [[nodiscard]] const std::filesystem::path& target() const noexcept { return target_; }
    [[nodiscard]] const std::filesystem::path& temporary() const noexcept { return temp_; }

    /// Flushes, closes and renames the temporary onto the target (atomic on POSIX file systems).
    void commit() {
        stream_.flush();
        const bool ok = static_cast<bool>(stream_);
        stream_.close();
        if (!ok || stream_.fail())
            fail_runtime("c2s::io::AtomicFile", "writing '", target_.string(),
                         "' failed (disk full or I/O error); nothing was written there");
        std::error_code ec;
        std::filesystem::rename(temp_, target_, ec);
        if (ec)
            fail_runtime("c2s::io::AtomicFile", "cannot rename '", temp_.string(), "' to '",
                         target_.string(), "': ", ec.message());
        committed_ = true;
    }

private:
    std::filesystem::path target_, temp_;
    std::ofstream stream_;
    bool committed_ = false;
};

/// Writes `content` to `path` atomically.
inline void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
    AtomicFile file(path);
    file.stream().write(content.data(), static_cast<std::streamsize>(content.size()));
    file.commit();
}

}  // namespace c2s::io
