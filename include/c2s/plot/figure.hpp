#pragma once
/// @file figure.hpp
/// @brief `c2s::plot::Figure`: one drawing, rendered to PNG, SVG or PDF (chosen by the file
/// extension) through cairo; `Canvas`, the drawing surface handed to each layer; `read_png`.
///
/// Units are points (1/72 inch) for all three formats: a 480 x 360 figure is 6.67 x 5 inches in
/// the PDF and the SVG, and `SaveOptions::dpi / 72` pixels per point in the PNG (150 dpi: 1000 x
/// 750 pixels). y grows downwards. A figure is a list of layers (`std::function<void(Canvas&)>`)
/// replayed for each output, so PNG, SVG and PDF show exactly the same drawing.
///
/// `save` renders the whole file in memory first and only then writes it through
/// `c2s::io::AtomicFile` (temporary beside the target, renamed on success): a render that fails
/// (bad extension, a throwing layer, a cairo error) leaves no file and no temporary behind, and an
/// existing file at the target is left untouched.
///
/// Text uses cairo's font API with "DejaVu Sans" (Debian fonts-dejavu-core; fontconfig substitutes
/// a sans-serif face if it is missing), with hinting off so that text measures the same on every
/// surface. cairo's SVG surface draws glyphs as outlines; `Figure` adds every label once more as a
/// transparent `<text>` element on top, so the SVG can be searched and its text selected.

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <numbers>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/io/atomic_file.hpp"
#include "c2s/plot/color.hpp"

namespace c2s::plot {

struct Point {
    double x = 0, y = 0;
};

/// An axis-aligned rectangle; (x, y) is the top-left corner.
struct Rect {
    double x = 0, y = 0, width = 0, height = 0;
    [[nodiscard]] double right() const noexcept { return x + width; }
    [[nodiscard]] double bottom() const noexcept { return y + height; }
    [[nodiscard]] Point center() const noexcept { return {x + width / 2, y + height / 2}; }
};

/// The data coordinates of a plot panel: maps (x, y) in data units to figure points.
/// Plot functions push one `Axes` per panel onto `Figure::axes()` so callers can annotate the
/// drawing (and tests can find where a value was drawn).
struct Axes {
    /// The plotting area in figure points.
    Rect area;
    double x_min = 0, x_max = 1, y_min = 0, y_max = 1;
    /// true: y_min is at the top (matrices, images); false: y_min at the bottom (charts).
    bool y_down = false;

    [[nodiscard]] double x_to_figure(double x) const noexcept {
        return area.x + (x - x_min) / (x_max - x_min) * area.width;
    }
    [[nodiscard]] double y_to_figure(double y) const noexcept {
        const double f = (y - y_min) / (y_max - y_min);
        return y_down ? area.y + f * area.height : area.bottom() - f * area.height;
    }
    [[nodiscard]] Point to_figure(double x, double y) const noexcept { return {x_to_figure(x), y_to_figure(y)}; }
};

enum class Format { png, svg, pdf };

/// The format named by `path`'s extension (.png, .svg, .pdf; any case).
[[nodiscard]] inline Format format_of(const std::filesystem::path& path) {
    std::string ext = path.extension().string();
    for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (ext == ".png") return Format::png;
    if (ext == ".svg") return Format::svg;
    if (ext == ".pdf") return Format::pdf;
    fail_argument("c2s::plot::format_of", "'path' '", path.string(), "' has extension '", ext,
                  "'; use .png, .svg or .pdf");
}

struct Font {
    /// Size in points.
    double size = 10;
    bool bold = false;
};

enum class HAlign { left, center, right };
enum class VAlign { top, middle, baseline, bottom };

/// Width and vertical extent of a text in points.
struct TextExtent {
    double width = 0;
    /// Height of the font's capital letters above the baseline, and its descent below it.
    double cap_height = 0, descent = 0;
};

/// Marker shapes for scatter and line plots.
enum class Marker { circle, square, triangle, diamond, triangle_down, plus, cross };

/// An 8-bit RGBA image (not premultiplied), row-major, e.g. a PNG read back with `read_png`.
struct RgbaImage {
    int width = 0, height = 0;
    std::vector<std::uint8_t> rgba;

