// SPDX-License-Identifier: Apache-2.0
#include "callbacks/monitor_callback.h"

#include <cctype>
#include <cmath>
#include <string_view>

#include "core/error.h"
#include "core/log.h"

namespace fathom::callbacks {
namespace {

// The `_direction` Keras 3 gives its metrics, by their default names and the compile()
// strings that name them (a MeanMetricWrapper around a Keras loss function is "down").
constexpr std::string_view kMaximized[] = {
    "accuracy", "acc", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
    "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "auc", "precision", "recall",
    "f1_score", "fbeta_score", "r2_score", "cosine_similarity", "iou", "binary_iou", "mean_iou",
    "one_hot_iou", "one_hot_mean_iou", "pearson_correlation", "concordance_correlation",
    "sensitivity_at_specificity", "specificity_at_sensitivity", "precision_at_recall", "recall_at_precision"};
constexpr std::string_view kMinimized[] = {
    "loss", "mean_squared_error", "mse", "mean_absolute_error", "mae", "mean_absolute_percentage_error", "mape",
    "mean_squared_logarithmic_error", "msle", "root_mean_squared_error", "logcosh", "log_cosh", "hinge",
    "squared_hinge", "categorical_hinge", "binary_crossentropy", "bce", "categorical_crossentropy",
    "sparse_categorical_crossentropy", "binary_focal_crossentropy", "categorical_focal_crossentropy",
    "crossentropy", "ce", "kl_divergence", "kld", "poisson", "huber"};

/// Whether `name` is `metric`, "<output>_<metric>" (a multi-output model's entries), or either
/// with Keras's uniquifying suffix ("auc_1").
bool names_metric(std::string_view name, std::string_view metric) {
  std::string suffix(1, '_');
  suffix.append(metric);
  if (name == metric || name.ends_with(suffix)) return true;
  const std::size_t end = name.find_last_not_of("0123456789");
  if (end == std::string_view::npos || end + 1 == name.size() || name[end] != '_') return false;
  const std::string_view base = name.substr(0, end);
  return base == metric || base.ends_with(suffix);
}

}  // namespace

MonitorCallback::MonitorCallback(const std::string& owner, std::string monitor, std::string mode, double min_delta)
    : monitor_(std::move(monitor)), mode_(std::move(mode)), min_delta_(std::abs(min_delta)) {
  if (mode_ != "auto" && mode_ != "min" && mode_ != "max") {
    log::warn(owner + " mode '" + mode_ + "' is unknown, fallback to auto mode.");
    mode_ = "auto";
  }
}

std::string MonitorCallback::auto_mode_for(const std::string& monitor) {
  std::string_view name = monitor;
  if (name.substr(0, 4) == "val_") name.remove_prefix(4);
  if (name == "loss") return "min";
  for (auto m : kMaximized) {
    if (names_metric(name, m)) return "max";
  }
  for (auto m : kMinimized) {
    if (names_metric(name, m)) return "min";
  }
  return "";
}

void MonitorCallback::set_monitor_op() {
  if (op_set_) return;
  if (mode_ == "min" || mode_ == "max") {
    minimize_ = mode_ == "min";
  } else {
    const std::string direction = auto_mode_for(monitor_);
    FATHOM_CHECK(!direction.empty(), ValueError, class_name(), " callback received monitor=", monitor_,
                 ", but Fathom isn't able to automatically determine whether that metric should be maximized or "
                 "minimized. Pass `mode='max'` in order to monitor based on the highest metric value, or pass "
                 "`mode='min'` in order to use the lowest value.");
    minimize_ = direction == "min";
  }
  op_set_ = true;
}

bool MonitorCallback::is_improvement(double value, const std::optional<double>& reference) const {
  if (!reference) return true;
  // Keras flips min_delta's sign for "min" and compares value - min_delta with the reference.
  return minimize_ ? value + min_delta_ < *reference : value - min_delta_ > *reference;
}

}  // namespace fathom::callbacks
