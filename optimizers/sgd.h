// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <string>

#include "optimizers/optimizer.h"

namespace fathom::optimizers {

struct SGDOptions {
  double momentum = 0.0;  // in [0, 1]
  bool nesterov = false;
};

/// Stochastic gradient descent, Keras 3's formulation (slot "momentum" only when momentum > 0):
///   m = momentum * m - lr * g
///   var += m                        (nesterov: var += momentum * m - lr * g)
///   without momentum: var -= lr * g
/// Config: learning_rate (0.01), momentum (0), nesterov (false), plus the base keys.
class SGD final : public Optimizer {
 public:
  using Options = SGDOptions;
  explicit SGD(Options options = {}, BaseOptions base = {});
  static std::unique_ptr<Optimizer> from_config(const Config& config);

  std::string class_name() const override { return "SGD"; }
  Config get_config() const override;

 protected:
  void build_slots(const Variable& var) override;
  void update_step(const Tensor& grad, Variable& var, double lr) override;

 private:
  Options options_;
};

}  // namespace fathom::optimizers
