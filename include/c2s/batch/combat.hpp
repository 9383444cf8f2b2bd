#pragma once
/// @file combat.hpp
/// @brief ComBat empirical Bayes batch correction, numerically matching R's `sva::ComBat`.
///
/// @see W. E. Johnson, C. Li, A. Rabinovic (2007). Adjusting batch effects in microarray expression
///      data using empirical Bayes methods. Biostatistics 8(1):118-127.
///
/// Layout: `x` is samples × features (sva's `dat` is features × samples). Batches are the sorted
/// distinct labels (like R's `factor` levels). `covariates` is sva's `mod` WITHOUT its intercept
/// column and without batch columns, e.g. `model.matrix(~cancer)[, -1]`.
///
/// The fit needs only per-batch sufficient statistics (sums, within-batch sums of squares, the
/// covariate cross products), gathered in two passes over the samples; a third pass writes the
/// corrected values. The same kernels serve the in-memory path (one block of all samples) and the
/// streaming path in `c2s/batch/combat_streaming.hpp` (row blocks of an `.npy` file), so both give
/// identical numbers.
///
/// What follows sva exactly:
/// - features whose values are constant within any batch of two or more samples are left
///   uncorrected and do not enter the priors (sva's "zero rows"); the result lists how many;
/// - if any batch has a single sample, the mean-only model is used for all batches (as sva does);
///   the result says so in `warnings`;
/// - parametric priors with sva's iteration (`it.sol`, relative change < 1e-4 of the *signed*
///   previous value, as sva computes it), the non-parametric `int.eprior` (leave-one-feature-out
///   weighting, computed here in log space so it never underflows to NaN), `mean.only`, `ref.batch`.
///
/// Where it differs (sva would stop or return NaN): NaN inputs fail naming sample and feature
/// (or, with `NanPolicy::leave_feature_uncorrected`, those features are passed through);
/// a confounded design fails naming the batches/covariates involved; a feature fully explained by
/// the covariates (zero residual variance) is left uncorrected with a warning instead of NaN.

#include <Eigen/Dense>

#include <algorithm>
#include <bit>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <numbers>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "c2s/core/concepts.hpp"
#include "c2s/core/error.hpp"
#include "c2s/core/parallelize.hpp"
#include "c2s/io/atomic_file.hpp"

namespace c2s::batch {

/// What to do with NaN values in the input.
enum class NanPolicy {
    fail,                      ///< throw `std::invalid_argument` naming the first NaN's sample and feature (default)
    leave_feature_uncorrected  ///< features holding a NaN are passed through unchanged, with a warning
};

struct CombatOptions {
    /// Parametric (normal / inverse-gamma) priors; false uses sva's non-parametric priors, whose
    /// cost grows with features² × batches.
    bool parametric = true;
    /// Adjust only the batch means (sva's `mean.only`), not the variances.
    bool mean_only = false;
    /// Name of a batch that is left unchanged and that the other batches are aligned to (sva's
    /// `ref.batch`); must be one of the batch labels.
    std::optional<std::string> reference_batch;
    /// Worker threads for the passes over the data and the per-feature EB steps; < 1 = all cores.
    int num_threads = 1;
    /// Names of the covariate columns, used in error messages and the saved model (default
    /// "covariate 1", "covariate 2", ...). Empty or one name per covariate column.
    std::vector<std::string> covariate_names;
    /// NaN handling, see `NanPolicy`.
    NanPolicy nan_policy = NanPolicy::fail;
    /// Convergence threshold of the parametric iteration (sva: 1e-4). Smaller = more iterations.
    double convergence = 1e-4;
    /// Upper bound on parametric iterations; reaching it adds a warning (sva has none).
    int max_iterations = 10000;
};

namespace detail {

inline constexpr const char* combat_where = "c2s::batch::combat";

/// Sufficient statistics gathered by pass 1 (sums, ranges, covariate cross products) and pass 2
/// (within-batch sums of squares of the covariate-adjusted values). Batch-major, features inner.
struct CombatStats {
    std::size_t num_batches = 0, num_features = 0, num_covariates = 0;
    std::vector<std::size_t> counts;  // per batch
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> sum, minimum, maximum, ss;  // B × G
    Eigen::MatrixXd cov_sum;   // B × k: per-batch sums of covariates
    Eigen::MatrixXd cov_cross; // k × k: C'C
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> cov_x;  // k × G: C'X
    std::vector<unsigned char> has_nan;  // per feature
    std::ptrdiff_t first_nan_row = -1, first_nan_col = -1;
    /// Without covariates, pass 1 also gathers sum_sq = sum (x - shift)^2 with shift = the batch's
    /// first sample, so the within-batch sums of squares need no second pass.
    bool one_pass = false;
    std::vector<std::ptrdiff_t> first_row;  // per batch: global row of its first sample
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> shift, sum_sq;  // B × G

