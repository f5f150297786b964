// SPDX-License-Identifier: Apache-2.0
#include "optimizers/rmsprop.h"

#include "core/ops.h"
#include "optimizers/internal.h"

namespace fathom::optimizers {

RMSprop::RMSprop(Options options, BaseOptions base)
    : Optimizer(with_default_learning_rate(std::move(base), 0.001), "rmsprop"), options_(options) {
  const auto& o = options_;
  FATHOM_CHECK(o.rho >= 0 && o.rho <= 1, ValueError, "Optimizer '", name(),
               "': `rho` must be in [0, 1]. Received: rho=", o.rho);
  FATHOM_CHECK(o.momentum >= 0, ValueError, "Optimizer '", name(),
               "': `momentum` must be >= 0. Received: momentum=", o.momentum);
  FATHOM_CHECK(o.epsilon >= 0, ValueError, "Optimizer '", name(),
               "': `epsilon` must be >= 0. Received: epsilon=", o.epsilon);
}

void RMSprop::build_variables(const std::vector<Variable>& new_vars) {
  // Keras's order: every velocity, then every momentum, then every average_gradient.
  for (const Variable& v : new_vars) add_slot(v, "velocity");
  if (options_.momentum > 0) {
    for (const Variable& v : new_vars) add_slot(v, "momentum");
  }
  if (options_.centered) {
    for (const Variable& v : new_vars) add_slot(v, "average_gradient");
  }
}

void RMSprop::update_step(const Tensor& grad, Variable& var, double lr) {
  const auto& o = options_;
  Variable& velocity = slot_ref(var, "velocity");
  velocity.assign(ops::add(ops::mul(velocity, o.rho), ops::mul(ops::square(grad), 1 - o.rho)));
  Tensor denominator;
  if (o.centered) {
    Variable& average = slot_ref(var, "average_gradient");
    average.assign(ops::add(ops::mul(average, o.rho), ops::mul(grad, 1 - o.rho)));
    denominator = ops::add(ops::sub(velocity, ops::square(average)), o.epsilon);
  } else {
    denominator = ops::add(velocity, o.epsilon);
  }
  const Tensor increment = ops::div(ops::mul(grad, lr), ops::sqrt(denominator));
  if (o.momentum > 0) {
    Variable& momentum = slot_ref(var, "momentum");
    momentum.assign(ops::add(ops::mul(momentum, o.momentum), increment));
    var.assign_sub(momentum);
  } else {
    var.assign_sub(increment);
  }
}

Config RMSprop::get_config() const {
  Config c = base_config();
  c.set("rho", options_.rho);
  c.set("momentum", options_.momentum);
  c.set("epsilon", options_.epsilon);
  c.set("centered", options_.centered);
  return c;
}

std::unique_ptr<Optimizer> RMSprop::from_config(const Config& config) {
  config.reject_unknown_keys(optimizer_config_keys({"rho", "momentum", "epsilon", "centered"}),
                             "RMSprop");
  BaseOptions base = parse_base_options(config, 0.001, "RMSprop");
  Options o;
  o.rho = config.get_or<double>("rho", o.rho);
  o.momentum = config.get_or<double>("momentum", o.momentum);
  o.epsilon = config.get_or<double>("epsilon", o.epsilon);
  o.centered = config.get_or<bool>("centered", o.centered);
  return detail::construct_from_config(config, [&] { return std::make_unique<RMSprop>(o, base); });
}

}  // namespace fathom::optimizers
