// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <string>

#include "optimizers/optimizer.h"

namespace fathom::optimizers {

struct AdamOptions {
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  double epsilon = 1e-7;
  bool amsgrad = false;
};

/// Adam (Kingma & Ba), Keras 3's formulation with epsilon outside the square root and the bias
/// corrections folded into the step size; slots "momentum", "velocity" (+ "velocity_hat"):
///   m += (g - m) * (1 - beta_1);  v += (g^2 - v) * (1 - beta_2)
///   alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)          (t = iterations + 1)
///   amsgrad: v_hat = max(v_hat, v), used in place of v
///   var -= alpha * m / (sqrt(v) + epsilon)
/// Config: learning_rate (0.001), beta_1 (0.9), beta_2 (0.999), epsilon (1e-7), amsgrad (false).
class Adam : public Optimizer {
 public:
  using Options = AdamOptions;
  explicit Adam(Options options = {}, BaseOptions base = {});
  static std::unique_ptr<Optimizer> from_config(const Config& config);

  std::string class_name() const override { return "Adam"; }
  Config get_config() const override;

 protected:
  Adam(Options options, BaseOptions base, std::string default_name);
  void build_variables(const std::vector<Variable>& new_vars) override;
  void update_step(const Tensor& grad, Variable& var, double lr) override;
  static Options parse_options(const Config& config);
  static std::vector<std::string> own_keys() { return {"beta_1", "beta_2", "epsilon", "amsgrad"}; }

 private:
  Options options_;
};

}  // namespace fathom::optimizers
