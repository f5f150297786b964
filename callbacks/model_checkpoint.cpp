// SPDX-License-Identifier: Apache-2.0
#include "callbacks/model_checkpoint.h"

#include <cstdio>
#include <filesystem>
#include <map>

#include "callbacks/callback_utils.h"
#include "callbacks/filepath_template.h"
#include "core/log.h"
#include "models/keras_saving.h"
#include "models/model.h"

namespace fathom::callbacks {
namespace {

std::string five(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.5f", v);
  return buf;
}

}  // namespace

ModelCheckpoint::ModelCheckpoint(Options options)
    : MonitorCallback("ModelCheckpoint", options.monitor, options.mode, 0.0), options_(std::move(options)) {
  const std::string& p = options_.filepath;
  FATHOM_CHECK(!p.empty(), ValueError, "ModelCheckpoint: filepath is required");
  if (options_.save_weights_only) {
    FATHOM_CHECK(p.ends_with(".weights.h5") || p.ends_with(".h5") || p.ends_with(".fathom"), ValueError,
                 "ModelCheckpoint: with save_weights_only=True the filepath must end in .weights.h5 (Keras 3), .h5 "
                 "(Keras 2) or .fathom. Received: filepath=", p);
  } else {
    FATHOM_CHECK(!p.ends_with(".weights.h5"), ValueError, "ModelCheckpoint: a .weights.h5 filepath needs "
                 "save_weights_only=True. Received: filepath=", p);
    FATHOM_CHECK(p.ends_with(".keras") || p.ends_with(".h5") || p.ends_with(".hdf5") || p.ends_with(".fathom"),
                 ValueError, "ModelCheckpoint: the filepath must end in .keras, .h5, .hdf5 or .fathom. Received: "
                 "filepath=", p);
  }
  FATHOM_CHECK(options_.save_freq >= 0, ValueError, "ModelCheckpoint: save_freq must be 'epoch' or a positive "
               "integer. Received: save_freq=", options_.save_freq);
  if (options_.initial_value_threshold) best_ = options_.initial_value_threshold;
}

void ModelCheckpoint::on_train_begin(const Logs&) { batches_since_save_ = 0; }

void ModelCheckpoint::on_epoch_begin(int epoch, const Logs&) { current_epoch_ = epoch; }

void ModelCheckpoint::on_train_batch_end(int batch, const Logs& logs) {
  if (options_.save_freq == 0) return;
  if (++batches_since_save_ < options_.save_freq) return;
  batches_since_save_ = 0;
  save(current_epoch_, batch, logs);
}

void ModelCheckpoint::on_epoch_end(int epoch, Logs& logs) {
  if (options_.save_freq == 0) save(epoch, std::nullopt, logs);
}

void ModelCheckpoint::save(int epoch, std::optional<int> batch, const Logs& logs) {
  FATHOM_CHECK(model() != nullptr, ValueError, "ModelCheckpoint: no model to save (set_model was not called)");
  std::map<std::string, double> values;
  for (const auto& [k, v] : logs.entries()) values[k] = v;
  values["epoch"] = epoch + 1;
  if (batch && !logs.has("batch")) values["batch"] = *batch + 1;
  const std::string path = format_filepath(options_.filepath, values);
  if (options_.save_best_only) {
    if (!logs.has(options_.monitor)) {
      log::warn("Can save best model only with " + options_.monitor + " available, skipping.");
      return;
    }
    set_monitor_op();
    const double current = logs.at(options_.monitor);
    if (!is_improvement(current, best_)) {
      if (options_.verbose > 0) {
        detail::print_msg("\nEpoch " + std::to_string(epoch + 1) + ": " + options_.monitor + " did not improve from " +
                          five(*best_));
      }
      return;
    }
    if (options_.verbose > 0) {
      detail::print_msg("\nEpoch " + std::to_string(epoch + 1) + ": " + options_.monitor + " improved from " +
                        (best_ ? five(*best_) : std::string("inf")) + " to " + five(current) + ", saving model to " +
                        path);
    }
    best_ = current;
  } else if (options_.verbose > 0) {
    detail::print_msg("\nEpoch " + std::to_string(epoch + 1) + ": saving model to " + path);
  }
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  if (options_.save_weights_only) {
    models::save_weights_file(*model(), path);
  } else {
    models::save_model_file(*model(), path);
  }
  last_saved_ = path;
}

Config ModelCheckpoint::get_config() const {
  Config c = Config::map();
  c.set("filepath", options_.filepath).set("monitor", options_.monitor).set("verbose", options_.verbose);
  c.set("save_best_only", options_.save_best_only).set("save_weights_only", options_.save_weights_only);
  c.set("mode", mode());
  c.set("save_freq", options_.save_freq == 0 ? Config("epoch") : Config(options_.save_freq));
  c.set("initial_value_threshold",
        options_.initial_value_threshold ? Config(*options_.initial_value_threshold) : Config());
  return c;
}

std::unique_ptr<Callback> ModelCheckpoint::from_config(const Config& config) {
  config.reject_unknown_keys({"filepath", "monitor", "verbose", "save_best_only", "save_weights_only", "mode",
                              "save_freq", "initial_value_threshold", "options"},
                             "ModelCheckpoint");
  Options o;
  FATHOM_CHECK(config.has("filepath"), ConfigError, config.where(), "ModelCheckpoint: filepath is required");
  o.filepath = config.get<std::string>("filepath");
  o.monitor = config.get_or<std::string>("monitor", o.monitor);
  o.verbose = config.get_or<int>("verbose", o.verbose);
  o.save_best_only = config.get_or<bool>("save_best_only", o.save_best_only);
  o.save_weights_only = config.get_or<bool>("save_weights_only", o.save_weights_only);
  o.mode = config.get_or<std::string>("mode", o.mode);
  if (config.has("save_freq") && !config.at("save_freq").is_null()) {
    const Config& f = config.at("save_freq");
    if (f.is_string()) {
      FATHOM_CHECK(f.as_string() == "epoch", ConfigError, config.where_of("save_freq"),
                   "ModelCheckpoint: save_freq must be 'epoch' or a positive integer. Received: save_freq='",
                   f.as_string(), "'");
    } else {
      o.save_freq = static_cast<int>(f.as_int());
      FATHOM_CHECK(o.save_freq > 0, ConfigError, config.where_of("save_freq"),
                   "ModelCheckpoint: save_freq must be 'epoch' or a positive integer. Received: save_freq=", o.save_freq);
    }
  }
  if (config.has("initial_value_threshold") && !config.at("initial_value_threshold").is_null()) {
    o.initial_value_threshold = config.get<double>("initial_value_threshold");
  }
  return detail::construct_from_config(config, [&] { return std::make_unique<ModelCheckpoint>(o); });
}

}  // namespace fathom::callbacks
