#pragma once
/// @file data.hpp
/// @brief Training data: the `sample_source` concept, an in-memory dataset that decodes a source
/// once, and `EpochLoader`, which serves an epoch's batches with seeded augmentation on worker
/// threads and prefetch.

#include <torch/torch.h>

#include <atomic>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/core/parallelize.hpp"
#include "c2s/core/progress.hpp"
#include "c2s/train/augment.hpp"
#include "c2s/train/random.hpp"
#include "c2s/vision/dataset.hpp"

namespace c2s::train {

using vision::Batch;
using vision::Sample;

/**
 * @brief Something that serves labelled images by position.
 * 1. `d.size()` is the number of samples;
 * 2. `d.get(i)` returns a `c2s::vision::Sample` (image `[C, H, W]` float, label, row), thread-safe;
 * 3. `d.get_label(i)` returns the label without decoding (negative: unlabelled, never trained on).
 * `c2s::vision::ImageDataset` and `MemoryDataset` model it.
 */
template <class Source_>
concept sample_source = requires(const Source_& d, std::size_t i) {
    { d.size() } -> std::convertible_to<std::size_t>;
    { d.get(i) } -> std::convertible_to<Sample>;
    { d.get_label(i) } -> std::convertible_to<std::int64_t>;
};

/// Labelled images held in memory (e.g. decoded and preprocessed once, then augmented each epoch).
class MemoryDataset {
public:
    MemoryDataset() = default;
    /// @param images `[C, H, W]` tensors; @param labels one per image; @param rows the caller's
    /// row ids (empty: 0 .. n-1).
    MemoryDataset(std::vector<torch::Tensor> images, std::vector<std::int64_t> labels, std::vector<std::size_t> rows = {})
        : images_(std::move(images)), labels_(std::move(labels)), rows_(std::move(rows)) {
        constexpr const char* where = "c2s::train::MemoryDataset";
        if (labels_.size() != images_.size())
            fail_argument(where, "'labels' has ", labels_.size(), " entries but 'images' has ", images_.size());
        if (rows_.empty())
            for (std::size_t i = 0; i < images_.size(); ++i) rows_.push_back(i);
        if (rows_.size() != images_.size())
            fail_argument(where, "'rows' has ", rows_.size(), " entries but 'images' has ", images_.size());
        for (std::size_t i = 0; i < images_.size(); ++i)
            if (!images_[i].defined() || images_[i].dim() != 3)
                fail_argument(where, "image ", i, " (row ", rows_[i], ") is not a [C, H, W] tensor");
    }

    [[nodiscard]] std::size_t size() const noexcept { return images_.size(); }
    [[nodiscard]] Sample get(std::size_t i) const {
        if (i >= images_.size())
            fail_argument("c2s::train::MemoryDataset::get", "position ", i, " is out of range (", images_.size(), " samples)");
        return {images_[i], labels_[i], rows_[i]};
    }
    [[nodiscard]] std::int64_t get_label(std::size_t i) const { return labels_.at(i); }
    [[nodiscard]] const std::vector<std::int64_t>& labels() const noexcept { return labels_; }
    [[nodiscard]] const std::vector<std::size_t>& rows() const noexcept { return rows_; }

private:
    std::vector<torch::Tensor> images_;
    std::vector<std::int64_t> labels_;
    std::vector<std::size_t> rows_;
};

/// Decodes positions `positions` of `source` (all when empty) into memory with `num_threads` threads.
template <sample_source Source_>
[[nodiscard]] MemoryDataset to_memory(const Source_& source, std::span<const std::size_t> positions = {},
                                      int num_threads = 1, Progress* progress = nullptr) {
    std::vector<std::size_t> pos(positions.begin(), positions.end());
    if (pos.empty())
        for (std::size_t i = 0; i < source.size(); ++i) pos.push_back(i);
    std::vector<torch::Tensor> images(pos.size());
    std::vector<std::int64_t> labels(pos.size());
    std::vector<std::size_t> rows(pos.size());
    std::atomic<std::size_t> done{0};
    parallelize(num_threads, pos.size(), [&](int, std::size_t s, std::size_t len) {
        for (std::size_t k = s; k < s + len; ++k) {
            if (progress) progress->check_interrupt("c2s::train::to_memory");
            auto sample = source.get(pos[k]);
            images[k] = sample.image.contiguous();
            labels[k] = sample.label;
            rows[k] = sample.row;
            const auto d = ++done;
            if (progress && (d % 16 == 0 || d == pos.size())) progress->report(d, pos.size(), "images decoded");
        }
    });
    return MemoryDataset(std::move(images), std::move(labels), std::move(rows));
}

struct EpochLoaderOptions {
    std::size_t batch_size = 32;
    int num_threads = 1;      ///< threads preparing one batch (values < 1: all hardware threads)
    std::size_t prefetch = 2; ///< batches prepared ahead of the consumer (0: on demand)
    bool augment = true;      ///< random views (`augment`); false: `evaluation_view`
    AugmentOptions augmentation{};
    std::uint64_t seed = 0;
    std::uint64_t epoch = 0;
    std::size_t first_batch = 0;  ///< skip the epoch's first batches (resuming inside an epoch)
};

/**
 * @brief Serves the batches of one epoch over `order` (positions into `source`). Sample k of the
 * epoch is augmented with the seed `derive_seed(seed, {epoch, k})`, so the batches do not depend on
 * `num_threads` or `prefetch`.
 */
template <sample_source Source_>
class EpochLoader {
public:
    EpochLoader(const Source_& source, std::vector<std::size_t> order, EpochLoaderOptions options)
        : source_(source), order_(std::move(order)), options_(checked(options)),
          batches_(count_batches(), options_.prefetch, [this](std::size_t b) { return make(b + options_.first_batch); }) {}

    [[nodiscard]] std::size_t num_batches() const noexcept { return batches_.size(); }
    std::optional<Batch> next() { return batches_.next(); }

private:
    static EpochLoaderOptions checked(EpochLoaderOptions o) {
        if (o.batch_size == 0) fail_argument("c2s::train::EpochLoader", "'batch_size' is 0");
        check_augment_options(o.augmentation, "c2s::train::EpochLoader");
        return o;
    }
    std::size_t count_batches() const {
        const std::size_t total = (order_.size() + options_.batch_size - 1) / options_.batch_size;
        return options_.first_batch >= total ? 0 : total - options_.first_batch;
    }
    Batch make(std::size_t b) const {
        const std::size_t start = b * options_.batch_size;
        const std::size_t count = std::min(options_.batch_size, order_.size() - start);
        std::vector<Sample> samples(count);
        parallelize(options_.num_threads, count, [&](int, std::size_t s, std::size_t len) {
            for (std::size_t i = s; i < s + len; ++i) {
                const std::size_t k = start + i;
                auto sample = source_.get(order_[k]);
                sample.image = options_.augment
                                   ? augment(sample.image, options_.augmentation, derive_seed(options_.seed, {options_.epoch, k}))
                                   : evaluation_view(sample.image, options_.augmentation);
                samples[i] = std::move(sample);
            }
        });
        return vision::stack_samples(samples, "c2s::train::EpochLoader");
    }

    const Source_& source_;
    std::vector<std::size_t> order_;
    EpochLoaderOptions options_;
    vision::Prefetcher<Batch> batches_;  // last: its thread starts after the members above exist
};

}  // namespace c2s::train
