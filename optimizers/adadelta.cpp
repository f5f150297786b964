// SPDX-License-Identifier: Apache-2.0
#include "optimizers/adadelta.h"

#include "core/ops.h"
#include "optimizers/internal.h"

namespace fathom::optimizers {

Adadelta::Adadelta(Options options, BaseOptions base)
    : Optimizer(with_default_learning_rate(std::move(base), 0.001), "adadelta"), options_(options) {
  FATHOM_CHECK(options_.rho >= 0 && options_.rho <= 1, ValueError, "Optimizer '", name(),
               "': `rho` must be in [0, 1]. Received: rho=", options_.rho);
  FATHOM_CHECK(options_.epsilon >= 0, ValueError, "Optimizer '", name(),
               "': `epsilon` must be >= 0. Received: epsilon=", options_.epsilon);
}

void Adadelta::build_slots(const Variable& var) {
  add_slot(var, "accumulated_grad");
  add_slot(var, "accumulated_delta_var");
}

void Adadelta::update_step(const Tensor& grad, Variable& var, double lr) {
  const double rho = options_.rho;
  const double eps = options_.epsilon;
  Variable& acc_grad = slot_ref(var, "accumulated_grad");
  Variable& acc_delta = slot_ref(var, "accumulated_delta_var");
  acc_grad.assign(ops::add(ops::mul(acc_grad, rho), ops::mul(ops::square(grad), 1 - rho)));
  const Tensor delta = ops::neg(ops::div(ops::mul(ops::sqrt(ops::add(acc_delta, eps)), grad),
                                         ops::sqrt(ops::add(acc_grad, eps))));
  acc_delta.assign(ops::add(ops::mul(acc_delta, rho), ops::mul(ops::square(delta), 1 - rho)));
  var.assign_add(ops::mul(delta, lr));
}

Config Adadelta::get_config() const {
  Config c = base_config();
  c.set("rho", options_.rho);
  c.set("epsilon", options_.epsilon);
  return c;
}

std::unique_ptr<Optimizer> Adadelta::from_config(const Config& config) {
  config.reject_unknown_keys(optimizer_config_keys({"rho", "epsilon"}), "Adadelta");
  BaseOptions base = parse_base_options(config, 0.001, "Adadelta");
  Options o;
  o.rho = config.get_or<double>("rho", o.rho);
  o.epsilon = config.get_or<double>("epsilon", o.epsilon);
  return detail::construct_from_config(config, [&] { return std::make_unique<Adadelta>(o, base); });
}

}  // namespace fathom::optimizers
