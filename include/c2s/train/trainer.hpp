#pragma once
/// @file trainer.hpp
/// @brief `c2s::train::fit`: trains any `classifier_module` on any `sample_source`, with staged
/// unfreezing, parameter groups, schedules, auxiliary-loss weighting, gradient accumulation and
/// clipping, per-epoch metrics, atomic checkpoints that resume exactly, and early stopping.
///
/// Determinism: on the CPU with a fixed LibTorch thread count, a run is a function of its seed,
/// data and options: the data order and augmentation come from (seed, epoch, position), dropout
/// from the global generator, which is seeded at the start and saved in every checkpoint. A run
/// killed at any point and resumed from its last checkpoint ends with bit-identical weights
/// (tests/train/cli.sh kills one with SIGKILL).

#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "c2s/core/error.hpp"
#include "c2s/core/progress.hpp"
#include "c2s/train/checkpoint.hpp"
#include "c2s/train/data.hpp"
#include "c2s/train/freeze.hpp"
#include "c2s/train/metrics.hpp"
#include "c2s/train/model.hpp"
#include "c2s/train/optimizer.hpp"
#include "c2s/train/sampler.hpp"
#include "c2s/train/schedule.hpp"

namespace c2s::train {

/// Which parameters train when: `trainable` from the first epoch (empty: all), then each stage
/// opens more at the start of its epoch (the founding study: `fc` first, then Mixed_7b/Mixed_7c).
struct FreezePolicy {
    std::vector<std::string> trainable;
    struct Stage {
        int epoch = 0;                       ///< 0-based epoch at whose start the patterns open
        std::vector<std::string> patterns;
    };
    std::vector<Stage> unfreeze;
};

/// The validation value that picks the best epoch, drives early stopping and the plateau schedule.
enum class Monitor { accuracy, balanced_accuracy, loss };

[[nodiscard]] inline Monitor parse_monitor(std::string_view s) {
    if (s == "accuracy" || s == "val_accuracy") return Monitor::accuracy;
    if (s == "balanced_accuracy" || s == "val_balanced_accuracy") return Monitor::balanced_accuracy;
    if (s == "loss" || s == "val_loss") return Monitor::loss;
    fail_argument("c2s::train::parse_monitor", "'", s, "' is not a metric; use accuracy, balanced_accuracy or loss");
}

/// Where training is after a batch (for progress bars).
struct StepInfo {
    int epoch = 0, epochs = 0;
    std::size_t batch = 0, batches = 0;  ///< batches done in this epoch, and per epoch
    double running_loss = 0;             ///< mean loss of the epoch so far
};

struct TrainOptions {
    int epochs = 10;
    std::size_t batch_size = 32;
    int accumulation_steps = 1;     ///< batches whose gradients add up before one optimizer step
    double clip_grad_norm = 0.0;    ///< clip the global gradient norm to this (0: off)
    double aux_loss_weight = 0.4;   ///< weight of the auxiliary logits' loss (Inception; torchvision's 0.4)
    double label_smoothing = 0.0;
    /// Loss on (logits, labels), mean over the batch; empty: cross-entropy with `label_smoothing`.
    std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)> loss;
    OptimizerOptions optimizer{};
    ScheduleOptions schedule{};
    FreezePolicy freeze{};
    AugmentOptions augmentation{};
    Sampling sampling = Sampling::shuffle;
    std::uint64_t seed = 0;
    int loader_threads = 1;         ///< threads preparing each batch
    std::size_t prefetch = 2;       ///< batches prepared ahead
    std::optional<torch::Device> device;  ///< unset: CUDA when available, else CPU
    bool bf16_autocast = false;     ///< bfloat16 autocast (CUDA only; ignored with a warning on CPU)
    /// Number of classes; 0: one more than the largest label of the training or validation data.
    std::int64_t num_classes = 0;
    std::vector<std::string> class_names;  ///< for messages (optional)
    std::filesystem::path checkpoint_dir;  ///< empty: no checkpoints
    int keep_best = 1;              ///< best epochs kept as `epoch-NNN.pt` besides `last.pt`
    std::size_t checkpoint_every_batches = 0;  ///< also checkpoint inside epochs (0: epoch ends only)
    bool resume = true;             ///< continue from `checkpoint_dir/last.pt` when it exists
    Monitor monitor = Monitor::accuracy;
    int early_stopping_patience = 0;  ///< stop after this many epochs without improvement (0: off)
    double min_improvement = 0.0;     ///< improvement of the monitor that counts
    Progress* progress = nullptr;     ///< report + interrupt (a requested interrupt stops at the next batch)
    std::function<void(const EpochRecord&)> on_epoch;
    std::function<void(const StepInfo&)> on_batch;
};

