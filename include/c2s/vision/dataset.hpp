#pragma once
/// @file dataset.hpp
/// @brief `ImageDataset` serves (image, label, metadata row) from a BBBC021 image table;
/// `BatchLoader` decodes batches on worker threads and keeps `prefetch` batches ready ahead of
/// the consumer (decode of batch b+1 overlaps the forward pass of batch b).

#include <torch/torch.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/core/parallelize.hpp"
#include "c2s/data/bbbc021.hpp"
#include "c2s/vision/images.hpp"

namespace c2s::vision {

/// One sample: the transformed image, the class label (-1 without a MoA) and the table row.
struct Sample {
    torch::Tensor image;
    std::int64_t label = -1;
    std::size_t row = 0;
};

class ImageDataset {
public:
    using Transform = std::function<torch::Tensor(const torch::Tensor&)>;

    /// @param images the image table (e.g. `data::bbbc021::load(root).images`).
    /// @param image_root folder the `files` of each image are relative to.
    /// @param transform applied to each decoded `[3, H, W]` tensor (may be empty).
    ImageDataset(std::vector<data::bbbc021::Image> images, std::filesystem::path image_root, ImageOptions options = {},
                 Transform transform = {})
        : images_(std::move(images)), root_(std::move(image_root)), options_(options), transform_(std::move(transform)) {
        std::map<std::string, std::int64_t> ids;
        for (const auto& im : images_)
            if (!im.moa.empty()) ids.emplace(im.moa, 0);
        for (auto& [name, id] : ids) {
            id = static_cast<std::int64_t>(classes_.size());
            classes_.push_back(name);
        }
        labels_.reserve(images_.size());
        for (const auto& im : images_) labels_.push_back(im.moa.empty() ? -1 : ids.at(im.moa));
    }

    [[nodiscard]] std::size_t size() const noexcept { return images_.size(); }
    /// Class names (sorted MoAs, DMSO included when present); label i is classes()[i].
    [[nodiscard]] const std::vector<std::string>& classes() const noexcept { return classes_; }
    [[nodiscard]] const std::vector<data::bbbc021::Image>& images() const noexcept { return images_; }
    [[nodiscard]] const std::filesystem::path& root() const noexcept { return root_; }

    /// Label of row `i` (index into classes(), -1 without a MoA), without decoding the image.
    [[nodiscard]] std::int64_t get_label(std::size_t i) const { return labels_.at(i); }

    /// Decodes and transforms row `i` (thread-safe).
    [[nodiscard]] Sample get(std::size_t i) const {
        if (i >= images_.size())
            fail_argument("c2s::vision::ImageDataset::get", "row ", i, " is out of range (", images_.size(), " images)");
        auto x = load_image(root_, images_[i], i, options_);
        if (transform_) x = transform_(x);
        return {x, labels_[i], i};
    }

private:
    std::vector<data::bbbc021::Image> images_;
    std::filesystem::path root_;
    ImageOptions options_;
    Transform transform_;
    std::vector<std::string> classes_;
    std::vector<std::int64_t> labels_;
};

/// A batch: images `[B, C, H, W]`, labels `[B]`, and the dataset rows.
struct Batch {
    torch::Tensor images, labels;
    std::vector<std::size_t> rows;
};

struct LoaderOptions {
    std::size_t batch_size = 16;
    int num_threads = 1;       ///< decode threads per batch (values < 1: all hardware threads)
    std::size_t prefetch = 2;  ///< batches decoded ahead of the consumer (0: decode on demand)
};

/**
 * @brief Produces items `0 .. count-1` by calling `make(i)` on a background thread, keeping up to
 * `prefetch` items ready ahead of the consumer (0: `make` runs in `next()`). Items come out in
 * order whatever the timing; an exception thrown by `make` is rethrown by `next()`. The loaders
 * below are built on it.
 */
template <class Item_>
class Prefetcher {
public:
    Prefetcher(std::size_t count, std::size_t prefetch, std::function<Item_(std::size_t)> make)
        : count_(count), prefetch_(prefetch), make_(std::move(make)) {
        if (prefetch_ > 0 && count_ > 0) producer_ = std::thread([this] { produce(); });
    }
    ~Prefetcher() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stop_ = true;
        }
        cv_.notify_all();
        if (producer_.joinable()) producer_.join();
    }
    Prefetcher(const Prefetcher&) = delete;
    Prefetcher& operator=(const Prefetcher&) = delete;

    [[nodiscard]] std::size_t size() const noexcept { return count_; }

    /// The next item, or nothing at the end.
    std::optional<Item_> next() {
        if (consumed_ >= count_) return std::nullopt;
        if (prefetch_ == 0) return make_(consumed_++);
        std::unique_lock<std::mutex> lock(mutex_);
        cv_.wait(lock, [&] { return !queue_.empty() || error_; });
        if (queue_.empty() && error_) std::rethrow_exception(error_);
        Item_ item = std::move(queue_.front());
        queue_.pop_front();
        ++consumed_;
        lock.unlock();
        cv_.notify_all();
        return item;
    }

