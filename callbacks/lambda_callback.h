// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <functional>
#include <string>

#include "callbacks/callback.h"

namespace fathom::callbacks {

/// The functions a LambdaCallback calls; an empty one does nothing.
struct LambdaCallbackHooks {
  using LogsFn = std::function<void(const Logs&)>;
  using IndexLogsFn = std::function<void(int, const Logs&)>;
  IndexLogsFn on_epoch_begin{};
  IndexLogsFn on_epoch_end{};
  LogsFn on_train_begin{};
  LogsFn on_train_end{};
  IndexLogsFn on_train_batch_begin{};
  IndexLogsFn on_train_batch_end{};
  LogsFn on_test_begin{};
  LogsFn on_test_end{};
  IndexLogsFn on_test_batch_begin{};
  IndexLogsFn on_test_batch_end{};
  LogsFn on_predict_begin{};
  LogsFn on_predict_end{};
  IndexLogsFn on_predict_batch_begin{};
  IndexLogsFn on_predict_batch_end{};
};

/// A callback made of functions, one per hook (Keras's LambdaCallback):
///   LambdaCallback({.on_epoch_end = [](int epoch, const Logs& logs) { ... }})
/// The int is the epoch or the batch index. Not configurable from YAML (the hooks are code).
class LambdaCallback final : public Callback {
 public:
  using Hooks = LambdaCallbackHooks;
  explicit LambdaCallback(Hooks hooks) : hooks_(std::move(hooks)) {}
  std::string class_name() const override { return "LambdaCallback"; }

  void on_train_begin(const Logs& logs) override;
  void on_train_end(const Logs& logs) override;
  void on_epoch_begin(int epoch, const Logs& logs) override;
  void on_epoch_end(int epoch, Logs& logs) override;
  void on_train_batch_begin(int batch, const Logs& logs) override;
  void on_train_batch_end(int batch, const Logs& logs) override;
  void on_test_begin(const Logs& logs) override;
  void on_test_end(const Logs& logs) override;
  void on_test_batch_begin(int batch, const Logs& logs) override;
  void on_test_batch_end(int batch, const Logs& logs) override;
  void on_predict_begin(const Logs& logs) override;
  void on_predict_end(const Logs& logs) override;
  void on_predict_batch_begin(int batch, const Logs& logs) override;
  void on_predict_batch_end(int batch, const Logs& logs) override;

 private:
  Hooks hooks_;
};

}  // namespace fathom::callbacks
