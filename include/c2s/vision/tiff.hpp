#pragma once
/// @file tiff.hpp
/// @brief Grayscale TIFF reading and writing (8- and 16-bit, one sample per pixel) with libtiff.
///
/// BBBC021 fields of view are 1280×1024 16-bit grayscale TIFFs, one file per channel. libtiff's
/// messages are captured per file (never printed) and end up in the exception text.
/// Needs libtiff (target `c2s::vision`); does not need LibTorch.

#include <tiffio.h>

#include <algorithm>
#include <atomic>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <span>
#include <string>
#include <system_error>
#include <unistd.h>
#include <vector>

#include "c2s/core/error.hpp"

namespace c2s::vision {

/// A grayscale image: `height` rows of `width` pixels, row-major, values as stored (0..255 for
/// 8-bit files, 0..65535 for 16-bit files).
struct GrayImage {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    int bits = 16;  ///< 8 or 16: the bit depth of the file it came from
    std::vector<std::uint16_t> pixels;

    [[nodiscard]] std::uint16_t at(std::uint32_t row, std::uint32_t col) const noexcept {
        return pixels[static_cast<std::size_t>(row) * width + col];
    }
    /// Largest value the bit depth can hold (255 or 65535).
    [[nodiscard]] double white() const noexcept { return bits == 8 ? 255.0 : 65535.0; }
};

namespace detail {

/// Collects libtiff's error (and, separately, warning) messages for one open file.
struct TiffMessages {
    std::string errors;
    static int on_error(TIFF*, void* user, const char* module, const char* fmt, va_list ap) {
        char buf[512];
        std::vsnprintf(buf, sizeof buf, fmt, ap);
        auto* self = static_cast<TiffMessages*>(user);
        if (!self->errors.empty()) self->errors += "; ";
        if (module) self->errors += std::string(module) + ": ";
        self->errors += buf;
        return 1;  // handled: libtiff does not print
    }
    static int on_warning(TIFF*, void*, const char*, const char*, va_list) { return 1; }  // ignored
};

/// RAII wrapper for a TIFF handle opened with captured messages.
class TiffHandle {
public:
    TiffHandle(const std::filesystem::path& path, const char* mode) {
        TIFFOpenOptions* options = TIFFOpenOptionsAlloc();
        TIFFOpenOptionsSetErrorHandlerExtR(options, &TiffMessages::on_error, &messages);
        TIFFOpenOptionsSetWarningHandlerExtR(options, &TiffMessages::on_warning, &messages);
        tif_ = TIFFOpenExt(path.c_str(), mode, options);
        TIFFOpenOptionsFree(options);
    }
    ~TiffHandle() { close(); }
    TiffHandle(const TiffHandle&) = delete;
    TiffHandle& operator=(const TiffHandle&) = delete;
    void close() {
        if (tif_) TIFFClose(tif_);
        tif_ = nullptr;
    }
    [[nodiscard]] TIFF* get() const noexcept { return tif_; }
    TiffMessages messages;

private:
    TIFF* tif_ = nullptr;
};

inline std::string libtiff_says(const TiffMessages& m) {
    return m.errors.empty() ? std::string() : " (libtiff: " + m.errors + ")";
}

}  // namespace detail

/**
 * @brief Reads an 8- or 16-bit single-channel (grayscale) TIFF, strip- or tile-organised.
 *
 * Fails with `std::runtime_error` naming the file when it is missing, not a TIFF, truncated or
 * corrupt, has more than one sample per pixel, a bit depth other than 8 or 16, a floating-point or
 * signed sample format, or a width or height of zero.
 */
[[nodiscard]] inline GrayImage read_tiff(const std::filesystem::path& path) {
    constexpr const char* where = "c2s::vision::read_tiff";
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        fail_runtime(where, "file '", path.string(), "' does not exist");
    if (std::filesystem::is_directory(path, ec))
        fail_runtime(where, "'", path.string(), "' is a folder, not a TIFF file");
    detail::TiffHandle h(path, "r");
    if (!h.get()) {
        char magic[4] = {0, 0, 0, 0};
        std::FILE* f = std::fopen(path.c_str(), "rb");
        const bool tiff_magic = f && std::fread(magic, 1, 4, f) == 4 &&
                                ((magic[0] == 'I' && magic[1] == 'I') || (magic[0] == 'M' && magic[1] == 'M'));
        if (f) std::fclose(f);
        if (tiff_magic)
            fail_runtime(where, "'", path.string(), "' is truncated or corrupt: it starts like a TIFF but its image ",
                         "directory cannot be read", detail::libtiff_says(h.messages));
        fail_runtime(where, "cannot read '", path.string(), "': not a TIFF file", detail::libtiff_says(h.messages));
    }
    TIFF* tif = h.get();
    std::uint32_t w = 0, ht = 0;
    std::uint16_t bits = 1, spp = 1, format = SAMPLEFORMAT_UINT;
    TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &w);
    TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &ht);
    TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bits);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &spp);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &format);
    if (w == 0 || ht == 0)
        fail_runtime(where, "'", path.string(), "' has a size of ", w, "x", ht, " pixels");
    if (spp != 1)
        fail_runtime(where, "'", path.string(), "' has ", spp,
                     " samples per pixel; expected a grayscale image with 1 (one file per channel)");
    if (bits != 8 && bits != 16)
        fail_runtime(where, "'", path.string(), "' has a bit depth of ", bits, "; only 8- and 16-bit grayscale is supported");
    if (format != SAMPLEFORMAT_UINT)
        fail_runtime(where, "'", path.string(), "' stores ", format == SAMPLEFORMAT_IEEEFP ? "floating-point" : "signed",
                     " samples; only unsigned integer samples are supported");

    GrayImage img;
    img.width = w;
    img.height = ht;
    img.bits = bits;
    img.pixels.assign(static_cast<std::size_t>(w) * ht, 0);
    const std::size_t bytes_per_sample = bits / 8u;
    auto store = [&](const unsigned char* src, std::uint32_t row, std::uint32_t col, std::uint32_t count) {
        std::uint16_t* dst = img.pixels.data() + static_cast<std::size_t>(row) * w + col;
        if (bits == 8) {
            for (std::uint32_t i = 0; i < count; ++i) dst[i] = src[i];
        } else {
            const auto* s16 = reinterpret_cast<const std::uint16_t*>(src);
            for (std::uint32_t i = 0; i < count; ++i) dst[i] = s16[i];  // libtiff swaps byte order for us
        }
    };
    auto truncated = [&](const char* unit, std::uint32_t index) {
        fail_runtime(where, "'", path.string(), "' is truncated or corrupt: cannot read ", unit, " ", index,
                     " of a ", w, "x", ht, " ", bits, "-bit image", detail::libtiff_says(h.messages));
    };
    if (TIFFIsTiled(tif)) {
        std::uint32_t tw = 0, th = 0;
        TIFFGetField(tif, TIFFTAG_TILEWIDTH, &tw);
        TIFFGetField(tif, TIFFTAG_TILELENGTH, &th);
        std::vector<unsigned char> tile(static_cast<std::size_t>(TIFFTileSize(tif)));
        for (std::uint32_t y = 0; y < ht; y += th)
            for (std::uint32_t x = 0; x < w; x += tw) {
                if (TIFFReadTile(tif, tile.data(), x, y, 0, 0) < 0) truncated("tile at row", y);
                const std::uint32_t rows = std::min(th, ht - y), cols = std::min(tw, w - x);
                for (std::uint32_t r = 0; r < rows; ++r)
                    store(tile.data() + static_cast<std::size_t>(r) * tw * bytes_per_sample, y + r, x, cols);
            }
    } else {
        // whole strips, 16-bit ones decoded straight into the pixel buffer (no per-row copies)
        std::uint32_t rows_per_strip = ht;
        TIFFGetFieldDefaulted(tif, TIFFTAG_ROWSPERSTRIP, &rows_per_strip);
        rows_per_strip = std::clamp<std::uint32_t>(rows_per_strip, 1, ht);
        const std::uint32_t strips = TIFFNumberOfStrips(tif);
        std::vector<unsigned char> buffer(bits == 8 ? static_cast<std::size_t>(rows_per_strip) * w : 0);
        for (std::uint32_t r = 0, s = 0; r < ht; r += rows_per_strip, ++s) {
            const std::uint32_t rows = std::min(rows_per_strip, ht - r);
            const auto bytes = static_cast<tmsize_t>(static_cast<std::size_t>(rows) * w * bytes_per_sample);
            unsigned char* dst = bits == 8 ? buffer.data()
                                           : reinterpret_cast<unsigned char*>(img.pixels.data() + static_cast<std::size_t>(r) * w);
            if (s >= strips || TIFFReadEncodedStrip(tif, s, dst, bytes) != bytes) truncated("row", r);
            if (bits == 8)
                for (std::uint32_t k = 0; k < rows; ++k) store(buffer.data() + static_cast<std::size_t>(k) * w, r + k, 0, w);
        }
    }
    if (!h.messages.errors.empty())
        fail_runtime(where, "'", path.string(), "' is corrupt", detail::libtiff_says(h.messages));
    return img;
}

