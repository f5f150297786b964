// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <string>

#include "optimizers/optimizer.h"

namespace fathom::optimizers {

struct NadamOptions {
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  double epsilon = 1e-7;
};

/// Nadam (Adam with Nesterov momentum, Dozat 2016), Keras 3's formulation with the momentum
/// schedule u_t = beta_1 * (1 - 0.5 * 0.96^t); slots "momentum", "velocity", and one
/// optimizer variable "u_product" (the running product of u, updated once per step):
///   u_product *= u_t;  m += (g - m) * (1 - beta_1);  v += (g^2 - v) * (1 - beta_2)
///   m_hat = u_{t+1} * m / (1 - u_product * u_{t+1}) + (1 - u_t) * g / (1 - u_product)
///   v_hat = v / (1 - beta_2^t);  var -= lr * m_hat / (sqrt(v_hat) + epsilon)
/// Config: learning_rate (0.001), beta_1 (0.9), beta_2 (0.999), epsilon (1e-7).
class Nadam final : public Optimizer {
 public:
  using Options = NadamOptions;
  explicit Nadam(Options options = {}, BaseOptions base = {});
  static std::unique_ptr<Optimizer> from_config(const Config& config);

  std::string class_name() const override { return "Nadam"; }
  Config get_config() const override;

 protected:
  void build_variables(const std::vector<Variable>& new_vars) override;
  void begin_step(double lr) override;
  void update_step(const Tensor& grad, Variable& var, double lr) override;

 private:
  Options options_;
  Variable u_product_;      // dtype of the first variable built, as Keras
  double u_product_t_ = 1;  // its value for the current step (read once per step)
};

}  // namespace fathom::optimizers
