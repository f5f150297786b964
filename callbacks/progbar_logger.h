// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <chrono>
#include <cstdio>
#include <string>

#include "callbacks/callback.h"

namespace fathom::callbacks {

/// Keras's progress bar: "469/469 ━━━━━━━━━━━━━━━━━━━━ 2s 4ms/step - accuracy: 0.81 - loss: 0.53".
/// verbose 1 redraws one line per step on a terminal and prints one line per epoch otherwise;
/// verbose 2 prints one line per epoch. Writes to `out` (stdout by default).
class ProgbarLogger final : public Callback {
 public:
  explicit ProgbarLogger(std::FILE* out = stdout) : out_(out) {}
  std::string class_name() const override { return "ProgbarLogger"; }
  void on_train_begin(const Logs&) override;
  void on_train_end(const Logs&) override { in_fit_ = false; }
  void on_epoch_begin(int epoch, const Logs&) override;
  void on_train_batch_end(int batch, const Logs& logs) override;
  void on_epoch_end(int epoch, Logs& logs) override;
  void on_test_begin(const Logs&) override;
  void on_test_batch_end(int batch, const Logs& logs) override;
  void on_test_end(const Logs& logs) override;

 private:
  void draw(int step, int total, const Logs& logs, bool final_line);
  std::FILE* out_;
  bool interactive_ = false;
  bool in_fit_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace fathom::callbacks
