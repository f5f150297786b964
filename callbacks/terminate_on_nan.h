// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <string>

#include "callbacks/callback.h"

namespace fathom::callbacks {

/// Ends training when a training batch's "loss" is NaN or infinite (Keras's TerminateOnNaN):
/// prints "Batch <b>: Invalid loss, terminating training" and sets model->stop_training, so
/// fit stops after that batch and still calls every on_train_end. With raise_error it throws
/// fathom::Error instead, skipping the other callbacks' on_train_end.
/// Config: raise_error (false).
class TerminateOnNaN final : public Callback {
 public:
  explicit TerminateOnNaN(bool raise_error = false) : raise_error_(raise_error) {}
  static std::unique_ptr<Callback> from_config(const Config& config);
  std::string class_name() const override { return "TerminateOnNaN"; }

  void on_train_batch_end(int batch, const Logs& logs) override;
  Config get_config() const override;

 private:
  bool raise_error_;
};

}  // namespace fathom::callbacks
