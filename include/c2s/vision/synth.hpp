#pragma once
/// @file synth.hpp
/// @brief Synthetic BBBC021-like plates: 16-bit DAPI/Tubulin/Actin TIFFs in the BBBC021 folder
/// layout with the three index CSVs, so `c2s::data::bbbc021::load(root)` reads them.
///
/// Each field of view is rendered from cells whose density, nucleus size/shape/brightness and
/// cytoskeleton (microtubule fibres, spindle asters, cortical actin, actin puncta) depend on the
/// treatment's MoA (a fixed phenotype table, see `phenotype_of`). Each plate has its own per-channel
/// gain, background level and background gradient: a batch effect that per-plate normalisation or
/// ComBat can remove. Everything is a deterministic function of `SynthOptions::seed`.
/// Needs libtiff (target `c2s::vision`); does not need LibTorch.

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/core/parallelize.hpp"
#include "c2s/core/progress.hpp"
#include "c2s/io/csv.hpp"
#include "c2s/vision/tiff.hpp"

namespace c2s::vision {

/// One treatment of a synthetic plate.
struct SynthTreatment {
    std::string compound;
    double concentration = 0;  ///< micromolar
    std::string moa;
};

/// The default treatments: two real BBBC021 compounds (with one of their real concentrations) for
/// each of the 12 MoAs, plus DMSO.
[[nodiscard]] inline std::vector<SynthTreatment> default_synth_treatments() {
    return {{"cytochalasin B", 10, "Actin disruptors"},
            {"latrunculin B", 1, "Actin disruptors"},
            {"AZ258", 1, "Aurora kinase inhibitors"},
            {"AZ841", 1, "Aurora kinase inhibitors"},
            {"mevinolin/lovastatin", 15, "Cholesterol-lowering"},
            {"simvastatin", 20, "Cholesterol-lowering"},
            {"chlorambucil", 10, "DNA damage"},
            {"cisplatin", 10, "DNA damage"},
            {"camptothecin", 0.03, "DNA replication"},
            {"methotrexate", 10, "DNA replication"},
            {"AZ-C", 0.1, "Eg5 inhibitors"},
            {"AZ138", 1, "Eg5 inhibitors"},
            {"PP-2", 10, "Epithelial"},
            {"AZ-J", 10, "Epithelial"},
            {"PD-169316", 10, "Kinase inhibitors"},
            {"alsterpaullone", 3, "Kinase inhibitors"},
            {"nocodazole", 1, "Microtubule destabilizers"},
            {"vincristine", 0.1, "Microtubule destabilizers"},
            {"taxol", 1, "Microtubule stabilizers"},
            {"epothilone B", 0.3, "Microtubule stabilizers"},
            {"MG-132", 3, "Protein degradation"},
            {"lactacystin", 10, "Protein degradation"},
            {"emetine", 0.3, "Protein synthesis"},
            {"cyclohexamide", 15, "Protein synthesis"},
            {"DMSO", 0, "DMSO"}};
}

struct SynthOptions {
    int weeks = 3;             ///< batches; plates are named Week<w>_<id>
    int plates_per_week = 1;
    int sites_per_well = 2;    ///< fields of view per well
    int dmso_wells = 2;        ///< DMSO wells per plate (other treatments get one well per plate)
    std::uint32_t width = 1280;   ///< field width in pixels (BBBC021: 1280)
    std::uint32_t height = 1024;  ///< field height in pixels (BBBC021: 1024)
    /// Cell size relative to BBBC021's resolution; 1 gives nuclei of about 11 pixels radius.
    double pixel_scale = 1.0;
    /// Cells per BBBC021-sized field for DMSO (scaled by field area / pixel_scale²).
    double cells_per_field = 90;
    /// Strength of the per-plate batch effect (gain, background level and gradient); 0 = none.
    double batch_effect = 1.0;
    std::uint64_t seed = 1;
    std::vector<SynthTreatment> treatments = default_synth_treatments();
    /// Optional: compound→SMILES table written to BBBC021_v1_compound.csv (empty SMILES otherwise).
    std::function<std::string(const std::string&)> smiles_of;
    int num_threads = 1;
    Progress* progress = nullptr;
};

/// Appearance of a MoA in the synthetic images (DMSO = the neutral values).
struct Phenotype {
    double density = 1.0;            ///< cells relative to DMSO
    double nucleus_radius = 1.0;     ///< relative nucleus radius
    double nucleus_elongation = 1.2; ///< major/minor axis ratio
    double nucleus_brightness = 1.0;
    double cell_radius = 2.6;        ///< cell radius in nucleus radii
    double cell_elongation = 1.3;
    double tubulin = 1.0;            ///< tubulin brightness
    double tubulin_fibres = 0.3;     ///< fibre modulation 0..1
    double tubulin_aster = 0.0;      ///< bright spindle aster next to the nucleus (mitotic arrest)
    double actin_cortex = 1.0;       ///< cortical actin ring
    double actin_puncta = 0.0;       ///< punctate actin aggregates
    double fragmented = 0.0;         ///< fraction of cells with fragmented / micro-nuclei
};

/// The phenotype table of the synthetic generator. Unknown MoAs get DMSO's phenotype.
[[nodiscard]] inline Phenotype phenotype_of(const std::string& moa) {
    Phenotype p;
    if (moa == "Actin disruptors") { p.actin_cortex = 0.25; p.actin_puncta = 1.0; p.cell_elongation = 1.0; p.cell_radius = 2.2; }
    else if (moa == "Aurora kinase inhibitors") { p.nucleus_radius = 1.6; p.nucleus_brightness = 0.8; p.density = 0.6; p.cell_radius = 2.3; p.fragmented = 0.2; }
    else if (moa == "Cholesterol-lowering") { p.density = 0.85; p.cell_elongation = 1.8; p.actin_cortex = 1.4; p.tubulin = 0.9; }
    else if (moa == "DNA damage") { p.nucleus_radius = 1.3; p.density = 0.7; p.fragmented = 0.35; p.nucleus_brightness = 1.15; }
    else if (moa == "DNA replication") { p.nucleus_radius = 1.2; p.nucleus_brightness = 1.3; p.density = 0.75; p.nucleus_elongation = 1.05; }
    else if (moa == "Eg5 inhibitors") { p.nucleus_radius = 0.8; p.nucleus_brightness = 1.7; p.nucleus_elongation = 1.0; p.cell_radius = 1.7; p.cell_elongation = 1.0; p.tubulin_aster = 1.0; p.tubulin_fibres = 0.05; }
    else if (moa == "Epithelial") { p.density = 1.3; p.cell_radius = 2.0; p.cell_elongation = 1.05; p.actin_cortex = 1.8; }
    else if (moa == "Kinase inhibitors") { p.cell_elongation = 2.2; p.cell_radius = 3.0; p.density = 0.9; p.tubulin_fibres = 0.5; }
    else if (moa == "Microtubule destabilizers") { p.tubulin = 0.6; p.tubulin_fibres = 0.0; p.cell_radius = 1.8; p.cell_elongation = 1.0; p.nucleus_brightness = 1.4; p.fragmented = 0.25; p.nucleus_radius = 0.9; }
    else if (moa == "Microtubule stabilizers") { p.tubulin = 1.8; p.tubulin_fibres = 0.9; p.tubulin_aster = 0.4; p.cell_radius = 2.4; p.nucleus_brightness = 1.2; p.fragmented = 0.3; }
    else if (moa == "Protein degradation") { p.density = 0.8; p.tubulin = 1.3; p.actin_puncta = 0.4; p.nucleus_radius = 1.1; }
    else if (moa == "Protein synthesis") { p.density = 0.55; p.cell_radius = 2.1; p.tubulin = 0.75; p.actin_cortex = 0.7; p.nucleus_radius = 0.9; }
    return p;
}

/// What `generate_synthetic_plates` wrote.
struct SynthResult {
    std::filesystem::path root;  ///< holds BBBC021_v1_{image,compound,moa}.csv and Week*/ folders
    std::size_t images = 0, plates = 0;
    std::vector<std::string> plate_names;
};

namespace detail {

inline std::uint64_t mix64(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}
inline std::uint64_t hash_text(std::uint64_t h, const std::string& s) {
    for (unsigned char c : s) h = mix64(h ^ c);
    return h;
}

struct SynthField {
    std::string plate, well, compound, moa;
    double concentration = 0;
    int site = 1, replicate = 1, plate_index = 0;
    std::string files[3];  // relative to root
};

/// Renders one field of view (3 channels, 16-bit) into `out[c]`.
inline void render_field(const SynthOptions& o, const SynthField& f, const std::array<double, 9>& plate_params,
                         std::array<std::vector<std::uint16_t>, 3>& out) {
    const std::uint32_t W = o.width, H = o.height;
    std::array<std::vector<float>, 3> ch;
    for (auto& c : ch) c.assign(static_cast<std::size_t>(W) * H, 0.f);
    std::mt19937_64 rng(hash_text(hash_text(o.seed, f.plate), f.well + "_s" + std::to_string(f.site)));
    std::uniform_real_distribution<double> U(0.0, 1.0);
    std::normal_distribution<double> N(0.0, 1.0);
    const Phenotype p = phenotype_of(f.moa);
    const double s = o.pixel_scale;
    const double area_ratio = (double(W) * H) / (1280.0 * 1024.0) / (s * s);
    const double mean_cells = o.cells_per_field * p.density * area_ratio;
    const int cells = std::max(1, static_cast<int>(std::lround(mean_cells * (0.85 + 0.3 * U(rng)))));
    const double PI = 3.14159265358979323846;

    auto splat = [&](std::vector<float>& img, double cx, double cy, double radius, double value) {
        // small Gaussian spot
        const int r = static_cast<int>(std::ceil(3 * radius));
        for (int y = std::max(0, int(cy) - r); y <= std::min(int(H) - 1, int(cy) + r); ++y)
            for (int x = std::max(0, int(cx) - r); x <= std::min(int(W) - 1, int(cx) + r); ++x) {
                const double d2 = ((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (radius * radius);
                img[static_cast<std::size_t>(y) * W + x] += static_cast<float>(value * std::exp(-0.5 * d2));
            }
    };

    for (int k = 0; k < cells; ++k) {
        const double cx = U(rng) * W, cy = U(rng) * H;
        const double rn = 11.0 * s * p.nucleus_radius * (0.85 + 0.3 * U(rng));
        const double en = p.nucleus_elongation * (0.9 + 0.2 * U(rng));
        const double an = U(rng) * PI;
        const double rc = rn * p.cell_radius * (0.85 + 0.3 * U(rng));
        const double ec = p.cell_elongation * (0.85 + 0.3 * U(rng));
        const double ac = U(rng) * PI;
        const double bright = p.nucleus_brightness * (0.8 + 0.4 * U(rng));
        const double phase = U(rng) * 2 * PI;
        const int fibres = 5 + static_cast<int>(U(rng) * 6);
        const bool fragmented = U(rng) < p.fragmented;
        const double ca = std::cos(an), sa = std::sin(an), cc = std::cos(ac), sc = std::sin(ac);
        const int R = static_cast<int>(std::ceil(rc * std::max(ec, 1.0) * 1.3)) + 2;
        for (int y = std::max(0, int(cy) - R); y <= std::min(int(H) - 1, int(cy) + R); ++y)
            for (int x = std::max(0, int(cx) - R); x <= std::min(int(W) - 1, int(cx) + R); ++x) {
                const double dx = x - cx, dy = y - cy;
                const std::size_t i = static_cast<std::size_t>(y) * W + x;
                // nucleus: super-Gaussian ellipse with a little texture
                const double u = (dx * ca + dy * sa) / (rn * std::sqrt(en)), v = (-dx * sa + dy * ca) * std::sqrt(en) / rn;
                const double rr = u * u + v * v;
                if (!fragmented)
                    ch[0][i] += static_cast<float>(bright * std::exp(-rr * rr) * (0.9 + 0.1 * std::cos(3 * u + 5 * v + phase)));
                // cell body (ellipse in cell frame)
                const double cu = (dx * cc + dy * sc) / (rc * std::sqrt(ec)), cv = (-dx * sc + dy * cc) * std::sqrt(ec) / rc;
                const double cr = std::sqrt(cu * cu + cv * cv);
                const double body = 1.0 / (1.0 + std::exp((cr - 1.0) * 10.0));
                const double theta = std::atan2(cv, cu);
                const double fib = 1.0 - p.tubulin_fibres + p.tubulin_fibres * std::pow(0.5 + 0.5 * std::cos(fibres * theta + phase), 4.0);
                ch[1][i] += static_cast<float>(0.55 * p.tubulin * body * fib * (0.6 + 0.4 * cr));
                // actin: cortical ring at the cell edge + faint body
                const double ring = std::exp(-std::pow((cr - 0.95) / 0.12, 2.0));
                ch[2][i] += static_cast<float>(0.6 * p.actin_cortex * ring + 0.12 * body);
            }
        if (fragmented) {  // micronuclei: a few small bright fragments
            const int pieces = 3 + static_cast<int>(U(rng) * 4);
            for (int q = 0; q < pieces; ++q)
                splat(ch[0], cx + N(rng) * rn * 0.8, cy + N(rng) * rn * 0.8, rn * 0.3, 1.3 * bright);
        }
        if (p.tubulin_aster > 0) splat(ch[1], cx + rn * 0.9 * std::cos(phase), cy + rn * 0.9 * std::sin(phase),
                                       rn * 0.45, 1.4 * p.tubulin_aster);
        if (p.actin_puncta > 0) {
            const int dots = static_cast<int>(6 * p.actin_puncta) + 1;
            for (int q = 0; q < dots; ++q) {
                const double t = U(rng) * 2 * PI, rad = rc * std::sqrt(U(rng));
                splat(ch[2], cx + rad * std::cos(t), cy + rad * std::sin(t), 1.8 * s, 1.6 * p.actin_puncta);
            }
        }
    }
    // plate batch effect: per-channel gain, background level and a linear background gradient
    const double base_level[3] = {2200, 1500, 1700}, base_bg[3] = {160, 220, 200};
    for (int c = 0; c < 3; ++c) {
        const double gain = plate_params[static_cast<std::size_t>(3 * 0 + c)];
        const double bg = plate_params[static_cast<std::size_t>(3 * 1 + c)];
        const double grad = plate_params[static_cast<std::size_t>(3 * 2 + c)];
        for (std::uint32_t y = 0; y < H; ++y)
            for (std::uint32_t x = 0; x < W; ++x) {
                const std::size_t i = static_cast<std::size_t>(y) * W + x;
                const double ramp = (double(x) / W - 0.5) + 0.5 * (double(y) / H - 0.5);
                double v = base_bg[c] * bg * (1.0 + grad * ramp) + base_level[c] * gain * ch[c][i];
                v += std::sqrt(std::max(v, 1.0)) * 0.8 * N(rng);  // shot noise
                out[c][i] = static_cast<std::uint16_t>(std::clamp(std::lround(v), 0L, 65535L));
            }
    }
}

}  // namespace detail

/**
 * @brief Writes synthetic plates under `root`: `Week<w>/Week<w>_<id>/<well>_s<site>_w<1|2|4><hash>.tif`
 * (DAPI, Tubulin, Actin, 16-bit) and `BBBC021_v1_{image,compound,moa}.csv` as in BBBC021.
 */
inline SynthResult generate_synthetic_plates(const std::filesystem::path& root, const SynthOptions& o = {}) {
    constexpr const char* where = "c2s::vision::generate_synthetic_plates";
    if (o.weeks < 1) fail_argument(where, "'weeks' is ", o.weeks, "; need at least 1");
    if (o.plates_per_week < 1) fail_argument(where, "'plates_per_week' is ", o.plates_per_week, "; need at least 1");
    if (o.sites_per_well < 1) fail_argument(where, "'sites_per_well' is ", o.sites_per_well, "; need at least 1");
    if (o.width < 32 || o.height < 32)
        fail_argument(where, "field size ", o.width, "x", o.height, " is too small; need at least 32x32");
    if (!(o.pixel_scale > 0)) fail_argument(where, "'pixel_scale' is ", o.pixel_scale, "; must be > 0");
    if (o.treatments.empty()) fail_argument(where, "'treatments' is empty");
    for (const auto& t : o.treatments)
        if (t.compound.empty() || t.moa.empty())
            fail_argument(where, "a treatment has an empty compound or MoA ('", t.compound, "', '", t.moa, "')");

    std::vector<detail::SynthField> fields;
    std::vector<std::array<double, 9>> plate_params;
    SynthResult result;
    result.root = root;
    const char* channel_code[3] = {"w1", "w2", "w4"};
    int plate_index = 0;
    for (int w = 1; w <= o.weeks; ++w)
        for (int pl = 0; pl < o.plates_per_week; ++pl, ++plate_index) {
            const std::string week = "Week" + std::to_string(w);
            const std::string plate = week + "_" + std::to_string(20000 + 100 * w + pl);
            result.plate_names.push_back(plate);
            std::mt19937_64 prng(detail::hash_text(o.seed ^ 0x51a7e5ULL, plate));
            std::uniform_real_distribution<double> U(-1.0, 1.0);
            std::array<double, 9> pp{};
            for (int c = 0; c < 3; ++c) {
                pp[static_cast<std::size_t>(c)] = 1.0 + 0.3 * o.batch_effect * U(prng);      // gain
                pp[static_cast<std::size_t>(3 + c)] = 1.0 + 0.5 * o.batch_effect * U(prng);  // background level
                pp[static_cast<std::size_t>(6 + c)] = 0.4 * o.batch_effect * U(prng);        // background gradient
            }
            plate_params.push_back(pp);
            // wells: treatments in order, then DMSO wells; rows B..G, columns 2..11
            std::vector<const SynthTreatment*> wells;
            const SynthTreatment* dmso = nullptr;
            for (const auto& t : o.treatments) {
                if (t.moa == "DMSO") dmso = &t;
                else wells.push_back(&t);
            }
            static const SynthTreatment default_dmso{"DMSO", 0, "DMSO"};
            for (int d = 0; d < o.dmso_wells; ++d) wells.push_back(dmso ? dmso : &default_dmso);
            if (wells.size() > 60)
                fail_argument(where, wells.size(), " wells per plate exceed the 60 wells (B..G x 2..11) used");
            for (std::size_t k = 0; k < wells.size(); ++k) {
                const std::size_t column = 2 + k % 10;  // BBBC021 writes wells as B02 .. G11
                const std::string well = std::string(1, static_cast<char>('B' + k / 10)) + (column < 10 ? "0" : "") +
                                         std::to_string(column);
                for (int site = 1; site <= o.sites_per_well; ++site) {
                    detail::SynthField f;
                    f.plate = plate;
                    f.well = well;
                    f.compound = wells[k]->compound;
                    f.moa = wells[k]->moa;
                    f.concentration = wells[k]->concentration;
                    f.site = site;
                    f.replicate = pl + 1;
                    f.plate_index = plate_index;
                    for (int c = 0; c < 3; ++c) {
                        const auto h = detail::mix64(detail::hash_text(o.seed, plate + well) + std::uint64_t(site * 3 + c));
                        char hex[17];
                        std::snprintf(hex, sizeof hex, "%016llX", static_cast<unsigned long long>(h));
                        f.files[c] = week + "/" + plate + "/" + well + "_s" + std::to_string(site) + "_" +
                                     channel_code[c] + hex + ".tif";
                    }
                    fields.push_back(std::move(f));
                }
            }
        }
    result.plates = plate_params.size();
    std::atomic<std::size_t> done{0};
    parallelize(o.num_threads, fields.size(), [&](int, std::size_t start, std::size_t length) {
        std::array<std::vector<std::uint16_t>, 3> px;
        for (auto& c : px) c.resize(static_cast<std::size_t>(o.width) * o.height);
        for (std::size_t i = start; i < start + length; ++i) {
            if (o.progress) o.progress->check_interrupt(where);
            detail::render_field(o, fields[i], plate_params[static_cast<std::size_t>(fields[i].plate_index)], px);
            for (int c = 0; c < 3; ++c) write_tiff(root / fields[i].files[c], px[static_cast<std::size_t>(c)], o.width, o.height, 16);
            const auto n = ++done;
            if (o.progress && start == 0) o.progress->report(n, fields.size(), "synthetic fields");
        }
    });
    // index CSVs, BBBC021 format
    std::vector<std::vector<std::string>> rows;
    int number = 1;
    for (const auto& f : fields) {
        std::vector<std::string> row{"1", std::to_string(number++)};
        for (int c = 0; c < 3; ++c) {
            const auto slash = f.files[c].rfind('/');
            row.push_back(f.files[c].substr(slash + 1));
            row.push_back(f.files[c].substr(0, slash));
        }
        char conc[32];
        std::snprintf(conc, sizeof conc, "%.6f", f.concentration);
        row.insert(row.end(), {f.plate, f.well, std::to_string(f.replicate), f.compound, conc});
        rows.push_back(std::move(row));
    }
    io::write_csv(root / "BBBC021_v1_image.csv",
                  {"TableNumber", "ImageNumber", "Image_FileName_DAPI", "Image_PathName_DAPI", "Image_FileName_Tubulin",
                   "Image_PathName_Tubulin", "Image_FileName_Actin", "Image_PathName_Actin", "Image_Metadata_Plate_DAPI",
                   "Image_Metadata_Well_DAPI", "Replicate", "Image_Metadata_Compound", "Image_Metadata_Concentration"},
                  rows);
    std::vector<std::vector<std::string>> compounds, moas;
    for (const auto& t : o.treatments) {
        bool seen = false;
        for (const auto& c : compounds) seen = seen || c[0] == t.compound;
        if (!seen) compounds.push_back({t.compound, o.smiles_of ? o.smiles_of(t.compound) : std::string()});
        char conc[32];
        std::snprintf(conc, sizeof conc, "%.6f", t.concentration);
        moas.push_back({t.compound, conc, t.moa});
    }
    bool has_dmso = false;
    for (const auto& c : compounds) has_dmso = has_dmso || c[0] == "DMSO";
    if (!has_dmso && o.dmso_wells > 0) {
        compounds.push_back({"DMSO", o.smiles_of ? o.smiles_of("DMSO") : std::string()});
        moas.push_back({"DMSO", "0.000000", "DMSO"});
    }
    io::write_csv(root / "BBBC021_v1_compound.csv", {"compound", "smiles"}, compounds);
    io::write_csv(root / "BBBC021_v1_moa.csv", {"compound", "concentration", "moa"}, moas);
    result.images = fields.size();
    return result;
}

}  // namespace c2s::vision
