#include <fstream>
#include <sstream>

#include "c2s/plot/color.hpp"
#include "test_support.hpp"

using namespace c2s::plot;

namespace {
struct Reference {
    std::string map;
    double t;
    Color color;
};
std::vector<Reference> load_references() {
    std::ifstream in(c2s::test::fixture("plot/colormaps.csv"));
    REQUIRE(in);
    std::vector<Reference> out;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#' || line.starts_with("colormap")) continue;
        std::stringstream s(line);
        std::string f[5];
        for (auto& x : f) std::getline(s, x, ',');
        out.push_back({f[0], std::stod(f[1]), {std::stod(f[2]), std::stod(f[3]), std::stod(f[4]), 1}});
    }
    return out;
}
}  // namespace

TEST_CASE("colormaps match matplotlib at fixed positions (fixture from make_colormaps.py)") {
    const auto refs = load_references();
    REQUIRE(refs.size() > 60);
    double worst = 0;
    int checked = 0;
    for (const auto& r : refs) {
        Color got;
        if (r.map == "tab10") got = category_color(static_cast<std::size_t>(r.t));
        else got = colormap_color(parse_colormap(r.map), r.t);
        const double d = std::max({std::abs(got.r - r.color.r), std::abs(got.g - r.color.g), std::abs(got.b - r.color.b)});
        INFO(r.map << " at " << r.t << ": got " << got.r << "," << got.g << "," << got.b << " matplotlib "
                   << r.color.r << "," << r.color.g << "," << r.color.b);
        // matplotlib looks up the nearest of 256 entries; c2s interpolates 65 knots of the same
        // map, so the two differ by at most about one entry step (< 1% of full scale).
        CHECK(d < (r.map == "tab10" ? 1e-6 : 0.01));
        worst = std::max(worst, d);
        ++checked;
    }
    MESSAGE("largest channel difference to matplotlib over " << checked << " points: " << worst);
    // The ends are exact knots.
    CHECK(colormap_color(Colormap::viridis, 0.0).r == doctest::Approx(0.267004).epsilon(1e-6));
    CHECK(colormap_color(Colormap::viridis, 1.0).g == doctest::Approx(0.906157).epsilon(1e-6));
}

TEST_CASE("colormap_color clamps, maps NaN to grey - ColorScale normalises") {
    CHECK(colormap_color(Colormap::viridis, -3.0) == colormap_color(Colormap::viridis, 0.0));
    CHECK(colormap_color(Colormap::viridis, 7.0) == colormap_color(Colormap::viridis, 1.0));
    CHECK(colormap_color(Colormap::magma, std::nan("")) == nan_grey);
    const ColorScale s{Colormap::gray, 10, 20};
    CHECK(s(15).r == doctest::Approx(0.5));
    CHECK(s(25).r == doctest::Approx(1.0));
    CHECK(s(std::nan("")) == nan_grey);
    // Diverging map: the middle is near white, the ends blue (low) and red (high).
    const Color mid = colormap_color(Colormap::rdbu, 0.5), low = colormap_color(Colormap::rdbu, 0), high = colormap_color(Colormap::rdbu, 1);
    CHECK(mid.r > 0.9);
    CHECK(mid.b > 0.9);
    CHECK(low.b > low.r);
    CHECK(high.r > high.b);
}

TEST_CASE("Color::hex and parse_colormap reject bad text with the value in the message") {
    CHECK(Color::hex("#ff8000").rgba8() == std::array<std::uint8_t, 4>{255, 128, 0, 255});
    CHECK(Color::hex("#00000080").a == doctest::Approx(128 / 255.0));
    C2S_CHECK_THROWS_WITH_SUBSTR(Color::hex("red"), std::invalid_argument, "c2s::plot::Color::hex: 'red'");
    C2S_CHECK_THROWS_WITH_SUBSTR(Color::hex("#12345g"), std::invalid_argument, "'#12345g'");
    C2S_CHECK_THROWS_WITH_SUBSTR(parse_colormap("jet"), std::invalid_argument, "unknown colormap 'jet'");
    CHECK(parse_colormap("RdBu_r") == Colormap::rdbu);
}
