// SPDX-License-Identifier: Apache-2.0
// Confusion-matrix metrics (keras/src/metrics/confusion_metrics.py). y_true and y_pred have
// one shape (a trailing 1 is squeezed or expanded); labels count as positive when nonzero.
// sample_weight is [B], [B, 1] or y_pred's shape. Config keys: name, dtype, plus the ones listed.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "losses/metric.h"

namespace fathom::losses {

/// ThresholdMetric's options; the field names are its config keys.
struct ThresholdMetricOptions {
  Config thresholds{};  // null, a number or a list, as given (what get_config writes back)
  std::optional<std::int64_t> top_k{};
  std::optional<std::int64_t> class_id{};
};

/// Shared state of Precision and Recall: one count per threshold, a prediction being positive
/// when it is > the threshold. Config: thresholds (null = 0.5, a number, or a list in [0, 1]),
/// top_k (null: with k, only the k largest predictions of a row count), class_id (null).
class ThresholdMetric : public Metric {
 public:
  using Options = ThresholdMetricOptions;
  ThresholdMetric(Options options, std::string name);
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight = {}) override;
  /// The value at the first threshold (Keras returns a vector when there are several).
  double result() const override { return results().front(); }
  /// One value per threshold.
  virtual std::vector<double> results() const = 0;
  void reset_state() override;
  Config get_config() const override;
  const std::vector<double>& thresholds() const { return thresholds_; }

 protected:
  static Options parse_options(const Config& c);
  Options options_;
  std::vector<double> thresholds_;
  std::vector<double> true_positives_, false_positives_, false_negatives_;
};

/// tp / (tp + fp), 0 when nothing was predicted positive.
class Precision final : public ThresholdMetric {
 public:
  explicit Precision(Options options = {}, std::string name = "precision")
      : ThresholdMetric(std::move(options), std::move(name)) {}
  static std::unique_ptr<Metric> from_config(const Config& config);
  std::string class_name() const override { return "Precision"; }
  std::vector<double> results() const override;
};

/// tp / (tp + fn), 0 when there were no positive labels.
class Recall final : public ThresholdMetric {
 public:
  explicit Recall(Options options = {}, std::string name = "recall")
      : ThresholdMetric(std::move(options), std::move(name)) {}
  static std::unique_ptr<Metric> from_config(const Config& config);
  std::string class_name() const override { return "Recall"; }
  std::vector<double> results() const override;
};

/// AUC's options; the field names are its config keys.
struct AUCOptions {
  std::int64_t num_thresholds = 200;
  std::string curve = "ROC";
  std::string summation_method = "interpolation";
  std::optional<std::vector<double>> thresholds{};
  bool from_logits = false;
};

/// Area under the ROC (or PR) curve from confusion counts at num_thresholds thresholds:
/// i / (num_thresholds - 1) for the inner ones, -1e-7 and 1 + 1e-7 at the ends (Keras).
/// Config: num_thresholds (200), curve ("ROC" | "PR"), summation_method ("interpolation" |
/// "minoring" | "majoring"), thresholds (null or a list in [0, 1]), from_logits (false);
/// multi_label (false), num_labels and label_weights (null) are accepted at those values only.
class AUC final : public Metric {
 public:
  using Options = AUCOptions;
  explicit AUC(Options options = {}, std::string name = "auc");
  static std::unique_ptr<Metric> from_config(const Config& config);
  std::string class_name() const override { return "AUC"; }
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight = {}) override;
  double result() const override;
  void reset_state() override;
  Config get_config() const override;
  const std::vector<double>& thresholds() const { return thresholds_; }

 private:
  double interpolate_pr_auc() const;
  Options options_;
  std::vector<double> thresholds_;
  bool evenly_ = true;
  std::vector<double> tp_, fp_, tn_, fn_;
};

}  // namespace fathom::losses
