// SPDX-License-Identifier: Apache-2.0
#include "losses/confusion_metrics.h"

#include <algorithm>
#include <cmath>

#include "core/autograd/recorder.h"
#include "core/ops.h"
#include "losses/loss.h"
#include "losses/loss_utils.h"
#include "losses/metric_utils.h"

namespace fathom::losses {
namespace {

void check_threshold_range(const std::string& owner, const std::vector<double>& thresholds) {
  for (double t : thresholds) {
    FATHOM_CHECK(t >= 0.0 && t <= 1.0, ValueError, owner, ": threshold values must be in [0, 1]. Received: ", t);
  }
}

std::vector<double> thresholds_from(const std::string& owner, const Config& c) {
  std::vector<double> out;
  if (c.is_list()) {
    for (const Config& item : c.items()) out.push_back(item.as_double());
  } else {
    out.push_back(c.as_double());
  }
  FATHOM_CHECK(!out.empty(), ValueError, owner, ": thresholds must not be empty");
  check_threshold_range(owner, out);
  return out;
}

std::string canonical(const std::string& value, const std::vector<std::string>& valid, const std::string& what) {
  for (const std::string& v : valid) {
    std::string lower = v;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return std::tolower(ch); });
    std::string lower_value = value;
    std::transform(lower_value.begin(), lower_value.end(), lower_value.begin(),
                   [](unsigned char ch) { return std::tolower(ch); });
    if (lower == lower_value) return v;
  }
  std::string list;
  for (const std::string& v : valid) list += (list.empty() ? "" : ", ") + v;
  throw ValueError("AUC: invalid " + what + " '" + value + "'." + did_you_mean(value, valid) + " Expected one of: " +
                   list + ".");
}

}  // namespace

// ~~~ Precision and Recall ~~~

ThresholdMetric::ThresholdMetric(Options options, std::string name) : Metric(std::move(name)), options_(std::move(options)) {
  const std::string& owner = this->name();
  FATHOM_CHECK(!options_.top_k || *options_.top_k > 0, ValueError, owner, ": top_k must be positive. Received: top_k=",
               *options_.top_k);
  FATHOM_CHECK(!options_.class_id || *options_.class_id >= 0, ValueError, owner,
               ": class_id must be non-negative. Received: class_id=", *options_.class_id);
  // Keras: 0.5 by default, NEG_INF with top_k (every top-k prediction is positive).
  thresholds_ = options_.thresholds.is_null() ? std::vector<double>{options_.top_k ? -1e10 : 0.5}
                                              : thresholds_from(owner, options_.thresholds);
  reset_state();
}

ThresholdMetric::Options ThresholdMetric::parse_options(const Config& c) {
  Options o;
  if (!c.is_map()) return o;
  if (c.has("thresholds")) o.thresholds = c.at("thresholds");
  o.top_k = detail::optional_int(c, "top_k");
  o.class_id = detail::optional_int(c, "class_id");
  return o;
}

void ThresholdMetric::update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight) {
  detail::update_confusion_matrix(class_name() + " '" + name() + "'", y_true, y_pred, sample_weight, thresholds_,
                                  detail::is_evenly_distributed(thresholds_), options_.top_k, options_.class_id,
                                  {&true_positives_, &false_positives_, nullptr, &false_negatives_});
}

void ThresholdMetric::reset_state() {
  true_positives_.assign(thresholds_.size(), 0.0);
  false_positives_.assign(thresholds_.size(), 0.0);
  false_negatives_.assign(thresholds_.size(), 0.0);
}

Config ThresholdMetric::get_config() const {
  Config c = Metric::get_config();
  c.set("thresholds", options_.thresholds)
      .set("top_k", detail::optional_to_config(options_.top_k))
      .set("class_id", detail::optional_to_config(options_.class_id));
  return c;
}

std::unique_ptr<Metric> Precision::from_config(const Config& c) {
  return detail::metric_from_config(c, "Precision", "precision", {"thresholds", "top_k", "class_id"},
                                    [](const Config& c) { return std::make_unique<Precision>(parse_options(c)); });
}

std::vector<double> Precision::results() const {
  std::vector<double> out(thresholds_.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = detail::divide_no_nan(true_positives_[i], true_positives_[i] + false_positives_[i]);
  }
  return out;
}

std::unique_ptr<Metric> Recall::from_config(const Config& c) {
  return detail::metric_from_config(c, "Recall", "recall", {"thresholds", "top_k", "class_id"},
                                    [](const Config& c) { return std::make_unique<Recall>(parse_options(c)); });
}

std::vector<double> Recall::results() const {
  std::vector<double> out(thresholds_.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = detail::divide_no_nan(true_positives_[i], true_positives_[i] + false_negatives_[i]);
  }
  return out;
}

// ~~~ AUC ~~~

AUC::AUC(Options options, std::string name) : Metric(std::move(name)), options_(std::move(options)) {
  options_.curve = canonical(options_.curve, {"ROC", "PR", "PRGAIN"}, "curve");
  options_.summation_method =
      canonical(options_.summation_method, {"interpolation", "minoring", "majoring"}, "summation_method");
  std::vector<double> inner;
  if (options_.thresholds) {
    inner = *options_.thresholds;
    check_threshold_range("AUC '" + this->name() + "'", inner);
    std::sort(inner.begin(), inner.end());
    options_.thresholds = inner;
    options_.num_thresholds = static_cast<std::int64_t>(inner.size()) + 2;
    std::vector<double> full = {0.0};
    full.insert(full.end(), inner.begin(), inner.end());
    full.push_back(1.0);
    evenly_ = detail::is_evenly_distributed(full);
  } else {
    const std::int64_t n = options_.num_thresholds;
    FATHOM_CHECK(n > 1, ValueError, "AUC '", this->name(), "': num_thresholds must be an integer > 1. Received: num_thresholds=", n);
    for (std::int64_t i = 0; i < n - 2; ++i) inner.push_back(static_cast<double>(i + 1) / static_cast<double>(n - 1));
  }
  thresholds_ = {0.0 - kEpsilon};
  thresholds_.insert(thresholds_.end(), inner.begin(), inner.end());
  thresholds_.push_back(1.0 + kEpsilon);
  reset_state();
}

