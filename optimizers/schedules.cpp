// SPDX-License-Identifier: Apache-2.0
#include "optimizers/schedules.h"

#include <algorithm>
#include <cctype>

#include "optimizers/cosine_decay.h"
#include "optimizers/decay_schedules.h"

namespace fathom::optimizers {
namespace {

using FromConfig = std::shared_ptr<LearningRateSchedule> (*)(const Config&);

struct Entry {
  const char* class_name;
  FromConfig from_config;
};

// The explicit registry (STYLE 2.4): Keras's class names, in alphabetical order.
constexpr Entry kSchedules[] = {
    {"CosineDecay", &CosineDecay::from_config},
    {"CosineDecayRestarts", &CosineDecayRestarts::from_config},
    {"ExponentialDecay", &ExponentialDecay::from_config},
    {"InverseTimeDecay", &InverseTimeDecay::from_config},
    {"PiecewiseConstantDecay", &PiecewiseConstantDecay::from_config},
    {"PolynomialDecay", &PolynomialDecay::from_config},
};

bool same_name(const std::string& a, const std::string& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

}  // namespace

std::shared_ptr<LearningRateSchedule> constant_learning_rate(double lr) {
  return std::make_shared<ConstantLearningRate>(lr);
}

std::vector<std::string> registered_schedules() {
  std::vector<std::string> names;
  for (const auto& e : kSchedules) names.emplace_back(e.class_name);
  return names;
}

std::shared_ptr<LearningRateSchedule> get_schedule(const Config& number_or_config) {
  const Config& c = number_or_config;
  if (c.is_number()) return constant_learning_rate(c.as_double());
  FATHOM_CHECK(c.is_map(), ConfigError, c.where(),
               "learning_rate: expected a number or a schedule {class_name, config}, received ",
               c.to_json());
  c.reject_unknown_keys({"module", "class_name", "config", "registered_name"},
                        "learning rate schedule");
  const std::string name = c.get<std::string>("class_name");
  const Config inner =
      c.has("config") && !c.at("config").is_null() ? c.at("config") : Config::map();
  for (const auto& e : kSchedules) {
    if (same_name(name, e.class_name)) return e.from_config(inner);
  }
  const auto known = registered_schedules();
  std::string list;
  for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
  throw ConfigError(c.where() + "unknown learning rate schedule '" + name + "'." +
                    did_you_mean(name, known) + " Known schedules: " + list + ".");
}

Config serialize_schedule(const LearningRateSchedule& schedule) {
  if (dynamic_cast<const ConstantLearningRate*>(&schedule) != nullptr) return schedule.get_config();
  Config c = Config::map();
  c.set("module", "keras.optimizers.schedules");
  c.set("class_name", schedule.class_name());
  c.set("config", schedule.get_config());
  c.set("registered_name", Config());
  return c;
}

}  // namespace fathom::optimizers