    [[nodiscard]] Color pixel(int x, int y) const {
        if (x < 0 || y < 0 || x >= width || y >= height)
            fail_argument("c2s::plot::RgbaImage::pixel", "(", x, ", ", y, ") is outside the ", width, " x ",
                          height, " image");
        const std::uint8_t* p = &rgba[(static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                                       static_cast<std::size_t>(x)) * 4];
        return {p[0] / 255.0, p[1] / 255.0, p[2] / 255.0, p[3] / 255.0};
    }
};

namespace detail {

inline constexpr const char* font_family = "DejaVu Sans";

struct CairoDeleter {
    void operator()(cairo_t* cr) const noexcept { cairo_destroy(cr); }
    void operator()(cairo_surface_t* s) const noexcept { cairo_surface_destroy(s); }
    void operator()(cairo_font_options_t* o) const noexcept { cairo_font_options_destroy(o); }
};
using ContextPtr = std::unique_ptr<cairo_t, CairoDeleter>;
using SurfacePtr = std::unique_ptr<cairo_surface_t, CairoDeleter>;

inline void set_font(cairo_t* cr, const Font& font) {
    cairo_select_font_face(cr, font_family, CAIRO_FONT_SLANT_NORMAL,
                           font.bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, font.size);
    std::unique_ptr<cairo_font_options_t, CairoDeleter> options(cairo_font_options_create());
    cairo_font_options_set_hint_metrics(options.get(), CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(options.get(), CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_antialias(options.get(), CAIRO_ANTIALIAS_GRAY);
    cairo_set_font_options(cr, options.get());
}

/// A scratch context for measuring text outside a render.
inline cairo_t* measuring_context() {
    thread_local SurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1));
    thread_local ContextPtr cr(cairo_create(surface.get()));
    return cr.get();
}

inline TextExtent measure(cairo_t* cr, std::string_view text, const Font& font) {
    set_font(cr, font);
    const std::string s(text);
    cairo_text_extents_t te;
    cairo_text_extents(cr, s.c_str(), &te);
    cairo_text_extents_t cap;
    cairo_text_extents(cr, "H", &cap);
    cairo_font_extents_t fe;
    cairo_font_extents(cr, &fe);
    return {te.x_advance, -cap.y_bearing, fe.descent};
}

inline std::string xml_escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default:
                if (static_cast<unsigned char>(c) >= 0x20 || c == '\t') out.push_back(c);
        }
    }
    return out;
}

struct TextRecord {
    std::string text;
    Point anchor;
    double angle = 0, dx = 0, dy = 0, size = 10;
    bool bold = false;
};

inline cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length) noexcept {
    try {
        static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
        return CAIRO_STATUS_SUCCESS;
    } catch (...) {
        return CAIRO_STATUS_NO_MEMORY;
    }
}

inline void check_status(cairo_status_t status, std::string_view what) {
    if (status != CAIRO_STATUS_SUCCESS)
        fail_runtime("c2s::plot::Figure::render", what, ": cairo error '", cairo_status_to_string(status), "'");
}

}  // namespace detail

/// Width, cap height and descent of `text` in `font`, in points.
[[nodiscard]] inline TextExtent measure_text(std::string_view text, const Font& font) {
    return detail::measure(detail::measuring_context(), text, font);
}

/// The drawing surface handed to each layer of a `Figure` (a thin layer over a `cairo_t`, in
/// points). `native()` gives the cairo context for anything not covered here.
class Canvas {
public:
    explicit Canvas(cairo_t* cr, std::vector<detail::TextRecord>* texts = nullptr) : cr_(cr), texts_(texts) {}

    [[nodiscard]] cairo_t* native() const noexcept { return cr_; }

    void set_color(const Color& c) { cairo_set_source_rgba(cr_, c.r, c.g, c.b, c.a); }