    void init(std::size_t b, std::size_t g, std::size_t k) {
        num_batches = b;
        num_features = g;
        num_covariates = k;
        counts.assign(b, 0);
        const auto B = static_cast<Eigen::Index>(b), G = static_cast<Eigen::Index>(g), K = static_cast<Eigen::Index>(k);
        sum.setZero(B, G);
        ss.setZero(B, G);
        minimum.setConstant(B, G, std::numeric_limits<double>::infinity());
        maximum.setConstant(B, G, -std::numeric_limits<double>::infinity());
        cov_sum.setZero(B, K);
        cov_cross.setZero(K, K);
        cov_x.setZero(K, G);
        has_nan.assign(g, 0);
        one_pass = k == 0;
        if (one_pass) {
            shift.setZero(B, G);
            sum_sq.setZero(B, G);
        }
    }
    /// Within-batch sums of squares from the one-pass sums (sum_sq - n (mean - shift)^2).
    void finish_one_pass() {
        for (Eigen::Index b = 0; b < sum.rows(); ++b) {
            const double n = static_cast<double>(counts[static_cast<std::size_t>(b)]);
            for (Eigen::Index g = 0; g < sum.cols(); ++g) {
                const double d = (sum(b, g) - n * shift(b, g)) / n;
                ss(b, g) = std::max(0.0, sum_sq(b, g) - n * d * d);
            }
        }
    }
};

/**
 * @brief Runs `kernel(buf, rows, first_row, g0, width)` over the samples of `x` in blocks of up to
 * 64 rows copied to a row-major double buffer of the feature tile [g0, g0 + width); feature
 * ranges are split over `num_threads`. Kernels thus see contiguous rows whatever `x`'s storage.
 */
template <class Derived_, class Kernel_>
void for_row_blocks(const Eigen::DenseBase<Derived_>& x, int num_threads, Kernel_&& kernel, std::size_t num_batches = 1) {
    const Eigen::Index n = x.rows(), G = x.cols();
    // Feature tiles narrow enough that the per-batch statistics of a tile (up to 5 arrays of
    // batches × tile doubles) stay in a ~384 KB cache budget over all rows; 32 to 256 features.
    const auto T = std::clamp<Eigen::Index>(static_cast<Eigen::Index>(9830 / std::max<std::size_t>(1, num_batches)) / 16 * 16, 32, 256);
    c2s::parallelize(num_threads, static_cast<std::size_t>(G), [&](int, std::size_t start, std::size_t len) {
        constexpr Eigen::Index R = 64;
        const auto end = static_cast<Eigen::Index>(start + len);
        Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> buf;
        for (auto g0 = static_cast<Eigen::Index>(start); g0 < end; g0 += T) {
            const Eigen::Index width = std::min(T, end - g0);
            buf.resize(std::min(R, n), width);
            for (Eigen::Index i0 = 0; i0 < n; i0 += R) {
                const Eigen::Index count = std::min(R, n - i0);
                buf.topRows(count) = x.derived().block(i0, g0, count, width).template cast<double>();
                kernel(buf, count, i0, g0, width);
            }
        }
    });
}

/// True for column-major double expressions with direct access and unit inner stride (e.g.
/// `Eigen::MatrixXd`, `Eigen::Ref<const Eigen::MatrixXd>`): the passes then stream each feature
/// column once, with no transposing copy into tiles.
template <class Derived_>
inline constexpr bool is_plain_column_major_double =
    std::is_same_v<typename Derived_::Scalar, double> && !(Derived_::Flags & Eigen::RowMajorBit) &&
    static_cast<bool>(Derived_::Flags & Eigen::DirectAccessBit) && Derived_::InnerStrideAtCompileTime == 1;

/// Pass 1 without covariates on a column-major double block, one feature column at a time
/// (same per-batch accumulation order as the tiled kernel, so the same numbers).
template <class Derived_>
void accumulate_pass1_columns(CombatStats& st, const Eigen::DenseBase<Derived_>& x, const std::uint32_t* batch_index,
                              std::ptrdiff_t row_offset, int num_threads) {
    const Eigen::Index n = x.rows(), G = x.cols();
    const auto B = static_cast<Eigen::Index>(st.num_batches);
    const double* data = x.derived().data();
    const Eigen::Index stride = x.derived().outerStride();
    std::mutex nan_mutex;
    // Columns are taken W at a time with per-batch accumulators interleaved by column, so the
    // update of one sample is W independent lanes (vectorisable) sharing one batch look-up.
    constexpr Eigen::Index W = 4;
    const Eigen::Index groups = (G + W - 1) / W;
    c2s::parallelize(num_threads, static_cast<std::size_t>(groups), [&](int, std::size_t start, std::size_t len) {
        // Per batch: sum[W], sum of squares around the shift[W], min[W], max[W], shift[W].
        constexpr std::size_t F = 5 * W;
        std::vector<double> acc(static_cast<std::size_t>(B) * F);
        for (auto q = static_cast<Eigen::Index>(start); q < static_cast<Eigen::Index>(start + len); ++q) {
            const Eigen::Index g0 = q * W, width = std::min(W, G - g0);
            const double* v[W];
            for (Eigen::Index w = 0; w < W; ++w) v[w] = data + (g0 + std::min(w, width - 1)) * stride;
            for (Eigen::Index b = 0; b < B; ++b) {
                double* a = &acc[static_cast<std::size_t>(b) * F];
                const std::ptrdiff_t fr = st.first_row[static_cast<std::size_t>(b)] - row_offset;
                for (Eigen::Index w = 0; w < W; ++w) {
                    const Eigen::Index g = g0 + std::min(w, width - 1);
                    if (fr >= 0 && fr < n) st.shift(b, g) = v[w][fr];
                    a[w] = st.sum(b, g);
                    a[W + w] = st.sum_sq(b, g);
                    a[2 * W + w] = st.minimum(b, g);
                    a[3 * W + w] = st.maximum(b, g);
                    a[4 * W + w] = st.shift(b, g);
                }
            }
            double nan_seen[W] = {};
            for (Eigen::Index i = 0; i < n; ++i) {
                double* a = &acc[F * static_cast<std::size_t>(batch_index[i])];
                double y[W];
                for (Eigen::Index w = 0; w < W; ++w) y[w] = v[w][i];
                for (Eigen::Index w = 0; w < W; ++w) {
                    a[w] += y[w];
                    const double d = y[w] - a[4 * W + w];
                    a[W + w] += d * d;
                    a[2 * W + w] = a[2 * W + w] < y[w] ? a[2 * W + w] : y[w];
                    a[3 * W + w] = a[3 * W + w] > y[w] ? a[3 * W + w] : y[w];
                    nan_seen[w] += y[w] - y[w];  // NaN (or ±inf) makes this NaN
                }
            }
            for (Eigen::Index b = 0; b < B; ++b) {
                const double* a = &acc[static_cast<std::size_t>(b) * F];
                for (Eigen::Index w = 0; w < width; ++w) {
                    const Eigen::Index g = g0 + w;
                    st.sum(b, g) = a[w];
                    st.sum_sq(b, g) = a[W + w];
                    st.minimum(b, g) = a[2 * W + w];
                    st.maximum(b, g) = a[3 * W + w];
                }
            }
            for (Eigen::Index w = 0; w < width; ++w) {
                if (!std::isnan(nan_seen[w])) continue;
                const Eigen::Index g = g0 + w;
                Eigen::Index i = 0;
                while (i < n && !std::isnan(v[w][i])) ++i;
                if (i == n) continue;  // only ±inf
                std::lock_guard<std::mutex> lock(nan_mutex);
                st.has_nan[static_cast<std::size_t>(g)] = 1;
                const std::ptrdiff_t row = row_offset + i;
                if (st.first_nan_row < 0 || row < st.first_nan_row || (row == st.first_nan_row && g < st.first_nan_col)) {
                    st.first_nan_row = row;
                    st.first_nan_col = g;
                }
            }
        }
    });
}

/// Pass 1 over a block of samples: `x` block (rows = samples), their batch indices and covariates.
template <class Derived_>
void accumulate_pass1(CombatStats& st, const Eigen::DenseBase<Derived_>& x, const std::uint32_t* batch_index,
                      const double* cov_rows /* rows × k row-major or nullptr */, std::ptrdiff_t row_offset,
                      int num_threads) {
    const Eigen::Index n = x.rows();
    const auto k = static_cast<Eigen::Index>(st.num_covariates);
    for (Eigen::Index i = 0; i < n; ++i) {
        const auto b = batch_index[i];
        ++st.counts[b];
        for (Eigen::Index l = 0; l < k; ++l) {
            const double c = cov_rows[i * k + l];
            st.cov_sum(b, l) += c;
            for (Eigen::Index m = 0; m < k; ++m) st.cov_cross(l, m) += c * cov_rows[i * k + m];
        }
    }
    if constexpr (is_plain_column_major_double<Derived_>) {
        if (k == 0 && st.one_pass) {
            accumulate_pass1_columns(st, x, batch_index, row_offset, num_threads);
            return;
        }
    }
    std::mutex nan_mutex;
    for_row_blocks(x, num_threads, [&](const auto& buf, Eigen::Index rows, Eigen::Index i0, Eigen::Index g0, Eigen::Index width) {
        for (Eigen::Index r = 0; r < rows; ++r) {
            const Eigen::Index i = i0 + r;
            const auto b = batch_index[i];
            const double* v = &buf(r, 0);
            double* s = &st.sum(b, g0);
            double* lo = &st.minimum(b, g0);
            double* hi = &st.maximum(b, g0);
            bool nan = false;
            for (Eigen::Index g = 0; g < width; ++g) {
                s[g] += v[g];
                lo[g] = lo[g] < v[g] ? lo[g] : v[g];
                hi[g] = hi[g] > v[g] ? hi[g] : v[g];
                nan |= v[g] != v[g];
            }
            if (st.one_pass) {
                double* c = &st.shift(b, g0);
                if (row_offset + i == st.first_row[b])
                    for (Eigen::Index g = 0; g < width; ++g) c[g] = v[g];
                double* q = &st.sum_sq(b, g0);
                for (Eigen::Index g = 0; g < width; ++g) {
                    const double d = v[g] - c[g];
                    q[g] += d * d;
                }
            }
            for (Eigen::Index l = 0; l < k; ++l) {
                const double c = cov_rows[i * k + l];
                double* cx = &st.cov_x(l, g0);
                for (Eigen::Index g = 0; g < width; ++g) cx[g] += c * v[g];
            }
            if (nan) {
                std::lock_guard<std::mutex> lock(nan_mutex);
                for (Eigen::Index g = 0; g < width; ++g)
                    if (std::isnan(v[g])) {
                        st.has_nan[static_cast<std::size_t>(g0 + g)] = 1;
                        const std::ptrdiff_t row = row_offset + i;
                        if (st.first_nan_row < 0 || row < st.first_nan_row ||
                            (row == st.first_nan_row && g0 + g < st.first_nan_col)) {
                            st.first_nan_row = row;
                            st.first_nan_col = g0 + g;
                        }
                    }
            }
        }
    }, st.num_batches);
}

/// Pass 2: within-batch sums of squares of y = x - c·Bcov around the batch means of y.
template <class Derived_>
void accumulate_pass2(CombatStats& st, const Eigen::DenseBase<Derived_>& x, const std::uint32_t* batch_index,
                      const double* cov_rows, const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>& bcov,
                      const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>& batch_mean_y,
                      int num_threads) {
    const auto k = static_cast<Eigen::Index>(st.num_covariates);
    for_row_blocks(x, num_threads, [&](auto& buf, Eigen::Index rows, Eigen::Index i0, Eigen::Index g0, Eigen::Index width) {
        for (Eigen::Index r = 0; r < rows; ++r) {
            const Eigen::Index i = i0 + r;
            const auto b = batch_index[i];
            double* y = &buf(r, 0);
            for (Eigen::Index l = 0; l < k; ++l) {
                const double c = cov_rows[i * k + l];
                const double* bc = &bcov(l, g0);
                for (Eigen::Index g = 0; g < width; ++g) y[g] -= c * bc[g];
            }
            const double* m = &batch_mean_y(b, g0);
            double* s = &st.ss(b, g0);
            for (Eigen::Index g = 0; g < width; ++g) {
                const double d = y[g] - m[g];
                s[g] += d * d;
            }
        }
    }, st.num_batches);
}

}  // namespace detail

/**
 * @brief The fitted ComBat estimates; `apply` corrects samples of known batches with them.
 *
 * Per-feature vectors have one entry per feature; per-batch matrices are batches × features.
 */
struct CombatModel {
    using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

