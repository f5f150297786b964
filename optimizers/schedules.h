// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/config.h"

namespace fathom::optimizers {

/// A learning rate as a function of the step (keras.optimizers.schedules). A constant is a
/// schedule too, so optimizers hold one type. get_config() is the inner config (Keras's
/// schedule.get_config()); serialize_schedule() wraps it as Keras files store it.
class LearningRateSchedule {
 public:
  virtual ~LearningRateSchedule() = default;
  virtual std::string class_name() const = 0;
  virtual double operator()(std::int64_t step) const = 0;
  virtual Config get_config() const = 0;
};

class ConstantLearningRate final : public LearningRateSchedule {
 public:
  explicit ConstantLearningRate(double lr) : lr_(lr) {}
  std::string class_name() const override { return "Constant"; }
  double operator()(std::int64_t) const override { return lr_; }
  Config get_config() const override { return Config(lr_); }

 private:
  double lr_;
};

std::shared_ptr<LearningRateSchedule> constant_learning_rate(double lr);
/// A number -> constant; {class_name: ExponentialDecay, config: {...}} -> that schedule
/// (Keras's module and registered_name keys are accepted).
std::shared_ptr<LearningRateSchedule> get_schedule(const Config& number_or_config);
/// A constant -> its number; a schedule -> {module, class_name, config, registered_name}.
Config serialize_schedule(const LearningRateSchedule& schedule);
std::vector<std::string> registered_schedules();

}  // namespace fathom::optimizers