struct TrainResult {
    std::vector<EpochRecord> history;
    int best_epoch = -1;           ///< by the monitor (-1 without validation data)
    double best_metric = std::numeric_limits<double>::quiet_NaN();
    bool stopped_early = false;
    int resumed_at_epoch = -1;     ///< -1: fresh start
    std::int64_t resumed_at_batch = 0;
    std::filesystem::path last_checkpoint, best_checkpoint;  ///< empty without checkpoint_dir
    std::vector<std::string> warnings;
    torch::Device device = torch::kCPU;
};

struct EvaluateOptions {
    std::size_t batch_size = 64;
    int loader_threads = 1;
    std::size_t prefetch = 1;
    AugmentOptions augmentation{};   ///< its evaluation view is used
    std::optional<torch::Device> device;
    std::int64_t num_classes = 0;    ///< 0: the logits' width
    bool keep_logits = false;
};

struct Evaluation {
    ClassificationMetrics metrics;
    torch::Tensor logits;   ///< [N, K] float32 (keep_logits)
    std::vector<std::size_t> rows;
};

[[nodiscard]] inline torch::Device default_device() {
    return torch::cuda::is_available() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
}

namespace trainer_detail {

inline torch::Tensor default_loss(const torch::Tensor& logits, const torch::Tensor& labels, double smoothing) {
    namespace F = torch::nn::functional;
    return F::cross_entropy(logits, labels, F::CrossEntropyFuncOptions().label_smoothing(smoothing));
}

/// bf16 autocast on CUDA for the scope.
class AutocastScope {
public:
    explicit AutocastScope(bool on) : on_(on) {
        if (!on_) return;
        previous_ = at::autocast::is_enabled();
        at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
        at::autocast::set_enabled(true);
    }
    ~AutocastScope() {
        if (!on_) return;
        at::autocast::set_enabled(previous_);
        at::autocast::clear_cache();
    }
    AutocastScope(const AutocastScope&) = delete;
    AutocastScope& operator=(const AutocastScope&) = delete;

private:
    bool on_, previous_ = false;
};

template <sample_source Source_>
std::vector<std::int64_t> labels_of(const Source_& s) {
    std::vector<std::int64_t> out(s.size());
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = s.get_label(i);
    return out;
}

inline std::string class_name(const std::vector<std::string>& names, std::int64_t k) {
    if (k >= 0 && static_cast<std::size_t>(k) < names.size()) return concat("'", names[static_cast<std::size_t>(k)], "' (class ", k, ")");
    return concat("class ", k);
}

inline double monitored(const ClassificationMetrics& m, Monitor monitor) {
    switch (monitor) {
        case Monitor::accuracy: return m.accuracy;
        case Monitor::balanced_accuracy: return m.balanced_accuracy;
        case Monitor::loss: return m.loss;
    }
    return m.accuracy;
}

inline bool better(double a, double b, Monitor monitor, double min_improvement) {
    if (std::isnan(a)) return false;
    if (std::isnan(b)) return true;
    return monitor == Monitor::loss ? a < b - min_improvement : a > b + min_improvement;
}

inline std::string epoch_file(int epoch) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "epoch-%03d.pt", epoch + 1);
    return buf;
}

inline std::int64_t count_trainable(const torch::nn::Module& m) {
    std::int64_t n = 0;
    for (const auto& p : m.parameters())
        if (p.requires_grad()) n += p.numel();
    return n;
}

inline void check_options(const TrainOptions& o) {
    constexpr const char* where = "c2s::train::fit";
    if (o.epochs < 1) fail_argument(where, "'epochs' is ", o.epochs, "; must be >= 1");
    if (o.batch_size < 1) fail_argument(where, "'batch_size' is 0");
    if (o.accumulation_steps < 1) fail_argument(where, "'accumulation_steps' is ", o.accumulation_steps, "; must be >= 1");
    if (!(o.clip_grad_norm >= 0.0)) fail_argument(where, "'clip_grad_norm' is ", o.clip_grad_norm, "; must be >= 0");
    if (!(o.aux_loss_weight >= 0.0)) fail_argument(where, "'aux_loss_weight' is ", o.aux_loss_weight, "; must be >= 0");
    if (!(o.label_smoothing >= 0.0 && o.label_smoothing < 1.0))
        fail_argument(where, "'label_smoothing' is ", o.label_smoothing, "; must be in [0, 1)");
    if (o.keep_best < 0) fail_argument(where, "'keep_best' is ", o.keep_best, "; must be >= 0");
    if (o.early_stopping_patience < 0)
        fail_argument(where, "'early_stopping_patience' is ", o.early_stopping_patience, "; must be >= 0");
    for (const auto& st : o.freeze.unfreeze)
        if (st.epoch < 0 || st.epoch >= o.epochs)
            fail_argument(where, "an unfreeze stage opens at epoch ", st.epoch, ", outside [0, ", o.epochs, ")");
    check_optimizer_options(o.optimizer, where);
    check_augment_options(o.augmentation, where);
}

}  // namespace trainer_detail