    void fill_rect(const Rect& r, const Color& c) {
        set_color(c);
        cairo_rectangle(cr_, r.x, r.y, r.width, r.height);
        cairo_fill(cr_);
    }
    void stroke_rect(const Rect& r, const Color& c, double width) {
        set_color(c);
        cairo_set_line_width(cr_, width);
        cairo_set_line_join(cr_, CAIRO_LINE_JOIN_MITER);
        cairo_rectangle(cr_, r.x, r.y, r.width, r.height);
        cairo_stroke(cr_);
    }
    void line(Point a, Point b, const Color& c, double width, const std::vector<double>& dash = {}) {
        polyline(std::vector<Point>{a, b}, c, width, dash);
    }
    void polyline(const std::vector<Point>& points, const Color& c, double width,
                  const std::vector<double>& dash = {}) {
        if (points.size() < 2) return;
        set_color(c);
        cairo_set_line_width(cr_, width);
        cairo_set_line_cap(cr_, CAIRO_LINE_CAP_BUTT);
        cairo_set_line_join(cr_, CAIRO_LINE_JOIN_ROUND);
        cairo_set_dash(cr_, dash.empty() ? nullptr : dash.data(), static_cast<int>(dash.size()), 0);
        cairo_move_to(cr_, points[0].x, points[0].y);
        for (std::size_t i = 1; i < points.size(); ++i) cairo_line_to(cr_, points[i].x, points[i].y);
        cairo_stroke(cr_);
        cairo_set_dash(cr_, nullptr, 0, 0);
    }
    /// A marker of diameter `size` centred on `at`.
    void marker(Point at, Marker shape, double size, const Color& fill, const Color& edge, double edge_width = 0.5) {
        const double r = size / 2;
        switch (shape) {
            case Marker::circle: cairo_new_sub_path(cr_); cairo_arc(cr_, at.x, at.y, r, 0, 2 * std::numbers::pi); break;
            case Marker::square: cairo_rectangle(cr_, at.x - r * 0.85, at.y - r * 0.85, 1.7 * r, 1.7 * r); break;
            case Marker::triangle:
            case Marker::triangle_down: {
                const double s = shape == Marker::triangle ? 1 : -1;
                cairo_move_to(cr_, at.x, at.y - s * r * 1.1);
                cairo_line_to(cr_, at.x + r, at.y + s * r * 0.75);
                cairo_line_to(cr_, at.x - r, at.y + s * r * 0.75);
                cairo_close_path(cr_);
                break;
            }
            case Marker::diamond:
                cairo_move_to(cr_, at.x, at.y - r * 1.15);
                cairo_line_to(cr_, at.x + r * 0.8, at.y);
                cairo_line_to(cr_, at.x, at.y + r * 1.15);
                cairo_line_to(cr_, at.x - r * 0.8, at.y);
                cairo_close_path(cr_);
                break;
            case Marker::plus:
            case Marker::cross: {
                const double a = shape == Marker::plus ? 0 : std::numbers::pi / 4;
                for (int k = 0; k < 2; ++k) {
                    const double t = a + k * std::numbers::pi / 2;
                    cairo_move_to(cr_, at.x - r * std::cos(t), at.y - r * std::sin(t));
                    cairo_line_to(cr_, at.x + r * std::cos(t), at.y + r * std::sin(t));
                }
                set_color(fill);
                cairo_set_line_width(cr_, std::max(1.0, size / 5));
                cairo_stroke(cr_);
                return;
            }
        }
        set_color(fill);
        if (edge_width > 0) {
            cairo_fill_preserve(cr_);
            set_color(edge);
            cairo_set_line_width(cr_, edge_width);
            cairo_stroke(cr_);
        } else {
            cairo_fill(cr_);
        }
    }

