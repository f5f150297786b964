// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/config.h"
#include "optimizers/schedules.h"

namespace fathom::optimizers {

/// Optional linear warmup from initial_learning_rate to warmup_target over warmup_steps, then
/// lr = from * ((1 - alpha) * 0.5 * (1 + cos(pi * s / decay_steps)) + alpha), s capped at
/// decay_steps, from = warmup_target (or initial_learning_rate without warmup). Config:
/// initial_learning_rate, decay_steps (> 0), alpha (0), name, warmup_target (null), warmup_steps
/// (0).
class CosineDecay final : public LearningRateSchedule {
 public:
  struct Options {
    double initial_learning_rate = 0.0;
    double decay_steps = 1.0;
    double alpha = 0.0;
    std::string name = "CosineDecay";
    std::optional<double> warmup_target{};
    double warmup_steps = 0.0;
  };
  explicit CosineDecay(Options options);
  static std::shared_ptr<LearningRateSchedule> from_config(const Config& config);
  std::string class_name() const override { return "CosineDecay"; }
  double operator()(std::int64_t step) const override;
  Config get_config() const override;

 private:
  Options options_;
};

/// SGDR: cosine decay restarted after first_decay_steps, each period t_mul times longer and
/// m_mul times lower. Config: initial_learning_rate, first_decay_steps (> 0), t_mul (2),
/// m_mul (1), alpha (0), name ("SGDRDecay").
class CosineDecayRestarts final : public LearningRateSchedule {
 public:
  struct Options {
    double initial_learning_rate = 0.0;
    double first_decay_steps = 1.0;
    double t_mul = 2.0;
    double m_mul = 1.0;
    double alpha = 0.0;
    std::string name = "SGDRDecay";
  };
  explicit CosineDecayRestarts(Options options);
  static std::shared_ptr<LearningRateSchedule> from_config(const Config& config);
  std::string class_name() const override { return "CosineDecayRestarts"; }
  double operator()(std::int64_t step) const override;
  Config get_config() const override;

 private:
  Options options_;
};

}  // namespace fathom::optimizers
