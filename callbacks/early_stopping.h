// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "callbacks/monitor_callback.h"
#include "core/tensor.h"

namespace fathom::callbacks {

/// EarlyStopping's arguments (Keras's names and defaults).
struct EarlyStoppingOptions {
  std::string monitor = "val_loss";
  double min_delta = 0.0;  // its absolute value is used
  int patience = 0;        // >= 0
  int verbose = 0;
  std::string mode = "auto";
  std::optional<double> baseline{};
  bool restore_best_weights = false;
  int start_from_epoch = 0;  // >= 0
};

/// Stops fit when the monitored quantity has stopped improving (Keras's EarlyStopping).
/// At each epoch end from `start_from_epoch` on: wait += 1; an improvement on the best value
/// makes it the best (and snapshots the weights with restore_best_weights) and resets wait,
/// but only when it also improves on `baseline`; otherwise wait >= patience (at epoch > 0)
/// sets model->stop_training. With restore_best_weights the weights of the best epoch are set
/// back at the end of training, whether or not training stopped early (Keras 3). A monitor
/// missing from the logs is a warning and the epoch is skipped.
/// Config: monitor ("val_loss"), min_delta (0), patience (0), verbose (0), mode ("auto"),
/// baseline (null), restore_best_weights (false), start_from_epoch (0).
class EarlyStopping final : public MonitorCallback {
 public:
  using Options = EarlyStoppingOptions;
  explicit EarlyStopping(Options options = {});
  static std::unique_ptr<Callback> from_config(const Config& config);
  std::string class_name() const override { return "EarlyStopping"; }

  void on_train_begin(const Logs& logs) override;
  void on_epoch_end(int epoch, Logs& logs) override;
  void on_train_end(const Logs& logs) override;
  Config get_config() const override;

  /// The epoch (0-based) at which training was stopped; 0 when it was not.
  int stopped_epoch() const { return stopped_epoch_; }
  /// The epoch (0-based) of the best value, or of the first monitored epoch.
  int best_epoch() const { return best_epoch_; }
  int wait() const { return wait_; }

 private:
  Options options_;
  int wait_ = 0;
  int stopped_epoch_ = 0;
  int best_epoch_ = 0;
  std::optional<std::vector<Tensor>> best_weights_;
};

}  // namespace fathom::callbacks
