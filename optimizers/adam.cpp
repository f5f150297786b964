// SPDX-License-Identifier: Apache-2.0
#include "optimizers/adam.h"

#include <cmath>

#include "core/ops.h"
#include "core/ops/fused_updates.h"
#include "optimizers/internal.h"

namespace fathom::optimizers {

Adam::Adam(Options options, BaseOptions base) : Adam(options, std::move(base), "adam") {}

Adam::Adam(Options options, BaseOptions base, std::string default_name)
    : Optimizer(with_default_learning_rate(std::move(base), 0.001), std::move(default_name)),
      options_(options) {
  const auto& o = options_;
  FATHOM_CHECK(o.beta_1 >= 0 && o.beta_1 < 1, ValueError, "Optimizer '", name(),
               "': `beta_1` must be in [0, 1). Received: beta_1=", o.beta_1);
  FATHOM_CHECK(o.beta_2 >= 0 && o.beta_2 < 1, ValueError, "Optimizer '", name(),
               "': `beta_2` must be in [0, 1). Received: beta_2=", o.beta_2);
  FATHOM_CHECK(o.epsilon >= 0, ValueError, "Optimizer '", name(),
               "': `epsilon` must be >= 0. Received: epsilon=", o.epsilon);
}

void Adam::build_variables(const std::vector<Variable>& new_vars) {
  // Keras's order: momentum and velocity interleaved per variable, then every velocity_hat.
  for (const Variable& v : new_vars) {
    add_slot(v, "momentum");
    add_slot(v, "velocity");
  }
  if (options_.amsgrad) {
    for (const Variable& v : new_vars) add_slot(v, "velocity_hat");
  }
}

void Adam::update_step(const Tensor& grad, Variable& var, double lr) {
  const auto& o = options_;
  const double alpha = detail::in_precision(var.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T t = static_cast<T>(local_step());
    const T b1_power = std::pow(static_cast<T>(o.beta_1), t);
    const T b2_power = std::pow(static_cast<T>(o.beta_2), t);
    return static_cast<T>(lr) * std::sqrt(T(1) - b2_power) / (T(1) - b1_power);
  });
  Variable& m = slot_ref(var, "momentum");
  Variable& v = slot_ref(var, "velocity");
  if (!o.amsgrad) {
    // One pass instead of ~10 ops; the same arithmetic, bit for bit (core/ops/fused_updates.h).
    ops::adam_update(var, m, v, grad, alpha, o.beta_1, o.beta_2, o.epsilon);
    return;
  }
  m.assign_add(ops::mul(ops::sub(grad, m), 1 - o.beta_1));
  v.assign_add(ops::mul(ops::sub(ops::square(grad), v), 1 - o.beta_2));
  Tensor denom_v = v.value();
  if (o.amsgrad) {
    Variable& v_hat = slot_ref(var, "velocity_hat");
    v_hat.assign(ops::maximum(v_hat, v));
    denom_v = v_hat.value();
  }
  var.assign_sub(ops::div(ops::mul(m, alpha), ops::add(ops::sqrt(denom_v), o.epsilon)));
}

Config Adam::get_config() const {
  Config c = base_config();
  c.set("beta_1", options_.beta_1);
  c.set("beta_2", options_.beta_2);
  c.set("epsilon", options_.epsilon);
  c.set("amsgrad", options_.amsgrad);
  return c;
}

Adam::Options Adam::parse_options(const Config& config) {
  Options o;
  o.beta_1 = config.get_or<double>("beta_1", o.beta_1);
  o.beta_2 = config.get_or<double>("beta_2", o.beta_2);
  o.epsilon = config.get_or<double>("epsilon", o.epsilon);
  o.amsgrad = config.get_or<bool>("amsgrad", o.amsgrad);
  return o;
}

std::unique_ptr<Optimizer> Adam::from_config(const Config& config) {
  config.reject_unknown_keys(optimizer_config_keys(own_keys()), "Adam");
  BaseOptions base = parse_base_options(config, 0.001, "Adam");
  const Options o = parse_options(config);
  return detail::construct_from_config(config, [&] { return std::make_unique<Adam>(o, base); });
}

}  // namespace fathom::optimizers