    /// Draws `text` aligned on `anchor`, rotated `angle` degrees counter-clockwise about it.
    void text(std::string_view text, Point anchor, const Font& font, const Color& c, HAlign h = HAlign::left,
              VAlign v = VAlign::baseline, double angle = 0) {
        if (text.empty()) return;
        const TextExtent e = detail::measure(cr_, text, font);
        const double dx = h == HAlign::left ? 0 : h == HAlign::center ? -e.width / 2 : -e.width;
        const double dy = v == VAlign::baseline ? 0
                          : v == VAlign::top    ? e.cap_height
                          : v == VAlign::middle ? e.cap_height / 2
                                                : -e.descent;
        const std::string s(text);
        if (texts_) {
            // Record where the anchor lands on the page (panels of a `figure_grid` are translated).
            double ax = anchor.x, ay = anchor.y;
            cairo_user_to_device(cr_, &ax, &ay);
            texts_->push_back({s, {ax, ay}, angle, dx, dy, font.size, font.bold});
        }
        cairo_save(cr_);
        cairo_translate(cr_, anchor.x, anchor.y);
        cairo_rotate(cr_, -angle * std::numbers::pi / 180);
        set_color(c);
        cairo_move_to(cr_, dx, dy);
        cairo_show_text(cr_, s.c_str());
        cairo_new_path(cr_);
        cairo_restore(cr_);
    }

    /// Draws an RGBA image scaled into `dest`; `smooth` = bilinear, else nearest-neighbour (cells
    /// stay sharp squares, as heat-map cells must).
    void image(const RgbaImage& img, const Rect& dest, bool smooth = false) {
        if (img.width <= 0 || img.height <= 0) return;
        detail::SurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, img.width, img.height));
        detail::check_status(cairo_surface_status(surface.get()), "creating an image");
        cairo_surface_flush(surface.get());
        unsigned char* data = cairo_image_surface_get_data(surface.get());
        const int stride = cairo_image_surface_get_stride(surface.get());
        for (int y = 0; y < img.height; ++y) {
            auto* row = reinterpret_cast<std::uint32_t*>(data + static_cast<std::ptrdiff_t>(y) * stride);
            for (int x = 0; x < img.width; ++x) {
                const std::uint8_t* p = &img.rgba[(static_cast<std::size_t>(y) * static_cast<std::size_t>(img.width) +
                                                   static_cast<std::size_t>(x)) * 4];
                const std::uint32_t a = p[3];
                auto pre = [a](std::uint32_t v) { return (v * a + 127) / 255; };
                row[x] = (a << 24) | (pre(p[0]) << 16) | (pre(p[1]) << 8) | pre(p[2]);
            }
        }
        cairo_surface_mark_dirty(surface.get());
        cairo_save(cr_);
        cairo_rectangle(cr_, dest.x, dest.y, dest.width, dest.height);
        cairo_clip(cr_);
        cairo_translate(cr_, dest.x, dest.y);
        cairo_scale(cr_, dest.width / img.width, dest.height / img.height);
        cairo_set_source_surface(cr_, surface.get(), 0, 0);
        cairo_pattern_set_filter(cairo_get_source(cr_), smooth ? CAIRO_FILTER_BILINEAR : CAIRO_FILTER_NEAREST);
        cairo_pattern_set_extend(cairo_get_source(cr_), CAIRO_EXTEND_PAD);
        cairo_paint(cr_);
        cairo_restore(cr_);
    }

    /// Restricts drawing to `r` until `reset_clip()`.
    void clip(const Rect& r) {
        cairo_save(cr_);
        cairo_rectangle(cr_, r.x, r.y, r.width, r.height);
        cairo_clip(cr_);
    }
    void reset_clip() { cairo_restore(cr_); }

private:
    cairo_t* cr_;
    std::vector<detail::TextRecord>* texts_;
};

struct SaveOptions {
    /// PNG resolution in pixels per inch (a point is 1/72 inch); larger gives bigger, sharper PNGs.
    /// SVG and PDF are vector formats and ignore it.
    double dpi = 150;
    /// Adds a transparent `<text>` copy of every label to SVG files (searchable, selectable text).
    bool svg_text_layer = true;
};

class Figure {
public:
    using Layer = std::function<void(Canvas&)>;

    /// A `width` x `height` points figure (both in (0, 20000]).
    Figure(double width, double height) : width_(width), height_(height) {
        if (!(width > 0 && width <= 20000) || !(height > 0 && height <= 20000))
            fail_argument("c2s::plot::Figure", "size ", width, " x ", height,
                          " points is not in (0, 20000] x (0, 20000]");
    }

    [[nodiscard]] double width() const noexcept { return width_; }
    [[nodiscard]] double height() const noexcept { return height_; }

