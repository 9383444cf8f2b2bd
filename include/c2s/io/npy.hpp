#pragma once
/// @file npy.hpp
/// @brief NumPy `.npy` reading and writing (format versions 1.0–3.0, little-endian, C order).
///
/// Element types: float32, float64, uint8, uint64 (the interchange set) plus int32, int64,
/// uint32 and bool on reading. `read_npy<T>` converts any supported type to `T` (floating to
/// integer is refused). Arrays of any rank are read; writers write 1-D or 2-D arrays.
/// `NpyRowReader` / `NpyRowWriter` stream row blocks of a 2-D array, so files larger than memory
/// can be processed; the writer goes through `AtomicFile` and checks the row count on `commit()`.

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/io/atomic_file.hpp"

namespace c2s::io {

static_assert(std::endian::native == std::endian::little, "c2s::io::npy supports little-endian hosts only");

enum class DType { float32, float64, uint8, uint64, int32, int64, uint32, boolean };

[[nodiscard]] inline const char* dtype_descr(DType t) noexcept {
    switch (t) {
        case DType::float32: return "<f4";
        case DType::float64: return "<f8";
        case DType::uint8: return "|u1";
        case DType::uint64: return "<u8";
        case DType::int32: return "<i4";
        case DType::int64: return "<i8";
        case DType::uint32: return "<u4";
        case DType::boolean: return "|b1";
    }
    return "?";
}
[[nodiscard]] inline std::size_t dtype_size(DType t) noexcept {
    switch (t) {
        case DType::float32: case DType::int32: case DType::uint32: return 4;
        case DType::float64: case DType::uint64: case DType::int64: return 8;
        case DType::uint8: case DType::boolean: return 1;
    }
    return 0;
}
[[nodiscard]] inline bool dtype_is_floating(DType t) noexcept {
    return t == DType::float32 || t == DType::float64;
}

template <class T_>
constexpr DType dtype_of() {
    if constexpr (std::is_same_v<T_, float>) return DType::float32;
    else if constexpr (std::is_same_v<T_, double>) return DType::float64;
    else if constexpr (std::is_same_v<T_, std::uint8_t>) return DType::uint8;
    else if constexpr (std::is_same_v<T_, std::uint64_t>) return DType::uint64;
    else if constexpr (std::is_same_v<T_, std::int32_t>) return DType::int32;
    else if constexpr (std::is_same_v<T_, std::int64_t>) return DType::int64;
    else if constexpr (std::is_same_v<T_, std::uint32_t>) return DType::uint32;
    else if constexpr (std::is_same_v<T_, bool>) return DType::boolean;
    else static_assert(sizeof(T_) == 0, "c2s::io::npy: element type must be float, double, uint8_t, "
                                        "uint64_t, int32_t, int64_t, uint32_t or bool");
}

struct NpyHeader {
    DType dtype = DType::float64;
    std::vector<std::size_t> shape;
    /// Byte offset of the first element.
    std::size_t data_offset = 0;

