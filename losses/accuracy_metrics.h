// SPDX-License-Identifier: Apache-2.0
// Accuracy metrics (keras/src/metrics/accuracy_metrics.py): the weighted mean of a per-sample
// 0/1 match. Config keys: name, dtype, plus the ones listed.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "losses/metric.h"

namespace fathom::losses {

/// How often y_pred equals y_true exactly (y_true cast to y_pred's dtype).
class Accuracy final : public MeanMetricWrapper {
 public:
  explicit Accuracy(std::string name = "accuracy") : MeanMetricWrapper(std::move(name)) {}
  static std::unique_ptr<Metric> from_config(const Config& config);
  std::string class_name() const override { return "Accuracy"; }

 protected:
  Tensor values(const Tensor& y_true, const Tensor& y_pred) const override;
};

/// How often (y_pred > threshold) equals y_true (0/1). Config: threshold (0.5).
class BinaryAccuracy final : public MeanMetricWrapper {
 public:
  explicit BinaryAccuracy(double threshold = 0.5, std::string name = "binary_accuracy")
      : MeanMetricWrapper(std::move(name)), threshold_(threshold) {}
  static std::unique_ptr<Metric> from_config(const Config& config);
  std::string class_name() const override { return "BinaryAccuracy"; }
  Config get_config() const override;

 protected:
  Tensor values(const Tensor& y_true, const Tensor& y_pred) const override;

 private:
  double threshold_;
};

/// How often argmax(y_pred) equals argmax(y_true) (one-hot labels), over the last axis.
class CategoricalAccuracy final : public MeanMetricWrapper {
 public:
  explicit CategoricalAccuracy(std::string name = "categorical_accuracy") : MeanMetricWrapper(std::move(name)) {}
  static std::unique_ptr<Metric> from_config(const Config& config);
  std::string class_name() const override { return "CategoricalAccuracy"; }

 protected:
  Tensor values(const Tensor& y_true, const Tensor& y_pred) const override;
};

/// How often argmax(y_pred) equals the integer label: y_true [B] or [B, 1], y_pred [B, C].
class SparseCategoricalAccuracy final : public MeanMetricWrapper {
 public:
  explicit SparseCategoricalAccuracy(std::string name = "sparse_categorical_accuracy")
      : MeanMetricWrapper(std::move(name)) {}
  static std::unique_ptr<Metric> from_config(const Config& config);
  std::string class_name() const override { return "SparseCategoricalAccuracy"; }

 protected:
  Tensor values(const Tensor& y_true, const Tensor& y_pred) const override;
};

/// How often argmax(y_true) is among the k largest predictions (TF's in_top_k: ties at the
/// boundary count). Config: k (5).
class TopKCategoricalAccuracy final : public MeanMetricWrapper {
 public:
  explicit TopKCategoricalAccuracy(std::int64_t k = 5, std::string name = "top_k_categorical_accuracy");
  static std::unique_ptr<Metric> from_config(const Config& config);
  std::string class_name() const override { return "TopKCategoricalAccuracy"; }
  Config get_config() const override;

 protected:
  Tensor values(const Tensor& y_true, const Tensor& y_pred) const override;

 private:
  std::int64_t k_;
};

/// How often the integer label is among the k largest predictions. With from_sorted_ids,
/// y_pred holds class ids sorted by score ([B, N >= k]) instead of scores.
/// Config: k (5), from_sorted_ids (false; written only when true, as Keras does).
class SparseTopKCategoricalAccuracy final : public MeanMetricWrapper {
 public:
  explicit SparseTopKCategoricalAccuracy(std::int64_t k = 5, bool from_sorted_ids = false,
                                         std::string name = "sparse_top_k_categorical_accuracy");
  static std::unique_ptr<Metric> from_config(const Config& config);
  std::string class_name() const override { return "SparseTopKCategoricalAccuracy"; }
  Config get_config() const override;

 protected:
  Tensor values(const Tensor& y_true, const Tensor& y_pred) const override;

 private:
  std::int64_t k_;
  bool from_sorted_ids_;
};

}  // namespace fathom::losses
