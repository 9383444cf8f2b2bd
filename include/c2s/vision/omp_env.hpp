#pragma once
/// @file omp_env.hpp
/// @brief OpenMP wait policy for CPU inference on shared machines.
///
/// Debian's LibTorch runs its intra-op parallelism on libgomp. With OMP_WAIT_POLICY unset,
/// libgomp lets each idle worker thread spin for a long time after every parallel region
/// (Inception V3 has hundreds per forward pass) unless the process manages more OpenMP threads
/// than there are CPUs. On a machine shared with other work, the spinning threads compete with
/// the threads doing the work: on the 2-core test machine the same forward pass took 2.6 s
/// instead of 0.7 s (docs/vision.md, benchmark section). `OMP_WAIT_POLICY=PASSIVE` puts idle
/// workers to sleep at once. libgomp reads the variable only when the program starts, so the
/// only way to set it from inside a program is to start the program again with it set.
/// Needs nothing but POSIX and Linux's /proc.

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace c2s::vision {

/**
 * @brief When OMP_WAIT_POLICY is unset, sets it to PASSIVE and re-executes the running program
 * (`/proc/self/exe` with the arguments of `/proc/self/cmdline`); does not return then. Returns
 * false (and changes nothing) when the variable is already set, whatever its value (so
 * `OMP_WAIT_POLICY=ACTIVE` keeps spinning on a dedicated machine), when
 * C2S_KEEP_OMP_WAIT_POLICY is set (libgomp's default stays), or when re-executing is not
 * possible. Call it first thing in `main`, before any other thread exists; child processes
 * (e.g. a Python peer) inherit the setting.
 */
inline bool reexec_with_passive_omp_wait() {
    if (std::getenv("OMP_WAIT_POLICY") != nullptr || std::getenv("C2S_KEEP_OMP_WAIT_POLICY") != nullptr) return false;
    std::ifstream in("/proc/self/cmdline", std::ios::binary);
    const std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (raw.empty()) return false;
    std::vector<std::string> args;
    std::string cur;
    for (char ch : raw) {
        if (ch == '\0') {
            args.push_back(cur);
            cur.clear();
        } else {
            cur += ch;
        }
    }
    if (!cur.empty()) args.push_back(cur);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (::setenv("OMP_WAIT_POLICY", "PASSIVE", 1) != 0) return false;
    ::execv("/proc/self/exe", argv.data());
    ::unsetenv("OMP_WAIT_POLICY");  // exec failed: carry on as before
    return false;
}

}  // namespace c2s::vision
