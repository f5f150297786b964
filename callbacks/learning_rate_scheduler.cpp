// SPDX-License-Identifier: Apache-2.0
#include "callbacks/learning_rate_scheduler.h"

#include <cmath>

#include "callbacks/callback_utils.h"
#include "models/model.h"
#include "optimizers/optimizer.h"

namespace fathom::callbacks {

LearningRateScheduler::LearningRateScheduler(Schedule schedule, int verbose)
    : schedule_(std::move(schedule)), verbose_(verbose) {
  FATHOM_CHECK(schedule_ != nullptr, ValueError, "LearningRateScheduler: `schedule` is empty");
}

void LearningRateScheduler::on_epoch_begin(int epoch, const Logs&) {
  FATHOM_CHECK(model() != nullptr && model()->optimizer() != nullptr, ValueError,
               "LearningRateScheduler: the model has no optimizer (compile it before fit)");
  optimizers::Optimizer* opt = model()->optimizer();
  const double lr = schedule_(epoch, opt->learning_rate());
  FATHOM_CHECK(std::isfinite(lr) && lr >= 0, ValueError, "LearningRateScheduler: the schedule returned ",
               detail::python_float_repr(lr), " for epoch ", epoch, ". Expected a finite rate >= 0.");
  opt->set_learning_rate(lr);
  if (verbose_ > 0) {
    detail::print_msg("\nEpoch " + std::to_string(epoch + 1) + ": LearningRateScheduler setting learning rate to " +
                      detail::python_float_repr(lr) + ".");
  }
}

void LearningRateScheduler::on_epoch_end(int /*epoch*/, Logs& logs) {
  if (model() != nullptr && model()->optimizer() != nullptr) logs.set("learning_rate", model()->optimizer()->learning_rate());
}

Config LearningRateScheduler::get_config() const {
  Config c = Config::map();
  c.set("verbose", verbose_);
  return c;
}

}  // namespace fathom::callbacks
