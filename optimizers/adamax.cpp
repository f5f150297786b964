// SPDX-License-Identifier: Apache-2.0
#include "optimizers/adamax.h"

#include <cmath>

#include "core/ops.h"
#include "optimizers/internal.h"

namespace fathom::optimizers {

Adamax::Adamax(Options options, BaseOptions base)
    : Optimizer(with_default_learning_rate(std::move(base), 0.001), "adamax"), options_(options) {
  const auto& o = options_;
  FATHOM_CHECK(o.beta_1 >= 0 && o.beta_1 < 1, ValueError, "Optimizer '", name(),
               "': `beta_1` must be in [0, 1). Received: beta_1=", o.beta_1);
  FATHOM_CHECK(o.beta_2 >= 0 && o.beta_2 <= 1, ValueError, "Optimizer '", name(),
               "': `beta_2` must be in [0, 1]. Received: beta_2=", o.beta_2);
  FATHOM_CHECK(o.epsilon >= 0, ValueError, "Optimizer '", name(),
               "': `epsilon` must be >= 0. Received: epsilon=", o.epsilon);
}

void Adamax::build_slots(const Variable& var) {
  add_slot(var, "momentum");
  add_slot(var, "norm");
}

void Adamax::update_step(const Tensor& grad, Variable& var, double lr) {
  const auto& o = options_;
  const double correction = detail::in_precision(var.dtype(), [&](auto zero) {
    using T = decltype(zero);
    return T(1) - std::pow(static_cast<T>(o.beta_1), static_cast<T>(local_step()));  // 1 - beta_1^t
  });
  Variable& m = slot_ref(var, "momentum");
  Variable& u = slot_ref(var, "norm");
  m.assign_add(ops::mul(ops::sub(grad, m), 1 - o.beta_1));
  u.assign(ops::maximum(ops::mul(u, o.beta_2), ops::abs(grad)));
  var.assign_sub(ops::div(ops::mul(m, lr), ops::mul(ops::add(u, o.epsilon), correction)));
}

Config Adamax::get_config() const {
  Config c = base_config();
  c.set("beta_1", options_.beta_1);
  c.set("beta_2", options_.beta_2);
  c.set("epsilon", options_.epsilon);
  return c;
}

std::unique_ptr<Optimizer> Adamax::from_config(const Config& config) {
  config.reject_unknown_keys(optimizer_config_keys({"beta_1", "beta_2", "epsilon"}), "Adamax");
  BaseOptions base = parse_base_options(config, 0.001, "Adamax");
  Options o;
  o.beta_1 = config.get_or<double>("beta_1", o.beta_1);
  o.beta_2 = config.get_or<double>("beta_2", o.beta_2);
  o.epsilon = config.get_or<double>("epsilon", o.epsilon);
  return detail::construct_from_config(config, [&] { return std::make_unique<Adamax>(o, base); });
}

}  // namespace fathom::optimizers
