// SPDX-License-Identifier: Apache-2.0
// The loss table: Keras class names, function names and aliases (keras/src/losses/__init__.py).
#include <algorithm>
#include <vector>

#include "losses/crossentropy.h"
#include "losses/hinge.h"
#include "losses/loss.h"
#include "losses/probabilistic.h"
#include "losses/regression.h"

namespace fathom::losses {
namespace {

struct Entry {
  const char* class_name;
  std::unique_ptr<Loss> (*from_config)(const Config&);
  std::vector<const char*> names;  // function name first, then Keras's aliases
};

const std::vector<Entry>& table() {
  static const std::vector<Entry> entries = {
      {"MeanSquaredError", &MeanSquaredError::from_config, {"mean_squared_error", "mse", "MSE"}},
      {"MeanAbsoluteError", &MeanAbsoluteError::from_config, {"mean_absolute_error", "mae", "MAE"}},
      {"MeanAbsolutePercentageError", &MeanAbsolutePercentageError::from_config,
       {"mean_absolute_percentage_error", "mape", "MAPE"}},
      {"MeanSquaredLogarithmicError", &MeanSquaredLogarithmicError::from_config,
       {"mean_squared_logarithmic_error", "msle", "MSLE"}},
      {"CosineSimilarity", &CosineSimilarity::from_config, {"cosine_similarity"}},
      {"Huber", &Huber::from_config, {"huber"}},
      {"LogCosh", &LogCosh::from_config, {"log_cosh", "logcosh"}},
      {"BinaryCrossentropy", &BinaryCrossentropy::from_config, {"binary_crossentropy", "bce", "BCE"}},
      {"CategoricalCrossentropy", &CategoricalCrossentropy::from_config, {"categorical_crossentropy"}},
      {"SparseCategoricalCrossentropy", &SparseCategoricalCrossentropy::from_config,
       {"sparse_categorical_crossentropy"}},
      {"KLDivergence", &KLDivergence::from_config, {"kl_divergence", "kld", "KLD", "kullback_leibler_divergence"}},
      {"Poisson", &Poisson::from_config, {"poisson"}},
      {"Hinge", &Hinge::from_config, {"hinge"}},
      {"SquaredHinge", &SquaredHinge::from_config, {"squared_hinge"}},
      {"CategoricalHinge", &CategoricalHinge::from_config, {"categorical_hinge"}},
  };
  return entries;
}

/// The entry and whether `name` is its class name (otherwise a function name or alias).
std::pair<const Entry*, bool> find(const std::string& name) {
  for (const Entry& e : table()) {
    if (name == e.class_name) return {&e, true};
    for (const char* n : e.names) {
      if (name == n) return {&e, false};
    }
  }
  return {nullptr, false};
}

/// `class_first`: suggest class names before function names (they tie when only the case differs).
[[noreturn]] void unknown(const std::string& name, const Config& where, bool class_first) {
  std::vector<std::string> known = registered_losses();
  if (!class_first) std::reverse(known.begin(), known.end());
  std::string list;
  for (const Entry& e : table()) list += (list.empty() ? "" : ", ") + std::string(e.names.front());
  throw ConfigError(where.where_of("class_name") + "unknown loss '" + name + "'." + did_you_mean(name, known) +
                    " Known losses: " + list + " (or their class names).");
}

std::unique_ptr<Loss> from_name(const std::string& name, const Config& where) {
  auto [entry, is_class] = find(name);
  if (!entry) unknown(name, where, /*class_first=*/false);
  if (is_class) return entry->from_config(Config());
  // A function name keeps the identifier as the loss name, as Keras's compile does.
  Config c = Config::map();
  c.set("name", name);
  return entry->from_config(c);
}

}  // namespace

std::unique_ptr<Loss> get_loss(const Config& id) {
  if (id.is_string()) return from_name(id.as_string(), id);
  FATHOM_CHECK(id.is_map(), ConfigError, id.where(), "a loss must be a name or a {class_name, config} mapping, received ",
               Config::kind_name(id.kind()));
  id.reject_unknown_keys({"class_name", "config", "module", "registered_name"}, "loss");
  const std::string class_name = id.get<std::string>("class_name");
  const Config config = id.has("config") ? id.at("config") : Config();
  // Keras serializes a loss function as {class_name: "function", config: "mean_squared_error"}.
  if (class_name == "function") {
    FATHOM_CHECK(config.is_string(), ConfigError, config.where(), "loss: a 'function' entry needs the function name as its config");
    return from_name(config.as_string(), config);
  }
  auto [entry, is_class] = find(class_name);
  if (!entry) unknown(class_name, id.at("class_name"), /*class_first=*/true);
  return entry->from_config(config);
}

std::vector<std::string> registered_losses() {
  std::vector<std::string> names;
  for (const Entry& e : table()) names.emplace_back(e.class_name);
  for (const Entry& e : table()) {
    for (const char* n : e.names) names.emplace_back(n);
  }
  return names;
}

}  // namespace fathom::losses
