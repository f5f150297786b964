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
/// State is kept in double precision on the host; updates are never recorded by a tape.
/// Config keys: name, dtype ("float32": Keras's result dtype, kept for compatibility).
class Metric {
 public:
  explicit Metric(std::string name) : name_(std::move(name)) {}
  virtual ~Metric() = default;

  virtual std::string class_name() const = 0;
  const std::string& name() const { return name_; }
  /// compile(metrics=["acc"]) names the metric after the identifier, as Keras does.
  void set_name(std::string name) { name_ = std::move(name); }
  const std::string& dtype() const { return dtype_; }
  void set_dtype(const std::string& dtype);  // ConfigError unless float32 / float64
  virtual void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight = {}) = 0;
  virtual double result() const = 0;
  virtual void reset_state() = 0;
  virtual Config get_config() const;

 private:
  std::string name_;
  std::string dtype_ = "float32";
};

/// The running (weighted) mean of values: the "loss" entry of fit's logs, and the base of the
/// metrics that average a per-sample value (mse, accuracy, ...).
class Mean : public Metric {
 public:
  explicit Mean(std::string name = "mean") : Metric(std::move(name)) {}
  static std::unique_ptr<Metric> from_config(const Config& config);
  std::string class_name() const override { return "Mean"; }
  /// Adds the values (any shape) with optional weights broadcastable to them (Keras's
  /// reduce_to_samplewise_values: values are averaged down to the weights' rank, then to [B];
  /// the count grows by the sum of the weights, or by B without weights).
  void update_values(const Tensor& values, const Tensor& sample_weight = {});
  void update_state(const Tensor&, const Tensor& y_pred, const Tensor& sample_weight = {}) override {
    update_values(y_pred, sample_weight);
  }
  double result() const override { return count_ > 0 ? total_ / count_ : 0.0; }
  void reset_state() override { total_ = count_ = 0; }
  double total() const { return total_; }
  double count() const { return count_; }

 private:
  double total_ = 0, count_ = 0;
};

/// Keras's MeanMetricWrapper: the mean of a per-sample value computed by `values`. When
/// `values_mask` gives a mask (a loss's ignore_class) it multiplies the sample weights; as in
/// Keras it is applied only when sample weights are given.
class MeanMetricWrapper : public Mean {
 public:
  using Mean::Mean;
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight = {}) override;

 protected:
  virtual Tensor values(const Tensor& y_true, const Tensor& y_pred) const = 0;
  virtual Tensor values_mask(const Tensor& /*y_true*/, const Tensor& /*y_pred*/) const { return {}; }
};

/// What compile(metrics=...) names resolve to. "accuracy"/"acc" (any case, as in Keras) and
/// "crossentropy"/"ce" depend on the loss and the shapes (the exact-match Accuracy class is
/// {class_name: Accuracy}): `loss_class_name` is the compiled loss's
/// class name (or Keras name) and `output_shape` the model output's (e.g. [-1, 10]). A last dim
/// of 1 or a binary crossentropy loss gives the binary variant, a sparse categorical
/// crossentropy loss the sparse one, anything else the categorical one. A name string becomes
/// the metric's name ("acc" stays "acc"); a {class_name, config} mapping keeps its config's name.
std::unique_ptr<Metric> get_metric(const Config& name_or_config, const std::string& loss_class_name = "",
                                   const Shape& output_shape = {});
/// Every string get_metric accepts: the class names first, then snake_case names and aliases.
std::vector<std::string> registered_metrics();
/// {class_name, config}: what get_metric reads back.
Config serialize_metric(const Metric& metric);

}  // namespace fathom::losses