/**
 * @brief Writes `pixels` (height × width, row-major) as an uncompressed 8- or 16-bit grayscale
 * TIFF. The file appears at `path` only when complete (written beside it, then renamed).
 * @param bits 8 or 16; with 8, values must be at most 255.
 */
inline void write_tiff(const std::filesystem::path& path, std::span<const std::uint16_t> pixels, std::uint32_t width,
                       std::uint32_t height, int bits = 16) {
    constexpr const char* where = "c2s::vision::write_tiff";
    if (bits != 8 && bits != 16) fail_argument(where, "'bits' is ", bits, "; expected 8 or 16");
    if (width == 0 || height == 0) fail_argument(where, "'width' x 'height' is ", width, "x", height);
    if (pixels.size() != static_cast<std::size_t>(width) * height)
        fail_argument(where, "'pixels' has ", pixels.size(), " values but ", width, "x", height, " needs ",
                      static_cast<std::size_t>(width) * height);
    static std::atomic<unsigned> counter{0};
    std::error_code ec;
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
    auto temp = path;
    temp += concat(".tmp-", ::getpid(), "-", counter.fetch_add(1));
    struct Cleanup {
        std::filesystem::path p;
        bool keep = false;
        ~Cleanup() {
            std::error_code e;
            if (!keep) std::filesystem::remove(p, e);
        }
    } cleanup{temp};
    {
        detail::TiffHandle h(temp, "w");
        if (!h.get()) fail_runtime(where, "cannot create '", temp.string(), "'", detail::libtiff_says(h.messages));
        TIFF* tif = h.get();
        TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, width);
        TIFFSetField(tif, TIFFTAG_IMAGELENGTH, height);
        TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, static_cast<std::uint16_t>(bits));
        TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, static_cast<std::uint16_t>(1));
        TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, static_cast<std::uint16_t>(SAMPLEFORMAT_UINT));
        TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, static_cast<std::uint16_t>(PHOTOMETRIC_MINISBLACK));
        TIFFSetField(tif, TIFFTAG_PLANARCONFIG, static_cast<std::uint16_t>(PLANARCONFIG_CONTIG));
        TIFFSetField(tif, TIFFTAG_COMPRESSION, static_cast<std::uint16_t>(COMPRESSION_NONE));
        TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, TIFFDefaultStripSize(tif, 0));
        std::vector<unsigned char> line(static_cast<std::size_t>(width) * static_cast<std::size_t>(bits / 8));
        for (std::uint32_t r = 0; r < height; ++r) {
            const std::uint16_t* src = pixels.data() + static_cast<std::size_t>(r) * width;
            if (bits == 8) {
                for (std::uint32_t i = 0; i < width; ++i) {
                    if (src[i] > 255)
                        fail_argument(where, "pixel (row ", r, ", column ", i, ") is ", src[i], ", too large for 8 bits");
                    line[i] = static_cast<unsigned char>(src[i]);
                }
            } else {
                std::memcpy(line.data(), src, line.size());
            }
            if (TIFFWriteScanline(tif, line.data(), r, 0) < 0)
                fail_runtime(where, "writing row ", r, " of '", path.string(), "' failed", detail::libtiff_says(h.messages));
        }
        if (!TIFFFlush(tif)) fail_runtime(where, "writing '", path.string(), "' failed (disk full?)");
    }
    std::filesystem::rename(temp, path, ec);
    if (ec) fail_runtime(where, "cannot rename '", temp.string(), "' to '", path.string(), "': ", ec.message());
    cleanup.keep = true;
}

}  // namespace c2s::vision
