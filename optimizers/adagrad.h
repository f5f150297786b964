// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <string>

#include "optimizers/optimizer.h"

namespace fathom::optimizers {

struct AdagradOptions {
  double initial_accumulator_value = 0.1;
  double epsilon = 1e-7;
};

/// Adagrad (Duchi et al.), Keras 3's formulation; slot "accumulator" (starts at
/// initial_accumulator_value):
///   acc += g^2;  var -= lr * g / sqrt(acc + epsilon)
/// Config: learning_rate (0.001), initial_accumulator_value (0.1), epsilon (1e-7).
class Adagrad final : public Optimizer {
 public:
  using Options = AdagradOptions;
  explicit Adagrad(Options options = {}, BaseOptions base = {});
  static std::unique_ptr<Optimizer> from_config(const Config& config);

  std::string class_name() const override { return "Adagrad"; }
  Config get_config() const override;

 protected:
  void build_slots(const Variable& var) override;
  void update_step(const Tensor& grad, Variable& var, double lr) override;

 private:
  Options options_;
};

}  // namespace fathom::optimizers
