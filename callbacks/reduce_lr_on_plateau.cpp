// SPDX-License-Identifier: Apache-2.0
#include "callbacks/reduce_lr_on_plateau.h"

#include <algorithm>

#include "callbacks/callback_utils.h"
#include "core/log.h"
#include "models/model.h"
#include "optimizers/optimizer.h"

namespace fathom::callbacks {

ReduceLROnPlateau::ReduceLROnPlateau(Options options)
    : MonitorCallback("ReduceLROnPlateau", options.monitor, options.mode, options.min_delta),
      options_(std::move(options)) {
  FATHOM_CHECK(options_.factor < 1.0, ValueError,
               "ReduceLROnPlateau does not support a factor >= 1.0. Received factor=", options_.factor);
  FATHOM_CHECK(options_.patience >= 0 && options_.cooldown >= 0, ValueError,
               "ReduceLROnPlateau: `patience` and `cooldown` must be >= 0. Received: patience=", options_.patience,
               ", cooldown=", options_.cooldown);
}

void ReduceLROnPlateau::on_train_begin(const Logs&) {
  best_.reset();
  cooldown_counter_ = 0;
  wait_ = 0;
}

bool ReduceLROnPlateau::reduce_lr(int epoch) {
  optimizers::Optimizer* opt = model()->optimizer();
  const double old_lr = opt->learning_rate();
  // Keras keeps the rate in a float32 variable and compares it with np.float32(min_lr).
  if (!(static_cast<float>(old_lr) > static_cast<float>(options_.min_lr))) return false;
  const double new_lr = std::max(old_lr * options_.factor, options_.min_lr);
  opt->set_learning_rate(new_lr);
  if (options_.verbose > 0) {
    detail::print_msg("\nEpoch " + std::to_string(epoch + 1) + ": ReduceLROnPlateau reducing learning rate to " +
                      detail::python_float_repr(new_lr) + ".");
  }
  return true;
}

void ReduceLROnPlateau::on_epoch_end(int epoch, Logs& logs) {
  set_monitor_op();
  FATHOM_CHECK(model() != nullptr && model()->optimizer() != nullptr, ValueError,
               "ReduceLROnPlateau: the model has no optimizer (compile it before fit)");
  // Keras adds the current rate to the epoch's logs (History and CSVLogger after this callback
  // record it) before reading the monitor.
  logs.set("learning_rate", model()->optimizer()->learning_rate());
  const Logs& seen = logs;
  if (!seen.has(monitor())) {
    log::warn("Learning rate reduction is conditioned on metric `" + monitor() +
              "` which is not available. Available metrics are: " + detail::join_keys(seen.entries(), ",") + ".");
    return;
  }
  const double current = seen.at(monitor());
  if (in_cooldown()) {
    --cooldown_counter_;
    wait_ = 0;
  }
  if (is_improvement(current, best_)) {
    best_ = current;
    wait_ = 0;
  } else if (!in_cooldown()) {
    ++wait_;
    if (wait_ >= options_.patience && reduce_lr(epoch)) {
      cooldown_counter_ = options_.cooldown;
      wait_ = 0;
    }
  }
}

Config ReduceLROnPlateau::get_config() const {
  Config c = Config::map();
  c.set("monitor", monitor());
  c.set("factor", options_.factor);
  c.set("patience", options_.patience);
  c.set("verbose", options_.verbose);
  c.set("mode", mode());
  c.set("min_delta", min_delta());
  c.set("cooldown", options_.cooldown);
  c.set("min_lr", options_.min_lr);
  return c;
}

std::unique_ptr<Callback> ReduceLROnPlateau::from_config(const Config& config) {
  config.reject_unknown_keys({"monitor", "factor", "patience", "verbose", "mode", "min_delta", "cooldown", "min_lr"},
                             "ReduceLROnPlateau");
  Options o;
  o.monitor = config.get_or<std::string>("monitor", o.monitor);
  o.factor = config.get_or<double>("factor", o.factor);
  o.patience = config.get_or<int>("patience", o.patience);
  o.verbose = config.get_or<int>("verbose", o.verbose);
  o.mode = config.get_or<std::string>("mode", o.mode);
  o.min_delta = config.get_or<double>("min_delta", o.min_delta);
  o.cooldown = config.get_or<int>("cooldown", o.cooldown);
  o.min_lr = config.get_or<double>("min_lr", o.min_lr);
  return detail::construct_from_config(config, [&] { return std::make_unique<ReduceLROnPlateau>(o); });
}

}  // namespace fathom::callbacks
