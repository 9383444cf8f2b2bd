#include <atomic>
#include <stdexcept>
#include <vector>

#include "c2s/core/parallelize.hpp"
#include "test_support.hpp"

TEST_CASE("parallelize covers every task exactly once, for any thread count") {
    for (int threads : {0, 1, 2, 3, 7, 64}) {
        for (std::size_t n : {0u, 1u, 2u, 5u, 100u, 1001u}) {
            std::vector<std::atomic<int>> hits(n);
            std::atomic<int> max_thread{-1};
            c2s::parallelize(threads, n, [&](int t, std::size_t start, std::size_t length) {
                int seen = max_thread.load();
                while (t > seen && !max_thread.compare_exchange_weak(seen, t)) {
                }
                for (std::size_t i = start; i < start + length; ++i) hits[i]++;
            });
            for (std::size_t i = 0; i < n; ++i) CHECK(hits[i] == 1);
            if (threads >= 1 && n > 0)
                CHECK(max_thread.load() < std::min<int>(threads, static_cast<int>(n)));
        }
    }
}

TEST_CASE("parallelize rethrows an exception from a worker after joining") {
    std::atomic<int> finished{0};
    CHECK_THROWS_AS(c2s::parallelize(4, 4,
                                     [&](int t, std::size_t, std::size_t) {
                                         if (t == 2) throw std::runtime_error("boom");
                                         finished++;
                                     }),
                    std::runtime_error);
    CHECK(finished == 3);
}

TEST_CASE("resolve_num_threads maps values below 1 to the hardware count") {
    CHECK(c2s::resolve_num_threads(0) == c2s::hardware_threads());
    CHECK(c2s::resolve_num_threads(-3) == c2s::hardware_threads());
    CHECK(c2s::resolve_num_threads(5) == 5);
}
