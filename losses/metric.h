// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/tensor.h"

namespace fathom::losses {

/// A stateful metric (Keras's Metric): update_state accumulates over batches, result() reads
/// the value, reset_state() clears it (fit resets every metric at the start of each epoch).
/// State is kept in double precision on the host.
class Metric {
 public:
  explicit Metric(std::string name) : name_(std::move(name)) {}
  virtual ~Metric() = default;

  virtual std::string class_name() const = 0;
  const std::string& name() const { return name_; }
  virtual void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight = {}) = 0;
  virtual double result() const = 0;
  virtual void reset_state() = 0;
  virtual Config get_config() const;

 private:
  std::string name_;
};

/// The running (weighted) mean of values: the "loss" entry of fit's logs, and the base of the
/// metrics that average a per-sample value (mse, accuracy, ...).
class Mean : public Metric {
 public:
  explicit Mean(std::string name = "mean") : Metric(std::move(name)) {}
  std::string class_name() const override { return "Mean"; }
  /// Adds the values (any shape) with optional weights broadcastable to them.
  void update_values(const Tensor& values, const Tensor& sample_weight = {});
  void update_state(const Tensor&, const Tensor& y_pred, const Tensor& sample_weight = {}) override {
    update_values(y_pred, sample_weight);
  }
  double result() const override { return count_ > 0 ? total_ / count_ : 0.0; }
  void reset_state() override { total_ = count_ = 0; }

 private:
  double total_ = 0, count_ = 0;
};

/// What compile(metrics=...) names resolve to. "accuracy"/"acc" (and "crossentropy") depend on
/// the loss and the shapes, as in Keras: `loss_name` is the compiled loss's class name and
/// `output_shape` the model output's (e.g. [-1, 10]).
std::unique_ptr<Metric> get_metric(const Config& name_or_config, const std::string& loss_class_name = "",
                                   const Shape& output_shape = {});
std::vector<std::string> registered_metrics();

}  // namespace fathom::losses
