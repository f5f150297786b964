// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <functional>
#include <string>

#include "callbacks/callback.h"

namespace fathom::callbacks {

/// Sets the optimizer's learning rate at the start of every epoch to schedule(epoch, lr), where
/// `epoch` counts from 0 and `lr` is the current rate (Keras's LearningRateScheduler). A
/// negative or non-finite result is a ValueError naming the epoch.
/// Config: verbose (0); the schedule is code, so the class is not in the callback registry.
class LearningRateScheduler final : public Callback {
 public:
  using Schedule = std::function<double(int epoch, double lr)>;
  explicit LearningRateScheduler(Schedule schedule, int verbose = 0);
  std::string class_name() const override { return "LearningRateScheduler"; }

  void on_epoch_begin(int epoch, const Logs& logs) override;
  /// Adds "learning_rate" to the epoch's logs, as Keras does.
  void on_epoch_end(int epoch, Logs& logs) override;
  Config get_config() const override;

 private:
  Schedule schedule_;
  int verbose_;
};

}  // namespace fathom::callbacks
