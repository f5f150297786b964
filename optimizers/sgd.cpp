// SPDX-License-Identifier: Apache-2.0
#include "optimizers/sgd.h"

#include "core/ops.h"
#include "optimizers/internal.h"

namespace fathom::optimizers {
SGD::SGD(Options options, BaseOptions base)
    : Optimizer(with_default_learning_rate(std::move(base), 0.01), "sgd"), options_(options) {
  FATHOM_CHECK(
      options_.momentum >= 0 && options_.momentum <= 1, ValueError, "SGD '", name(),
      "': `momentum` must be a float between [0, 1]. Received: momentum=", options_.momentum);
}

void SGD::build_slots(const Variable& var) {
  if (options_.momentum != 0) add_slot(var, "momentum");
}

void SGD::update_step(const Tensor& grad, Variable& var, double lr) {
  const Tensor step = ops::mul(grad, lr);
  if (options_.momentum == 0) {
    var.assign_sub(step);
    return;
  }
  Variable& m = slot_ref(var, "momentum");
  m.assign(ops::sub(ops::mul(m, options_.momentum), step));
  if (options_.nesterov) {
    var.assign_add(ops::sub(ops::mul(m, options_.momentum), step));
  } else {
    var.assign_add(m);
  }
}

Config SGD::get_config() const {
  Config c = base_config();
  c.set("momentum", options_.momentum);
  c.set("nesterov", options_.nesterov);
  return c;
}

std::unique_ptr<Optimizer> SGD::from_config(const Config& config) {
  config.reject_unknown_keys(optimizer_config_keys({"momentum", "nesterov"}), "SGD");
  BaseOptions base = parse_base_options(config, 0.01, "SGD");
  Options o;
  o.momentum = config.get_or<double>("momentum", o.momentum);
  o.nesterov = config.get_or<bool>("nesterov", o.nesterov);
  return detail::construct_from_config(config, [&] { return std::make_unique<SGD>(o, base); });
}

}  // namespace fathom::optimizers
