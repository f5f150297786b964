// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <string>

#include "optimizers/optimizer.h"

namespace fathom::optimizers {

struct AdadeltaOptions {
  double rho = 0.95;
  double epsilon = 1e-7;
};

/// Adadelta (Zeiler 2012), Keras 3's formulation (the learning rate scales the step); slots
/// "accumulated_grad" and "accumulated_delta_var":
///   acc_g = rho * acc_g + (1 - rho) * g^2
///   delta = -sqrt(acc_dx + epsilon) * g / sqrt(acc_g + epsilon)
///   acc_dx = rho * acc_dx + (1 - rho) * delta^2;  var += lr * delta
/// Config: learning_rate (0.001), rho (0.95), epsilon (1e-7).
class Adadelta final : public Optimizer {
 public:
  using Options = AdadeltaOptions;
  explicit Adadelta(Options options = {}, BaseOptions base = {});
  static std::unique_ptr<Optimizer> from_config(const Config& config);

  std::string class_name() const override { return "Adadelta"; }
  Config get_config() const override;

 protected:
  void build_slots(const Variable& var) override;
  void update_step(const Tensor& grad, Variable& var, double lr) override;

 private:
  Options options_;
};

}  // namespace fathom::optimizers
