// SPDX-License-Identifier: Apache-2.0
#include "optimizers/nadam.h"

#include <cmath>

#include "core/ops.h"
#include "optimizers/internal.h"

namespace fathom::optimizers {
namespace {

constexpr double kDecay = 0.96;  // Keras's momentum-schedule decay

/// m_hat = m * m_coef + g * g_coef;  v_hat = v / v_coef; the moment updates use 1 - beta_1 and
/// 1 - beta_2 (Nadam, unlike Adam, computes those from the betas cast to the variable's dtype).
struct Coefficients {
  double m, g, v, one_minus_beta_1, one_minus_beta_2;
};

/// In T = the variable's precision, as Keras computes them (1 - x amplifies the rounding).
template <class T>
Coefficients coefficients(const NadamOptions& o, double step, double u_product) {
  const T t = static_cast<T>(step);
  const T beta_1 = static_cast<T>(o.beta_1);
  const T decay = static_cast<T>(kDecay);
  const T u_t = beta_1 * (T(1) - T(0.5) * std::pow(decay, t));
  const T u_t_1 = beta_1 * (T(1) - T(0.5) * std::pow(decay, t + T(1)));
  const T u_product_t = static_cast<T>(u_product);
  const T u_product_t_1 = u_product_t * u_t_1;
  return {static_cast<double>(u_t_1 / (T(1) - u_product_t_1)),
          static_cast<double>((T(1) - u_t) / (T(1) - u_product_t)),
          static_cast<double>(T(1) - std::pow(static_cast<T>(o.beta_2), t)),
          static_cast<double>(T(1) - beta_1), static_cast<double>(T(1) - static_cast<T>(o.beta_2))};
}

}  // namespace

Nadam::Nadam(Options options, BaseOptions base)
    : Optimizer(with_default_learning_rate(std::move(base), 0.001), "nadam"), options_(options) {
  const auto& o = options_;
  FATHOM_CHECK(o.beta_1 >= 0 && o.beta_1 < 1, ValueError, "Optimizer '", name(),
               "': `beta_1` must be in [0, 1). Received: beta_1=", o.beta_1);
  FATHOM_CHECK(o.beta_2 >= 0 && o.beta_2 < 1, ValueError, "Optimizer '", name(),
               "': `beta_2` must be in [0, 1). Received: beta_2=", o.beta_2);
  FATHOM_CHECK(o.epsilon >= 0, ValueError, "Optimizer '", name(),
               "': `epsilon` must be >= 0. Received: epsilon=", o.epsilon);
}

void Nadam::build_variables(const std::vector<Variable>& new_vars) {
  for (const Variable& v : new_vars) {
    add_slot(v, "momentum");
    add_slot(v, "velocity");
  }
  if (!u_product_.defined()) {
    const Variable& first = new_vars.front();
    u_product_ =
        add_variable("u_product", Tensor::full({}, 1.0, first.dtype(), first.value().device()));
  }
}

void Nadam::begin_step(double) {
  const double u_product = detail::in_precision(u_product_.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T u_t = static_cast<T>(options_.beta_1) *
                  (T(1) - T(0.5) * std::pow(static_cast<T>(kDecay), static_cast<T>(local_step())));
    return static_cast<T>(u_product_.value().item_as_double()) * u_t;
  });
  u_product_.assign(ops::scalar_like(u_product_.value(), u_product));
  u_product_t_ = u_product_.value().item_as_double();  // as stored (float32 for float32 models)
}

void Nadam::update_step(const Tensor& grad, Variable& var, double lr) {
  const auto& o = options_;
  const Coefficients c = var.dtype() == DType::kFloat32
                             ? coefficients<float>(o, local_step(), u_product_t_)
                             : coefficients<double>(o, local_step(), u_product_t_);
  Variable& m = slot_ref(var, "momentum");
  Variable& v = slot_ref(var, "velocity");
  m.assign_add(ops::mul(ops::sub(grad, m), c.one_minus_beta_1));
  v.assign_add(ops::mul(ops::sub(ops::square(grad), v), c.one_minus_beta_2));
  const Tensor m_hat = ops::add(ops::mul(m, c.m), ops::mul(grad, c.g));
  const Tensor v_hat = ops::div(v, c.v);
  var.assign_sub(ops::div(ops::mul(m_hat, lr), ops::add(ops::sqrt(v_hat), o.epsilon)));
}

Config Nadam::get_config() const {
  Config c = base_config();
  c.set("beta_1", options_.beta_1);
  c.set("beta_2", options_.beta_2);
  c.set("epsilon", options_.epsilon);
  return c;
}

std::unique_ptr<Optimizer> Nadam::from_config(const Config& config) {
  config.reject_unknown_keys(optimizer_config_keys({"beta_1", "beta_2", "epsilon"}), "Nadam");
  BaseOptions base = parse_base_options(config, 0.001, "Nadam");
  Options o;
  o.beta_1 = config.get_or<double>("beta_1", o.beta_1);
  o.beta_2 = config.get_or<double>("beta_2", o.beta_2);
  o.epsilon = config.get_or<double>("epsilon", o.epsilon);
  return detail::construct_from_config(config, [&] { return std::make_unique<Nadam>(o, base); });
}

}  // namespace fathom::optimizers
