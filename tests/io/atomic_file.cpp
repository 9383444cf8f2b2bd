#include <stdexcept>

#include "c2s/io/atomic_file.hpp"
#include "c2s/io/csv.hpp"
#include "test_support.hpp"

TEST_CASE("AtomicFile: nothing appears at the target until commit, no temporary is left") {
    c2s::test::TempDir dir;
    const auto target = dir / "sub" / "out.txt";
    {
        c2s::io::AtomicFile f(target);
        f.stream() << "partial";
        CHECK_FALSE(std::filesystem::exists(target));
        CHECK(std::filesystem::exists(f.temporary()));
    }  // abandoned: e.g. an exception while writing
    CHECK_FALSE(std::filesystem::exists(target));
    CHECK(c2s::test::count_files(dir / "sub") == 0);

    c2s::test::write_text(target, "old");
    try {
        c2s::io::AtomicFile f(target);
        f.stream() << "new but failing";
        throw std::runtime_error("writer failed");
    } catch (const std::runtime_error&) {
    }
    CHECK(c2s::io::read_file(target) == "old");  // the previous file is untouched

    {
        c2s::io::AtomicFile f(target);
        f.stream() << "complete";
        f.commit();
    }
    CHECK(c2s::io::read_file(target) == "complete");
    CHECK(c2s::test::count_files(dir / "sub") == 1);
}