    std::vector<std::string> batches;          ///< batch names (sorted), the row order below
    std::vector<std::size_t> batch_sizes;      ///< samples per batch in the fit
    std::optional<std::string> reference_batch;
    std::vector<std::string> covariate_names;  ///< one per covariate column
    bool parametric = true;
    bool mean_only = false;                    ///< the model actually used (true if forced by a one-sample batch)
    std::size_t num_features = 0;
    /// 1 = corrected; 0 = passed through (constant within a batch, NaN, or no residual variance).
    std::vector<unsigned char> corrected_feature;
    Eigen::VectorXd grand_mean;                ///< per feature (sva's grand.mean)
    Eigen::VectorXd pooled_variance;           ///< per feature (sva's var.pooled)
    RowMatrix covariate_coefficients;          ///< covariates × features (sva's B.hat rows of `mod`)
    RowMatrix gamma_hat, delta_hat;            ///< batches × features: L/S estimates
    RowMatrix gamma_star, delta_star;          ///< batches × features: EB estimates used to adjust
    Eigen::VectorXd gamma_bar, tau2, a_prior, b_prior;  ///< per batch: the priors
    int iterations = 0;                        ///< parametric iterations (max over batches)

    [[nodiscard]] std::size_t num_batches() const noexcept { return batches.size(); }
    [[nodiscard]] std::size_t num_covariates() const noexcept { return covariate_names.size(); }

    /// Index of a batch name, or throws naming it.
    [[nodiscard]] std::uint32_t batch_index(const std::string& name, std::string_view where) const {
        const auto it = std::lower_bound(batches.begin(), batches.end(), name);
        if (it == batches.end() || *it != name)
            fail_argument(where, "batch '", name, "' was not seen when the model was fitted (known: ",
                          list_batches(), ")");
        return static_cast<std::uint32_t>(it - batches.begin());
    }
    [[nodiscard]] std::string list_batches() const {
        std::string s;
        for (std::size_t i = 0; i < batches.size() && i < 12; ++i) s += (i ? ", '" : "'") + batches[i] + "'";
        if (batches.size() > 12) s += concat(", ... (", batches.size(), " in all)");
        return s;
    }

    /// Per batch × feature: corrected = scale * x + shift + (1 - scale) * (c · covariate_coefficients),
    /// which is sva's ((x - sm) / sd - gamma*) / sqrt(delta*) * sd + sm rearranged (sm = grand mean +
    /// covariate part). Passed-through features and the reference batch get scale 1, shift 0.
    struct Adjustment {
        RowMatrix scale, shift;
    };
    [[nodiscard]] Adjustment adjustment() const {
        const auto B = static_cast<Eigen::Index>(num_batches()), G = static_cast<Eigen::Index>(num_features);
        const auto ref = reference_index();
        Adjustment a;
        a.scale.setOnes(B, G);
        a.shift.setZero(B, G);
        for (Eigen::Index b = 0; b < B; ++b) {
            if (ref && static_cast<Eigen::Index>(*ref) == b) continue;
            for (Eigen::Index g = 0; g < G; ++g) {
                if (!corrected_feature[static_cast<std::size_t>(g)]) continue;
                const double alpha = 1.0 / std::sqrt(delta_star(b, g));
                a.scale(b, g) = alpha;
                a.shift(b, g) = (1.0 - alpha) * grand_mean[g] - alpha * std::sqrt(pooled_variance[g]) * gamma_star(b, g);
            }
        }
        return a;
    }

    /// Corrects a block of samples `x` (rows) in batches `batch_index`, covariate rows `cov_rows`
    /// (row-major rows × k, or nullptr when k = 0), writing to `out` (same shape; may alias x).
    template <class In_, class Out_>
    void apply_block(const Eigen::DenseBase<In_>& x, const std::uint32_t* batch_index, const double* cov_rows,
                     Eigen::DenseBase<Out_>& out, int num_threads = 1, const Adjustment* prepared = nullptr) const {
        const auto k = static_cast<Eigen::Index>(num_covariates());
        Adjustment local;
        if (!prepared) {
            local = adjustment();
            prepared = &local;
        }
        const Adjustment& adj = *prepared;
        using OutScalar = typename Out_::Scalar;
        if constexpr (detail::is_plain_column_major_double<In_> && !(Out_::Flags & Eigen::RowMajorBit) &&
                      static_cast<bool>(Out_::Flags & Eigen::DirectAccessBit) && Out_::InnerStrideAtCompileTime == 1) {
            // One streaming pass per feature column; each thread first touches the output columns
            // it writes.
            const Eigen::Index n = x.rows();
            const auto B = static_cast<Eigen::Index>(num_batches());
            const double* in = x.derived().data();
            OutScalar* dst = out.derived().data();
            const Eigen::Index in_stride = x.derived().outerStride(), out_stride = out.derived().outerStride();
            c2s::parallelize(num_threads, static_cast<std::size_t>(x.cols()), [&](int, std::size_t start, std::size_t len) {
                std::vector<double> coef(static_cast<std::size_t>(2 * B));
                for (auto g = static_cast<Eigen::Index>(start); g < static_cast<Eigen::Index>(start + len); ++g) {
                    for (Eigen::Index b = 0; b < B; ++b) {
                        coef[static_cast<std::size_t>(2 * b)] = adj.scale(b, g);
                        coef[static_cast<std::size_t>(2 * b + 1)] = adj.shift(b, g);
                    }
                    const double* v = in + g * in_stride;
                    OutScalar* o = dst + g * out_stride;
                    if (k == 0) {
                        for (Eigen::Index i = 0; i < n; ++i) {
                            const double* c = &coef[2 * static_cast<std::size_t>(batch_index[i])];
                            o[i] = static_cast<OutScalar>(c[0] * v[i] + c[1]);
                        }
                    } else {
                        for (Eigen::Index i = 0; i < n; ++i) {
                            const double* c = &coef[2 * static_cast<std::size_t>(batch_index[i])];
                            double y = c[0] * v[i] + c[1];
                            for (Eigen::Index l = 0; l < k; ++l) {
                                const double cv = cov_rows[i * k + l];
                                if (cv == 0.0) continue;
                                y += (1.0 - c[0]) * cv * covariate_coefficients(l, g);
                            }
                            o[i] = static_cast<OutScalar>(y);
                        }
                    }
                }
            });
            return;
        }
        detail::for_row_blocks(x, num_threads, [&](auto& buf, Eigen::Index rows, Eigen::Index i0, Eigen::Index g0, Eigen::Index width) {
            for (Eigen::Index r = 0; r < rows; ++r) {
                const Eigen::Index i = i0 + r;
                const auto b = batch_index[i];
                double* v = &buf(r, 0);
                const double* sc = &adj.scale(b, g0);
                const double* sh = &adj.shift(b, g0);
                for (Eigen::Index g = 0; g < width; ++g) v[g] = sc[g] * v[g] + sh[g];
                for (Eigen::Index l = 0; l < k; ++l) {
                    const double c = cov_rows[i * k + l];
                    if (c == 0.0) continue;
                    const double* bc = &covariate_coefficients(l, g0);
                    for (Eigen::Index g = 0; g < width; ++g) v[g] += (1.0 - sc[g]) * c * bc[g];
                }
            }
            out.derived().block(i0, g0, rows, width) = buf.topRows(rows).template cast<OutScalar>();
        }, num_batches());
    }

    /**
     * @brief Corrects new samples of known batches with the fitted estimates.
     * @param x          samples × features (features as in the fit)
     * @param batch      batch label per sample; each must be a fitted batch
     * @param covariates samples × k (k as in the fit), or nullptr when the fit had none
     */
    [[nodiscard]] Eigen::MatrixXd apply(const Eigen::Ref<const Eigen::MatrixXd>& x, const std::vector<std::string>& batch,
                                        const Eigen::MatrixXd* covariates = nullptr, int num_threads = 1) const {
        return apply_as<double>(x, batch, covariates, num_threads);
    }

    /// `apply` for any `feature_matrix` expression; the result has scalar `Float_`.
    template <class Float_ = double, class Derived_>
    [[nodiscard]] Eigen::Matrix<Float_, Eigen::Dynamic, Eigen::Dynamic> apply_as(
        const Eigen::DenseBase<Derived_>& x, const std::vector<std::string>& batch,
        const Eigen::MatrixXd* covariates = nullptr, int num_threads = 1) const {
        constexpr const char* where = "c2s::batch::CombatModel::apply";
        if (static_cast<std::size_t>(x.cols()) != num_features)
            fail_argument(where, "'x' has ", x.cols(), " features (columns) but the model was fitted on ", num_features);
        if (batch.size() != static_cast<std::size_t>(x.rows()))
            fail_argument(where, "'batch' has ", batch.size(), " entries but 'x' has ", x.rows(), " rows");
        const auto cov = check_covariates(covariates, x.rows(), where);
        std::vector<std::uint32_t> idx(batch.size());
        for (std::size_t i = 0; i < batch.size(); ++i) idx[i] = batch_index(batch[i], where);
        Eigen::Matrix<Float_, Eigen::Dynamic, Eigen::Dynamic> out(x.rows(), x.cols());
        apply_block(x, idx.data(), cov.empty() ? nullptr : cov.data(), out, num_threads);
        return out;
    }