    /// Background painted before the layers (white; alpha 0 gives a transparent PNG).
    Color background = white;
    /// Remarks a plot function made about its input (NaN values dropped, ...). Never printed.
    std::vector<std::string> warnings;

    /// Appends a drawing layer; layers are drawn in order for every output.
    void add(Layer layer) { layers_.push_back(std::move(layer)); }
    [[nodiscard]] std::size_t num_layers() const noexcept { return layers_.size(); }

    /// Panels' data coordinates, in the order the plot functions made them.
    [[nodiscard]] std::vector<Axes>& axes() noexcept { return axes_; }
    [[nodiscard]] const std::vector<Axes>& axes() const noexcept { return axes_; }

    /// Size in pixels of the PNG written at `dpi`.
    [[nodiscard]] std::pair<int, int> pixel_size(double dpi = SaveOptions{}.dpi) const {
        const double s = dpi / 72.0;
        return {static_cast<int>(std::ceil(width_ * s - 1e-9)), static_cast<int>(std::ceil(height_ * s - 1e-9))};
    }

    /// Draws the background and all layers onto `canvas` in this figure's coordinates (what
    /// `render` does for a whole file; `figure_grid` uses it to place figures as panels).
    void draw(Canvas& canvas) const {
        cairo_t* cr = canvas.native();
        cairo_save(cr);
        cairo_rectangle(cr, 0, 0, width_, height_);
        cairo_clip(cr);
        cairo_set_source_rgba(cr, background.r, background.g, background.b, background.a);
        cairo_paint(cr);
        for (const auto& layer : layers_) {
            cairo_save(cr);
            layer(canvas);
            cairo_restore(cr);
        }
        cairo_restore(cr);
    }

    /// Renders the figure to the bytes of a PNG, SVG or PDF file.
    [[nodiscard]] std::string render(Format format, const SaveOptions& options = {}) const {
        if (!(options.dpi >= 10 && options.dpi <= 2400))
            fail_argument("c2s::plot::Figure::render", "'dpi' is ", options.dpi, "; use a value in [10, 2400]");
        std::string bytes;
        std::vector<detail::TextRecord> texts;
        detail::SurfacePtr surface;
        double scale = 1;
        if (format == Format::png) {
            scale = options.dpi / 72.0;
            const auto [w, h] = pixel_size(options.dpi);
            surface.reset(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h));
        } else if (format == Format::svg) {
            surface.reset(cairo_svg_surface_create_for_stream(detail::append_bytes, &bytes, width_, height_));
        } else {
            surface.reset(cairo_pdf_surface_create_for_stream(detail::append_bytes, &bytes, width_, height_));
            cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "cell2structure c2s::plot");
        }
        detail::check_status(cairo_surface_status(surface.get()), "creating the surface");
        {
            detail::ContextPtr cr(cairo_create(surface.get()));
            detail::check_status(cairo_status(cr.get()), "creating the context");
            cairo_scale(cr.get(), scale, scale);
            cairo_set_source_rgba(cr.get(), background.r, background.g, background.b, background.a);
            cairo_set_operator(cr.get(), CAIRO_OPERATOR_SOURCE);
            cairo_paint(cr.get());
            cairo_set_operator(cr.get(), CAIRO_OPERATOR_OVER);
            Canvas canvas(cr.get(), format == Format::svg && options.svg_text_layer ? &texts : nullptr);
            for (const auto& layer : layers_) {
                cairo_save(cr.get());
                layer(canvas);
                cairo_restore(cr.get());
                detail::check_status(cairo_status(cr.get()), "drawing");
            }
        }
        if (format == Format::png) {
            cairo_surface_flush(surface.get());
            detail::check_status(cairo_surface_write_to_png_stream(surface.get(), detail::append_bytes, &bytes),
                                 "encoding the PNG");
        } else {
            cairo_surface_finish(surface.get());
            detail::check_status(cairo_surface_status(surface.get()), "finishing the file");
        }
        if (format == Format::svg) {
            // cairo 1.16 does not pass CAIRO_FILTER_NEAREST on to SVG: ask viewers not to blur
            // images (heat-map cells would smear into each other).
            const auto svg_open = bytes.find("<svg");
            const auto svg_end = svg_open == std::string::npos ? svg_open : bytes.find('>', svg_open);
            if (svg_end == std::string::npos) fail_runtime("c2s::plot::Figure::render", "cairo wrote an SVG without <svg>");
            bytes.insert(svg_end + 1, "\n<style type=\"text/css\">image{image-rendering:optimizeSpeed;"
                                      "image-rendering:pixelated}</style>");
        }
        if (format == Format::svg && !texts.empty()) {
            const auto end = bytes.rfind("</svg>");
            if (end == std::string::npos) fail_runtime("c2s::plot::Figure::render", "cairo wrote an SVG without </svg>");
            std::string layer = "<g id=\"c2s-text\" fill-opacity=\"0\" font-family=\"DejaVu Sans, sans-serif\">\n";
            for (const auto& t : texts) {
                layer += concat("<text transform=\"translate(", t.anchor.x, " ", t.anchor.y, ") rotate(", -t.angle,
                                ")\" x=\"", t.dx, "\" y=\"", t.dy, "\" font-size=\"", t.size, "\"",
                                t.bold ? " font-weight=\"bold\"" : "", ">", detail::xml_escape(t.text), "</text>\n");
            }
            layer += "</g>\n";
            bytes.insert(end, layer);
        }
        return bytes;
    }

    /// Renders and writes `path` (format by extension) atomically; see the file comment.
    void save(const std::filesystem::path& path, const SaveOptions& options = {}) const {
        const Format format = format_of(path);
        const std::string bytes = render(format, options);
        io::write_file_atomically(path, bytes);
    }

