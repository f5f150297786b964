// SPDX-License-Identifier: Apache-2.0
// Metrics that average a loss (keras/src/metrics/{regression,probabilistic,hinge}_metrics.py)
// and the root mean squared error. Config keys: name, dtype, plus the loss's own keys.
#pragma once
#include <memory>
#include <string>

#include "losses/loss.h"
#include "losses/metric.h"

namespace fathom::losses {

/// The weighted mean of a loss's per-sample values: Keras's MeanSquaredError, MeanAbsoluteError,
/// MeanAbsolutePercentageError, MeanSquaredLogarithmicError, CosineSimilarity, LogCoshError,
/// KLDivergence, Poisson, BinaryCrossentropy, CategoricalCrossentropy,
/// SparseCategoricalCrossentropy, Hinge, SquaredHinge and CategoricalHinge metrics.
/// class_name() is the Keras metric class; the loss's mask (ignore_class) weighs the samples
/// when sample weights are given, as in Keras. CosineSimilarity reports +similarity (the loss
/// is its negative), as Keras's metric does.
class LossMetric final : public MeanMetricWrapper {
 public:
  LossMetric(std::string class_name, std::shared_ptr<const Loss> loss, std::string name);
  /// One of the metric classes above from its config (the loss's keys, plus name and dtype).
  static std::unique_ptr<Metric> from_config(const std::string& class_name, const Config& config);
  /// The metric classes from_config knows, with their default names.
  static const std::vector<std::pair<std::string, std::string>>& classes();
  std::string class_name() const override { return class_name_; }
  Config get_config() const override;
  const Loss& loss() const { return *loss_; }

 protected:
  Tensor values(const Tensor& y_true, const Tensor& y_pred) const override;
  Tensor values_mask(const Tensor& y_true, const Tensor& y_pred) const override;

 private:
  std::string class_name_;
  std::shared_ptr<const Loss> loss_;
};

/// sqrt of the weighted mean of (y_pred - y_true)^2 over every element.
class RootMeanSquaredError final : public Mean {
 public:
  explicit RootMeanSquaredError(std::string name = "root_mean_squared_error") : Mean(std::move(name)) {}
  static std::unique_ptr<Metric> from_config(const Config& config);
  std::string class_name() const override { return "RootMeanSquaredError"; }
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight = {}) override;
  double result() const override;
};

}  // namespace fathom::losses
