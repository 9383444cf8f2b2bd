#pragma once
/// @file numpy_compat.hpp
/// @brief Bit-exact re-implementations of the NumPy 1.24 primitives that decide scikit-learn's
/// group splits: `np.argsort` (default `kind="quicksort"`, an introsort whose order of equal keys
/// is deterministic but not stable), pairwise summation, and `np.std` along either axis.
///
/// scikit-learn's GroupKFold orders groups by `np.argsort(sizes)[::-1]`; groups of equal size are
/// common, so reproducing its folds needs NumPy's exact partitioning, not any stable sort.
/// StratifiedGroupKFold compares standard deviations with `<` and `np.isclose`, so these must be
/// bit-identical too (summation order matters). Build without floating-point contraction into
/// fused multiply-adds (the default for x86-64 without `-march` flags that enable FMA; otherwise add
/// `-ffp-contract=off`), or near-ties may resolve differently from NumPy.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace c2s::split::numpy_compat {

namespace detail {

/// NumPy's `npy_get_msb`: the index of the most significant set bit.
[[nodiscard]] inline int get_msb(std::size_t n) noexcept {
    int depth = 0;
    while (n >>= 1) ++depth;
    return depth;
}

/// NumPy's heap sift-down on the heap `order[0..n)` in NumPy's 1-based positions (position p is
/// `order[p - 1]`, children of p are 2p and 2p + 1): places `item` at position `i` or below.
template <class T_, class Less_>
void sift_down(const T_* v, std::ptrdiff_t* order, std::ptrdiff_t i, std::ptrdiff_t n, std::ptrdiff_t item, Less_& less) {
    const auto at = [order](std::ptrdiff_t p) -> std::ptrdiff_t& { return order[p - 1]; };
    for (std::ptrdiff_t j = i << 1; j <= n; j += j) {
        if (j < n && less(v[at(j)], v[at(j + 1)])) ++j;
        if (!less(v[item], v[at(j)])) break;
        at(i) = at(j);
        i = j;
    }
    at(i) = item;
}

/// NumPy's `aheapsort_` on `order[0..n)`: heapify, then move the maximum to the end and sift the
/// displaced item down, `n - 1` times.
template <class T_, class Less_>
void arg_heapsort(const T_* v, std::ptrdiff_t* order, std::ptrdiff_t n, Less_ less) {
    for (std::ptrdiff_t l = n >> 1; l > 0; --l) sift_down(v, order, l, n, order[l - 1], less);
    for (; n > 1; --n) {
        const std::ptrdiff_t item = order[n - 1];
        order[n - 1] = order[0];
        sift_down(v, order, 1, n - 1, item, less);
    }
}

}  // namespace detail

/**
 * @brief `np.argsort(values)` with NumPy 1.24's default introsort (`aquicksort_`): median-of-3
 * quicksort, partitions of at most 16 elements by insertion sort, heapsort below depth
 * 2*floor(log2(n)). Equal keys end up in the order that algorithm leaves them in.
 */
template <class T_, class Less_ = std::less<T_>>
[[nodiscard]] std::vector<std::size_t> argsort_quicksort(const std::vector<T_>& values, Less_ less = {}) {
    constexpr std::ptrdiff_t small_quicksort = 15;  // NumPy's SMALL_QUICKSORT
    const auto num = static_cast<std::ptrdiff_t>(values.size());
    std::vector<std::ptrdiff_t> order(values.size());
    for (std::ptrdiff_t i = 0; i < num; ++i) order[static_cast<std::size_t>(i)] = i;
    if (num > 1) {
        const T_* v = values.data();
        std::ptrdiff_t* pl = order.data();
        std::ptrdiff_t* pr = pl + num - 1;
        std::vector<std::ptrdiff_t*> stack;
        std::vector<int> depth_stack;
        int cdepth = detail::get_msb(static_cast<std::size_t>(num)) * 2;
        for (;;) {
            if (cdepth < 0) {
                detail::arg_heapsort(v, pl, pr - pl + 1, less);
            } else {
                while ((pr - pl) > small_quicksort) {
                    std::ptrdiff_t* pm = pl + ((pr - pl) >> 1);
                    if (less(v[*pm], v[*pl])) std::swap(*pm, *pl);
                    if (less(v[*pr], v[*pm])) std::swap(*pr, *pm);
                    if (less(v[*pm], v[*pl])) std::swap(*pm, *pl);
                    const T_ vp = v[*pm];
                    std::ptrdiff_t* pi = pl;
                    std::ptrdiff_t* pj = pr - 1;
                    std::swap(*pm, *pj);
                    for (;;) {
                        do ++pi;
                        while (less(v[*pi], vp));
                        do --pj;
                        while (less(vp, v[*pj]));
                        if (pi >= pj) break;
                        std::swap(*pi, *pj);
                    }
                    std::swap(*pi, *(pr - 1));
                    if (pi - pl < pr - pi) {
                        stack.push_back(pi + 1);
                        stack.push_back(pr);
                        pr = pi - 1;
                    } else {
                        stack.push_back(pl);
                        stack.push_back(pi - 1);
                        pl = pi + 1;
                    }
                    depth_stack.push_back(--cdepth);
                }
                for (std::ptrdiff_t* pi = pl + 1; pi <= pr; ++pi) {
                    const std::ptrdiff_t vi = *pi;
                    const T_ vp = v[vi];
                    std::ptrdiff_t* pj = pi;
                    std::ptrdiff_t* pk = pi - 1;
                    while (pj > pl && less(vp, v[*pk])) *pj-- = *pk--;
                    *pj = vi;
                }
            }
            if (stack.empty()) break;
            pr = stack.back();
            stack.pop_back();
            pl = stack.back();
            stack.pop_back();
            cdepth = depth_stack.back();
            depth_stack.pop_back();
        }
    }
    std::vector<std::size_t> out(values.size());
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::size_t>(order[i]);
    return out;
}

