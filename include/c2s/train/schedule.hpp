#pragma once
/// @file schedule.hpp
/// @brief Learning-rate schedules as a factor on each group's base learning rate, set at the start
/// of every epoch: constant, step decay, cosine with linear warm-up, reduce-on-plateau.
///
/// Step: `gamma^floor(epoch / step_size)` (torch.optim.lr_scheduler.StepLR). Cosine: the first
/// `warmup_epochs` epochs rise linearly, `(epoch + 1) / (warmup_epochs + 1)`, then
/// `min_factor + (1 - min_factor) (1 + cos(π t)) / 2` with `t = (epoch - warmup) / (epochs - warmup)`
/// (CosineAnnealingLR's closed form with eta_min = min_factor × lr). Plateau: the factor is
/// multiplied by `plateau_factor` when the monitored validation metric has not improved by more
/// than `plateau_threshold` (relative) for `plateau_patience` epochs (ReduceLROnPlateau, mode
/// "rel", no cooldown). The schedule's state is two numbers, saved in every checkpoint.

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string_view>

#include "c2s/core/error.hpp"

namespace c2s::train {

enum class ScheduleKind { constant, step, cosine, plateau };

[[nodiscard]] inline ScheduleKind parse_schedule(std::string_view s) {
    if (s == "constant" || s == "none") return ScheduleKind::constant;
    if (s == "step") return ScheduleKind::step;
    if (s == "cosine") return ScheduleKind::cosine;
    if (s == "plateau") return ScheduleKind::plateau;
    fail_argument("c2s::train::parse_schedule", "'", s, "' is not a schedule; use constant, step, cosine or plateau");
}

struct ScheduleOptions {
    ScheduleKind kind = ScheduleKind::constant;
    int step_size = 10;           ///< step: epochs between decays
    double gamma = 0.1;           ///< step: decay per step
    int warmup_epochs = 0;        ///< cosine: epochs of linear warm-up
    double min_factor = 0.0;      ///< cosine: final factor
    double plateau_factor = 0.1;  ///< plateau: decay when the metric stalls
    int plateau_patience = 2;     ///< plateau: epochs without improvement tolerated
    double plateau_threshold = 1e-4;  ///< plateau: relative improvement that counts
    double plateau_min_factor = 0.0;  ///< plateau: the factor never goes below this
};

class LearningRateSchedule {
public:
    LearningRateSchedule(ScheduleOptions options, int epochs) : o_(options), epochs_(epochs) {
        constexpr const char* where = "c2s::train::LearningRateSchedule";
        if (epochs < 1) fail_argument(where, "'epochs' is ", epochs, "; must be >= 1");
        if (o_.step_size < 1) fail_argument(where, "'step_size' is ", o_.step_size, "; must be >= 1");
        if (!(o_.gamma > 0.0 && o_.gamma <= 1.0)) fail_argument(where, "'gamma' is ", o_.gamma, "; must be in (0, 1]");
        if (o_.warmup_epochs < 0 || o_.warmup_epochs >= epochs)
            fail_argument(where, "'warmup_epochs' is ", o_.warmup_epochs, "; must be in [0, epochs) with epochs = ", epochs);
        if (!(o_.min_factor >= 0.0 && o_.min_factor <= 1.0))
            fail_argument(where, "'min_factor' is ", o_.min_factor, "; must be in [0, 1]");
        if (!(o_.plateau_factor > 0.0 && o_.plateau_factor < 1.0))
            fail_argument(where, "'plateau_factor' is ", o_.plateau_factor, "; must be in (0, 1)");
        if (o_.plateau_patience < 0) fail_argument(where, "'plateau_patience' is ", o_.plateau_patience, "; must be >= 0");
    }

    /// The factor for epoch `epoch` (0-based).
    [[nodiscard]] double factor(int epoch) const {
        switch (o_.kind) {
            case ScheduleKind::constant: return 1.0;
            case ScheduleKind::step: return std::pow(o_.gamma, epoch / o_.step_size);
            case ScheduleKind::cosine: {
                if (epoch < o_.warmup_epochs)
                    return static_cast<double>(epoch + 1) / static_cast<double>(o_.warmup_epochs + 1);
                const double t = static_cast<double>(epoch - o_.warmup_epochs) / static_cast<double>(epochs_ - o_.warmup_epochs);
                return o_.min_factor + (1.0 - o_.min_factor) * 0.5 * (1.0 + std::cos(std::numbers::pi * t));
            }
            case ScheduleKind::plateau: return plateau_factor_;
        }
        return 1.0;
    }

    /// Tells the schedule the validation metric after an epoch (`maximize`: larger is better).
    void observe(double metric, bool maximize) {
        if (o_.kind != ScheduleKind::plateau || std::isnan(metric)) return;
        const double m = maximize ? metric : -metric;
        const double bar = std::isinf(best_) ? best_ : best_ + std::abs(best_) * o_.plateau_threshold;
        if (m > bar) {
            best_ = m;
            bad_epochs_ = 0;
        } else if (++bad_epochs_ > o_.plateau_patience) {
            plateau_factor_ = std::max(plateau_factor_ * o_.plateau_factor, o_.plateau_min_factor);
            bad_epochs_ = 0;
        }
    }

    /// State for checkpoints: {plateau factor, best metric, epochs without improvement}.
    struct State {
        double plateau_factor = 1.0;
        double best = -INFINITY;
        int bad_epochs = 0;
    };
    [[nodiscard]] State state() const noexcept { return {plateau_factor_, best_, bad_epochs_}; }
    void restore(const State& s) noexcept {
        plateau_factor_ = s.plateau_factor;
        best_ = s.best;
        bad_epochs_ = s.bad_epochs;
    }

private:
    ScheduleOptions o_;
    int epochs_;
    double plateau_factor_ = 1.0;
    double best_ = -INFINITY;
    int bad_epochs_ = 0;
};

}  // namespace c2s::train
