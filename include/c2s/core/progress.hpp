#pragma once
/// @file progress.hpp
/// @brief Progress reporting and cooperative interruption for long work.
///
/// Long-running components take an optional `Progress*` in their Options. They call
/// `progress->report(done, total, what)` now and then and `progress->check_interrupt()` between
/// units of work, which throws `c2s::interrupted` after `request_interrupt()` (for example from a
/// SIGINT handler); components that checkpoint (training, streaming writers) can then resume.

#include <atomic>
#include <cstddef>
#include <functional>
#include <string_view>
#include <utility>

#include "c2s/core/error.hpp"

namespace c2s {

class Progress {
public:
    using Callback = std::function<void(std::size_t done, std::size_t total, std::string_view what)>;

    Progress() = default;
    explicit Progress(Callback callback) : callback_(std::move(callback)) {}

    void report(std::size_t done, std::size_t total, std::string_view what) const {
        if (callback_) callback_(done, total, what);
    }
    void request_interrupt() noexcept { interrupt_.store(true, std::memory_order_relaxed); }
    [[nodiscard]] bool interrupt_requested() const noexcept {
        return interrupt_.load(std::memory_order_relaxed);
    }
    /// Throws `c2s::interrupted` naming `where` if an interrupt was requested.
    void check_interrupt(std::string_view where) const {
        if (interrupt_requested()) throw interrupted(concat(where, ": interrupted on request"));
    }

private:
    Callback callback_;
    std::atomic<bool> interrupt_{false};
};

}  // namespace c2s