/// NumPy's pairwise summation of `n` doubles at `a` with stride `stride` (`pairwise_sum_DOUBLE`):
/// sequential below 8 values, 8 interleaved accumulators up to 128, halving above.
[[nodiscard]] inline double pairwise_sum(const double* a, std::size_t n, std::size_t stride = 1) noexcept {
    if (n < 8) {
        double res = 0.;
        for (std::size_t i = 0; i < n; ++i) res += a[i * stride];
        return res;
    }
    if (n <= 128) {
        double r[8];
        for (std::size_t j = 0; j < 8; ++j) r[j] = a[j * stride];
        std::size_t i = 8;
        for (; i < n - (n % 8); i += 8)
            for (std::size_t j = 0; j < 8; ++j) r[j] += a[(i + j) * stride];
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; ++i) res += a[i * stride];
        return res;
    }
    std::size_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise_sum(a, n2, stride) + pairwise_sum(a + n2 * stride, n - n2, stride);
}

/// `np.mean(a)` of a contiguous 1-D array.
[[nodiscard]] inline double mean(const std::vector<double>& a) noexcept {
    return pairwise_sum(a.data(), a.size()) / static_cast<double>(a.size());
}

/// `np.std(m, axis=1)` of a C-contiguous rows × cols matrix (`m[r * cols + c]`): each row is a
/// contiguous reduction, summed pairwise.
[[nodiscard]] inline std::vector<double> std_rows(const std::vector<double>& m, std::size_t rows, std::size_t cols) {
    std::vector<double> out(rows), dev(cols);
    const double n = static_cast<double>(cols);
    for (std::size_t r = 0; r < rows; ++r) {
        const double* row = m.data() + r * cols;
        const double mu = pairwise_sum(row, cols) / n;
        for (std::size_t c = 0; c < cols; ++c) dev[c] = (row[c] - mu) * (row[c] - mu);
        out[r] = std::sqrt(pairwise_sum(dev.data(), cols) / n);
    }
    return out;
}

/// `np.std(m, axis=0)` of a C-contiguous rows × cols matrix. With more than one column NumPy's
/// iterator makes the columns the inner loop, so each column is summed sequentially from 0; with a
/// single column the reduction is contiguous and pairwise.
[[nodiscard]] inline std::vector<double> std_cols(const std::vector<double>& m, std::size_t rows, std::size_t cols) {
    std::vector<double> out(cols);
    const double n = static_cast<double>(rows);
    if (cols == 1) {
        const double mu = pairwise_sum(m.data(), rows) / n;
        std::vector<double> dev(rows);
        for (std::size_t r = 0; r < rows; ++r) dev[r] = (m[r] - mu) * (m[r] - mu);
        out[0] = std::sqrt(pairwise_sum(dev.data(), rows) / n);
        return out;
    }
    for (std::size_t c = 0; c < cols; ++c) {
        double s = 0.;
        for (std::size_t r = 0; r < rows; ++r) s += m[r * cols + c];
        const double mu = s / n;
        double t = 0.;
        for (std::size_t r = 0; r < rows; ++r) t += (m[r * cols + c] - mu) * (m[r * cols + c] - mu);
        out[c] = std::sqrt(t / n);
    }
    return out;
}

/// `np.isclose(a, b)` with the default rtol=1e-05, atol=1e-08 (false when either is infinite and
/// they differ).
[[nodiscard]] inline bool isclose(double a, double b) noexcept {
    if (std::isinf(a) || std::isinf(b)) return a == b;
    return std::fabs(a - b) <= 1e-08 + 1e-05 * std::fabs(b);
}

}  // namespace c2s::split::numpy_compat
