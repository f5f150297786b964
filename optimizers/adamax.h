// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <string>

#include "optimizers/optimizer.h"

namespace fathom::optimizers {

struct AdamaxOptions {
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  double epsilon = 1e-7;
};

/// Adamax (Adam with the infinity norm), Keras 3's formulation; slots "momentum" and "norm":
///   m += (g - m) * (1 - beta_1);  u = max(beta_2 * u, |g|)
///   var -= lr * m / ((1 - beta_1^t) * (u + epsilon))          (t = iterations + 1)
/// Config: learning_rate (0.001), beta_1 (0.9), beta_2 (0.999), epsilon (1e-7).
class Adamax final : public Optimizer {
 public:
  using Options = AdamaxOptions;
  explicit Adamax(Options options = {}, BaseOptions base = {});
  static std::unique_ptr<Optimizer> from_config(const Config& config);

  std::string class_name() const override { return "Adamax"; }
  Config get_config() const override;

 protected:
  void build_slots(const Variable& var) override;
  void update_step(const Tensor& grad, Variable& var, double lr) override;

 private:
  Options options_;
};

}  // namespace fathom::optimizers
