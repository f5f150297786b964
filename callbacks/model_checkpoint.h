// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "callbacks/monitor_callback.h"

namespace fathom::callbacks {

/// ModelCheckpoint's arguments (Keras's names and defaults).
struct ModelCheckpointOptions {
  std::string filepath;  // a template: "ckpt/{epoch:02d}-{val_loss:.2f}.keras"
  std::string monitor = "val_loss";
  int verbose = 0;
  bool save_best_only = false;
  bool save_weights_only = false;
  std::string mode = "auto";
  int save_freq = 0;  // 0: "epoch"; N > 0: every N training batches
  std::optional<double> initial_value_threshold{};
};

/// Saves the model or its weights during fit (Keras's ModelCheckpoint). At each epoch end (or
/// every save_freq batches) the path is `filepath` formatted with epoch (1-based), batch (1-based,
/// batch saves only) and the logs (callbacks/filepath_template.h); missing folders are created.
/// save_best_only saves only when `monitor` improves on the best value so far (the first value
/// must beat initial_value_threshold when given); a monitor missing from the logs is a warning
/// and no save. The format follows the extension: full model .keras / .h5 / .hdf5 / .fathom;
/// with save_weights_only .weights.h5 (Keras 3), .h5 (Keras 2) or .fathom. Every write is atomic.
/// Config: filepath (required), monitor, verbose, save_best_only, save_weights_only, mode,
/// save_freq ("epoch" or a positive int), initial_value_threshold.
class ModelCheckpoint final : public MonitorCallback {
 public:
  using Options = ModelCheckpointOptions;
  explicit ModelCheckpoint(Options options);
  static std::unique_ptr<Callback> from_config(const Config& config);
  std::string class_name() const override { return "ModelCheckpoint"; }

  void on_train_begin(const Logs& logs) override;
  void on_epoch_begin(int epoch, const Logs& logs) override;
  void on_train_batch_end(int batch, const Logs& logs) override;
  void on_epoch_end(int epoch, Logs& logs) override;
  Config get_config() const override;

  /// The path of the last file written (empty before the first save).
  const std::string& last_saved() const { return last_saved_; }

 private:
  void save(int epoch, std::optional<int> batch, const Logs& logs);

  Options options_;
  int current_epoch_ = 0;
  int batches_since_save_ = 0;
  std::string last_saved_;
};

}  // namespace fathom::callbacks
