// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <string>

#include "optimizers/optimizer.h"

namespace fathom::optimizers {

struct RMSpropOptions {
  double rho = 0.9;
  double momentum = 0.0;
  double epsilon = 1e-7;
  bool centered = false;
};

/// RMSprop (Hinton), Keras 3's formulation with epsilon inside the square root; slots
/// "velocity", "momentum" (momentum > 0), "average_gradient" (centered):
///   v = rho * v + (1 - rho) * g^2
///   centered: a = rho * a + (1 - rho) * g;  denom = v - a^2 + epsilon;  else denom = v + epsilon
///   inc = lr * g / sqrt(denom)
///   momentum > 0: mom = momentum * mom + inc; var -= mom;  else var -= inc
/// Config: learning_rate (0.001), rho (0.9), momentum (0), epsilon (1e-7), centered (false).
class RMSprop final : public Optimizer {
 public:
  using Options = RMSpropOptions;
  explicit RMSprop(Options options = {}, BaseOptions base = {});
  static std::unique_ptr<Optimizer> from_config(const Config& config);

  std::string class_name() const override { return "RMSprop"; }
  Config get_config() const override;

 protected:
  void build_variables(const std::vector<Variable>& new_vars) override;
  void update_step(const Tensor& grad, Variable& var, double lr) override;

 private:
  Options options_;
};

}  // namespace fathom::optimizers