/// Runs `model` (evaluation mode, no gradients) over every sample of `data`.
template <classifier_module Model_, sample_source Source_>
[[nodiscard]] Evaluation evaluate(Model_& model, const Source_& data, const EvaluateOptions& o = {}) {
    constexpr const char* where = "c2s::train::evaluate";
    if (data.size() == 0) fail_argument(where, "the data set is empty");
    const auto device = o.device.value_or(default_device());
    torch::NoGradGuard no_grad;
    model->eval();
    std::vector<std::size_t> order(data.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    EpochLoaderOptions lo;
    lo.batch_size = o.batch_size;
    lo.num_threads = o.loader_threads;
    lo.prefetch = o.prefetch;
    lo.augment = false;
    lo.augmentation = o.augmentation;
    EpochLoader<Source_> loader(data, order, lo);
    std::optional<MetricAccumulator> acc;
    Evaluation out;
    std::vector<torch::Tensor> parts;
    while (auto batch = loader.next()) {
        const torch::Tensor x = batch->images.to(device);
        const torch::Tensor y = batch->labels.to(device);
        const torch::Tensor logits = forward_for_training(model, x).logits.to(torch::kFloat32);
        if (!acc) acc.emplace(o.num_classes > 0 ? o.num_classes : logits.size(1));
        const torch::Tensor valid = y >= 0;
        if (valid.all().item<bool>()) {
            acc->add(trainer_detail::default_loss(logits, y, 0.0).item<double>(), logits, y);
        } else if (valid.any().item<bool>()) {
            auto l = logits.index({valid}), t = y.index({valid});
            acc->add(trainer_detail::default_loss(l, t, 0.0).item<double>(), l, t);
        }
        if (o.keep_logits) parts.push_back(logits.to(torch::kCPU));
        out.rows.insert(out.rows.end(), batch->rows.begin(), batch->rows.end());
    }
    out.metrics = acc->result();
    if (o.keep_logits) out.logits = torch::cat(parts, 0);
    return out;
}

/**
 * @brief Trains `model` on `train_data`, validating on `validation` after every epoch (null: no
 * validation; then the last epoch counts as best).
 *
 * Before the first batch it checks the options, every freeze/unfreeze/group pattern against the
 * model, the labels (every validation class must occur in training; errors name the class) and,
 * with `checkpoint_dir`, resumes from `last.pt` when present. Checkpoints: `last.pt` after every
 * epoch (and every `checkpoint_every_batches`), `epoch-NNN.pt` for the `keep_best` best epochs.
 */
template <classifier_module Model_, sample_source Train_, sample_source Validation_ = MemoryDataset>
TrainResult fit(Model_& model, const Train_& train_data, const Validation_* validation, const TrainOptions& o) {
    namespace td = trainer_detail;
    constexpr const char* where = "c2s::train::fit";
    td::check_options(o);
    if (train_data.size() == 0) fail_argument(where, "the training data are empty");
    const auto train_labels = td::labels_of(train_data);
    std::int64_t max_label = -1;
    std::set<std::int64_t> train_classes;
    for (auto l : train_labels)
        if (l >= 0) {
            train_classes.insert(l);
            max_label = std::max(max_label, l);
        }
    if (train_classes.empty()) fail_argument(where, "no training sample has a label (all are negative)");
    std::vector<std::int64_t> val_labels;
    if (validation) {
        if (validation->size() == 0) fail_argument(where, "the validation data are empty");
        val_labels = td::labels_of(*validation);
        for (auto l : val_labels) {
            if (l >= 0 && !train_classes.count(l))
                fail_argument(where, "validation ", td::class_name(o.class_names, l),
                              " has no training sample; the model cannot learn it (re-split, or drop the class)");
            max_label = std::max(max_label, l);
        }
    }
    const std::int64_t num_classes = o.num_classes > 0 ? o.num_classes : max_label + 1;
    if (max_label >= num_classes)
        fail_argument(where, "label ", max_label, " is outside [0, ", num_classes, ") ('num_classes' is ", num_classes, ")");

    TrainResult result;
    result.device = o.device.value_or(default_device());
    const bool autocast = o.bf16_autocast && result.device.is_cuda();
    if (o.bf16_autocast && !autocast) result.warnings.push_back("bf16_autocast ignored: it needs a CUDA device");

    auto& module = *model.ptr();
    set_trainable(module, o.freeze.trainable);
    for (const auto& st : o.freeze.unfreeze) check_patterns(module, st.patterns, where, "unfreeze");
    module.to(result.device);
    auto bundle = make_optimizer(module, o.optimizer);
    LearningRateSchedule schedule(o.schedule, o.epochs);
    auto loss_fn = [&](const torch::Tensor& logits, const torch::Tensor& labels) {
        return o.loss ? o.loss(logits, labels) : td::default_loss(logits, labels, o.label_smoothing);
    };

    TrainState state;
    state.best_metric = std::numeric_limits<double>::quiet_NaN();
    const auto last_path = o.checkpoint_dir.empty() ? std::filesystem::path() : o.checkpoint_dir / "last.pt";
    auto generator = at::detail::getDefaultCPUGenerator();
    std::error_code ec;
    if (!last_path.empty() && o.resume && std::filesystem::exists(last_path, ec)) {
        // the optimizer holds every parameter, frozen or not, so its state loads whatever is open
        state = load_checkpoint(last_path, &module, bundle.optimizer.get());
        module.to(result.device);
        schedule.restore(state.schedule);
        if (state.generator_state.defined()) {
            std::lock_guard<std::mutex> lock(generator.mutex());
            generator.set_state(state.generator_state);
        }
        result.resumed_at_epoch = state.epoch;
        result.resumed_at_batch = state.batches_done;
    } else {
        torch::manual_seed(derive_seed(o.seed, {0xD80F}));
    }
    for (const auto& st : o.freeze.unfreeze)
        if (st.epoch < state.epoch || (st.epoch == state.epoch && state.batches_done > 0)) unfreeze(module, st.patterns);

    const std::size_t batches_per_epoch = (std::count_if(train_labels.begin(), train_labels.end(), [](auto l) { return l >= 0; }) +
                                           o.batch_size - 1) / o.batch_size;
    auto snapshot = [&](const MetricAccumulator& running) {
        state.schedule = schedule.state();
        state.running = running.state();
        std::lock_guard<std::mutex> lock(generator.mutex());
        state.generator_state = generator.get_state();
    };
    auto write_last = [&](const MetricAccumulator& running) {
        if (last_path.empty()) return;
        snapshot(running);
        save_checkpoint(last_path, module, *bundle.optimizer, state);
        result.last_checkpoint = last_path;
    };

    while (state.epoch < o.epochs) {
        const auto t0 = std::chrono::steady_clock::now();
        const int epoch = state.epoch;
        if (state.batches_done == 0)
            for (const auto& st : o.freeze.unfreeze)
                if (st.epoch == epoch) unfreeze(module, st.patterns);
        const double factor = schedule.factor(epoch);
        set_lr_factor(bundle, factor);
        train_mode_respecting_frozen(module);

        MetricAccumulator running(num_classes);
        if (state.batches_done > 0 && !state.running.confusion.empty()) running.restore(state.running);
        EpochLoaderOptions lo;
        lo.batch_size = o.batch_size;
        lo.num_threads = o.loader_threads;
        lo.prefetch = o.prefetch;
        lo.augmentation = o.augmentation;
        lo.seed = o.seed;
        lo.epoch = static_cast<std::uint64_t>(epoch);
        lo.first_batch = static_cast<std::size_t>(state.batches_done);
        EpochLoader<Train_> loader(train_data, epoch_order(train_labels, o.sampling, o.seed, static_cast<std::uint64_t>(epoch)), lo);
        std::size_t b = static_cast<std::size_t>(state.batches_done);
        clear_gradients(module);
        while (auto batch = loader.next()) {
            if (o.progress && o.progress->interrupt_requested()) {
                // at a step boundary: save it, so a resumed run loses no work
                if (state.batches_done == static_cast<std::int64_t>(b) && b > 0) write_last(running);
                o.progress->check_interrupt(where);
            }
            const torch::Tensor x = batch->images.to(result.device);
            const torch::Tensor y = batch->labels.to(result.device);
            torch::Tensor loss, main_loss;
            {
                td::AutocastScope scope(autocast);
                auto out = forward_for_training(model, x);
                if (out.logits.size(1) != num_classes)
                    fail_argument(where, "the model gives ", out.logits.size(1), " logits but the data have ", num_classes,
                                  " classes; build the model with num_classes = ", num_classes);
                main_loss = loss_fn(out.logits.to(torch::kFloat32), y);
                loss = main_loss;
                if (out.aux_logits.defined() && o.aux_loss_weight > 0)
                    loss = loss + o.aux_loss_weight * loss_fn(out.aux_logits.to(torch::kFloat32), y);
                running.add(main_loss.item<double>(), out.logits, y);
            }
            (loss / static_cast<double>(o.accumulation_steps)).backward();
            ++b;
            const bool step_now = b % static_cast<std::size_t>(o.accumulation_steps) == 0 || b == batches_per_epoch;
            if (step_now) {
                if (o.clip_grad_norm > 0) {
                    std::vector<torch::Tensor> with_grad;
                    for (auto& p : module.parameters())
                        if (p.grad().defined()) with_grad.push_back(p);
                    torch::nn::utils::clip_grad_norm_(with_grad, o.clip_grad_norm);
                }
                bundle.optimizer->step();
                clear_gradients(module);
                state.batches_done = static_cast<std::int64_t>(b);
                if (o.checkpoint_every_batches > 0 && b % o.checkpoint_every_batches == 0 && b != batches_per_epoch)
                    write_last(running);
            }
            if (o.on_batch) o.on_batch({epoch, o.epochs, b, batches_per_epoch, running.result().loss});
            if (o.progress)
                o.progress->report(static_cast<std::size_t>(epoch) * batches_per_epoch + b,
                                   static_cast<std::size_t>(o.epochs) * batches_per_epoch, "batches");
        }

        EpochRecord rec;
        rec.epoch = epoch;
        rec.lr = bundle.optimizer->param_groups().front().options().get_lr();
        rec.train = running.result();
        rec.trainable_parameters = td::count_trainable(module);
        if (validation) {
            EvaluateOptions eo;
            eo.batch_size = o.batch_size;
            eo.loader_threads = o.loader_threads;
            eo.augmentation = o.augmentation;
            eo.device = result.device;
            eo.num_classes = num_classes;
            rec.validation = evaluate(model, *validation, eo).metrics;
        }
        rec.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const double value = validation ? td::monitored(rec.validation, o.monitor) : -static_cast<double>(epoch);
        schedule.observe(value, o.monitor != Monitor::loss);
        const bool improved = validation ? td::better(value, state.best_metric, o.monitor, o.min_improvement) : true;
        if (improved) {
            state.best_metric = value;
            state.best_epoch = epoch;
            state.epochs_without_improvement = 0;
        } else {
            ++state.epochs_without_improvement;
        }
        state.history.push_back(rec);
        state.batches_done = 0;
        state.epoch = epoch + 1;  // a checkpoint from here resumes at the next epoch
        const bool stop = validation && o.early_stopping_patience > 0 &&
                          state.epochs_without_improvement >= o.early_stopping_patience && state.epoch < o.epochs;
        if (!last_path.empty()) {
            // the k best epochs: last.pt is copied to epoch-NNN.pt when the epoch enters the top k
            bool keep = false;
            std::vector<int> dropped;
            if (o.keep_best > 0 && validation) {
                auto& kept = state.kept;
                auto pos = std::find_if(kept.begin(), kept.end(),
                                        [&](const auto& e) { return td::better(value, e.second, o.monitor, 0.0); });
                if (std::distance(kept.begin(), pos) < o.keep_best) {
                    kept.insert(pos, {epoch, value});
                    keep = true;
                    while (static_cast<int>(kept.size()) > o.keep_best) {
                        dropped.push_back(kept.back().first);
                        kept.pop_back();
                    }
                }
            }
            write_last(MetricAccumulator(num_classes));
            if (keep) {
                const auto target = o.checkpoint_dir / td::epoch_file(epoch);
                auto temp = target;
                temp += ".tmp-" + std::to_string(::getpid());
                std::filesystem::copy_file(last_path, temp, std::filesystem::copy_options::overwrite_existing);
                std::filesystem::rename(temp, target);
            }
            for (int d : dropped) std::filesystem::remove(o.checkpoint_dir / td::epoch_file(d), ec);
        }
        if (o.on_epoch) o.on_epoch(rec);
        if (stop) {
            result.stopped_early = true;
            break;
        }
    }
    result.history = state.history;
    result.best_epoch = validation ? state.best_epoch : static_cast<int>(state.history.size()) - 1;
    result.best_metric = state.best_metric;
    if (!o.checkpoint_dir.empty()) {
        result.last_checkpoint = last_path;
        if (!state.kept.empty()) result.best_checkpoint = o.checkpoint_dir / td::epoch_file(state.kept.front().first);
    }
    return result;
}

}  // namespace c2s::train
