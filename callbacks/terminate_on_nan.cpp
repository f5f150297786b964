// SPDX-License-Identifier: Apache-2.0
#include "callbacks/terminate_on_nan.h"

#include <cmath>

#include "callbacks/callback_utils.h"
#include "models/model.h"

namespace fathom::callbacks {

void TerminateOnNaN::on_train_batch_end(int batch, const Logs& logs) {
  if (!logs.has("loss")) return;
  const double loss = logs.at("loss");
  if (!std::isnan(loss) && !std::isinf(loss)) return;
  if (raise_error_) {
    throw Error("NaN or Inf loss encountered at batch " + std::to_string(batch) +
                ". Loss value: " + detail::python_float_repr(loss) + ". Terminating training immediately.");
  }
  detail::print_msg("Batch " + std::to_string(batch) + ": Invalid loss, terminating training");
  FATHOM_CHECK(model() != nullptr, ValueError, "TerminateOnNaN: cannot stop training without a model");
  model()->stop_training = true;
}

Config TerminateOnNaN::get_config() const {
  Config c = Config::map();
  c.set("raise_error", raise_error_);
  return c;
}

std::unique_ptr<Callback> TerminateOnNaN::from_config(const Config& config) {
  config.reject_unknown_keys({"raise_error"}, "TerminateOnNaN");
  return std::make_unique<TerminateOnNaN>(config.get_or<bool>("raise_error", false));
}

}  // namespace fathom::callbacks