std::unique_ptr<Metric> AUC::from_config(const Config& c) {
  const std::vector<std::string> keys = {"num_thresholds", "curve", "summation_method", "thresholds", "from_logits",
                                         "multi_label", "num_labels", "label_weights"};
  return detail::metric_from_config(c, "AUC", "auc", keys, [](const Config& c) {
    Options o;
    if (!c.is_map()) return std::make_unique<AUC>(o);
    o.num_thresholds = c.get_or<std::int64_t>("num_thresholds", o.num_thresholds);
    o.curve = c.get_or<std::string>("curve", o.curve);
    o.summation_method = c.get_or<std::string>("summation_method", o.summation_method);
    o.from_logits = c.get_or<bool>("from_logits", false);
    if (c.has("thresholds") && !c.at("thresholds").is_null()) o.thresholds = thresholds_from("AUC", c.at("thresholds"));
    FATHOM_CHECK(!c.get_or<bool>("multi_label", false), ConfigError, c.where(), "AUC: multi_label=true is not supported");
    for (const char* key : {"num_labels", "label_weights"}) {
      FATHOM_CHECK(!c.has(key) || c.at(key).is_null(), ConfigError, c.at(key).where(), "AUC: ", key,
                   " is only used with multi_label=true, which is not supported");
    }
    return std::make_unique<AUC>(o);
  });
}

void AUC::update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight) {
  autograd::NoRecordGuard no_record;
  Tensor pred = y_pred;
  if (options_.from_logits && pred.defined()) pred = ops::sigmoid(ops::cast(pred, DType::kFloat32));
  detail::update_confusion_matrix("AUC '" + name() + "'", y_true, pred, sample_weight, thresholds_, evenly_,
                                  std::nullopt, std::nullopt, {&tp_, &fp_, &tn_, &fn_});
}

void AUC::reset_state() {
  for (auto* v : {&tp_, &fp_, &tn_, &fn_}) v->assign(thresholds_.size(), 0.0);
}

double AUC::interpolate_pr_auc() const {
  // Davis & Goadrich 2006: interpolate true and false positives, not precision (Keras's formula).
  double auc = 0;
  for (std::size_t i = 0; i + 1 < tp_.size(); ++i) {
    const double dtp = tp_[i] - tp_[i + 1];
    const double p = tp_[i] + fp_[i], p_next = tp_[i + 1] + fp_[i + 1];
    const double slope = detail::divide_no_nan(dtp, std::max(p - p_next, 0.0));
    const double intercept = tp_[i + 1] - slope * p_next;
    const double ratio = p > 0 && p_next > 0 ? detail::divide_no_nan(p, std::max(p_next, 0.0)) : 1.0;
    auc += detail::divide_no_nan(slope * (dtp + intercept * std::log(ratio)), std::max(tp_[i + 1] + fn_[i + 1], 0.0));
  }
  return auc;
}

double AUC::result() const {
  if (options_.curve == "PR" && options_.summation_method == "interpolation") return interpolate_pr_auc();
  const std::size_t n = tp_.size();
  std::vector<double> x(n), y(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double recall = detail::divide_no_nan(tp_[i], tp_[i] + fn_[i]);
    if (options_.curve == "ROC") {
      x[i] = detail::divide_no_nan(fp_[i], fp_[i] + tn_[i]);
      y[i] = recall;
    } else if (options_.curve == "PR") {
      x[i] = recall;
      y[i] = detail::divide_no_nan(tp_[i], tp_[i] + fp_[i]);
    } else {  // PRGAIN
      const double scale = detail::divide_no_nan(tp_[i] + fn_[i], tn_[i] + fp_[i]);
      const double recall_gain = tp_[i] == 0 ? 0.0 : 1.0 - scale * detail::divide_no_nan(fn_[i], tp_[i]);
      x[i] = std::max(recall_gain, 0.0);
      y[i] = tp_[i] == 0 ? 1.0 : 1.0 - scale * detail::divide_no_nan(fp_[i], tp_[i]);
    }
  }
  double auc = 0;
  for (std::size_t i = 0; i + 1 < n; ++i) {
    double height = (y[i] + y[i + 1]) / 2.0;
    if (options_.summation_method == "minoring") height = std::min(y[i], y[i + 1]);
    if (options_.summation_method == "majoring") height = std::max(y[i], y[i + 1]);
    auc += (x[i] - x[i + 1]) * height;
  }
  return auc;
}

Config AUC::get_config() const {
  Config c = Metric::get_config();
  c.set("num_thresholds", options_.num_thresholds)
      .set("curve", options_.curve)
      .set("summation_method", options_.summation_method)
      .set("multi_label", false)
      .set("num_labels", Config())
      .set("label_weights", Config())
      .set("from_logits", options_.from_logits);
  if (options_.thresholds) {
    Config list = Config::list();
    for (double t : *options_.thresholds) list.push_back(t);
    c.set("thresholds", list);
  }
  return c;
}

}  // namespace fathom::losses