    /// Covariates as row-major samples × k, after checking their shape (empty when k = 0).
    [[nodiscard]] std::vector<double> check_covariates(const Eigen::MatrixXd* covariates, Eigen::Index rows,
                                                       std::string_view where) const {
        const auto k = static_cast<Eigen::Index>(num_covariates());
        const Eigen::Index given = covariates ? covariates->cols() : 0;
        if (given != k)
            fail_argument(where, "'covariates' has ", given, " columns but the model was fitted with ", k);
        std::vector<double> rows_out;
        if (k == 0) return rows_out;
        if (covariates->rows() != rows)
            fail_argument(where, "'covariates' has ", covariates->rows(), " rows but 'x' has ", rows);
        rows_out.resize(static_cast<std::size_t>(rows * k));
        for (Eigen::Index i = 0; i < rows; ++i)
            for (Eigen::Index l = 0; l < k; ++l) rows_out[static_cast<std::size_t>(i * k + l)] = (*covariates)(i, l);
        return rows_out;
    }

    [[nodiscard]] std::optional<std::uint32_t> reference_index() const {
        if (!reference_batch) return std::nullopt;
        const auto it = std::lower_bound(batches.begin(), batches.end(), *reference_batch);
        return static_cast<std::uint32_t>(it - batches.begin());
    }

