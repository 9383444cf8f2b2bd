#pragma once
/// @file metrics.hpp
/// @brief Per-epoch classification metrics: the mean loss over samples (each batch weighted by
/// its size, so a short last batch counts for what it holds), accuracy, per-class accuracy
/// (recall) and the confusion matrix.

#include <torch/torch.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "c2s/core/error.hpp"

namespace c2s::train {

struct ClassificationMetrics {
    double loss = std::numeric_limits<double>::quiet_NaN();  ///< mean per-sample loss
    double accuracy = std::numeric_limits<double>::quiet_NaN();
    /// Accuracy of each true class (NaN for a class without samples).
    std::vector<double> per_class_accuracy;
    /// Mean of the defined per-class accuracies (balanced accuracy).
    double balanced_accuracy = std::numeric_limits<double>::quiet_NaN();
    /// confusion[t][p]: samples of true class t predicted as p.
    std::vector<std::vector<std::int64_t>> confusion;
    std::int64_t samples = 0;
};

/// Accumulates batches into `ClassificationMetrics`.
class MetricAccumulator {
public:
    explicit MetricAccumulator(std::int64_t num_classes)
        : k_(num_classes), confusion_(static_cast<std::size_t>(num_classes), std::vector<std::int64_t>(static_cast<std::size_t>(num_classes), 0)) {
        if (num_classes < 1) fail_argument("c2s::train::MetricAccumulator", "'num_classes' is ", num_classes);
    }

    /// `mean_loss` is the batch's mean per-sample loss; `logits` `[B, K]`, `labels` `[B]`.
    void add(double mean_loss, const torch::Tensor& logits, const torch::Tensor& labels) {
        const auto pred = logits.detach().argmax(1).to(torch::kCPU, torch::kInt64).contiguous();
        const auto lab = labels.to(torch::kCPU, torch::kInt64).contiguous();
        const auto b = lab.numel();
        const auto* p = pred.data_ptr<std::int64_t>();
        const auto* t = lab.data_ptr<std::int64_t>();
        for (std::int64_t i = 0; i < b; ++i) {
            if (t[i] < 0 || t[i] >= k_)
                fail_argument("c2s::train::MetricAccumulator::add", "label ", t[i], " is outside [0, ", k_, ")");
            ++confusion_[static_cast<std::size_t>(t[i])][static_cast<std::size_t>(p[i])];
        }
        loss_sum_ += mean_loss * static_cast<double>(b);
        n_ += b;
    }

    [[nodiscard]] ClassificationMetrics result() const {
        ClassificationMetrics m;
        m.samples = n_;
        m.confusion = confusion_;
        m.per_class_accuracy.assign(static_cast<std::size_t>(k_), std::numeric_limits<double>::quiet_NaN());
        if (n_ == 0) return m;
        m.loss = loss_sum_ / static_cast<double>(n_);
        std::int64_t correct = 0;
        double bal = 0;
        int defined = 0;
        for (std::size_t t = 0; t < confusion_.size(); ++t) {
            std::int64_t row = 0;
            for (auto c : confusion_[t]) row += c;
            correct += confusion_[t][t];
            if (row > 0) {
                m.per_class_accuracy[t] = static_cast<double>(confusion_[t][t]) / static_cast<double>(row);
                bal += m.per_class_accuracy[t];
                ++defined;
            }
        }
        m.accuracy = static_cast<double>(correct) / static_cast<double>(n_);
        if (defined > 0) m.balanced_accuracy = bal / defined;
        return m;
    }

    /// State for checkpoints taken inside an epoch: the loss sum, the count and the confusion matrix.
    struct State {
        double loss_sum = 0;
        std::int64_t samples = 0;
        std::vector<std::vector<std::int64_t>> confusion;
    };
    [[nodiscard]] State state() const { return {loss_sum_, n_, confusion_}; }
    void restore(const State& s) {
        if (s.confusion.size() != confusion_.size())
            fail_runtime("c2s::train::MetricAccumulator::restore", "the saved confusion matrix has ", s.confusion.size(),
                         " classes but the model has ", confusion_.size());
        loss_sum_ = s.loss_sum;
        n_ = s.samples;
        confusion_ = s.confusion;
    }
    [[nodiscard]] std::int64_t num_classes() const noexcept { return k_; }

private:
    std::int64_t k_;
    std::vector<std::vector<std::int64_t>> confusion_;
    double loss_sum_ = 0;
    std::int64_t n_ = 0;
};

}  // namespace c2s::train
