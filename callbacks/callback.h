// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/config.h"

namespace fathom::models {
class Model;
}

namespace fathom::callbacks {

/// Named scalar results of a batch or an epoch ("loss", "accuracy", "val_loss", ...), in the
/// order Keras reports them.
class Logs {
 public:
  void set(const std::string& key, double value);
  bool has(const std::string& key) const;
  /// The value; a ValueError naming `who` and listing the keys that exist when absent.
  double at(const std::string& key, const std::string& who = "") const;
  const std::vector<std::pair<std::string, double>>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<std::pair<std::string, double>> entries_;
};

/// What fit/evaluate/predict tell callbacks about the run (Keras's callback.params).
struct Params {
  int epochs = 1;
  int steps = 0;  // batches per epoch (or per evaluate/predict run)
  int verbose = 1;
};

/// Every Keras hook. Callbacks see the model through set_model (a non-owning pointer valid for
/// the run) and may set model->stop_training.
class Callback {
 public:
  virtual ~Callback() = default;
  virtual std::string class_name() const = 0;
  void set_model(models::Model* model) { model_ = model; }
  void set_params(const Params& params) { params_ = params; }

  virtual void on_train_begin(const Logs&) {}
  virtual void on_train_end(const Logs&) {}
  virtual void on_epoch_begin(int /*epoch*/, const Logs&) {}
  virtual void on_epoch_end(int /*epoch*/, Logs&) {}
  virtual void on_train_batch_begin(int /*batch*/, const Logs&) {}
  virtual void on_train_batch_end(int /*batch*/, const Logs&) {}
  virtual void on_test_begin(const Logs&) {}
  virtual void on_test_end(const Logs&) {}
  virtual void on_test_batch_begin(int /*batch*/, const Logs&) {}
  virtual void on_test_batch_end(int /*batch*/, const Logs&) {}
  virtual void on_predict_begin(const Logs&) {}
  virtual void on_predict_end(const Logs&) {}
  virtual void on_predict_batch_begin(int /*batch*/, const Logs&) {}
  virtual void on_predict_batch_end(int /*batch*/, const Logs&) {}

  virtual Config get_config() const { return Config::map(); }

 protected:
  models::Model* model() const { return model_; }
  const Params& params() const { return params_; }

 private:
  models::Model* model_ = nullptr;
  Params params_;
};

using CallbackPtr = std::shared_ptr<Callback>;

/// A callback from {class_name, config} (EarlyStopping, CSVLogger, ...); ConfigError with a
/// did-you-mean for unknown names or keys.
CallbackPtr get_callback(const Config& config);
std::vector<std::string> registered_callbacks();

}  // namespace fathom::callbacks