    /// Writes the model as text (`c2s-combat-model 1`), atomically.
    void save(const std::filesystem::path& path) const;
    /// Reads a model written by `save`; throws naming the file and line on a bad file.
    [[nodiscard]] static CombatModel load(const std::filesystem::path& path);
};

struct CombatResult {
    Eigen::MatrixXd corrected;          ///< samples × features
    CombatModel model;
    std::vector<std::string> warnings;  ///< e.g. passed-through features, mean-only fallback
};

namespace detail {

/// Batch labels → sorted names and per-sample indices.
inline std::vector<std::string> batch_levels(const std::vector<std::string>& batch, std::vector<std::uint32_t>& index) {
    std::vector<std::string> levels(batch.begin(), batch.end());
    std::sort(levels.begin(), levels.end());
    levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
    index.resize(batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i)
        index[i] = static_cast<std::uint32_t>(std::lower_bound(levels.begin(), levels.end(), batch[i]) - levels.begin());
    return levels;
}

/**
 * @brief Everything the fit needs before the passes: batches, covariate columns kept, and the
 * design checks (confounding) that use only counts and covariates.
 */
struct CombatSetup {
    std::vector<std::string> levels;
    std::vector<std::uint32_t> index;
    std::vector<std::size_t> counts;
    std::vector<std::ptrdiff_t> first_row;  // per batch
    std::optional<std::uint32_t> ref;
    std::vector<double> cov_rows;  // N × k row-major (kept columns)
    std::vector<std::string> cov_names;
    bool mean_only = false;
    std::vector<std::string> warnings;
};

inline std::string join_names(const std::vector<std::string>& names, std::size_t limit = 8) {
    std::string s;
    for (std::size_t i = 0; i < names.size() && i < limit; ++i) s += (i ? ", " : "") + names[i];
    if (names.size() > limit) s += concat(", ... (", names.size(), " in all)");
    return s;
}

/// Checks that [batch columns | covariates] has full column rank; names the columns involved otherwise.
inline void check_design(const CombatSetup& s) {
    const auto B = static_cast<Eigen::Index>(s.levels.size());
    const auto k = static_cast<Eigen::Index>(s.cov_names.size());
    const std::size_t N = s.index.size();
    // Gram of [batch columns (indicators; the reference column all ones) | covariates], from counts
    // and covariate sums, so the check costs O(samples × covariates²).
    Eigen::MatrixXd gram = Eigen::MatrixXd::Zero(B + k, B + k);
    Eigen::MatrixXd cov_sum = Eigen::MatrixXd::Zero(B, k);
    const auto ku = static_cast<std::size_t>(k);
    for (std::size_t i = 0; i < N; ++i)
        for (Eigen::Index l = 0; l < k; ++l) {
            const double c = s.cov_rows[i * ku + static_cast<std::size_t>(l)];
            cov_sum(s.index[i], l) += c;
            for (Eigen::Index m = 0; m < k; ++m) gram(B + l, B + m) += c * s.cov_rows[i * ku + static_cast<std::size_t>(m)];
        }
    auto A = [&](Eigen::Index b, Eigen::Index j) { return (b == j || (s.ref && static_cast<Eigen::Index>(*s.ref) == j)) ? 1.0 : 0.0; };
    for (Eigen::Index i = 0; i < B; ++i) {
        for (Eigen::Index j = 0; j < B; ++j)
            for (Eigen::Index b = 0; b < B; ++b) gram(i, j) += static_cast<double>(s.counts[static_cast<std::size_t>(b)]) * A(b, i) * A(b, j);
        for (Eigen::Index l = 0; l < k; ++l) {
            double v = 0;
            for (Eigen::Index b = 0; b < B; ++b) v += A(b, i) * cov_sum(b, l);
            gram(i, B + l) = gram(B + l, i) = v;
        }
    }
    auto column_name = [&](Eigen::Index c) {
        return c < B ? concat("batch '", s.levels[static_cast<std::size_t>(c)], "'")
                     : concat("covariate '", s.cov_names[static_cast<std::size_t>(c - B)], "'");
    };
    // A zero covariate column.
    for (Eigen::Index l = 0; l < k; ++l)
        if (gram(B + l, B + l) == 0.0)
            fail_argument(combat_where, "covariate '", s.cov_names[static_cast<std::size_t>(l)],
                          "' is zero for every sample; remove it");
    auto dependent = [&](Eigen::Index first, Eigen::Index count) -> std::vector<std::string> {
        Eigen::MatrixXd g = gram.block(first, first, count, count);
        const Eigen::VectorXd d = g.diagonal().cwiseSqrt().cwiseInverse();
        g = d.asDiagonal() * g * d.asDiagonal();
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(g);
        const auto& ev = eig.eigenvalues();
        if (ev.size() == 0 || ev[0] > 1e-10 * std::max(1.0, ev[ev.size() - 1])) return {};
        const Eigen::VectorXd v = eig.eigenvectors().col(0);
        const double vmax = v.cwiseAbs().maxCoeff();
        std::vector<std::string> names;
        for (Eigen::Index c = 0; c < count; ++c)
            if (std::abs(v[c]) > 1e-6 * vmax) names.push_back(column_name(first + c));
        return names;
    };
    if (k > 0) {
        const auto cov_dep = dependent(B, k);
        if (!cov_dep.empty())
            fail_argument(combat_where, "the covariates are confounded with each other (linearly dependent: ",
                          join_names(cov_dep), "); remove one of them");
    }
    const auto all_dep = dependent(0, B + k);
    if (!all_dep.empty()) {
        std::vector<std::string> b_names, c_names;
        for (const auto& n : all_dep) (n.rfind("batch", 0) == 0 ? b_names : c_names).push_back(n);
        fail_argument(combat_where, "batch is confounded with ", join_names(c_names, 4), ": the design columns of ",
                      join_names(b_names, 4), " and ", c_names.size(),
                      " covariate column(s) are linearly dependent (e.g. each covariate value occurs in only one batch); ",
                      "remove the covariate from 'covariates' or choose another batch key");
    }
}

template <class Batch_>
CombatSetup prepare(Eigen::Index rows, const Batch_& batch, const Eigen::MatrixXd* covariates, const CombatOptions& o) {
    CombatSetup s;
    if (static_cast<std::size_t>(std::ranges::size(batch)) != static_cast<std::size_t>(rows))
        fail_argument(combat_where, "'batch' has ", std::ranges::size(batch), " entries but 'x' has ", rows, " rows");
    if (covariates && covariates->rows() != rows)
        fail_argument(combat_where, "'covariates' has ", covariates->rows(), " rows but 'x' has ", rows, " rows");
    if (covariates && !o.covariate_names.empty() && o.covariate_names.size() != static_cast<std::size_t>(covariates->cols()))
        fail_argument(combat_where, "'covariate_names' has ", o.covariate_names.size(), " names but 'covariates' has ",
                      covariates->cols(), " columns");
    std::vector<std::string> labels;
    labels.reserve(static_cast<std::size_t>(rows));
    for (const auto& b : batch) {
        if constexpr (std::is_convertible_v<decltype(b), std::string>) labels.emplace_back(b);
        else labels.push_back(concat(b));
    }
    s.levels = batch_levels(labels, s.index);
    s.counts.assign(s.levels.size(), 0);
    s.first_row.assign(s.levels.size(), -1);
    for (std::size_t i = 0; i < s.index.size(); ++i) {
        if (s.counts[s.index[i]]++ == 0) s.first_row[s.index[i]] = static_cast<std::ptrdiff_t>(i);
    }
    if (s.levels.size() < 2 && !o.reference_batch)
        fail_argument(combat_where, "'batch' has ", s.levels.size(), " distinct value(s)",
                      s.levels.empty() ? std::string() : concat(" ('", s.levels[0], "')"),
                      "; ComBat needs at least 2 batches");
    if (o.reference_batch) {
        const auto it = std::lower_bound(s.levels.begin(), s.levels.end(), *o.reference_batch);
        if (it == s.levels.end() || *it != *o.reference_batch) {
            std::string known;
            for (std::size_t i = 0; i < s.levels.size() && i < 12; ++i) known += (i ? ", '" : "'") + s.levels[i] + "'";
            fail_argument(combat_where, "'reference_batch' is '", *o.reference_batch,
                          "', which is not one of the batches (", known, s.levels.size() > 12 ? ", ..." : "", ")");
        }
        s.ref = static_cast<std::uint32_t>(it - s.levels.begin());
    }
    // Covariates: drop all-ones columns (sva drops intercept-like columns), keep names.
    if (covariates) {
        const Eigen::Index k = covariates->cols();
        std::vector<Eigen::Index> keep;
        for (Eigen::Index l = 0; l < k; ++l) {
            const std::string name = o.covariate_names.empty() ? concat("covariate ", l + 1)
                                                               : o.covariate_names[static_cast<std::size_t>(l)];
            for (Eigen::Index i = 0; i < rows; ++i)
                if (!std::isfinite((*covariates)(i, l)))
                    fail_argument(combat_where, "'covariates' has a non-finite value at sample ", i, ", covariate '", name, "'");
            if (((*covariates).col(l).array() == 1.0).all()) {
                s.warnings.push_back(concat("covariate '", name, "' is 1 for every sample (an intercept) and was dropped, as sva does"));
                continue;
            }
            keep.push_back(l);
            s.cov_names.push_back(name);
        }
        const auto kk = keep.size();
        s.cov_rows.resize(static_cast<std::size_t>(rows) * kk);
        for (Eigen::Index i = 0; i < rows; ++i)
            for (std::size_t l = 0; l < kk; ++l) s.cov_rows[static_cast<std::size_t>(i) * kk + l] = (*covariates)(i, keep[l]);
    }
    s.mean_only = o.mean_only;
    std::vector<std::string> singles;
    for (std::size_t b = 0; b < s.levels.size(); ++b)
        if (s.counts[b] == 1) singles.push_back("'" + s.levels[b] + "'");
    if (!singles.empty() && !o.mean_only) {
        s.mean_only = true;
        s.warnings.push_back(concat("batch(es) ", join_names(singles),
                                    " have a single sample, so the mean-only model is used for all batches (as sva::ComBat does)"));
    }
    check_design(s);
    return s;
}

/// From pass-1 statistics: the regression (B.hat), kept features, batch means of y. Fills the model.
inline void fit_regression(const CombatSetup& s, const CombatStats& st, const CombatOptions& o, CombatModel& m,
                           CombatModel::RowMatrix& batch_mean_y, std::vector<std::string>& warnings) {
    const auto B = static_cast<Eigen::Index>(s.levels.size());
    const auto k = static_cast<Eigen::Index>(s.cov_names.size());
    const auto G = static_cast<Eigen::Index>(st.num_features);
    const auto N = static_cast<double>(s.index.size());
    m.batches = s.levels;
    m.batch_sizes = s.counts;
    m.reference_batch = o.reference_batch;
    m.covariate_names = s.cov_names;
    m.parametric = o.parametric;
    m.mean_only = s.mean_only;
    m.num_features = st.num_features;
    m.corrected_feature.assign(st.num_features, 1);

    // NaN features.
    if (st.first_nan_row >= 0) {
        if (o.nan_policy == NanPolicy::fail)
            fail_argument(combat_where, "'x' has NaN at sample (row) ", st.first_nan_row, ", feature (column) ",
                          st.first_nan_col, "; impute or drop it, or set nan_policy = leave_feature_uncorrected");
        std::size_t n_nan = 0;
        for (std::size_t g = 0; g < st.num_features; ++g)
            if (st.has_nan[g]) {
                m.corrected_feature[g] = 0;
                ++n_nan;
            }
        warnings.push_back(concat(n_nan, " feature(s) holding NaN (first: sample ", st.first_nan_row, ", feature ",
                                  st.first_nan_col, ") were left uncorrected"));
    }
    // Constant within a batch of >= 2 samples (sva's zero rows).
    std::size_t n_const = 0;
    std::ptrdiff_t first_const = -1;
    for (Eigen::Index g = 0; g < G; ++g) {
        if (!m.corrected_feature[static_cast<std::size_t>(g)]) continue;
        for (Eigen::Index b = 0; b < B; ++b)
            if (s.counts[static_cast<std::size_t>(b)] > 1 && st.minimum(b, g) == st.maximum(b, g)) {
                m.corrected_feature[static_cast<std::size_t>(g)] = 0;
                ++n_const;
                if (first_const < 0) first_const = g;
                break;
            }
    }
    if (n_const > 0)
        warnings.push_back(concat(n_const, " feature(s) are constant within a batch (first: feature ", first_const,
                                  ") and were left uncorrected, as sva::ComBat does"));

    // Normal equations of [A-coded batch columns | covariates].
    auto A = [&](Eigen::Index b, Eigen::Index j) { return (b == j || (s.ref && static_cast<Eigen::Index>(*s.ref) == j)) ? 1.0 : 0.0; };
    Eigen::MatrixXd gram = Eigen::MatrixXd::Zero(B + k, B + k);
    for (Eigen::Index i = 0; i < B; ++i)
        for (Eigen::Index j = 0; j < B; ++j)
            for (Eigen::Index b = 0; b < B; ++b) gram(i, j) += static_cast<double>(s.counts[static_cast<std::size_t>(b)]) * A(b, i) * A(b, j);
    for (Eigen::Index i = 0; i < B; ++i)
        for (Eigen::Index l = 0; l < k; ++l) {
            double v = 0;
            for (Eigen::Index b = 0; b < B; ++b) v += A(b, i) * st.cov_sum(b, l);
            gram(i, B + l) = gram(B + l, i) = v;
        }
    gram.bottomRightCorner(k, k) = st.cov_cross;
    Eigen::MatrixXd rhs(B + k, G);
    for (Eigen::Index i = 0; i < B; ++i) {
        rhs.row(i).setZero();
        for (Eigen::Index b = 0; b < B; ++b)
            if (A(b, i) != 0.0) rhs.row(i) += st.sum.row(b);
    }
    if (k > 0) rhs.bottomRows(k) = st.cov_x;
    // Features left uncorrected may hold NaN: zero them in the solve.
    for (Eigen::Index g = 0; g < G; ++g)
        if (!m.corrected_feature[static_cast<std::size_t>(g)]) rhs.col(g).setZero();
    const Eigen::MatrixXd bhat = gram.partialPivLu().solve(rhs);

    m.covariate_coefficients = bhat.bottomRows(k);
    m.grand_mean.resize(G);
    if (s.ref) {
        m.grand_mean = bhat.row(static_cast<Eigen::Index>(*s.ref)).transpose();
    } else {
        m.grand_mean.setZero();
        for (Eigen::Index b = 0; b < B; ++b)
            m.grand_mean += (static_cast<double>(s.counts[static_cast<std::size_t>(b)]) / N) * bhat.row(b).transpose();
    }
    batch_mean_y.resize(B, G);
    for (Eigen::Index b = 0; b < B; ++b) {
        const double nb = static_cast<double>(s.counts[static_cast<std::size_t>(b)]);
        for (Eigen::Index g = 0; g < G; ++g) {
            double v = st.sum(b, g);
            for (Eigen::Index l = 0; l < k; ++l) v -= st.cov_sum(b, l) * m.covariate_coefficients(l, g);
            batch_mean_y(b, g) = m.corrected_feature[static_cast<std::size_t>(g)] ? v / nb : 0.0;
        }
    }
}

/// exp(-y) for y >= 0 (+inf and NaN included), accurate to ~2 ulp, written so that compilers
/// vectorize loops over it (no calls, no floating-point selects; the clamp works on the bits, whose
/// integer order is the order of non-negative doubles); y above 708 is treated as 708 (a weight of
/// ~3e-308, which cannot change a sum that contains 1).
[[gnu::always_inline]] inline double exp_negative(double y) noexcept {
    constexpr std::int64_t cap = std::bit_cast<std::int64_t>(708.0);
    std::int64_t yb = std::bit_cast<std::int64_t>(y);
    yb = yb < cap ? yb : cap;
    const double x = -std::bit_cast<double>(yb);
    const double t = x * 1.4426950408889634 + 0x1.8p52;  // round(x / ln 2) in the low mantissa bits
    const double k = t - 0x1.8p52;
    const double r = (x - k * 0.693147180369123816490) - k * 1.90821492927058770002e-10;
    double p = 1.0 / 6227020800.0;
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    const std::uint64_t bits = (std::bit_cast<std::uint64_t>(t) + 1023) << 52;
    return p * std::bit_cast<double>(bits);
}

/// Log-weights of the non-parametric prior for one feature (mean m, centred sum of squares ss):
/// lw_j = c_j - (ss + n (m - g_j)^2) / (2 d_j); then w_j = exp(lw_j - shift).
[[gnu::always_inline]] inline void nonparametric_log_weights(const double* g, const double* c, const double* inv2d,
                                                             double m, double ss, double n, double* lw,
                                                             std::size_t count) noexcept {
    for (std::size_t q = 0; q < count; ++q) {
        const double d = m - g[q];
        lw[q] = c[q] - (ss + n * d * d) * inv2d[q];
    }
}
[[gnu::always_inline]] inline void exp_shifted(double* w, double shift, std::size_t count) noexcept {
    for (std::size_t q = 0; q < count; ++q) w[q] = exp_negative(shift - w[q]);
}
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
[[gnu::target("avx2,fma")]] inline void nonparametric_log_weights_avx2(const double* g, const double* c, const double* inv2d,
                                                                      double m, double ss, double n, double* lw,
                                                                      std::size_t count) noexcept {
    nonparametric_log_weights(g, c, inv2d, m, ss, n, lw, count);
}
[[gnu::target("avx2,fma")]] inline void exp_shifted_avx2(double* w, double shift, std::size_t count) noexcept {
    exp_shifted(w, shift, count);
}
inline bool have_avx2_fma() noexcept {
    static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return yes;
}
#else
inline bool have_avx2_fma() noexcept { return false; }
inline void nonparametric_log_weights_avx2(const double* g, const double* c, const double* inv2d, double m, double ss,
                                           double n, double* lw, std::size_t count) noexcept {
    nonparametric_log_weights(g, c, inv2d, m, ss, n, lw, count);
}
inline void exp_shifted_avx2(double* w, double shift, std::size_t count) noexcept { exp_shifted(w, shift, count); }
#endif

/// Sample variance (n - 1) and mean of the kept entries of a row.
inline std::pair<double, double> mean_var(const double* v, const std::vector<Eigen::Index>& kept) {
    double mean = 0;
    for (auto g : kept) mean += v[g];
    mean /= static_cast<double>(kept.size());
    double ss = 0;
    for (auto g : kept) ss += (v[g] - mean) * (v[g] - mean);
    return {mean, ss / static_cast<double>(kept.size() - 1)};
}

/// From pass-2 statistics: pooled variance, L/S estimates, priors and EB estimates.
inline void fit_empirical_bayes(const CombatSetup& s, const CombatStats& st, const CombatOptions& o, CombatModel& m,
                                const CombatModel::RowMatrix& batch_mean_y, std::vector<std::string>& warnings) {
    const auto B = static_cast<Eigen::Index>(s.levels.size());
    const auto G = static_cast<Eigen::Index>(st.num_features);
    const auto N = static_cast<double>(s.index.size());
    m.pooled_variance.resize(G);
    std::size_t n_flat = 0;
    std::ptrdiff_t first_flat = -1;
    for (Eigen::Index g = 0; g < G; ++g) {
        double v = 0;
        if (s.ref) {
            v = st.ss(static_cast<Eigen::Index>(*s.ref), g) / static_cast<double>(s.counts[*s.ref]);
        } else {
            for (Eigen::Index b = 0; b < B; ++b) v += st.ss(b, g);
            v /= N;
        }
        m.pooled_variance[g] = v;
        if (m.corrected_feature[static_cast<std::size_t>(g)] && !(v > 0.0 && std::isfinite(v))) {
            m.corrected_feature[static_cast<std::size_t>(g)] = 0;
            ++n_flat;
            if (first_flat < 0) first_flat = g;
        }
    }
    if (n_flat > 0)
        warnings.push_back(concat(n_flat, " feature(s) have no variance left after removing the covariates",
                                  s.ref ? " within the reference batch" : "", " (first: feature ", first_flat,
                                  ") and were left uncorrected"));
    std::vector<Eigen::Index> kept;
    for (Eigen::Index g = 0; g < G; ++g)
        if (m.corrected_feature[static_cast<std::size_t>(g)]) kept.push_back(g);
    if (kept.size() < 2)
        fail_runtime(combat_where, "only ", kept.size(), " of ", G,
                     " features vary within every batch; the empirical Bayes priors need at least 2");

    // Standardized per-batch means and within-batch sums of squares of s.data.
    CombatModel::RowMatrix ms(B, G), sss(B, G);
    for (Eigen::Index b = 0; b < B; ++b)
        for (Eigen::Index g = 0; g < G; ++g) {
            const double vp = m.pooled_variance[g];
            ms(b, g) = (batch_mean_y(b, g) - m.grand_mean[g]) / std::sqrt(vp);
            sss(b, g) = st.ss(b, g) / vp;
        }
    // gamma.hat = A^{-1} ms (A = identity, or with the reference column all ones).
    m.gamma_hat = ms;
    if (s.ref) {
        const auto r = static_cast<Eigen::Index>(*s.ref);
        for (Eigen::Index b = 0; b < B; ++b)
            if (b != r) m.gamma_hat.row(b) -= ms.row(r);
    }
    m.delta_hat.resize(B, G);
    for (Eigen::Index b = 0; b < B; ++b) {
        const double nb = static_cast<double>(s.counts[static_cast<std::size_t>(b)]);
        for (Eigen::Index g = 0; g < G; ++g) m.delta_hat(b, g) = s.mean_only ? 1.0 : sss(b, g) / (nb - 1.0);
    }
    m.gamma_bar.resize(B);
    m.tau2.resize(B);
    m.a_prior.resize(B);
    m.b_prior.resize(B);
    for (Eigen::Index b = 0; b < B; ++b) {
        const auto [gm, gv] = mean_var(&m.gamma_hat(b, 0), kept);
        m.gamma_bar[b] = gm;
        m.tau2[b] = gv;
        const auto [dm, dv] = mean_var(&m.delta_hat(b, 0), kept);
        m.a_prior[b] = (2 * dv + dm * dm) / dv;
        m.b_prior[b] = (dm * dv + dm * dm * dm) / dv;
    }
    m.gamma_star.setZero(B, G);
    m.delta_star.setOnes(B, G);
    m.iterations = 0;
    for (Eigen::Index b = 0; b < B; ++b) {
        const double nb = static_cast<double>(s.counts[static_cast<std::size_t>(b)]);
        const double t2 = m.tau2[b], gbar = m.gamma_bar[b];
        if (o.parametric && s.mean_only) {
            for (auto g : kept) m.gamma_star(b, g) = (t2 * m.gamma_hat(b, g) + gbar) / (t2 + 1.0);
        } else if (o.parametric) {
            const double a = m.a_prior[b], bb = m.b_prior[b];
            const std::size_t K = kept.size();
            std::vector<double> g_old(K), d_old(K), g_new(K), d_new(K);
            for (std::size_t q = 0; q < K; ++q) {
                g_old[q] = m.gamma_hat(b, kept[q]);
                d_old[q] = m.delta_hat(b, kept[q]);
            }
            double change = 1;
            int count = 0;
            while (change > o.convergence) {
                if (count >= o.max_iterations) {
                    warnings.push_back(concat("batch '", s.levels[static_cast<std::size_t>(b)],
                                              "': the parametric iteration stopped after ", count,
                                              " iterations without reaching relative change ", o.convergence,
                                              " (last change ", change, ")"));
                    break;
                }
                change = -std::numeric_limits<double>::infinity();
                for (std::size_t q = 0; q < K; ++q) {
                    const auto g = kept[q];
                    const double gh = m.gamma_hat(b, g);
                    const double gn = (t2 * nb * gh + d_old[q] * gbar) / (t2 * nb + d_old[q]);
                    const double dm = ms(b, g) - gn;
                    const double sum2 = sss(b, g) + nb * dm * dm;
                    const double dn = (0.5 * sum2 + bb) / (nb / 2.0 + a - 1.0);
                    // sva: max(abs(g.new - g.old) / g.old, abs(d.new - d.old) / d.old), signed denominators
                    change = std::max({change, std::abs(gn - g_old[q]) / g_old[q], std::abs(dn - d_old[q]) / d_old[q]});
                    g_new[q] = gn;
                    d_new[q] = dn;
                }
                std::swap(g_old, g_new);
                std::swap(d_old, d_new);
                ++count;
                if (std::isnan(change)) break;  // sva would stop with an error here
            }
            m.iterations = std::max(m.iterations, count);
            for (std::size_t q = 0; q < K; ++q) {
                m.gamma_star(b, kept[q]) = g_old[q];
                m.delta_star(b, kept[q]) = d_old[q];
            }
        } else {
            // Non-parametric (sva's int.eprior): for feature i, weights over the other features j
            // LH_j = (2 pi d_j)^(-n/2) exp(-sum2_ij / (2 d_j)), sum2_ij = SS_i + n (m_i - g_j)^2.
            const std::size_t K = kept.size();
            std::vector<double> gj(K), dj(K), cj(K), inv2d(K);
            for (std::size_t q = 0; q < K; ++q) {
                gj[q] = m.gamma_hat(b, kept[q]);
                dj[q] = s.mean_only ? 1.0 : m.delta_hat(b, kept[q]);
                cj[q] = -0.5 * nb * std::log(2.0 * std::numbers::pi * dj[q]);
                inv2d[q] = 0.5 / dj[q];
            }
            const bool avx2 = have_avx2_fma();
            c2s::parallelize(o.num_threads, K, [&](int, std::size_t start, std::size_t len) {
                Eigen::VectorXd lw(static_cast<Eigen::Index>(K));
                const Eigen::Map<const Eigen::VectorXd> gv(gj.data(), static_cast<Eigen::Index>(K));
                const Eigen::Map<const Eigen::VectorXd> dv(dj.data(), static_cast<Eigen::Index>(K));
                for (std::size_t p = start; p < start + len; ++p) {
                    const auto gi = kept[p];
                    const double ssi = sss(b, gi), mi = ms(b, gi);
                    if (avx2) nonparametric_log_weights_avx2(gj.data(), cj.data(), inv2d.data(), mi, ssi, nb, lw.data(), K);
                    else nonparametric_log_weights(gj.data(), cj.data(), inv2d.data(), mi, ssi, nb, lw.data(), K);
                    lw[static_cast<Eigen::Index>(p)] = -std::numeric_limits<double>::infinity();  // leave feature i out
                    const double mx = lw.maxCoeff();
                    if (avx2) exp_shifted_avx2(lw.data(), mx, K);
                    else exp_shifted(lw.data(), mx, K);
                    lw[static_cast<Eigen::Index>(p)] = 0.0;
                    const double sw = lw.sum(), sg = lw.dot(gv), sd = lw.dot(dv);
                    m.gamma_star(b, gi) = sg / sw;
                    m.delta_star(b, gi) = sd / sw;
                }
            });
        }
    }
    if (s.ref) {
        m.gamma_star.row(*s.ref).setZero();
        m.delta_star.row(*s.ref).setOnes();
    }
    // The apply step uses the per-sample offset A[b,:]·gamma* = gamma*_b (gamma*_ref = 0), so
    // gamma_star is stored as that offset already.
    for (Eigen::Index g = 0; g < G; ++g)
        if (!m.corrected_feature[static_cast<std::size_t>(g)]) {
            m.gamma_star.col(g).setZero();
            m.delta_star.col(g).setOnes();
        }
}

}  // namespace detail

/**
 * @brief Fits ComBat on `x` (samples × features) and returns the corrected matrix and the model.
 *
 * @param x          samples × features, float or double; NaN handled per `options.nan_policy`
 * @param batch      batch label per sample (strings, or anything `c2s::concat` can print)
 * @param covariates samples × k columns to protect (sva's `mod` without the intercept), or nullptr
 * @param options    see `CombatOptions`
 * @throws std::invalid_argument for mismatched lengths, an unknown reference batch, fewer than two
 *         batches, NaN (by default) or a confounded design (naming the columns involved)
 */
template <class Derived_, class Batch_>
    requires c2s::feature_matrix<Derived_> && c2s::label_sequence<Batch_>
[[nodiscard]] CombatModel combat_fit(const Eigen::DenseBase<Derived_>& x, const Batch_& batch,
                                     const Eigen::MatrixXd* covariates, const CombatOptions& options,
                                     std::vector<std::string>& warnings, detail::CombatSetup* setup_out = nullptr) {
    auto s = detail::prepare(x.rows(), batch, covariates, options);
    const std::size_t k = s.cov_names.size();
    const double* cov = k ? s.cov_rows.data() : nullptr;
    detail::CombatStats st;
    st.init(s.levels.size(), static_cast<std::size_t>(x.cols()), k);
    st.first_row = s.first_row;
    detail::accumulate_pass1(st, x, s.index.data(), cov, 0, options.num_threads);
    CombatModel m;
    warnings.insert(warnings.end(), s.warnings.begin(), s.warnings.end());
    CombatModel::RowMatrix batch_mean_y;
    detail::fit_regression(s, st, options, m, batch_mean_y, warnings);
    if (st.one_pass) st.finish_one_pass();
    else detail::accumulate_pass2(st, x, s.index.data(), cov, m.covariate_coefficients, batch_mean_y, options.num_threads);
    detail::fit_empirical_bayes(s, st, options, m, batch_mean_y, warnings);
    if (setup_out) *setup_out = std::move(s);
    return m;
}

/// ComBat on a samples × features matrix; see the file comment and `CombatOptions`.
[[nodiscard]] inline CombatResult combat(const Eigen::Ref<const Eigen::MatrixXd>& x, const std::vector<std::string>& batch,
                                         const Eigen::MatrixXd* covariates = nullptr, const CombatOptions& options = {}) {
    CombatResult r;
    detail::CombatSetup s;
    r.model = combat_fit(x, batch, covariates, options, r.warnings, &s);
    r.corrected.resize(x.rows(), x.cols());
    r.model.apply_block(x, s.index.data(), s.cov_names.empty() ? nullptr : s.cov_rows.data(), r.corrected,
                        options.num_threads);
    return r;
}

/**
 * @brief `combat` writing the corrected matrix into `out` (resized only if its shape differs, so
 * a caller correcting many matrices of one shape reuses the memory and skips the page faults of a
 * fresh result). `out` must not alias `x`. Returns the model; warnings are appended to `warnings`.
 */
inline CombatModel combat_into(const Eigen::Ref<const Eigen::MatrixXd>& x, const std::vector<std::string>& batch,
                               Eigen::MatrixXd& out, std::vector<std::string>& warnings,
                               const Eigen::MatrixXd* covariates = nullptr, const CombatOptions& options = {}) {
    detail::CombatSetup s;
    auto m = combat_fit(x, batch, covariates, options, warnings, &s);
    if (out.rows() != x.rows() || out.cols() != x.cols()) out.resize(x.rows(), x.cols());
    m.apply_block(x, s.index.data(), s.cov_names.empty() ? nullptr : s.cov_rows.data(), out, options.num_threads);
    return m;
}

/**
 * @brief ComBat correcting `x` in place: no second samples × features matrix is allocated, so data
 * filling most of memory can be corrected, and no fresh result pages are faulted in (on 2,048 ×
 * 100,000 doubles that costs more than the correction itself). Works for any plain dense matrix
 * (`Eigen::MatrixXd`, `Eigen::MatrixXf`, a `Map`); statistics are accumulated in double.
 * Returns the model; warnings are appended to `warnings`. Throws as `combat` does, before `x` is
 * modified.
 */
template <class Derived_, class Batch_>
    requires c2s::feature_matrix<Derived_> && c2s::label_sequence<Batch_>
CombatModel combat_in_place(Eigen::MatrixBase<Derived_>& x, const Batch_& batch, std::vector<std::string>& warnings,
                            const Eigen::MatrixXd* covariates = nullptr, const CombatOptions& options = {}) {
    detail::CombatSetup s;
    auto m = combat_fit(x, batch, covariates, options, warnings, &s);
    m.apply_block(x, s.index.data(), s.cov_names.empty() ? nullptr : s.cov_rows.data(), x, options.num_threads);
    return m;
}

/// `combat` taking ownership of `x` (`combat(std::move(x), batch)`): corrected in place by
/// `combat_in_place` and moved into the result. Only an rvalue `Eigen::MatrixXd` selects this
/// overload; anything else goes to the copying one.
template <class Matrix_>
    requires std::same_as<Matrix_, Eigen::MatrixXd>
[[nodiscard]] CombatResult combat(Matrix_&& x, const std::vector<std::string>& batch,
                                  const Eigen::MatrixXd* covariates = nullptr, const CombatOptions& options = {}) {
    CombatResult r;
    r.model = combat_in_place(x, batch, r.warnings, covariates, options);
    r.corrected = std::move(x);
    return r;
}

/// ComBat for any `feature_matrix` (e.g. `Eigen::MatrixXf`) and `label_sequence`; the corrected
/// matrix has the input's scalar type. Statistics are accumulated in double.
template <class Derived_, class Batch_>
    requires c2s::feature_matrix<Derived_> && c2s::label_sequence<Batch_>
[[nodiscard]] auto combat_any(const Eigen::DenseBase<Derived_>& x, const Batch_& batch,
                              const Eigen::MatrixXd* covariates = nullptr, const CombatOptions& options = {}) {
    using Float = typename Derived_::Scalar;
    struct Result {
        Eigen::Matrix<Float, Eigen::Dynamic, Eigen::Dynamic> corrected;
        CombatModel model;
        std::vector<std::string> warnings;
    } r;
    detail::CombatSetup s;
    r.model = combat_fit(x, batch, covariates, options, r.warnings, &s);
    r.corrected.resize(x.rows(), x.cols());
    r.model.apply_block(x, s.index.data(), s.cov_names.empty() ? nullptr : s.cov_rows.data(), r.corrected,
                        options.num_threads);
    return r;
}

namespace detail {
template <class B_>
std::vector<std::string> labels_as_strings(const B_& batch) {
    std::vector<std::string> labels;
    labels.reserve(static_cast<std::size_t>(std::ranges::size(batch)));
    for (const auto& v : batch) {
        if constexpr (std::is_convertible_v<decltype(v), std::string>) labels.emplace_back(v);
        else labels.push_back(concat(v));
    }
    return labels;
}
}  // namespace detail

/// A fitted model plus the fit's warnings, returned by `Combat::fit`.
struct CombatFitted {
    CombatModel model;
    std::vector<std::string> warnings;

