// SPDX-License-Identifier: Apache-2.0
#include "callbacks/early_stopping.h"

#include "callbacks/callback_utils.h"
#include "core/log.h"
#include "models/model.h"

namespace fathom::callbacks {

EarlyStopping::EarlyStopping(Options options)
    : MonitorCallback("EarlyStopping", options.monitor, options.mode, options.min_delta), options_(std::move(options)) {
  FATHOM_CHECK(options_.patience >= 0, ValueError,
               "EarlyStopping: `patience` must be >= 0. Received: patience=", options_.patience);
  FATHOM_CHECK(options_.start_from_epoch >= 0, ValueError,
               "EarlyStopping: `start_from_epoch` must be >= 0. Received: start_from_epoch=", options_.start_from_epoch);
}

void EarlyStopping::on_train_begin(const Logs&) {
  // Instances may be reused across fit() calls.
  wait_ = 0;
  stopped_epoch_ = 0;
  best_.reset();
  best_weights_.reset();
  best_epoch_ = 0;
}

void EarlyStopping::on_epoch_end(int epoch, Logs& logs) {
  set_monitor_op();  // delayed to here, as in Keras, so that a bad monitor fails at the first epoch
  if (!logs.has(monitor())) {
    log::warn("Early stopping conditioned on metric `" + monitor() +
              "` which is not available. Available metrics are: " + detail::join_keys(logs.entries(), ","));
    return;
  }
  if (epoch < options_.start_from_epoch) return;  // warm-up
  const double current = logs.at(monitor());
  FATHOM_CHECK(!options_.restore_best_weights || model() != nullptr, ValueError,
               "EarlyStopping: restore_best_weights needs a model (set_model was not called)");
  if (options_.restore_best_weights && !best_weights_) {
    // Never set yet: the current weights are the best so far.
    best_weights_ = model()->get_weights();
    best_epoch_ = epoch;
  }
  ++wait_;
  if (is_improvement(current, best_)) {
    best_ = current;
    best_epoch_ = epoch;
    if (options_.restore_best_weights) best_weights_ = model()->get_weights();
    // Only restart the wait when the value beats both the baseline and the previous best.
    if (!options_.baseline || is_improvement(current, options_.baseline)) wait_ = 0;
    return;
  }
  if (wait_ >= options_.patience && epoch > 0) {
    stopped_epoch_ = epoch;
    FATHOM_CHECK(model() != nullptr, ValueError, "EarlyStopping: cannot stop training without a model");
    model()->stop_training = true;
  }
}

void EarlyStopping::on_train_end(const Logs&) {
  if (stopped_epoch_ > 0 && options_.verbose > 0) {
    detail::print_msg("Epoch " + std::to_string(stopped_epoch_ + 1) + ": early stopping");
  }
  if (options_.restore_best_weights && best_weights_) {
    if (options_.verbose > 0) {
      detail::print_msg("Restoring model weights from the end of the best epoch: " + std::to_string(best_epoch_ + 1) +
                        ".");
    }
    model()->set_weights(*best_weights_);
  }
}

Config EarlyStopping::get_config() const {
  Config c = Config::map();
  c.set("monitor", monitor());
  c.set("min_delta", min_delta());
  c.set("patience", options_.patience);
  c.set("verbose", options_.verbose);
  c.set("mode", mode());
  c.set("baseline", options_.baseline ? Config(*options_.baseline) : Config());
  c.set("restore_best_weights", options_.restore_best_weights);
  c.set("start_from_epoch", options_.start_from_epoch);
  return c;
}

std::unique_ptr<Callback> EarlyStopping::from_config(const Config& config) {
  config.reject_unknown_keys({"monitor", "min_delta", "patience", "verbose", "mode", "baseline",
                              "restore_best_weights", "start_from_epoch"},
                             "EarlyStopping");
  Options o;
  o.monitor = config.get_or<std::string>("monitor", o.monitor);
  o.min_delta = config.get_or<double>("min_delta", o.min_delta);
  o.patience = config.get_or<int>("patience", o.patience);
  o.verbose = config.get_or<int>("verbose", o.verbose);
  o.mode = config.get_or<std::string>("mode", o.mode);
  if (config.has("baseline") && !config.at("baseline").is_null()) o.baseline = config.get<double>("baseline");
  o.restore_best_weights = config.get_or<bool>("restore_best_weights", o.restore_best_weights);
  o.start_from_epoch = config.get_or<int>("start_from_epoch", o.start_from_epoch);
  return detail::construct_from_config(config, [&] { return std::make_unique<EarlyStopping>(o); });
}

}  // namespace fathom::callbacks
