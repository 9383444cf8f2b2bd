// Parity with scikit-learn 1.2.1 / NumPy 1.24 (fixtures: scripts/fixtures/split/make_split_fixtures.py).

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "c2s/data/bbbc021.hpp"
#include "c2s/io/csv.hpp"
#include "c2s/split/kfold.hpp"
#include "c2s/split/numpy_compat.hpp"
#include "test_support.hpp"

namespace cs = c2s::split;

namespace {

long to_long(const std::string& s) { return std::stol(s); }

template <class G_, class Y_>
void check_case(const std::string& name, std::size_t k, const G_& g, const Y_& y, const std::vector<long>& gkf,
                const std::vector<long>& sgkf, const std::vector<long>& logo) {
    INFO("case " << name << " n_splits=" << k << " n=" << g.size());
    if (gkf[0] < 0) {
        CHECK_THROWS_AS((void)cs::GroupKFold{k}.assign(g), std::invalid_argument);
    } else {
        const auto got = cs::GroupKFold{k}.assign(g);
        std::size_t mismatches = 0;
        for (std::size_t i = 0; i < g.size(); ++i) mismatches += static_cast<long>(got[i]) != gkf[i];
        CHECK_MESSAGE(mismatches == 0, "GroupKFold");
        // The folds themselves: test indices ascending, train = complement.
        const auto folds = cs::GroupKFold{k}.split(g);
        REQUIRE(folds.size() == k);
        for (std::size_t f = 0; f < k; ++f) CHECK(folds[f].train.size() + folds[f].test.size() == g.size());
    }
    if (sgkf[0] < 0) {
        CHECK_THROWS_AS((void)cs::StratifiedGroupKFold{k}.assign(y, g), std::invalid_argument);
    } else {
        const auto got = cs::StratifiedGroupKFold{k}.assign(y, g).fold;
        std::size_t mismatches = 0;
        for (std::size_t i = 0; i < g.size(); ++i) mismatches += static_cast<long>(got[i]) != sgkf[i];
        CHECK_MESSAGE(mismatches == 0, "StratifiedGroupKFold");
    }
    if (logo[0] < 0) {
        CHECK_THROWS_AS((void)cs::LeaveOneGroupOut{}.split(g), std::invalid_argument);
    } else {
        const auto folds = cs::LeaveOneGroupOut{}.split(g);
        const auto got = cs::test_fold_of(folds, g.size());
        std::size_t mismatches = 0;
        for (std::size_t i = 0; i < g.size(); ++i) mismatches += got[i] != logo[i];
        CHECK_MESSAGE(mismatches == 0, "LeaveOneGroupOut");
    }
}

}  // namespace

TEST_CASE("numpy argsort (default quicksort) order of tied keys") {
    const auto doc = c2s::io::read_csv(c2s::test::fixture("split/argsort.csv"));
    std::map<long, std::pair<std::vector<long long>, std::vector<std::size_t>>> cases;
    for (const auto& row : doc.rows) {
        auto& c = cases[to_long(row[0])];
        c.first.push_back(std::stoll(row[1]));
        c.second.push_back(static_cast<std::size_t>(to_long(row[2])));
    }
    REQUIRE(cases.size() == 60);
    for (const auto& [id, c] : cases) {
        INFO("case " << id << " n=" << c.first.size());
        CHECK(cs::numpy_compat::argsort_quicksort(c.first) == c.second);
    }
}

TEST_CASE("numpy argsort's heapsort, alone and as the introsort's fallback past its depth limit") {
    // heapsort cases: np.argsort(kind="heapsort"); adversary cases: np.argsort of inputs built by
    // McIlroy's adversary, which keep the partitions lopsided until the depth limit (fixture script).
    const auto doc = c2s::io::read_csv(c2s::test::fixture("split/argsort_heap.csv"));
    std::map<std::pair<std::string, long>, std::pair<std::vector<long long>, std::vector<std::size_t>>> cases;
    for (const auto& row : doc.rows) {
        auto& c = cases[{row[0], to_long(row[1])}];
        c.first.push_back(std::stoll(row[2]));
        c.second.push_back(static_cast<std::size_t>(to_long(row[3])));
    }
    REQUIRE(cases.size() == 24);
    for (const auto& [key, c] : cases) {
        INFO(key.first << " case " << key.second << " n=" << c.first.size());
        if (key.first == "heapsort") {
            std::vector<std::ptrdiff_t> order(c.first.size());
            for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::ptrdiff_t>(i);
            cs::numpy_compat::detail::arg_heapsort(c.first.data(), order.data(), static_cast<std::ptrdiff_t>(order.size()),
                                                   std::less<long long>{});
            CHECK(std::vector<std::size_t>(order.begin(), order.end()) == c.second);
        } else {
            CHECK(cs::numpy_compat::argsort_quicksort(c.first) == c.second);
        }
    }
}