    [[nodiscard]] std::size_t num_elements() const {
        return std::accumulate(shape.begin(), shape.end(), std::size_t{1}, std::multiplies<>());
    }
    [[nodiscard]] std::size_t rows() const { return shape.empty() ? 1 : shape[0]; }
    /// Elements per row (product of all dimensions after the first).
    [[nodiscard]] std::size_t row_size() const {
        return shape.size() <= 1 ? 1
                                 : std::accumulate(shape.begin() + 1, shape.end(), std::size_t{1},
                                                   std::multiplies<>());
    }
};

template <class T_>
struct NpyArray {
    std::vector<std::size_t> shape;
    std::vector<T_> data;
    [[nodiscard]] std::size_t rows() const { return shape.empty() ? 1 : shape[0]; }
    [[nodiscard]] std::size_t cols() const { return shape.size() < 2 ? 1 : data.size() / std::max<std::size_t>(rows(), 1); }
};

namespace detail {

inline std::string npy_value_of(const std::string& dict, const std::string& key, const std::string& file) {
    const auto k = dict.find("'" + key + "'");
    if (k == std::string::npos)
        fail_runtime("c2s::io::read_npy", "'", file, "': header has no '", key, "' entry");
    auto colon = dict.find(':', k);
    if (colon == std::string::npos)
        fail_runtime("c2s::io::read_npy", "'", file, "': malformed header near '", key, "'");
    std::size_t p = colon + 1;
    while (p < dict.size() && dict[p] == ' ') ++p;
    std::size_t end = p;
    if (p < dict.size() && dict[p] == '(') end = dict.find(')', p) + 1;
    else if (p < dict.size() && dict[p] == '\'') end = dict.find('\'', p + 1) + 1;
    else
        while (end < dict.size() && dict[end] != ',' && dict[end] != '}') ++end;
    if (end == std::string::npos || end == 0 || end > dict.size())
        fail_runtime("c2s::io::read_npy", "'", file, "': malformed header near '", key, "'");
    return dict.substr(p, end - p);
}

inline NpyHeader parse_npy_header(std::istream& in, const std::string& file) {
    char magic[8];
    in.read(magic, 8);
    if (!in || std::memcmp(magic, "\x93NUMPY", 6) != 0)
        fail_runtime("c2s::io::read_npy", "'", file, "' is not a .npy file (bad magic string)");
    const int major = static_cast<unsigned char>(magic[6]);
    std::size_t header_len = 0, prefix = 0;
    if (major == 1) {
        unsigned char len[2];
        in.read(reinterpret_cast<char*>(len), 2);
        header_len = len[0] | (std::size_t{len[1]} << 8);
        prefix = 10;
    } else if (major == 2 || major == 3) {
        unsigned char len[4];
        in.read(reinterpret_cast<char*>(len), 4);
        header_len = len[0] | (std::size_t{len[1]} << 8) | (std::size_t{len[2]} << 16) | (std::size_t{len[3]} << 24);
        prefix = 12;
    } else {
        fail_runtime("c2s::io::read_npy", "'", file, "': unsupported .npy format version ", major);
    }
    if (!in || header_len > (1u << 24))
        fail_runtime("c2s::io::read_npy", "'", file, "': truncated or corrupt header");
    std::string dict(header_len, '\0');
    in.read(dict.data(), static_cast<std::streamsize>(header_len));
    if (!in) fail_runtime("c2s::io::read_npy", "'", file, "': truncated header");

    NpyHeader h;
    h.data_offset = prefix + header_len;
    const std::string descr = npy_value_of(dict, "descr", file);
    const std::pair<const char*, DType> known[] = {
        {"'<f4'", DType::float32}, {"'<f8'", DType::float64}, {"'|u1'", DType::uint8},
        {"'<u1'", DType::uint8},   {"'<u8'", DType::uint64},  {"'<i4'", DType::int32},
        {"'<i8'", DType::int64},   {"'<u4'", DType::uint32},  {"'|b1'", DType::boolean}};
    bool found = false;
    for (const auto& [d, t] : known)
        if (descr == d) {
            h.dtype = t;
            found = true;
        }
    if (!found)
        fail_runtime("c2s::io::read_npy", "'", file, "': element type ", descr,
                     " is not supported (float32, float64, uint8, uint64, int32, int64, uint32, bool; little-endian)");
    const std::string fortran = npy_value_of(dict, "fortran_order", file);
    if (fortran != "False")
        fail_runtime("c2s::io::read_npy", "'", file,
                     "': Fortran-ordered arrays are not supported; save with numpy.ascontiguousarray");
    const std::string shape = npy_value_of(dict, "shape", file);
    std::size_t value = 0;
    bool in_number = false;
    for (char c : shape) {
        if (c >= '0' && c <= '9') {
            value = value * 10 + static_cast<std::size_t>(c - '0');
            in_number = true;
        } else if (in_number) {
            h.shape.push_back(value);
            value = 0;
            in_number = false;
        }
    }
    return h;
}

template <class To_, class From_>
void convert_block(const char* raw, std::size_t count, To_* out) {
    if (count == 0) return;  // empty arrays: no memcpy with null pointers
    if constexpr (std::is_same_v<To_, From_>) {
        std::memcpy(out, raw, count * sizeof(To_));
    } else {
        for (std::size_t i = 0; i < count; ++i) {
            From_ v;
            std::memcpy(&v, raw + i * sizeof(From_), sizeof(From_));
            out[i] = static_cast<To_>(v);
        }
    }
}

template <class T_>
void convert_any(DType from, const char* raw, std::size_t count, T_* out, const std::string& file) {
    if (dtype_is_floating(from) && !std::is_floating_point_v<T_>)
        fail_runtime("c2s::io::read_npy", "'", file, "' holds ", dtype_descr(from),
                     " values, which are not converted to an integer type");
    switch (from) {
        case DType::float32: convert_block<T_, float>(raw, count, out); break;
        case DType::float64: convert_block<T_, double>(raw, count, out); break;
        case DType::uint8: convert_block<T_, std::uint8_t>(raw, count, out); break;
        case DType::boolean: convert_block<T_, std::uint8_t>(raw, count, out); break;
        case DType::uint64: convert_block<T_, std::uint64_t>(raw, count, out); break;
        case DType::int32: convert_block<T_, std::int32_t>(raw, count, out); break;
        case DType::int64: convert_block<T_, std::int64_t>(raw, count, out); break;
        case DType::uint32: convert_block<T_, std::uint32_t>(raw, count, out); break;
    }
}

inline std::string make_npy_header(DType dtype, const std::vector<std::size_t>& shape) {
    std::string dict = concat("{'descr': '", dtype_descr(dtype), "', 'fortran_order': False, 'shape': (");
    for (std::size_t i = 0; i < shape.size(); ++i) dict += concat(shape[i], i + 1 < shape.size() || shape.size() == 1 ? ", " : "");
    if (shape.size() == 1) dict.pop_back();  // "(n,)" rather than "(n, )"
    dict += "), }";
    // Version 1.0 if the header fits in 65535 bytes, else 2.0; padded so data start 64-aligned.
    const bool v1 = dict.size() + 11 + 64 < 65535;
    const std::size_t prefix = v1 ? 10 : 12;
    std::size_t total = prefix + dict.size() + 1;
    const std::size_t pad = (64 - total % 64) % 64;
    dict.append(pad, ' ');
    dict.push_back('\n');
    std::string out = "\x93NUMPY";
    out.push_back(static_cast<char>(v1 ? 1 : 2));
    out.push_back(0);
    const std::size_t len = dict.size();
    out.push_back(static_cast<char>(len & 0xff));
    out.push_back(static_cast<char>((len >> 8) & 0xff));
    if (!v1) {
        out.push_back(static_cast<char>((len >> 16) & 0xff));
        out.push_back(static_cast<char>((len >> 24) & 0xff));
    }
    return out + dict;
}

}  // namespace detail

/// Reads only the header of a `.npy` file.
[[nodiscard]] inline NpyHeader read_npy_header(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail_runtime("c2s::io::read_npy", "cannot open '", path.string(), "'");
    return detail::parse_npy_header(in, path.string());
}

/// Reads a whole `.npy` file, converting its elements to `T_`.
template <class T_>
[[nodiscard]] NpyArray<T_> read_npy(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail_runtime("c2s::io::read_npy", "cannot open '", path.string(), "'");
    const NpyHeader h = detail::parse_npy_header(in, path.string());
    const std::size_t count = h.num_elements();
    const std::size_t bytes = count * dtype_size(h.dtype);
    std::error_code ec;
    const auto file_size = std::filesystem::file_size(path, ec);
    if (ec || file_size < h.data_offset + bytes)
        fail_runtime("c2s::io::read_npy", "'", path.string(), "' is truncated: the header announces ",
                     count, " elements (", bytes, " bytes) but the file has ",
                     ec ? 0 : file_size - std::min<std::uintmax_t>(file_size, h.data_offset), " data bytes");
    NpyArray<T_> out;
    out.shape = h.shape;
    out.data.resize(count);
    std::vector<char> raw(bytes);
    in.read(raw.data(), static_cast<std::streamsize>(bytes));
    if (!in) fail_runtime("c2s::io::read_npy", "'", path.string(), "': read error");
    detail::convert_any<T_>(h.dtype, raw.data(), count, out.data.data(), path.string());
    return out;
}

/// Writes `data` with `shape` (C order) to `path` atomically.
template <class T_>
void write_npy(const std::filesystem::path& path, std::span<const T_> data, const std::vector<std::size_t>& shape) {
    const std::size_t expected = std::accumulate(shape.begin(), shape.end(), std::size_t{1}, std::multiplies<>());
    if (expected != data.size())
        fail_argument("c2s::io::write_npy", "'data' has ", data.size(), " elements but 'shape' needs ", expected);
    AtomicFile file(path);
    const std::string header = detail::make_npy_header(dtype_of<T_>(), shape);
    file.stream().write(header.data(), static_cast<std::streamsize>(header.size()));
    file.stream().write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size() * sizeof(T_)));
    file.commit();
}

