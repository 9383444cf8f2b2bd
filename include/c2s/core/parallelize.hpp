#pragma once
/// @file parallelize.hpp
/// @brief `c2s::parallelize`: split a range of tasks over `num_threads` worker threads.

#include <algorithm>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "c2s/core/error.hpp"

namespace c2s {

/// Number of hardware threads, at least 1.
[[nodiscard]] inline int hardware_threads() noexcept {
    const auto n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(n);
}

/// Resolves a user-supplied thread count: values < 1 mean "all hardware threads".
[[nodiscard]] inline int resolve_num_threads(int num_threads) noexcept {
    return num_threads < 1 ? hardware_threads() : num_threads;
}

/**
 * @brief Runs `fun(thread_index, start, length)` over contiguous blocks covering `[0, num_tasks)`.
 *
 * Blocks are as equal as possible; at most `num_threads` blocks (fewer when there are fewer tasks),
 * so `fun` may keep per-thread scratch space indexed by `thread_index`. The calling thread runs
 * the first block. An exception thrown by any block is rethrown here after all threads joined
 * (the first one thrown wins). With `num_threads <= 1` everything runs on the calling thread.
 *
 * @param num_threads Worker threads; values < 1 use all hardware threads.
 * @param num_tasks   Number of tasks.
 * @param fun         Callable `(int thread_index, std::size_t start, std::size_t length)`.
 */
template <class Function_>
void parallelize(int num_threads, std::size_t num_tasks, Function_&& fun) {
    if (num_tasks == 0) return;
    const auto threads = static_cast<std::size_t>(
        std::min<std::size_t>(static_cast<std::size_t>(resolve_num_threads(num_threads)), num_tasks));
    if (threads <= 1) {
        fun(0, std::size_t{0}, num_tasks);
        return;
    }
    const std::size_t base = num_tasks / threads;
    const std::size_t extra = num_tasks % threads;
    std::exception_ptr error;
    std::mutex error_mutex;
    auto run_block = [&](std::size_t t) {
        const std::size_t start = t * base + std::min(t, extra);
        const std::size_t length = base + (t < extra ? 1 : 0);
        try {
            fun(static_cast<int>(t), start, length);
        } catch (...) {
            std::lock_guard<std::mutex> lock(error_mutex);
            if (!error) error = std::current_exception();
        }
    };
    std::vector<std::thread> workers;
    workers.reserve(threads - 1);
    for (std::size_t t = 1; t < threads; ++t) workers.emplace_back(run_block, t);
    run_block(0);
    for (auto& w : workers) w.join();
    if (error) std::rethrow_exception(error);
}

}  // namespace c2s
