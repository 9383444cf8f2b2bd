#pragma once
/// @file combat_streaming.hpp
/// @brief ComBat on a samples × features `.npy` file larger than memory.
///
/// Passes over row blocks of the file (`c2s::io::NpyRowReader`): pass 1 accumulates per-batch
/// sums, ranges and covariate cross products (and, without covariates, the sums of squares around
/// each batch's first sample), pass 2 (only with covariates) the within-batch sums of squares of the
/// covariate-adjusted values, the last pass writes the corrected rows (`c2s::io::NpyRowWriter`, atomic). Memory holds the per-batch
/// statistics (batches × features doubles), one block of rows, and the per-sample batch index and
/// covariates; it does not grow with the number of features × samples. The numbers equal
/// `c2s::batch::combat` on the same data (same kernels, same order of accumulation per feature
/// within a block; across blocks sums are added in block order).

#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "c2s/batch/combat.hpp"
#include "c2s/core/progress.hpp"
#include "c2s/io/npy.hpp"

namespace c2s::batch {

struct CombatStreamingOptions {
    /// Rows per block; larger blocks use more memory (rows × features × 8 bytes, twice) and fewer reads.
    std::size_t block_rows = 4096;
    /// Optional progress reporting / interruption between blocks (the output is then not created).
    const c2s::Progress* progress = nullptr;
};

struct CombatStreamingResult {
    CombatModel model;
    std::vector<std::string> warnings;
    std::size_t rows = 0;  ///< samples corrected
};

namespace detail {

template <class Float_, class Fun_>
void for_each_block(c2s::io::NpyRowReader& reader, std::size_t block_rows, const c2s::Progress* progress,
                    const char* what, Fun_&& fun) {
    using Block = Eigen::Matrix<Float_, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const std::size_t n = reader.rows(), g = reader.cols();
    Block block;
    for (std::size_t first = 0; first < n; first += block_rows) {
        const std::size_t count = std::min(block_rows, n - first);
        block.resize(static_cast<Eigen::Index>(count), static_cast<Eigen::Index>(g));
        reader.read_rows<Float_>(first, count, std::span<Float_>(block.data(), count * g));
        fun(first, block);
        if (progress) {
            progress->report(first + count, n, what);
            progress->check_interrupt("c2s::batch::combat_npy");
        }
    }
}

template <class Float_>
CombatStreamingResult combat_npy_typed(c2s::io::NpyRowReader& reader, const std::vector<std::string>& batch,
                                       const Eigen::MatrixXd* covariates, const std::filesystem::path& output,
                                       const CombatOptions& options, const CombatStreamingOptions& so) {
    CombatStreamingResult r;
    const std::size_t n = reader.rows(), g = reader.cols();
    const std::size_t block_rows = std::max<std::size_t>(1, so.block_rows);
    auto s = prepare(static_cast<Eigen::Index>(n), batch, covariates, options);
    const std::size_t k = s.cov_names.size();
    auto cov_at = [&](std::size_t first) { return k ? s.cov_rows.data() + first * k : nullptr; };
    CombatStats st;
    st.init(s.levels.size(), g, k);
    st.first_row = s.first_row;
    // Pass-1 counts/covariate sums are accumulated per block by accumulate_pass1.
    for_each_block<Float_>(reader, block_rows, so.progress, "combat: statistics", [&](std::size_t first, const auto& block) {
        accumulate_pass1(st, block, s.index.data() + first, cov_at(first), static_cast<std::ptrdiff_t>(first), options.num_threads);
    });
    r.warnings = s.warnings;
    CombatModel::RowMatrix batch_mean_y;
    fit_regression(s, st, options, r.model, batch_mean_y, r.warnings);
    if (st.one_pass) {
        st.finish_one_pass();  // no covariates: the sums of squares came with pass 1
    } else {
        for_each_block<Float_>(reader, block_rows, so.progress, "combat: variances", [&](std::size_t first, const auto& block) {
            accumulate_pass2(st, block, s.index.data() + first, cov_at(first), r.model.covariate_coefficients, batch_mean_y,
                             options.num_threads);
        });
    }
    fit_empirical_bayes(s, st, options, r.model, batch_mean_y, r.warnings);
    c2s::io::NpyRowWriter<Float_> writer(output, n, g);
    for_each_block<Float_>(reader, block_rows, so.progress, "combat: correcting", [&](std::size_t first, auto& block) {
        r.model.apply_block(block, s.index.data() + first, cov_at(first), block, options.num_threads);
        writer.write_rows(std::span<const Float_>(block.data(), static_cast<std::size_t>(block.size())));
    });
    writer.commit();
    r.rows = n;
    return r;
}

}  // namespace detail

/**
 * @brief ComBat on the samples × features `.npy` file `input`, writing the corrected matrix to
 * `output` (same element type when float32/float64, else float64).
 *
 * @param batch      batch label per row of `input`
 * @param covariates rows × k columns to protect, or nullptr
 * @throws std::invalid_argument / std::runtime_error as `combat`, and for unreadable files
 */
[[nodiscard]] inline CombatStreamingResult combat_npy(const std::filesystem::path& input, const std::vector<std::string>& batch,
                                                      const Eigen::MatrixXd* covariates, const std::filesystem::path& output,
                                                      const CombatOptions& options = {},
                                                      const CombatStreamingOptions& streaming = {}) {
    c2s::io::NpyRowReader reader(input);
    if (reader.header().shape.size() != 2)
        fail_argument("c2s::batch::combat_npy", "'", input.string(), "' has ", reader.header().shape.size(),
                      " dimensions; expected a 2-D samples × features array");
    if (reader.header().dtype == c2s::io::DType::float32)
        return detail::combat_npy_typed<float>(reader, batch, covariates, output, options, streaming);
    return detail::combat_npy_typed<double>(reader, batch, covariates, output, options, streaming);
}

/// Applies a fitted model to the rows of `input` (batches known to the model), streaming to `output`.
inline void apply_npy(const CombatModel& model, const std::filesystem::path& input, const std::vector<std::string>& batch,
                      const Eigen::MatrixXd* covariates, const std::filesystem::path& output, int num_threads = 1,
                      const CombatStreamingOptions& streaming = {}) {
    constexpr const char* where = "c2s::batch::apply_npy";
    c2s::io::NpyRowReader reader(input);
    if (reader.header().shape.size() != 2 || reader.cols() != model.num_features)
        fail_argument(where, "'", input.string(), "' has ", reader.cols(), " features (columns) but the model was fitted on ",
                      model.num_features);
    if (batch.size() != reader.rows())
        fail_argument(where, "'batch' has ", batch.size(), " entries but '", input.string(), "' has ", reader.rows(), " rows");
    const auto cov = model.check_covariates(covariates, static_cast<Eigen::Index>(reader.rows()), where);
    std::vector<std::uint32_t> idx(batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) idx[i] = model.batch_index(batch[i], where);
    const std::size_t k = model.num_covariates();
    auto run = [&]<class Float_>(Float_) {
        c2s::io::NpyRowWriter<Float_> writer(output, reader.rows(), reader.cols());
        detail::for_each_block<Float_>(reader, std::max<std::size_t>(1, streaming.block_rows), streaming.progress,
                                       "combat: correcting", [&](std::size_t first, auto& block) {
            model.apply_block(block, idx.data() + first, k ? cov.data() + first * k : nullptr, block, num_threads);
            writer.write_rows(std::span<const Float_>(block.data(), static_cast<std::size_t>(block.size())));
        });
        writer.commit();
    };
    if (reader.header().dtype == c2s::io::DType::float32) run(float{});
    else run(double{});
}

}  // namespace c2s::batch
