// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "core/config.h"

namespace fathom::optimizers {

/// A learning rate as a function of the step (keras.optimizers.schedules). A constant is a
/// schedule too, so optimizers hold one type.
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

/// A number -> constant; {class_name: ExponentialDecay, config: {...}} -> that schedule.
std::shared_ptr<LearningRateSchedule> get_schedule(const Config& number_or_config);

}  // namespace fathom::optimizers
