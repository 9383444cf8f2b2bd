#pragma once
/// @file bbbc021.hpp
/// @brief BBBC021 (Caie et al. 2010; Ljosa et al. 2013): image index, compounds, MoA annotation
/// and the per-well CellProfiler profiles, joined into one sample table.
///
/// Two MoA joins are offered:
/// - `MoaJoin::compound_concentration` (the official ground truth of Ljosa et al.): an image has a
///   MoA when its (compound, concentration) treatment is listed in BBBC021_v1_moa.csv; this gives
///   103 treatments of 38 compounds in 12 MoAs, plus DMSO.
/// - `MoaJoin::compound` (what the founding study did): an image has a MoA when its compound is
///   listed at any concentration.
/// The week (`Week4` of plate `Week4_27481`) is the batch of the NSCB protocol.
/// @see Ljosa V, et al. (2013) J Biomol Screen 18(10):1321-1329.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/io/csv.hpp"
#include "c2s/io/table.hpp"

namespace c2s::data::bbbc021 {

enum class MoaJoin { compound_concentration, compound };

[[nodiscard]] inline const char* to_string(MoaJoin join) noexcept {
    return join == MoaJoin::compound ? "compound" : "compound+concentration";
}
/// Parses "compound" or "compound+concentration" (also "cc", "treatment").
[[nodiscard]] inline MoaJoin parse_moa_join(std::string_view text) {
    if (text == "compound") return MoaJoin::compound;
    if (text == "compound+concentration" || text == "cc" || text == "treatment")
        return MoaJoin::compound_concentration;
    fail_argument("c2s::data::bbbc021::parse_moa_join", "'join' is '", text,
                  "'; expected 'compound+concentration' or 'compound'");
}

/// Channel order of the founding study and of `Image::files`.
inline constexpr const char* channel_names[3] = {"DAPI", "Tubulin", "Actin"};

struct Image {
    int table_number = 0;
    int image_number = 0;
    std::string plate;   ///< e.g. Week4_27481
    std::string week;    ///< e.g. Week4 (batch)
    std::string well;    ///< e.g. G10
    char well_row = 0;   ///< 'G'
    int well_column = 0; ///< 10
    int site = 0;        ///< field of view within the well (1-based, from the file name)
    int replicate = 0;
    std::string compound;
    double concentration = 0;  ///< micromolar
    std::string moa;           ///< empty when not annotated under the chosen join
    std::string smiles;        ///< empty when the compound has none
    /// DAPI, Tubulin, Actin file paths relative to the image root (PathName/FileName).
    std::string files[3];
};

struct Compound {
    std::string name;
    std::string smiles;
};

struct Treatment {
    std::string compound;
    double concentration = 0;
    std::string moa;
};

struct Summary {
    MoaJoin join = MoaJoin::compound_concentration;
    std::size_t images = 0, images_with_moa = 0, plates = 0, weeks = 0, wells = 0;
    /// Counts among annotated samples, DMSO excluded.
    std::size_t treatments = 0, compounds = 0, moas = 0;
    std::size_t dmso_images = 0, dmso_wells = 0;
    /// Annotated compounds (DMSO excluded) that have no SMILES.
    std::vector<std::string> compounds_without_smiles;
    /// Annotated (compound, concentration) pairs of the MoA table that no image carries.
    std::size_t moa_rows_without_images = 0;
};

struct Dataset {
    MoaJoin join = MoaJoin::compound_concentration;
    std::vector<Image> images;
    std::vector<Compound> compounds;
    /// The MoA table (BBBC021_v1_moa.csv), DMSO included.
    std::vector<Treatment> moa_table;
    Summary summary;
};

namespace detail {

inline double parse_concentration(const io::CsvDocument& doc, std::size_t r, std::size_t c) {
    const auto v = io::parse_number(doc.rows[r][c]);
    if (!v || std::isnan(*v))
        fail_runtime("c2s::data::bbbc021::load", "'", doc.source, "' line ", doc.lines[r], ", column ", c + 1,
                     ": concentration '", doc.rows[r][c], "' is not a number");
    return *v;
}
inline int parse_int(const io::CsvDocument& doc, std::size_t r, std::size_t c) {
    const auto v = io::parse_number(doc.rows[r][c]);
    if (!v || std::isnan(*v) || *v != std::floor(*v))
        fail_runtime("c2s::data::bbbc021::load", "'", doc.source, "' line ", doc.lines[r], ", column ", c + 1,
                     ": '", doc.rows[r][c], "' is not an integer");
    return static_cast<int>(*v);
}
/// Concentrations as keys: BBBC021 writes them with 6 decimals, so round to 1e-9 µM.
inline long long concentration_key(double c) { return std::llround(c * 1e9); }

}  // namespace detail

/// Loads BBBC021 from `folder` (holding BBBC021_v1_image.csv, BBBC021_v1_compound.csv and
/// BBBC021_v1_moa.csv) and joins the MoA annotation as `join` says.
[[nodiscard]] inline Dataset load(const std::filesystem::path& folder,
                                  MoaJoin join = MoaJoin::compound_concentration) {
    const auto image_doc = io::read_csv(folder / "BBBC021_v1_image.csv");
    const auto compound_doc = io::read_csv(folder / "BBBC021_v1_compound.csv");
    const auto moa_doc = io::read_csv(folder / "BBBC021_v1_moa.csv");

    Dataset ds;
    ds.join = join;
    std::map<std::string, std::string> smiles_of;
    {
        const auto cn = compound_doc.column("compound"), cs = compound_doc.column("smiles");
        for (std::size_t r = 0; r < compound_doc.num_rows(); ++r) {
            const auto& name = compound_doc.rows[r][cn];
            if (smiles_of.count(name))
                fail_runtime("c2s::data::bbbc021::load", "'", compound_doc.source, "' line ",
                             compound_doc.lines[r], ": compound '", name, "' is listed twice");
            smiles_of[name] = compound_doc.rows[r][cs];
            ds.compounds.push_back({name, compound_doc.rows[r][cs]});
        }
    }
    std::map<std::pair<std::string, long long>, std::string> moa_of_treatment;
    std::map<std::string, std::string> moa_of_compound;
    {
        const auto cn = moa_doc.column("compound"), cc = moa_doc.column("concentration"), cm = moa_doc.column("moa");
        for (std::size_t r = 0; r < moa_doc.num_rows(); ++r) {
            Treatment t{moa_doc.rows[r][cn], detail::parse_concentration(moa_doc, r, cc), moa_doc.rows[r][cm]};
            auto [it, fresh] = moa_of_compound.emplace(t.compound, t.moa);
            if (!fresh && it->second != t.moa)
                fail_runtime("c2s::data::bbbc021::load", "'", moa_doc.source, "' line ", moa_doc.lines[r],
                             ": compound '", t.compound, "' has two MoAs ('", it->second, "' and '", t.moa, "')");
            moa_of_treatment[{t.compound, detail::concentration_key(t.concentration)}] = t.moa;
            ds.moa_table.push_back(std::move(t));
        }
    }

    const auto c_table = image_doc.column("TableNumber"), c_image = image_doc.column("ImageNumber"),
               c_plate = image_doc.column("Image_Metadata_Plate_DAPI"),
               c_well = image_doc.column("Image_Metadata_Well_DAPI"), c_rep = image_doc.column("Replicate"),
               c_comp = image_doc.column("Image_Metadata_Compound"),
               c_conc = image_doc.column("Image_Metadata_Concentration");
    std::size_t c_file[3], c_path[3];
    for (int k = 0; k < 3; ++k) {
        c_file[k] = image_doc.column(std::string("Image_FileName_") + channel_names[k]);
        c_path[k] = image_doc.column(std::string("Image_PathName_") + channel_names[k]);
    }
    std::set<std::pair<std::string, long long>> seen_treatments;
    ds.images.reserve(image_doc.num_rows());
    for (std::size_t r = 0; r < image_doc.num_rows(); ++r) {
        const auto& row = image_doc.rows[r];
        Image im;
        im.table_number = detail::parse_int(image_doc, r, c_table);
        im.image_number = detail::parse_int(image_doc, r, c_image);
        im.plate = row[c_plate];
        const auto underscore = im.plate.find('_');
        if (underscore == std::string::npos || !im.plate.starts_with("Week"))
            fail_runtime("c2s::data::bbbc021::load", "'", image_doc.source, "' line ", image_doc.lines[r],
                         ": plate '", im.plate, "' is not of the form Week<N>_<id>");
        im.week = im.plate.substr(0, underscore);
        im.well = row[c_well];
        if (im.well.size() < 2 || im.well[0] < 'A' || im.well[0] > 'P')
            fail_runtime("c2s::data::bbbc021::load", "'", image_doc.source, "' line ", image_doc.lines[r],
                         ": well '", im.well, "' is not of the form <row letter><column>");
        im.well_row = im.well[0];
        im.well_column = std::stoi(im.well.substr(1));
        im.replicate = detail::parse_int(image_doc, r, c_rep);
        im.compound = row[c_comp];
        im.concentration = detail::parse_concentration(image_doc, r, c_conc);
        for (int k = 0; k < 3; ++k) im.files[k] = row[c_path[k]] + "/" + row[c_file[k]];
        const auto& dapi = row[c_file[0]];
        const auto s = dapi.find("_s");
        if (s != std::string::npos) im.site = std::atoi(dapi.c_str() + s + 2);
        if (auto it = smiles_of.find(im.compound); it != smiles_of.end()) im.smiles = it->second;
        const std::pair<std::string, long long> key{im.compound, detail::concentration_key(im.concentration)};
        if (join == MoaJoin::compound_concentration) {
            if (auto it = moa_of_treatment.find(key); it != moa_of_treatment.end()) im.moa = it->second;
        } else {
            if (auto it = moa_of_compound.find(im.compound); it != moa_of_compound.end()) im.moa = it->second;
        }
        if (!im.moa.empty()) seen_treatments.insert(key);
        ds.images.push_back(std::move(im));
    }

    // Summary.
    Summary& s = ds.summary;
    s.join = join;
    s.images = ds.images.size();
    std::set<std::string> plates, weeks, compounds, moas, no_smiles;
    std::set<std::pair<std::string, std::string>> wells, dmso_wells;
    std::set<std::pair<std::string, long long>> treatments;
    for (const auto& im : ds.images) {
        plates.insert(im.plate);
        weeks.insert(im.week);
        wells.insert({im.plate, im.well});
        if (im.compound == "DMSO") {
            ++s.dmso_images;
            dmso_wells.insert({im.plate, im.well});
        }
        if (im.moa.empty()) continue;
        ++s.images_with_moa;
        if (im.compound == "DMSO") continue;
        treatments.insert({im.compound, detail::concentration_key(im.concentration)});
        compounds.insert(im.compound);
        moas.insert(im.moa);
        if (im.smiles.empty()) no_smiles.insert(im.compound);
    }
    s.plates = plates.size();
    s.weeks = weeks.size();
    s.wells = wells.size();
    s.dmso_wells = dmso_wells.size();
    s.treatments = treatments.size();
    s.compounds = compounds.size();
    s.moas = moas.size();
    s.compounds_without_smiles.assign(no_smiles.begin(), no_smiles.end());
    for (const auto& t : ds.moa_table)
        if (!seen_treatments.count({t.compound, detail::concentration_key(t.concentration)})) ++s.moa_rows_without_images;
    return ds;
}

/// Loads the per-well mean CellProfiler profiles of Ljosa et al. 2013 (`ljosa_2013_per_well_mean.csv.gz`
/// in `folder`) and adds metadata from the image index: Metadata_Plate, Metadata_Well,
/// Metadata_Week, Metadata_Replicate, Metadata_Compound, Metadata_Concentration, Metadata_MoA
/// (empty when not annotated under `join`), Metadata_SMILES.
[[nodiscard]] inline io::Table load_well_profiles(const std::filesystem::path& folder,
                                                  MoaJoin join = MoaJoin::compound_concentration) {
    const Dataset ds = load(folder, join);
    io::Table raw = io::read_table(folder / "ljosa_2013_per_well_mean.csv.gz");
    const auto& plate = raw.metadata_column("Image_Metadata_Plate");
    const auto& well = raw.metadata_column("Image_Metadata_Well");
    std::map<std::pair<std::string, std::string>, const Image*> by_well;
    for (const auto& im : ds.images) by_well.emplace(std::pair{im.plate, im.well}, &im);
    const std::size_t n = raw.num_rows();
    std::vector<std::string> week(n), rep(n), comp(n), conc(n), moa(n), smiles(n);
    for (std::size_t r = 0; r < n; ++r) {
        auto it = by_well.find({plate[r], well[r]});
        if (it == by_well.end())
            fail_runtime("c2s::data::bbbc021::load_well_profiles", "profile row ", r + 1, " (plate '", plate[r],
                         "', well '", well[r], "') has no image in BBBC021_v1_image.csv");
        const Image& im = *it->second;
        week[r] = im.week;
        rep[r] = std::to_string(im.replicate);
        comp[r] = im.compound;
        conc[r] = io::format_number(im.concentration);
        moa[r] = im.moa;
        smiles[r] = im.smiles;
    }
    io::Table out;
    out.features = std::move(raw.features);
    out.feature_names = std::move(raw.feature_names);
    out.metadata_names = {"Metadata_Plate", "Metadata_Well", "Metadata_Week", "Metadata_Replicate",
                          "Metadata_Compound", "Metadata_Concentration", "Metadata_MoA", "Metadata_SMILES"};
    out.metadata = {plate, well, std::move(week), std::move(rep), std::move(comp), std::move(conc),
                    std::move(moa), std::move(smiles)};
    return out;
}

}  // namespace c2s::data::bbbc021
