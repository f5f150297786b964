// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "optimizers/schedules.h"

namespace fathom::optimizers {

/// lr = initial_learning_rate * decay_rate ^ (step / decay_steps), the exponent floored when
/// staircase. Config: initial_learning_rate, decay_steps (> 0), decay_rate, staircase (false),
/// name.
class ExponentialDecay final : public LearningRateSchedule {
 public:
  struct Options {
    double initial_learning_rate = 0.0;
    double decay_steps = 1.0;
    double decay_rate = 1.0;
    bool staircase = false;
    std::string name = "ExponentialDecay";
  };
  explicit ExponentialDecay(Options options);
  static std::shared_ptr<LearningRateSchedule> from_config(const Config& config);
  std::string class_name() const override { return "ExponentialDecay"; }
  double operator()(std::int64_t step) const override;
  Config get_config() const override;

 private:
  Options options_;
};

/// values[0] while step <= boundaries[0], values[i] while boundaries[i-1] < step <=
/// boundaries[i], values.back() after the last boundary. Config: boundaries, values (one more
/// than boundaries), name ("PiecewiseConstant").
class PiecewiseConstantDecay final : public LearningRateSchedule {
 public:
  struct Options {
    std::vector<double> boundaries{};
    std::vector<double> values{};
    std::string name = "PiecewiseConstant";
  };
  explicit PiecewiseConstantDecay(Options options);
  static std::shared_ptr<LearningRateSchedule> from_config(const Config& config);
  std::string class_name() const override { return "PiecewiseConstantDecay"; }
  double operator()(std::int64_t step) const override;
  Config get_config() const override;

 private:
  Options options_;
};

/// lr = initial_learning_rate / (1 + decay_rate * step / decay_steps), the ratio floored when
/// staircase. Config: initial_learning_rate, decay_steps (> 0), decay_rate, staircase, name.
class InverseTimeDecay final : public LearningRateSchedule {
 public:
  struct Options {
    double initial_learning_rate = 0.0;
    double decay_steps = 1.0;
    double decay_rate = 1.0;
    bool staircase = false;
    std::string name = "InverseTimeDecay";
  };
  explicit InverseTimeDecay(Options options);
  static std::shared_ptr<LearningRateSchedule> from_config(const Config& config);
  std::string class_name() const override { return "InverseTimeDecay"; }
  double operator()(std::int64_t step) const override;
  Config get_config() const override;

 private:
  Options options_;
};

/// p = min(step, decay_steps) / decay_steps (cycle: decay_steps *= max(1, ceil(step /
/// decay_steps)) instead), lr = (initial - end) * (1 - p)^power + end. Config:
/// initial_learning_rate, decay_steps (> 0), end_learning_rate (1e-4), power (1), cycle, name.
class PolynomialDecay final : public LearningRateSchedule {
 public:
  struct Options {
    double initial_learning_rate = 0.0;
    double decay_steps = 1.0;
    double end_learning_rate = 0.0001;
    double power = 1.0;
    bool cycle = false;
    std::string name = "PolynomialDecay";
  };
  explicit PolynomialDecay(Options options);
  static std::shared_ptr<LearningRateSchedule> from_config(const Config& config);
  std::string class_name() const override { return "PolynomialDecay"; }
  double operator()(std::int64_t step) const override;
  Config get_config() const override;

 private:
  Options options_;
};

}  // namespace fathom::optimizers