/// Streams row blocks out of a 2-D (or 1-D: one value per row) `.npy` file.
class NpyRowReader {
public:
    explicit NpyRowReader(const std::filesystem::path& path) : path_(path.string()), in_(path, std::ios::binary) {
        if (!in_) fail_runtime("c2s::io::NpyRowReader", "cannot open '", path_, "'");
        header_ = detail::parse_npy_header(in_, path_);
        if (header_.shape.empty() || header_.shape.size() > 2)
            fail_runtime("c2s::io::NpyRowReader", "'", path_, "' has ", header_.shape.size(),
                         " dimensions; row streaming needs 1 or 2");
        std::error_code ec;
        const auto size = std::filesystem::file_size(path, ec);
        if (ec || size < header_.data_offset + header_.num_elements() * dtype_size(header_.dtype))
            fail_runtime("c2s::io::NpyRowReader", "'", path_, "' is truncated");
    }
    [[nodiscard]] const NpyHeader& header() const noexcept { return header_; }
    [[nodiscard]] std::size_t rows() const noexcept { return header_.rows(); }
    [[nodiscard]] std::size_t cols() const noexcept { return header_.row_size(); }

    /// Reads rows `[first, first + count)` into `out` (count × cols(), row-major), converting to T_.
    template <class T_>
    void read_rows(std::size_t first, std::size_t count, std::span<T_> out) {
        if (first + count > rows())
            fail_argument("c2s::io::NpyRowReader::read_rows", "rows [", first, ", ", first + count,
                          ") exceed the ", rows(), " rows of '", path_, "'");
        if (out.size() < count * cols())
            fail_argument("c2s::io::NpyRowReader::read_rows", "'out' holds ", out.size(),
                          " elements, need ", count * cols());
        const std::size_t es = dtype_size(header_.dtype);
        buffer_.resize(count * cols() * es);
        in_.seekg(static_cast<std::streamoff>(header_.data_offset + first * cols() * es));
        in_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
        if (!in_) fail_runtime("c2s::io::NpyRowReader::read_rows", "'", path_, "': read error");
        detail::convert_any<T_>(header_.dtype, buffer_.data(), count * cols(), out.data(), path_);
    }

private:
    std::string path_;
    std::ifstream in_;
    NpyHeader header_;
    std::vector<char> buffer_;
};

