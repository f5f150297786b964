// SPDX-License-Identifier: Apache-2.0
// Comparisons (no gradient), where, and cast.
#include "core/ops/elementwise.h"
#include "core/ops/op_util.h"

namespace fathom::ops {
namespace {

using kernels::CompareKind;

Tensor compare_op(const char* name, CompareKind kind, const Tensor& a, const Tensor& b) {
  detail::expect_same_dtype(name, a, b);
  const Shape out_shape = broadcast_shapes(a.shape(), b.shape(), name);
  return autograd::run_op(
      name, {a, b},
      [kind, out_shape](const TensorList& in) {
        return kernels::backend(in[0].device()).compare(kind, in[0], in[1], out_shape);
      },
      nullptr);
}

}  // namespace

Tensor equal(const Tensor& a, const Tensor& b) { return compare_op("equal", CompareKind::kEqual, a, b); }
Tensor not_equal(const Tensor& a, const Tensor& b) { return compare_op("not_equal", CompareKind::kNotEqual, a, b); }
Tensor less(const Tensor& a, const Tensor& b) { return compare_op("less", CompareKind::kLess, a, b); }
Tensor less_equal(const Tensor& a, const Tensor& b) { return compare_op("less_equal", CompareKind::kLessEqual, a, b); }
Tensor greater(const Tensor& a, const Tensor& b) { return compare_op("greater", CompareKind::kGreater, a, b); }
Tensor greater_equal(const Tensor& a, const Tensor& b) {
  return compare_op("greater_equal", CompareKind::kGreaterEqual, a, b);
}

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  detail::expect_same_dtype("where", a, b);
  FATHOM_CHECK(cond.defined(), ValueError, "where: condition is an undefined tensor");
  FATHOM_CHECK(cond.dtype() == DType::kBool, ValueError, "where: the condition must be a bool tensor, received ",
               dtype_name(cond.dtype()), " of shape ", shape_to_string(cond.shape()),
               ". Compare first (ops::not_equal(x, 0)) or cast");
  const Shape out_shape =
      broadcast_shapes(broadcast_shapes(cond.shape(), a.shape(), "where"), b.shape(), "where");
  autograd::BackwardFn backward;
  if (is_floating(a.dtype())) {
    backward = [](const autograd::GradContext& c) -> TensorList {
      const Tensor zero = scalar_like(c.grad, 0.0);
      Tensor ga, gb;
      if (c.needs_grad[1]) ga = detail::reduce_to(where(c.inputs[0], c.grad, zero), c.inputs[1].shape());
      if (c.needs_grad[2]) gb = detail::reduce_to(where(c.inputs[0], zero, c.grad), c.inputs[2].shape());
      return {Tensor(), ga, gb};
    };
  }
  return autograd::run_op(
      "where", {cond, a, b},
      [out_shape](const TensorList& in) {
        return kernels::backend_for("where", in).where(in[0], in[1], in[2], out_shape);
      },
      backward);
}

Tensor cast(const Tensor& x, DType dtype) {
  FATHOM_CHECK(x.defined(), ValueError, "cast: input is an undefined tensor");
  autograd::BackwardFn backward;
  if (is_floating(x.dtype()) && is_floating(dtype)) {
    backward = [](const autograd::GradContext& c) -> TensorList { return {cast(c.grad, c.inputs[0].dtype())}; };
  }
  return autograd::run_op(
      "cast", {x},
      [dtype](const TensorList& in) {
        Tensor out = Tensor::empty(in[0].shape(), dtype, in[0].device());
        out.copy_from(in[0]);
        return out;
      },
      backward);
}

}  // namespace fathom::ops