    /// Corrects `x` (samples of batches seen in the fit); the result has `x`'s scalar type.
    template <class X_, class B_>
        requires c2s::feature_matrix<X_> && c2s::label_sequence<B_>
    [[nodiscard]] auto apply(const X_& x, const B_& batch) const {
        return model.apply_as<typename X_::Scalar>(x, detail::labels_as_strings(batch));
    }
};

/// A fitter modelling `c2s::batch_corrector`: `Combat{options}.fit(x, batch).apply(x, batch)`.
struct Combat {
    CombatOptions options;

    /// Fits the model (covariates are not part of this concept interface; use `combat_fit` for them).
    template <class Derived_, class Batch_>
        requires c2s::feature_matrix<Derived_> && c2s::label_sequence<Batch_>
    [[nodiscard]] CombatFitted fit(const Derived_& x, const Batch_& batch) const {
        CombatFitted f;
        f.model = combat_fit(x, batch, nullptr, options, f.warnings);
        return f;
    }
};

// ---------------------------------------------------------------------------------------------
// Model file: text, "c2s-combat-model 1", then key/value lines and matrices in %.17g.

namespace detail {
inline void write_row(std::ostream& out, const char* key, const double* v, Eigen::Index n) {
    out << key;
    char buf[32];
    for (Eigen::Index i = 0; i < n; ++i) {
        std::snprintf(buf, sizeof buf, " %.17g", v[i]);
        out << buf;
    }
    out << '\n';
}
}  // namespace detail

inline void CombatModel::save(const std::filesystem::path& path) const {
    c2s::io::AtomicFile file(path);
    auto& out = file.stream();
    const auto B = static_cast<Eigen::Index>(num_batches()), G = static_cast<Eigen::Index>(num_features);
    const auto k = static_cast<Eigen::Index>(num_covariates());
    out << "c2s-combat-model 1\n";
    out << "features " << G << "\nbatches " << B << "\ncovariates " << k << '\n';
    out << "parametric " << (parametric ? 1 : 0) << "\nmean_only " << (mean_only ? 1 : 0) << "\niterations " << iterations << '\n';
    out << "reference " << (reference_batch ? 1 : 0) << '\n';
    if (reference_batch) out << *reference_batch << '\n';
    for (Eigen::Index b = 0; b < B; ++b) out << "batch " << batch_sizes[static_cast<std::size_t>(b)] << '\n' << batches[static_cast<std::size_t>(b)] << '\n';
    for (Eigen::Index l = 0; l < k; ++l) out << "covariate\n" << covariate_names[static_cast<std::size_t>(l)] << '\n';
    out << "corrected";
    for (auto c : corrected_feature) out << ' ' << int(c);
    out << '\n';
    detail::write_row(out, "grand_mean", grand_mean.data(), G);
    detail::write_row(out, "pooled_variance", pooled_variance.data(), G);
    for (Eigen::Index l = 0; l < k; ++l) detail::write_row(out, "covariate_coefficients", &covariate_coefficients(l, 0), G);
    for (const auto* mat : {&gamma_hat, &delta_hat, &gamma_star, &delta_star}) {
        const char* key = mat == &gamma_hat ? "gamma_hat" : mat == &delta_hat ? "delta_hat" : mat == &gamma_star ? "gamma_star" : "delta_star";
        for (Eigen::Index b = 0; b < B; ++b) detail::write_row(out, key, &(*mat)(b, 0), G);
    }
    for (const auto* v : {&gamma_bar, &tau2, &a_prior, &b_prior}) {
        const char* key = v == &gamma_bar ? "gamma_bar" : v == &tau2 ? "tau2" : v == &a_prior ? "a_prior" : "b_prior";
        detail::write_row(out, key, v->data(), B);
    }
    out << "end\n";
    if (!out) fail_runtime("c2s::batch::CombatModel::save", "write error on '", path.string(), "'");
    file.commit();
}

inline CombatModel CombatModel::load(const std::filesystem::path& path) {
    constexpr const char* where = "c2s::batch::CombatModel::load";
    std::ifstream in(path, std::ios::binary);
    if (!in) fail_runtime(where, "cannot open '", path.string(), "'");
    std::size_t line_no = 0;
    std::string line;
    auto next = [&]() -> std::string& {
        if (!std::getline(in, line)) fail_runtime(where, "'", path.string(), "' ends early after line ", line_no);
        ++line_no;
        return line;
    };
    auto bad = [&](const std::string& what) {
        fail_runtime(where, "'", path.string(), "' line ", line_no, ": ", what);
    };
    auto keyed = [&](const std::string& key) {
        std::istringstream ss(next());
        std::string k;
        ss >> k;
        if (k != key) bad(concat("expected '", key, "', found '", k, "'"));
        return ss;
    };
    auto number = [&](const std::string& key) {
        auto ss = keyed(key);
        long long v = -1;
        if (!(ss >> v) || v < 0) bad(concat("bad value for '", key, "'"));
        return static_cast<std::size_t>(v);
    };
    auto values = [&](const std::string& key, double* dst, Eigen::Index n) {
        auto ss = keyed(key);
        for (Eigen::Index i = 0; i < n; ++i) {
            std::string tok;
            if (!(ss >> tok)) bad(concat("'", key, "' has ", i, " values, expected ", n));
            char* end = nullptr;
            dst[i] = std::strtod(tok.c_str(), &end);
            if (end == tok.c_str() || *end) bad(concat("'", key, "' value '", tok, "' is not a number"));
        }
        std::string extra;
        if (ss >> extra) bad(concat("'", key, "' has more than ", n, " values"));
    };
    if (next() != "c2s-combat-model 1") bad("not a c2s ComBat model file (expected 'c2s-combat-model 1')");
    CombatModel m;
    const auto G = static_cast<Eigen::Index>(number("features"));
    const auto B = static_cast<Eigen::Index>(number("batches"));
    const auto k = static_cast<Eigen::Index>(number("covariates"));
    m.num_features = static_cast<std::size_t>(G);
    m.parametric = number("parametric") != 0;
    m.mean_only = number("mean_only") != 0;
    m.iterations = static_cast<int>(number("iterations"));
    if (number("reference") != 0) m.reference_batch = next();
    for (Eigen::Index b = 0; b < B; ++b) {
        m.batch_sizes.push_back(number("batch"));
        m.batches.push_back(next());
    }
    if (!std::is_sorted(m.batches.begin(), m.batches.end())) bad("batch names are not sorted");
    if (m.reference_batch && !std::binary_search(m.batches.begin(), m.batches.end(), *m.reference_batch))
        bad(concat("reference batch '", *m.reference_batch, "' is not among the batches"));
    for (Eigen::Index l = 0; l < k; ++l) {
        keyed("covariate");
        m.covariate_names.push_back(next());
    }
    {
        auto ss = keyed("corrected");
        int c = 0;
        while (ss >> c) m.corrected_feature.push_back(static_cast<unsigned char>(c != 0));
        if (m.corrected_feature.size() != static_cast<std::size_t>(G))
            bad(concat("'corrected' has ", m.corrected_feature.size(), " flags, expected ", G));
    }
    m.grand_mean.resize(G);
    values("grand_mean", m.grand_mean.data(), G);
    m.pooled_variance.resize(G);
    values("pooled_variance", m.pooled_variance.data(), G);
    m.covariate_coefficients.resize(k, G);
    for (Eigen::Index l = 0; l < k; ++l) values("covariate_coefficients", &m.covariate_coefficients(l, 0), G);
    for (auto [mat, key] : {std::pair{&m.gamma_hat, "gamma_hat"}, {&m.delta_hat, "delta_hat"}, {&m.gamma_star, "gamma_star"}, {&m.delta_star, "delta_star"}}) {
        mat->resize(B, G);
        for (Eigen::Index b = 0; b < B; ++b) values(key, &(*mat)(b, 0), G);
    }
    for (auto [v, key] : {std::pair{&m.gamma_bar, "gamma_bar"}, {&m.tau2, "tau2"}, {&m.a_prior, "a_prior"}, {&m.b_prior, "b_prior"}}) {
        v->resize(B);
        values(key, v->data(), B);
    }
    if (next() != "end") bad("expected 'end'");
    return m;
}

}  // namespace c2s::batch
