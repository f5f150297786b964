// SPDX-License-Identifier: Apache-2.0
#include "optimizers/adagrad.h"

#include "core/ops.h"
#include "optimizers/internal.h"

namespace fathom::optimizers {

Adagrad::Adagrad(Options options, BaseOptions base)
    : Optimizer(with_default_learning_rate(std::move(base), 0.001), "adagrad"), options_(options) {
  FATHOM_CHECK(options_.initial_accumulator_value >= 0, ValueError, "Optimizer '", name(),
               "': `initial_accumulator_value` must be >= 0. Received: initial_accumulator_value=",
               options_.initial_accumulator_value);
  FATHOM_CHECK(options_.epsilon >= 0, ValueError, "Optimizer '", name(),
               "': `epsilon` must be >= 0. Received: epsilon=", options_.epsilon);
}

void Adagrad::build_slots(const Variable& var) {
  add_slot(var, "accumulator", options_.initial_accumulator_value);
}

void Adagrad::update_step(const Tensor& grad, Variable& var, double lr) {
  Variable& accumulator = slot_ref(var, "accumulator");
  accumulator.assign_add(ops::square(grad));
  var.assign_sub(ops::div(ops::mul(grad, lr), ops::sqrt(ops::add(accumulator, options_.epsilon))));
}

Config Adagrad::get_config() const {
  Config c = base_config();
  c.set("initial_accumulator_value", options_.initial_accumulator_value);
  c.set("epsilon", options_.epsilon);
  return c;
}

std::unique_ptr<Optimizer> Adagrad::from_config(const Config& config) {
  config.reject_unknown_keys(optimizer_config_keys({"initial_accumulator_value", "epsilon"}),
                             "Adagrad");
  BaseOptions base = parse_base_options(config, 0.001, "Adagrad");
  Options o;
  o.initial_accumulator_value =
      config.get_or<double>("initial_accumulator_value", o.initial_accumulator_value);
  o.epsilon = config.get_or<double>("epsilon", o.epsilon);
  return detail::construct_from_config(config, [&] { return std::make_unique<Adagrad>(o, base); });
}

}  // namespace fathom::optimizers
