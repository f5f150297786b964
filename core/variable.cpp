// SPDX-License-Identifier: Apache-2.0
#include "core/variable.h"

#include "core/autograd/recorder.h"
#include "core/detail/tensor_impl.h"
#include "core/ops/elementwise.h"

namespace fathom {

struct Variable::Impl {
  std::string name;
  bool trainable = true;
  Tensor value;
};

Variable::Variable(const Tensor& initial_value, std::string name, bool trainable)
    : impl_(std::make_shared<Impl>()) {
  FATHOM_CHECK(initial_value.defined(), ValueError, "Variable '", name, "': initial value is undefined");
  impl_->name = std::move(name);
  impl_->value = initial_value.clone();
  impl_->value.impl()->storage->is_variable = true;
  impl_->value.impl()->storage->variable_name = impl_->name;
  set_trainable(trainable);
}

Variable::Impl& Variable::impl() const {
  FATHOM_CHECK(impl_ != nullptr, ValueError, "use of an undefined Variable");
  return *impl_;
}

const std::string& Variable::name() const {
  return impl().name;
}

bool Variable::trainable() const {
  return impl().trainable;
}

void Variable::set_trainable(bool trainable) {
  impl().trainable = trainable;
  impl().value.impl()->watch_as_variable = trainable;
}

const Tensor& Variable::value() const {
  return impl().value;
}

void Variable::assign(const Tensor& v) {
  const Tensor& self = value();
  FATHOM_CHECK(v.shape() == self.shape(), ShapeError, "Variable '", impl_->name, "': cannot assign a value of shape ",
               shape_to_string(v.shape()), " to a variable of shape ", shape_to_string(self.shape()));
  FATHOM_CHECK(v.dtype() == self.dtype(), ValueError, "Variable '", impl_->name, "': cannot assign a ",
               dtype_name(v.dtype()), " value to a ", dtype_name(self.dtype()), " variable");
  if (v.id() == self.id()) return;
  Tensor target = self;
  if (autograd::active_tracer() == nullptr) {
    target.copy_from(v);
    return;
  }
  // Traced: the assignment is a step of the graph, replayed in order after every earlier read.
  autograd::run_effect("assign " + impl_->name, {v}, {self},
                       [target](const TensorList& in) mutable { target.copy_from(in[0]); });
}

void Variable::assign_add(const Tensor& delta) {
  autograd::NoRecordGuard no_record;
  assign(ops::add(value(), delta));
}

void Variable::assign_sub(const Tensor& delta) {
  autograd::NoRecordGuard no_record;
  assign(ops::sub(value(), delta));
}

}  // namespace fathom
