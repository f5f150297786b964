// SPDX-License-Identifier: Apache-2.0
// The metric table and compile()'s name resolution (keras/src/metrics/__init__.py,
// keras/src/trainers/compile_utils.py).
#include <algorithm>
#include <functional>

#include "losses/accuracy_metrics.h"
#include "losses/confusion_metrics.h"
#include "losses/metric.h"
#include "losses/regression_metrics.h"

namespace fathom::losses {
namespace {

struct Entry {
  std::string class_name;
  std::function<std::unique_ptr<Metric>(const Config&)> from_config;
  std::vector<std::string> names;  // snake_case name first, then aliases
};

const std::vector<Entry>& table() {
  static const std::vector<Entry> entries = [] {
    std::vector<Entry> t = {
        {"Mean", &Mean::from_config, {"mean"}},
        {"Accuracy", &Accuracy::from_config, {}},  // "accuracy" itself resolves by the loss
        {"BinaryAccuracy", &BinaryAccuracy::from_config, {"binary_accuracy"}},
        {"CategoricalAccuracy", &CategoricalAccuracy::from_config, {"categorical_accuracy"}},
        {"SparseCategoricalAccuracy", &SparseCategoricalAccuracy::from_config, {"sparse_categorical_accuracy"}},
        {"TopKCategoricalAccuracy", &TopKCategoricalAccuracy::from_config, {"top_k_categorical_accuracy"}},
        {"SparseTopKCategoricalAccuracy", &SparseTopKCategoricalAccuracy::from_config,
         {"sparse_top_k_categorical_accuracy"}},
        {"RootMeanSquaredError", &RootMeanSquaredError::from_config, {"root_mean_squared_error", "rmse", "RMSE"}},
        {"Precision", &Precision::from_config, {"precision"}},
        {"Recall", &Recall::from_config, {"recall"}},
        {"AUC", &AUC::from_config, {"auc"}},
    };
    const std::vector<std::pair<std::string, std::vector<std::string>>> aliases = {
        {"MeanSquaredError", {"mse", "MSE"}},       {"MeanAbsoluteError", {"mae", "MAE"}},
        {"MeanAbsolutePercentageError", {"mape", "MAPE"}}, {"MeanSquaredLogarithmicError", {"msle", "MSLE"}},
        {"LogCoshError", {"logcosh", "log_cosh"}},  {"KLDivergence", {"kld", "KLD"}},
        {"BinaryCrossentropy", {"bce", "BCE"}},
    };
    for (const auto& [cls, default_name] : LossMetric::classes()) {
      Entry e{cls, [cls = cls](const Config& c) { return LossMetric::from_config(cls, c); }, {}};
      // Keras's snake_case of the class name; LogCoshError's default name is "logcosh".
      e.names.push_back(cls == "LogCoshError" ? "log_cosh_error" : default_name);
      for (const auto& [alias_cls, names] : aliases) {
        if (alias_cls == cls) e.names.insert(e.names.end(), names.begin(), names.end());
      }
      t.push_back(std::move(e));
    }
    return t;
  }();
  return entries;
}

const Entry* find(const std::string& name) {
  for (const Entry& e : table()) {
    if (name == e.class_name || std::find(e.names.begin(), e.names.end(), name) != e.names.end()) return &e;
  }
  return nullptr;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return s;
}

/// The compiled loss's class name, whatever name it was given by ("bce", "BinaryCrossentropy").
std::string loss_class(const std::string& loss) {
  if (loss.empty()) return loss;
  try {
    return get_loss(Config(loss))->class_name();
  } catch (const ConfigError&) {
    return loss;
  }
}

/// "accuracy"/"acc" and "crossentropy"/"ce": binary for a last dim of 1 or a binary loss,
/// sparse for a sparse categorical loss, categorical otherwise.
std::unique_ptr<Metric> resolve_by_loss(bool accuracy, const std::string& loss_name, const Shape& output_shape) {
  const std::string loss = loss_class(loss_name);
  const bool binary = (!output_shape.empty() && output_shape.back() == 1) || loss == "BinaryCrossentropy";
  const bool sparse = loss == "SparseCategoricalCrossentropy";
  if (accuracy) {
    if (binary) return std::make_unique<BinaryAccuracy>();
    if (sparse) return std::make_unique<SparseCategoricalAccuracy>();
    return std::make_unique<CategoricalAccuracy>();
  }
  const char* cls = binary ? "BinaryCrossentropy" : sparse ? "SparseCategoricalCrossentropy" : "CategoricalCrossentropy";
  return LossMetric::from_config(cls, Config());
}

/// `class_first`: suggest class names before snake_case names (they tie when only the case differs).
[[noreturn]] void unknown(const std::string& name, const Config& where, bool class_first) {
  std::vector<std::string> known = registered_metrics();
  if (!class_first) std::reverse(known.begin(), known.end());
  std::string list;
  for (const Entry& e : table()) {
    if (!e.names.empty()) list += (list.empty() ? "" : ", ") + e.names.front();
  }
  throw ConfigError(where.where_of("class_name") + "unknown metric '" + name + "'." + did_you_mean(name, known) +
                    " Known metrics: accuracy, crossentropy, " + list + " (or their class names).");
}

std::unique_ptr<Metric> from_name(const std::string& name, const Config& where, const std::string& loss,
                                  const Shape& output_shape) {
  const std::string l = lower(name);
  std::unique_ptr<Metric> m;
  if (l == "accuracy" || l == "acc" || l == "crossentropy" || l == "ce") {
    m = resolve_by_loss(l == "accuracy" || l == "acc", loss, output_shape);
  } else if (const Entry* e = find(name)) {
    m = e->from_config(Config());
  } else {
    unknown(name, where, /*class_first=*/false);
  }
  m->set_name(name);  // Keras names a metric after the identifier it was compiled with
  return m;
}

}  // namespace

std::unique_ptr<Metric> get_metric(const Config& id, const std::string& loss_class_name, const Shape& output_shape) {
  if (id.is_string()) return from_name(id.as_string(), id, loss_class_name, output_shape);
  FATHOM_CHECK(id.is_map(), ConfigError, id.where(),
               "a metric must be a name or a {class_name, config} mapping, received ", Config::kind_name(id.kind()));
  id.reject_unknown_keys({"class_name", "config", "module", "registered_name"}, "metric");
  const std::string class_name = id.get<std::string>("class_name");
  const Config config = id.has("config") ? id.at("config") : Config();
  if (class_name == "function") {
    FATHOM_CHECK(config.is_string(), ConfigError, config.where(), "metric: a 'function' entry needs the function name as its config");
    return from_name(config.as_string(), config, loss_class_name, output_shape);
  }
  const Entry* e = find(class_name);
  if (!e) unknown(class_name, id.at("class_name"), /*class_first=*/true);
  return e->from_config(config);
}

std::vector<std::string> registered_metrics() {
  std::vector<std::string> names;
  for (const Entry& e : table()) names.push_back(e.class_name);
  names.insert(names.end(), {"accuracy", "acc", "crossentropy", "ce"});
  for (const Entry& e : table()) names.insert(names.end(), e.names.begin(), e.names.end());
  return names;
}

}  // namespace fathom::losses