private:
    double width_, height_;
    std::vector<Layer> layers_;
    std::vector<Axes> axes_;
};

/// Reads a PNG file into 8-bit RGBA (not premultiplied).
[[nodiscard]] inline RgbaImage read_png(const std::filesystem::path& path) {
    detail::SurfacePtr surface(cairo_image_surface_create_from_png(path.c_str()));
    const cairo_status_t st = cairo_surface_status(surface.get());
    if (st != CAIRO_STATUS_SUCCESS)
        fail_runtime("c2s::plot::read_png", "cannot read '", path.string(), "': ", cairo_status_to_string(st));
    cairo_surface_flush(surface.get());
    RgbaImage img;
    img.width = cairo_image_surface_get_width(surface.get());
    img.height = cairo_image_surface_get_height(surface.get());
    const int stride = cairo_image_surface_get_stride(surface.get());
    const cairo_format_t fmt = cairo_image_surface_get_format(surface.get());
    const unsigned char* data = cairo_image_surface_get_data(surface.get());
    img.rgba.resize(static_cast<std::size_t>(img.width) * static_cast<std::size_t>(img.height) * 4);
    for (int y = 0; y < img.height; ++y) {
        for (int x = 0; x < img.width; ++x) {
            std::uint8_t* out = &img.rgba[(static_cast<std::size_t>(y) * static_cast<std::size_t>(img.width) +
                                           static_cast<std::size_t>(x)) * 4];
            if (fmt == CAIRO_FORMAT_A8) {
                const std::uint8_t a = data[static_cast<std::ptrdiff_t>(y) * stride + x];
                out[0] = out[1] = out[2] = 0;
                out[3] = a;
                continue;
            }
            std::uint32_t px;
            std::memcpy(&px, data + static_cast<std::ptrdiff_t>(y) * stride + 4 * x, 4);
            const std::uint32_t a = fmt == CAIRO_FORMAT_RGB24 ? 255 : px >> 24;
            auto un = [a](std::uint32_t v) {
                return static_cast<std::uint8_t>(a == 0 ? 0 : std::min<std::uint32_t>(255, (v * 255 + a / 2) / a));
            };
            out[0] = un((px >> 16) & 0xff);
            out[1] = un((px >> 8) & 0xff);
            out[2] = un(px & 0xff);
            out[3] = static_cast<std::uint8_t>(a);
        }
    }
    return img;
}

}  // namespace c2s::plot