private:
    void produce() {
        for (std::size_t i = 0; i < count_; ++i) {
            {
                std::unique_lock<std::mutex> lock(mutex_);
                cv_.wait(lock, [&] { return stop_ || queue_.size() < prefetch_; });
                if (stop_) return;
            }
            try {
                Item_ item = make_(i);
                std::lock_guard<std::mutex> lock(mutex_);
                queue_.push_back(std::move(item));
            } catch (...) {
                std::lock_guard<std::mutex> lock(mutex_);
                error_ = std::current_exception();
                cv_.notify_all();
                return;
            }
            cv_.notify_all();
        }
    }

    std::size_t count_, prefetch_, consumed_ = 0;
    std::function<Item_(std::size_t)> make_;
    std::thread producer_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<Item_> queue_;
    std::exception_ptr error_;
    bool stop_ = false;
};

/// Stacks samples of equal size into a batch; `where` names the caller in the error.
[[nodiscard]] inline Batch stack_samples(std::vector<Sample>& samples, const char* where) {
    Batch batch;
    std::vector<torch::Tensor> ims;
    std::vector<std::int64_t> labels;
    ims.reserve(samples.size());
    for (auto& s : samples) {
        if (!ims.empty() && s.image.sizes() != ims.front().sizes())
            fail_runtime(where, "row ", s.row, " gives an image of size ", s.image.sizes(), " but row ",
                         batch.rows.front(), " gives ", ims.front().sizes(), "; add a resize to the dataset's transform");
        ims.push_back(std::move(s.image));
        labels.push_back(s.label);
        batch.rows.push_back(s.row);
    }
    batch.images = torch::stack(ims);
    batch.labels = torch::tensor(labels, torch::kInt64);
    return batch;
}

/**
 * @brief Iterates over `rows` of a dataset in order, in batches. A background thread decodes the
 * next batches (each with `num_threads` threads) while the caller works on the current one. An
 * error while decoding is rethrown by `next()`.
 */
class BatchLoader {
public:
    BatchLoader(const ImageDataset& dataset, std::vector<std::size_t> rows, LoaderOptions options = {})
        : dataset_(dataset), rows_(std::move(rows)), options_(checked(options)),
          batches_((rows_.size() + options_.batch_size - 1) / options_.batch_size, options_.prefetch,
                   [this](std::size_t b) { return decode(b); }) {}
    /// All rows of the dataset.
    explicit BatchLoader(const ImageDataset& dataset, LoaderOptions options = {})
        : BatchLoader(dataset, all_rows(dataset.size()), options) {}

    [[nodiscard]] std::size_t num_batches() const noexcept { return batches_.size(); }

    /// The next batch, or nothing at the end.
    std::optional<Batch> next() { return batches_.next(); }

private:
    static LoaderOptions checked(LoaderOptions o) {
        if (o.batch_size == 0) fail_argument("c2s::vision::BatchLoader", "'batch_size' is 0");
        return o;
    }
    static std::vector<std::size_t> all_rows(std::size_t n) {
        std::vector<std::size_t> r(n);
        for (std::size_t i = 0; i < n; ++i) r[i] = i;
        return r;
    }
    Batch decode(std::size_t b) const {
        const std::size_t start = b * options_.batch_size;
        const std::size_t count = std::min(options_.batch_size, rows_.size() - start);
        std::vector<Sample> samples(count);
        parallelize(options_.num_threads, count, [&](int, std::size_t s, std::size_t len) {
            for (std::size_t i = s; i < s + len; ++i) samples[i] = dataset_.get(rows_[start + i]);
        });
        return stack_samples(samples, "c2s::vision::BatchLoader");
    }

    const ImageDataset& dataset_;
    std::vector<std::size_t> rows_;
    LoaderOptions options_;
    Prefetcher<Batch> batches_;  // last member: its thread starts after the others are built
};

}  // namespace c2s::vision
