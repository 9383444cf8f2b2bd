#pragma once
/// @file aligned.hpp
/// @brief A cache-line (64-byte) aligned allocator, so SIMD kernels can use aligned loads.

#include <cstddef>
#include <new>

namespace c2s {

template <class T_, std::size_t Alignment_ = 64>
struct AlignedAllocator {
    using value_type = T_;
    static constexpr std::size_t alignment = Alignment_;
    template <class U_>
    struct rebind {
        using other = AlignedAllocator<U_, Alignment_>;
    };
    AlignedAllocator() noexcept = default;
    template <class U_>
    AlignedAllocator(const AlignedAllocator<U_, Alignment_>&) noexcept {}

    [[nodiscard]] T_* allocate(std::size_t n) {
        if (n == 0) return nullptr;
        return static_cast<T_*>(::operator new(n * sizeof(T_), std::align_val_t{Alignment_}));
    }
    void deallocate(T_* p, std::size_t) noexcept {
        if (p) ::operator delete(p, std::align_val_t{Alignment_});
    }
    template <class U_>
    bool operator==(const AlignedAllocator<U_, Alignment_>&) const noexcept { return true; }
};

}  // namespace c2s
