// SPDX-License-Identifier: Apache-2.0
// The optimizer registry: Keras names and class names -> from_config (STYLE 2.4).
#include <algorithm>
#include <cctype>

#include "optimizers/adadelta.h"
#include "optimizers/adagrad.h"
#include "optimizers/adam.h"
#include "optimizers/adamax.h"
#include "optimizers/adamw.h"
#include "optimizers/nadam.h"
#include "optimizers/optimizer.h"
#include "optimizers/rmsprop.h"
#include "optimizers/sgd.h"

namespace fathom::optimizers {
namespace {

using FromConfig = std::unique_ptr<Optimizer> (*)(const Config&);

struct Entry {
  const char* class_name;
  FromConfig from_config;
};

// Keras looks names up case-insensitively ("adam", "Adam", "ADAM"), so one entry per class.
constexpr Entry kOptimizers[] = {
    {"Adadelta", &Adadelta::from_config}, {"Adagrad", &Adagrad::from_config},
    {"Adam", &Adam::from_config},         {"AdamW", &AdamW::from_config},
    {"Adamax", &Adamax::from_config},     {"Nadam", &Nadam::from_config},
    {"RMSprop", &RMSprop::from_config},   {"SGD", &SGD::from_config},
};

std::string lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

std::unique_ptr<Optimizer> make(const std::string& name, const Config& config,
                                const Config& where) {
  for (const auto& e : kOptimizers) {
    if (lower(name) == lower(e.class_name)) return e.from_config(config);
  }
  // Suggest in the spelling the user used: "adamm" -> 'adam', "Adamm" -> 'Adam'.
  const bool lowercase = name == lower(name);
  std::vector<std::string> known;
  for (const auto& e : kOptimizers) known.push_back(lowercase ? lower(e.class_name) : e.class_name);
  std::string list;
  for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
  throw ConfigError(where.where_of("class_name") + "unknown optimizer '" + name + "'." +
                    did_you_mean(name, known) + " Known optimizers: " + list + ".");
}

}  // namespace

std::vector<std::string> registered_optimizers() {
  std::vector<std::string> names;
  for (const auto& e : kOptimizers) names.emplace_back(e.class_name);
  return names;
}

std::unique_ptr<Optimizer> get_optimizer(const Config& name_or_config) {
  const Config& c = name_or_config;
  if (c.is_string()) return make(c.as_string(), Config::map(), c);
  FATHOM_CHECK(c.is_map(), ConfigError, c.where(),
               "optimizer: expected a name (\"adam\") or {class_name, config}, received ",
               c.to_json());
  c.reject_unknown_keys({"module", "class_name", "config", "registered_name"}, "optimizer");
  const Config inner =
      c.has("config") && !c.at("config").is_null() ? c.at("config") : Config::map();
  FATHOM_CHECK(inner.is_map(), ConfigError, inner.where(),
               "optimizer: `config` must be a mapping, received ", inner.to_json());
  return make(c.get<std::string>("class_name"), inner, c);
}

Config serialize_optimizer(const Optimizer& optimizer) {
  Config c = Config::map();
  c.set("module", "keras.optimizers");
  c.set("class_name", optimizer.class_name());
  c.set("config", optimizer.get_config());
  c.set("registered_name", Config());
  return c;
}

}  // namespace fathom::optimizers
