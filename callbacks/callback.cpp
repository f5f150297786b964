// SPDX-License-Identifier: Apache-2.0
#include "callbacks/callback.h"

#include <algorithm>

#include "callbacks/backup_and_restore.h"
#include "callbacks/csv_logger.h"
#include "callbacks/early_stopping.h"
#include "callbacks/history.h"
#include "callbacks/model_checkpoint.h"
#include "callbacks/progbar_logger.h"
#include "callbacks/reduce_lr_on_plateau.h"
#include "callbacks/terminate_on_nan.h"
#include "core/error.h"

namespace fathom::callbacks {

void Logs::set(const std::string& key, double value) {
  for (auto& [k, v] : entries_) {
    if (k == key) {
      v = value;
      return;
    }
  }
  entries_.emplace_back(key, value);
}

bool Logs::has(const std::string& key) const {
  return std::any_of(entries_.begin(), entries_.end(), [&](const auto& e) { return e.first == key; });
}

double Logs::at(const std::string& key, const std::string& who) const {
  for (const auto& [k, v] : entries_) {
    if (k == key) return v;
  }
  std::string keys;
  for (const auto& [k, v] : entries_) keys += (keys.empty() ? "" : ", ") + k;
  throw ValueError((who.empty() ? std::string() : who + ": ") + "no '" + key + "' in the logs. Available: " +
                   (keys.empty() ? "none" : keys));
}

// The callback registry (STYLE 2.4): the callbacks a YAML config can name. LearningRateScheduler
// and LambdaCallback hold code, so they are built in C++ only.
namespace {

using FromConfig = std::unique_ptr<Callback> (*)(const Config&);

struct Entry {
  const char* class_name;
  FromConfig from_config;
};

std::unique_ptr<Callback> history_from_config(const Config& config) {
  config.reject_unknown_keys({}, "History");
  return std::make_unique<History>();
}

std::unique_ptr<Callback> progbar_from_config(const Config& config) {
  config.reject_unknown_keys({}, "ProgbarLogger");
  return std::make_unique<ProgbarLogger>();
}

constexpr Entry kCallbacks[] = {
    {"BackupAndRestore", &BackupAndRestore::from_config},
    {"CSVLogger", &CSVLogger::from_config},
    {"EarlyStopping", &EarlyStopping::from_config},
    {"History", &history_from_config},
    {"ModelCheckpoint", &ModelCheckpoint::from_config},
    {"ProgbarLogger", &progbar_from_config},
    {"ReduceLROnPlateau", &ReduceLROnPlateau::from_config},
    {"TerminateOnNaN", &TerminateOnNaN::from_config},
};

}  // namespace

std::vector<std::string> registered_callbacks() {
  std::vector<std::string> names;
  for (const auto& e : kCallbacks) names.emplace_back(e.class_name);
  return names;
}

CallbackPtr get_callback(const Config& config) {
  FATHOM_CHECK(config.is_map() || config.is_string(), ConfigError, config.where(),
               "callback: expected {class_name, config} or a class name, received ", config.to_json());
  std::string name;
  Config inner = Config::map();
  if (config.is_string()) {
    name = config.as_string();
  } else {
    config.reject_unknown_keys({"module", "class_name", "config", "registered_name"}, "callback");
    name = config.get<std::string>("class_name");
    if (config.has("config") && !config.at("config").is_null()) inner = config.at("config");
    FATHOM_CHECK(inner.is_map(), ConfigError, inner.where(), "callback '", name,
                 "': `config` must be a mapping, received ", inner.to_json());
  }
  for (const auto& e : kCallbacks) {
    if (name == e.class_name) return e.from_config(inner);
  }
  const std::vector<std::string> known = registered_callbacks();
  std::string list;
  for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
  throw ConfigError(config.where_of("class_name") + "unknown callback '" + name + "'." + did_you_mean(name, known) +
                    " Known callbacks: " + list + ".");
}

}  // namespace fathom::callbacks
