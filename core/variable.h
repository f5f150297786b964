// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <string>

#include "core/tensor.h"

namespace fathom {

/// Named, mutable state: a layer's weights, an optimizer's slots. Its value is one tensor whose
/// identity never changes; assign* write into that tensor's memory, so views and tapes keep
/// seeing the variable (as a tf.Variable). Trainable variables are watched by every
/// GradientTape automatically. Copies share the variable.
class Variable {
 public:
  Variable() = default;
  /// Copies `initial_value` into the variable's own storage.
  explicit Variable(const Tensor& initial_value, std::string name = "Variable", bool trainable = true);

  bool defined() const { return impl_ != nullptr; }
  const std::string& name() const;
  bool trainable() const;
  void set_trainable(bool trainable);

  const Tensor& value() const;
  operator const Tensor&() const { return value(); }  // NOLINT: ops take a Variable as its value
  const Shape& shape() const { return value().shape(); }
  DType dtype() const { return value().dtype(); }

  /// Writes `v` (same shape and dtype) into the variable. Not recorded by tapes.
  void assign(const Tensor& v);
  void assign_add(const Tensor& delta);
  void assign_sub(const Tensor& delta);

  /// Same variable (not: equal values).
  bool is(const Variable& other) const { return impl_ == other.impl_; }

 private:
  struct Impl;
  Impl& impl() const;
  std::shared_ptr<Impl> impl_;
};

}  // namespace fathom