TEST_CASE("GroupKFold, StratifiedGroupKFold and LeaveOneGroupOut match scikit-learn on random group structures") {
    const auto cases = c2s::io::read_csv(c2s::test::fixture("split/random_cases.csv"));
    const auto samples = c2s::io::read_csv(c2s::test::fixture("split/random_samples.csv"));
    struct Case {
        std::vector<std::string> g, y;
        std::vector<long> gkf, sgkf, logo;
    };
    std::map<long, Case> by_id;
    for (const auto& row : samples.rows) {
        auto& c = by_id[to_long(row[0])];
        c.g.push_back(row[1]);
        c.y.push_back(row[2]);
        c.gkf.push_back(to_long(row[3]));
        c.sgkf.push_back(to_long(row[4]));
        c.logo.push_back(to_long(row[5]));
    }
    REQUIRE(cases.num_rows() == 240);
    std::size_t raised = 0;
    for (const auto& row : cases.rows) {
        const auto& c = by_id.at(to_long(row[0]));
        const auto k = static_cast<std::size_t>(to_long(row[1]));
        raised += c.gkf[0] < 0 || c.sgkf[0] < 0;
        if (row[2] == "str") {
            check_case(row[0], k, c.g, c.y, c.gkf, c.sgkf, c.logo);
        } else {
            std::vector<int> g, y;
            for (const auto& s : c.g) g.push_back(std::stoi(s));
            for (const auto& s : c.y) y.push_back(std::stoi(s));
            check_case(row[0], k, g, y, c.gkf, c.sgkf, c.logo);
        }
    }
    CHECK(raised > 0);  // the error paths are exercised too
}

TEST_CASE("GroupKFold, StratifiedGroupKFold and LeaveOneGroupOut match scikit-learn on the BBBC021 image table") {
    const auto doc = c2s::io::read_csv(c2s::test::fixture("split/bbbc021_folds.csv"));
    namespace bb = c2s::data::bbbc021;
    for (auto join : {bb::MoaJoin::compound_concentration, bb::MoaJoin::compound}) {
        INFO("join " << bb::to_string(join));
        const auto ds = bb::load(c2s::test::bbbc021_folder(), join);
        std::vector<std::string> compound, moa, week;
        std::vector<std::pair<int, int>> ids;
        for (const auto& im : ds.images) {
            if (im.moa.empty()) continue;
            compound.push_back(im.compound);
            moa.push_back(im.moa);
            week.push_back(im.week);
            ids.emplace_back(im.table_number, im.image_number);
        }
        std::vector<std::vector<long>> expected(6);
        std::size_t r = 0;
        for (const auto& row : doc.rows) {
            if (row[0] != bb::to_string(join)) continue;
            REQUIRE(r < ids.size());
            REQUIRE(ids[r] == std::pair{std::stoi(row[1]), std::stoi(row[2])});
            for (std::size_t c = 0; c < 6; ++c) expected[c].push_back(to_long(row[3 + c]));
            ++r;
        }
        REQUIRE(r == ids.size());
        auto same = [&](const std::vector<std::size_t>& got, const std::vector<long>& want) {
            std::size_t mismatches = 0;
            for (std::size_t i = 0; i < got.size(); ++i) mismatches += static_cast<long>(got[i]) != want[i];
            return mismatches;
        };
        CHECK(same(cs::GroupKFold{3}.assign(compound), expected[0]) == 0);
        CHECK(same(cs::GroupKFold{5}.assign(compound), expected[1]) == 0);
        CHECK(same(cs::StratifiedGroupKFold{3}.assign(moa, compound).fold, expected[2]) == 0);
        CHECK(same(cs::StratifiedGroupKFold{5}.assign(moa, compound).fold, expected[3]) == 0);
        const auto logo_c = cs::test_fold_of(cs::LeaveOneGroupOut{}.split(compound), compound.size());
        const auto logo_w = cs::test_fold_of(cs::LeaveOneGroupOut{}.split(week), week.size());
        CHECK(logo_c == expected[4]);
        CHECK(logo_w == expected[5]);
    }
}
