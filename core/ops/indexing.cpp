// SPDX-License-Identifier: Apache-2.0
// gather (embedding lookups) with its scatter-add adjoint, and one_hot.
#include "core/ops/indexing.h"

#include "core/ops/op_util.h"

namespace fathom::ops {
namespace {

void expect_indices(const char* op, const Tensor& indices) {
  FATHOM_CHECK(indices.defined(), ValueError, op, ": indices are an undefined tensor");
  FATHOM_CHECK(indices.dtype() == DType::kInt32 || indices.dtype() == DType::kInt64, ValueError, op,
               ": indices must be int32 or int64, received ", dtype_name(indices.dtype()), " of shape ",
               shape_to_string(indices.shape()));
}

Tensor gather_adjoint(const Tensor& grad, const Tensor& indices, const Shape& params_shape, std::int64_t axis);

Tensor gather_checked(const Tensor& params, const Tensor& indices, std::int64_t axis) {
  return autograd::run_op(
      "gather", {params, indices},
      [axis](const TensorList& in) { return kernels::backend_for("gather", in).gather(in[0], in[1], axis, "gather"); },
      is_floating(params.dtype()) ? autograd::BackwardFn([axis](const autograd::GradContext& c) -> TensorList {
        return {gather_adjoint(c.grad, c.inputs[1], c.inputs[0].shape(), axis), Tensor()};
      })
                                  : nullptr);
}

Tensor gather_adjoint(const Tensor& grad, const Tensor& indices, const Shape& params_shape, std::int64_t axis) {
  return autograd::run_op(
      "gather", {grad, indices},
      [params_shape, axis](const TensorList& in) {
        return kernels::backend_for("gather", in).scatter_add(params_shape, in[1], in[0], axis);
      },
      [axis](const autograd::GradContext& c) -> TensorList {
        return {gather_checked(c.grad, c.inputs[1], axis), Tensor()};
      });
}

}  // namespace

Tensor gather(const Tensor& params, const Tensor& indices, std::int64_t axis) {
  FATHOM_CHECK(params.defined(), ValueError, "gather: params are an undefined tensor");
  expect_indices("gather", indices);
  FATHOM_CHECK(params.dim() >= 1, ShapeError, "gather: params must have rank >= 1, received a scalar");
  return gather_checked(params, indices, normalize_axis(axis, params.dim(), "gather"));
}

Tensor one_hot(const Tensor& indices, std::int64_t depth, double on_value, double off_value, DType dtype) {
  expect_indices("one_hot", indices);
  FATHOM_CHECK(depth >= 0, ValueError, "one_hot: depth must be non-negative. Received: depth=", depth);
  return autograd::run_op(
      "one_hot", {indices},
      [depth, on_value, off_value, dtype](const TensorList& in) {
        return kernels::backend(in[0].device()).one_hot(in[0], depth, on_value, off_value, dtype);
      },
      nullptr);
}

}  // namespace fathom::ops
