#pragma once
/// @file checkpoint.hpp
/// @brief Training checkpoints: model weights and buffers, optimizer state, schedule state, the
/// global random generator, the position in the data order (epoch and batch), the partial metrics
/// of the running epoch, the best metric so far and the history, in one LibTorch archive written
/// atomically (temporary file beside the target, renamed when complete).

#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>
#include <unistd.h>

#include "c2s/core/error.hpp"
#include "c2s/train/metrics.hpp"
#include "c2s/train/schedule.hpp"

namespace c2s::train {

/// One epoch of the history.
struct EpochRecord {
    int epoch = 0;             ///< 0-based
    double lr = 0;             ///< learning rate of the first parameter group
    ClassificationMetrics train, validation;  ///< validation.samples == 0 without validation data
    double seconds = 0;        ///< wall time of the epoch (training and validation)
    std::int64_t trainable_parameters = 0;
};

/// Everything besides model and optimizer that a resumed run needs to continue exactly.
struct TrainState {
    int epoch = 0;                 ///< epoch in progress (0-based); == epochs when finished
    std::int64_t batches_done = 0; ///< batches of `epoch` already trained (a step boundary)
    double best_metric = 0;        ///< best monitored value so far (NaN: none yet)
    int best_epoch = -1;
    int epochs_without_improvement = 0;
    LearningRateSchedule::State schedule;
    MetricAccumulator::State running;  ///< partial training metrics of `epoch`
    torch::Tensor generator_state;     ///< the global CPU generator (dropout) at this point
    std::vector<EpochRecord> history;
    /// The k best epochs kept on disk (epoch, metric), best first.
    std::vector<std::pair<int, double>> kept;
};

namespace checkpoint_detail {
inline constexpr std::int64_t format_version = 1;

inline torch::Tensor doubles(const std::vector<double>& v) {
    return torch::tensor(v, torch::kFloat64);
}
inline std::vector<double> to_doubles(const torch::Tensor& t) {
    auto c = t.to(torch::kFloat64).contiguous();
    return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
}
inline torch::Tensor confusion_tensor(const std::vector<std::vector<std::int64_t>>& m) {
    const auto k = static_cast<std::int64_t>(m.size());
    auto t = torch::zeros({k, k}, torch::kInt64);
    auto* p = t.data_ptr<std::int64_t>();
    for (std::size_t i = 0; i < m.size(); ++i)
        for (std::size_t j = 0; j < m[i].size(); ++j) p[i * m.size() + j] = m[i][j];
    return t;
}
inline std::vector<std::vector<std::int64_t>> confusion_from(const torch::Tensor& t) {
    auto c = t.to(torch::kInt64).contiguous();
    const auto k = static_cast<std::size_t>(c.size(0));
    std::vector<std::vector<std::int64_t>> m(k, std::vector<std::int64_t>(k));
    const auto* p = c.data_ptr<std::int64_t>();
    for (std::size_t i = 0; i < k; ++i)
        for (std::size_t j = 0; j < k; ++j) m[i][j] = p[i * k + j];
    return m;
}
inline void write_metrics(torch::serialize::OutputArchive& a, const std::string& key, const ClassificationMetrics& m) {
    a.write(key + ".scalars", doubles({m.loss, m.accuracy, m.balanced_accuracy, static_cast<double>(m.samples)}));
    a.write(key + ".per_class", doubles(m.per_class_accuracy));
    if (!m.confusion.empty()) a.write(key + ".confusion", confusion_tensor(m.confusion));
}
inline ClassificationMetrics read_metrics(torch::serialize::InputArchive& a, const std::string& key) {
    ClassificationMetrics m;
    torch::Tensor s, pc, cf;
    a.read(key + ".scalars", s);
    a.read(key + ".per_class", pc);
    const auto v = to_doubles(s);
    m.loss = v.at(0);
    m.accuracy = v.at(1);
    m.balanced_accuracy = v.at(2);
    m.samples = static_cast<std::int64_t>(v.at(3));
    m.per_class_accuracy = to_doubles(pc);
    if (a.try_read(key + ".confusion", cf)) m.confusion = confusion_from(cf);
    return m;
}
}  // namespace checkpoint_detail

/**
 * @brief Writes a checkpoint of `model`, `optimizer` and `state` to `path` atomically: a reader
 * (or a resumed run after a kill) sees either the previous complete file or the new one.
 */
inline void save_checkpoint(const std::filesystem::path& path, torch::nn::Module& model,
                            const torch::optim::Optimizer& optimizer, const TrainState& state) {
    namespace cd = checkpoint_detail;
    torch::serialize::OutputArchive archive, model_archive, optimizer_archive, state_archive;
    model.save(model_archive);
    optimizer.save(optimizer_archive);
    state_archive.write("format_version", torch::tensor(cd::format_version));
    state_archive.write("position", torch::tensor({static_cast<std::int64_t>(state.epoch), state.batches_done,
                                                   static_cast<std::int64_t>(state.best_epoch),
                                                   static_cast<std::int64_t>(state.epochs_without_improvement),
                                                   static_cast<std::int64_t>(state.schedule.bad_epochs)}));
    state_archive.write("values", cd::doubles({state.best_metric, state.schedule.plateau_factor, state.schedule.best,
                                               state.running.loss_sum, static_cast<double>(state.running.samples)}));
    if (!state.running.confusion.empty()) state_archive.write("running.confusion", cd::confusion_tensor(state.running.confusion));
    if (state.generator_state.defined()) state_archive.write("generator", state.generator_state);
    state_archive.write("history.size", torch::tensor(static_cast<std::int64_t>(state.history.size())));
    for (std::size_t e = 0; e < state.history.size(); ++e) {
        const auto& r = state.history[e];
        const std::string key = "history." + std::to_string(e);
        state_archive.write(key, cd::doubles({static_cast<double>(r.epoch), r.lr, r.seconds,
                                              static_cast<double>(r.trainable_parameters)}));
        cd::write_metrics(state_archive, key + ".train", r.train);
        cd::write_metrics(state_archive, key + ".validation", r.validation);
    }
    std::vector<double> kept;
    for (const auto& [epoch, metric] : state.kept) {
        kept.push_back(epoch);
        kept.push_back(metric);
    }
    state_archive.write("kept", cd::doubles(kept));
    archive.write("model", model_archive);
    archive.write("optimizer", optimizer_archive);
    archive.write("state", state_archive);

    std::error_code ec;
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
    auto temp = path;
    temp += ".tmp-" + std::to_string(::getpid());
    try {
        archive.save_to(temp.string());
    } catch (const c10::Error& e) {
        std::filesystem::remove(temp, ec);
        fail_runtime("c2s::train::save_checkpoint", "cannot write '", path.string(), "': ", e.what_without_backtrace());
    }
    std::filesystem::rename(temp, path, ec);
    if (ec) {
        std::filesystem::remove(temp, ec);
        fail_runtime("c2s::train::save_checkpoint", "cannot rename the temporary onto '", path.string(), "': ", ec.message());
    }
}

/// Reads a checkpoint written by `save_checkpoint` into `model` and `optimizer` (either may be
/// null to skip it) and returns the training state. Errors name the file.
inline TrainState load_checkpoint(const std::filesystem::path& path, torch::nn::Module* model,
                                  torch::optim::Optimizer* optimizer) {
    namespace cd = checkpoint_detail;
    constexpr const char* where = "c2s::train::load_checkpoint";
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) fail_runtime(where, "checkpoint '", path.string(), "' does not exist");
    TrainState s;
    try {
        torch::serialize::InputArchive archive, model_archive, optimizer_archive, state_archive;
        archive.load_from(path.string());
        archive.read("state", state_archive);
        torch::Tensor version, position, values, generator, confusion, hist, kept;
        state_archive.read("format_version", version);
        if (version.item<std::int64_t>() != cd::format_version)
            fail_runtime(where, "'", path.string(), "' has checkpoint format ", version.item<std::int64_t>(),
                         "; this build reads format ", cd::format_version);
        if (model) {
            // LibTorch's Module::load re-shapes tensors to whatever the file holds: check shapes
            std::vector<std::pair<std::string, std::vector<std::int64_t>>> shapes;
            for (const auto& p : model->named_parameters()) shapes.emplace_back(p.key(), p.value().sizes().vec());
            for (const auto& b : model->named_buffers()) shapes.emplace_back(b.key(), b.value().sizes().vec());
            archive.read("model", model_archive);
            model->load(model_archive);
            auto params = model->named_parameters();
            auto buffers = model->named_buffers();
            for (const auto& [key, shape] : shapes) {
                const auto* t = params.find(key);
                if (!t) t = buffers.find(key);
                if (t && t->sizes().vec() != shape)
                    fail_runtime(where, "'", path.string(), "' was written by another model: '", key, "' has shape ",
                                 t->sizes(), " there but ", torch::IntArrayRef(shape), " in this model");
            }
        }
        if (optimizer) {
            archive.read("optimizer", optimizer_archive);
            optimizer->load(optimizer_archive);
        }
        state_archive.read("position", position);
        state_archive.read("values", values);
        const auto pos = position.contiguous();
        const auto* p = pos.data_ptr<std::int64_t>();
        s.epoch = static_cast<int>(p[0]);
        s.batches_done = p[1];
        s.best_epoch = static_cast<int>(p[2]);
        s.epochs_without_improvement = static_cast<int>(p[3]);
        s.schedule.bad_epochs = static_cast<int>(p[4]);
        const auto v = cd::to_doubles(values);
        s.best_metric = v.at(0);
        s.schedule.plateau_factor = v.at(1);
        s.schedule.best = v.at(2);
        s.running.loss_sum = v.at(3);
        s.running.samples = static_cast<std::int64_t>(v.at(4));
        if (state_archive.try_read("running.confusion", confusion)) s.running.confusion = cd::confusion_from(confusion);
        if (state_archive.try_read("generator", generator)) s.generator_state = generator;
        state_archive.read("history.size", hist);
        const auto n = hist.item<std::int64_t>();
        for (std::int64_t e = 0; e < n; ++e) {
            const std::string key = "history." + std::to_string(e);
            torch::Tensor r;
            state_archive.read(key, r);
            const auto rv = cd::to_doubles(r);
            EpochRecord rec;
            rec.epoch = static_cast<int>(rv.at(0));
            rec.lr = rv.at(1);
            rec.seconds = rv.at(2);
            rec.trainable_parameters = static_cast<std::int64_t>(rv.at(3));
            rec.train = cd::read_metrics(state_archive, key + ".train");
            rec.validation = cd::read_metrics(state_archive, key + ".validation");
            s.history.push_back(std::move(rec));
        }
        state_archive.read("kept", kept);
        const auto kv = cd::to_doubles(kept);
        for (std::size_t i = 0; i + 1 < kv.size(); i += 2) s.kept.emplace_back(static_cast<int>(kv[i]), kv[i + 1]);
    } catch (const c10::Error& e) {
        fail_runtime(where, "cannot read checkpoint '", path.string(), "' (damaged, or written by another model): ",
                     e.what_without_backtrace());
    }
    return s;
}

/// Loads only the model weights of a checkpoint (for embedding with a trained model).
inline void load_checkpoint_weights(const std::filesystem::path& path, torch::nn::Module& model) {
    (void)load_checkpoint(path, &model, nullptr);
}

}  // namespace c2s::train