/// Writes a 2-D `.npy` file block by block; the file appears at `path` only on `commit()`.
template <class T_>
class NpyRowWriter {
public:
    NpyRowWriter(const std::filesystem::path& path, std::size_t rows, std::size_t cols)
        : file_(path), rows_(rows), cols_(cols) {
        const std::string header = detail::make_npy_header(dtype_of<T_>(), {rows, cols});
        file_.stream().write(header.data(), static_cast<std::streamsize>(header.size()));
    }
    /// Appends `values.size() / cols` rows.
    void write_rows(std::span<const T_> values) {
        if (cols_ == 0 || values.size() % cols_ != 0)
            fail_argument("c2s::io::NpyRowWriter::write_rows", "'values' has ", values.size(),
                          " elements, not a multiple of ", cols_, " columns");
        const std::size_t n = values.size() / cols_;
        if (written_ + n > rows_)
            fail_argument("c2s::io::NpyRowWriter::write_rows", "writing ", n, " rows after ", written_,
                          " exceeds the announced ", rows_, " rows of '", file_.target().string(), "'");
        file_.stream().write(reinterpret_cast<const char*>(values.data()),
                             static_cast<std::streamsize>(values.size() * sizeof(T_)));
        written_ += n;
    }
    [[nodiscard]] std::size_t rows_written() const noexcept { return written_; }
    void commit() {
        if (written_ != rows_)
            fail_runtime("c2s::io::NpyRowWriter::commit", "'", file_.target().string(), "': ", written_,
                         " rows written but ", rows_, " announced; the file was not created");
        file_.commit();
    }

private:
    AtomicFile file_;
    std::size_t rows_, cols_, written_ = 0;
};

}  // namespace c2s::io
