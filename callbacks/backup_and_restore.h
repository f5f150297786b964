// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <string>

#include "callbacks/callback.h"

namespace fathom::callbacks {

/// BackupAndRestore's arguments (Keras's names and defaults).
struct BackupAndRestoreOptions {
  std::string backup_dir;
  int save_freq = 0;  // 0: "epoch"; N > 0: every N training batches
  bool delete_checkpoint = true;
};

/// Makes fit survive interruptions (Keras's BackupAndRestore). It writes `backup_dir`/latest.fathom
/// (a Fathom checkpoint: weights, optimizer state, the epoch and batch to resume at, the global
/// random generator, every layer's random streams and fit's shuffling seed as `fit_seed`), atomically, at each epoch end or every
/// save_freq batches. When fit starts and a backup exists, it restores all of that and fit
/// resumes at the saved point: an interrupted run (an exception, kill -9) continued by a new fit
/// with the same model, data and seed ends with the same weights as a run never interrupted.
/// Metrics of an epoch resumed mid-way cover only its remaining batches. The backup is deleted
/// when fit completes (unless delete_checkpoint is false). A backup that does not fit the model
/// is an error naming the file.
/// Config: backup_dir (required), save_freq ("epoch" or a positive int), delete_checkpoint (true),
/// double_checkpoint (accepted; the atomic write already keeps the previous backup valid).
class BackupAndRestore final : public Callback {
 public:
  using Options = BackupAndRestoreOptions;
  explicit BackupAndRestore(Options options);
  static std::unique_ptr<Callback> from_config(const Config& config);
  std::string class_name() const override { return "BackupAndRestore"; }

  void on_train_begin(const Logs& logs) override;
  void on_epoch_begin(int epoch, const Logs& logs) override;
  void on_train_batch_end(int batch, const Logs& logs) override;
  void on_epoch_end(int epoch, Logs& logs) override;
  void on_train_end(const Logs& logs) override;
  Config get_config() const override;

  std::string backup_path() const;

 private:
  void backup(int epoch, std::int64_t step);

  Options options_;
  int current_epoch_ = 0;
  int batches_since_save_ = 0;
};

}  // namespace fathom::callbacks
