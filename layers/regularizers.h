// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <string>

#include "core/config.h"
#include "core/tensor.h"

namespace fathom::layers {

/// A penalty on a weight or an activation, added to the training loss: l1 * sum|x| + l2 * sum x^2.
/// Keras's L1, L2 and L1L2 are this class with one or both factors (Keras's defaults: 0.01).
class Regularizer {
 public:
  Regularizer(std::string class_name, double l1, double l2)
      : class_name_(std::move(class_name)), l1_(l1), l2_(l2) {}
  const std::string& class_name() const { return class_name_; }
  Tensor operator()(const Tensor& x) const;
  Config get_config() const;

 private:
  std::string class_name_;
  double l1_, l2_;
};

/// "l1", "l2", "l1_l2" or {class_name: L1|L2|L1L2, config: {l1, l2}}; null gives nullptr.
std::shared_ptr<Regularizer> get_regularizer(const Config& name_or_config);
Config serialize_regularizer(const Regularizer* r);  // null for nullptr

/// A projection applied to a weight after each optimizer step (Keras's kernel_constraint).
class Constraint {
 public:
  virtual ~Constraint() = default;
  virtual std::string class_name() const = 0;
  virtual Tensor operator()(const Tensor& w) const = 0;
  virtual Config get_config() const = 0;
};

/// max_norm, min_max_norm, non_neg, unit_norm (names or {class_name, config}); null gives nullptr.
std::shared_ptr<Constraint> get_constraint(const Config& name_or_config);
Config serialize_constraint(const Constraint* c);

}  // namespace fathom::layers
