// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <string>

#include "callbacks/monitor_callback.h"

namespace fathom::callbacks {

/// ReduceLROnPlateau's arguments (Keras's names and defaults).
struct ReduceLROnPlateauOptions {
  std::string monitor = "val_loss";
  double factor = 0.1;  // new_lr = lr * factor; must be < 1
  int patience = 10;
  int verbose = 0;
  std::string mode = "auto";
  double min_delta = 1e-4;
  int cooldown = 0;
  double min_lr = 0.0;
};

/// Multiplies the optimizer's learning rate by `factor` (not below `min_lr`) when the monitored
/// quantity has not improved for `patience` epochs (Keras's ReduceLROnPlateau). At each epoch
/// end: during a cooldown the counter counts down and wait stays 0; an improvement on the best
/// value resets wait; otherwise, outside a cooldown, wait += 1 and wait >= patience reduces the
/// rate (when lr > min_lr, compared in float32 as Keras's variable does), then starts a
/// cooldown of `cooldown` epochs and resets wait. "learning_rate" may be monitored. A monitor
/// missing from the logs is a warning.
/// Config: monitor ("val_loss"), factor (0.1), patience (10), verbose (0), mode ("auto"),
/// min_delta (1e-4), cooldown (0), min_lr (0).
class ReduceLROnPlateau final : public MonitorCallback {
 public:
  using Options = ReduceLROnPlateauOptions;
  explicit ReduceLROnPlateau(Options options = {});
  static std::unique_ptr<Callback> from_config(const Config& config);
  std::string class_name() const override { return "ReduceLROnPlateau"; }

  void on_train_begin(const Logs& logs) override;
  void on_epoch_end(int epoch, Logs& logs) override;
  Config get_config() const override;

  bool in_cooldown() const { return cooldown_counter_ > 0; }
  int wait() const { return wait_; }
  int cooldown_counter() const { return cooldown_counter_; }

 private:
  /// Lowers the rate unless it is already at min_lr; whether it did.
  bool reduce_lr(int epoch);

  Options options_;
  int wait_ = 0;
  int cooldown_counter_ = 0;
};

}  // namespace fathom::callbacks
