// SPDX-License-Identifier: Apache-2.0
#include "losses/regression_metrics.h"

#include <cmath>

#include "core/autograd/recorder.h"
#include "core/ops.h"
#include "losses/loss_utils.h"
#include "losses/metric_utils.h"

namespace fathom::losses {
namespace {

/// Keras's metric class -> the loss class it averages (only LogCoshError differs).
std::string loss_class_of(const std::string& metric_class) {
  return metric_class == "LogCoshError" ? "LogCosh" : metric_class;
}

}  // namespace

LossMetric::LossMetric(std::string class_name, std::shared_ptr<const Loss> loss, std::string name)
    : MeanMetricWrapper(std::move(name)), class_name_(std::move(class_name)), loss_(std::move(loss)) {
  FATHOM_CHECK(loss_ != nullptr, ValueError, class_name_, " '", this->name(), "': the loss is null");
}

const std::vector<std::pair<std::string, std::string>>& LossMetric::classes() {
  static const std::vector<std::pair<std::string, std::string>> table = {
      {"MeanSquaredError", "mean_squared_error"},
      {"MeanAbsoluteError", "mean_absolute_error"},
      {"MeanAbsolutePercentageError", "mean_absolute_percentage_error"},
      {"MeanSquaredLogarithmicError", "mean_squared_logarithmic_error"},
      {"CosineSimilarity", "cosine_similarity"},
      {"LogCoshError", "logcosh"},
      {"KLDivergence", "kl_divergence"},
      {"Poisson", "poisson"},
      {"BinaryCrossentropy", "binary_crossentropy"},
      {"CategoricalCrossentropy", "categorical_crossentropy"},
      {"SparseCategoricalCrossentropy", "sparse_categorical_crossentropy"},
      {"Hinge", "hinge"},
      {"SquaredHinge", "squared_hinge"},
      {"CategoricalHinge", "categorical_hinge"},
  };
  return table;
}

std::unique_ptr<Metric> LossMetric::from_config(const std::string& class_name, const Config& c) {
  std::string default_name;
  for (const auto& [cls, name] : classes()) {
    if (cls == class_name) default_name = name;
  }
  FATHOM_CHECK(!default_name.empty(), ConfigError, "LossMetric: '", class_name, "' is not a loss metric class");
  FATHOM_CHECK(c.is_map() || c.is_null(), ConfigError, c.where(), class_name, ": the config must be a mapping");
  FATHOM_CHECK(!c.is_map() || !c.has("reduction"), ConfigError, c.at("reduction").where(), class_name,
               ": unknown key 'reduction' (metrics take no reduction)");
  // The loss's own keys go to the loss (which rejects unknown ones); name and dtype stay here.
  Config loss_config = Config::map();
  if (c.is_map()) {
    for (const auto& [key, value] : c.entries()) {
      if (key != "name" && key != "dtype") loss_config.set(key, value);
    }
  }
  loss_config.set("reduction", "none");
  Config wrapped = Config::map();
  wrapped.set("class_name", loss_class_of(class_name)).set("config", loss_config);
  std::shared_ptr<const Loss> loss = get_loss(wrapped);
  auto metric = std::make_unique<LossMetric>(class_name, std::move(loss), default_name);
  if (c.is_map()) {
    metric->set_name(c.get_or<std::string>("name", default_name));
    if (c.has("dtype") && !c.at("dtype").is_null()) metric->set_dtype(c.get<std::string>("dtype"));
  }
  return metric;
}

Config LossMetric::get_config() const {
  Config c = Metric::get_config();
  const Config loss_config = loss_->get_config();  // a named copy: entries() refers into it
  for (const auto& [key, value] : loss_config.entries()) {
    if (key != "name" && key != "reduction") c.set(key, value);
  }
  return c;
}

Tensor LossMetric::values(const Tensor& y_true, const Tensor& y_pred) const {
  const Tensor v = loss_->call(y_true, y_pred);
  // The CosineSimilarity metric reports the similarity itself; the loss is its negative.
  return class_name_ == "CosineSimilarity" ? ops::neg(v) : v;
}

Tensor LossMetric::values_mask(const Tensor& y_true, const Tensor& y_pred) const {
  return loss_->loss_mask(y_true, y_pred);
}

std::unique_ptr<Metric> RootMeanSquaredError::from_config(const Config& c) {
  return detail::metric_from_config(c, "RootMeanSquaredError", "root_mean_squared_error", {},
                                    [](const Config&) { return std::make_unique<RootMeanSquaredError>(); });
}

void RootMeanSquaredError::update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight) {
  autograd::NoRecordGuard no_record;
  auto [t, p] = detail::prepare(name(), y_true, y_pred);
  update_values(ops::square(ops::sub(p, t)), sample_weight);
}

double RootMeanSquaredError::result() const { return std::sqrt(Mean::result()); }

}  // namespace fathom::losses
