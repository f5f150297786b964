// SPDX-License-Identifier: Apache-2.0
// Broadcasting arithmetic. Gradients are summed back to each operand's shape (reduce_to).
#include "core/ops/elementwise.h"
#include "core/ops/op_util.h"
#include "core/ops/shape_ops.h"

namespace fathom::ops {
namespace detail {

Tensor reduce_to(const Tensor& grad, const Shape& shape) {
  return grad.shape() == shape ? grad : sum_to(grad, shape);
}

}  // namespace detail

namespace {

using kernels::BinaryKind;

/// d out / d a and d out / d b as functions of (a, b, out, gy), before reduce_to.
using BinaryGrad = TensorList (*)(const Tensor& a, const Tensor& b, const Tensor& out, const Tensor& gy,
                                  const std::vector<bool>& needs);

Tensor binary_op(const char* name, BinaryKind kind, const Tensor& a, const Tensor& b, BinaryGrad grad,
                 bool floating_only = true) {
  detail::expect_same_dtype(name, a, b);
  if (floating_only) detail::expect_floating(name, a);
  FATHOM_CHECK(a.dtype() != DType::kBool, ValueError, name, ": arithmetic on bool tensors; cast them first");
  const Shape out_shape = broadcast_shapes(a.shape(), b.shape(), name);
  autograd::BackwardFn backward;
  if (is_floating(a.dtype())) {
    backward = [grad](const autograd::GradContext& c) -> TensorList {
      TensorList g = grad(c.inputs[0], c.inputs[1], c.output, c.grad, c.needs_grad);
      for (std::size_t i = 0; i < 2; ++i) {
        if (c.needs_grad[i] && g[i].defined()) g[i] = detail::reduce_to(g[i], c.inputs[i].shape());
      }
      return g;
    };
  }
  return autograd::run_op(
      name, {a, b},
      [kind, out_shape](const TensorList& in) {
        return kernels::backend(in[0].device()).binary(kind, in[0], in[1], out_shape);
      },
      backward);
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) {
  return binary_op("add", BinaryKind::kAdd, a, b, [](auto&, auto&, auto&, const Tensor& gy, auto&) -> TensorList {
    return {gy, gy};
  }, false);
}

Tensor sub(const Tensor& a, const Tensor& b) {
  return binary_op("sub", BinaryKind::kSub, a, b, [](auto&, auto&, auto&, const Tensor& gy, auto& needs) -> TensorList {
    return {gy, needs[1] ? neg(gy) : Tensor()};
  }, false);
}

Tensor mul(const Tensor& a, const Tensor& b) {
  return binary_op("mul", BinaryKind::kMul, a, b,
                   [](const Tensor& a, const Tensor& b, auto&, const Tensor& gy, auto& needs) -> TensorList {
                     return {needs[0] ? mul(gy, b) : Tensor(), needs[1] ? mul(gy, a) : Tensor()};
                   }, false);
}

Tensor div(const Tensor& a, const Tensor& b) {
  return binary_op("div", BinaryKind::kDiv, a, b,
                   [](auto&, const Tensor& b, const Tensor& out, const Tensor& gy, auto& needs) -> TensorList {
                     const Tensor ga = div(gy, b);
                     return {ga, needs[1] ? neg(mul(ga, out)) : Tensor()};  // -gy * a / b^2
                   });
}

Tensor pow(const Tensor& a, const Tensor& b) {
  return binary_op("pow", BinaryKind::kPow, a, b,
                   [](const Tensor& a, const Tensor& b, const Tensor& out, const Tensor& gy, auto& needs) -> TensorList {
                     Tensor ga, gb;
                     if (needs[0]) ga = mul(gy, mul(b, pow(a, sub(b, scalar_like(b, 1.0)))));
                     if (needs[1]) {
                       // d/db a^b = a^b log a, taken as 0 where a <= 0 (as TF does).
                       const Tensor positive = greater(a, scalar_like(a, 0.0));
                       const Tensor safe_a = where(positive, a, scalar_like(a, 1.0));
                       gb = mul(gy, mul(out, log(safe_a)));
                     }
                     return {ga, gb};
                   });
}

Tensor maximum(const Tensor& a, const Tensor& b) {
  return binary_op("maximum", BinaryKind::kMaximum, a, b,
                   [](const Tensor& a, const Tensor& b, auto&, const Tensor& gy, auto&) -> TensorList {
                     // Ties send the gradient to a (TF's convention: x >= y).
                     const Tensor zero = scalar_like(gy, 0.0);
                     const Tensor a_wins = greater_equal(a, b);
                     return {where(a_wins, gy, zero), where(a_wins, zero, gy)};
                   }, false);
}

Tensor minimum(const Tensor& a, const Tensor& b) {
  return binary_op("minimum", BinaryKind::kMinimum, a, b,
                   [](const Tensor& a, const Tensor& b, auto&, const Tensor& gy, auto&) -> TensorList {
                     const Tensor zero = scalar_like(gy, 0.0);
                     const Tensor a_wins = less_equal(a, b);
                     return {where(a_wins, gy, zero), where(a_wins, zero, gy)};
                   }, false);
}

Tensor add(const Tensor& a, double b) { return add(a, scalar_like(a, b)); }
Tensor sub(const Tensor& a, double b) { return sub(a, scalar_like(a, b)); }
Tensor mul(const Tensor& a, double b) { return mul(a, scalar_like(a, b)); }
Tensor div(const Tensor& a, double b) { return div(a, scalar_like(a, b)); }
Tensor maximum(const Tensor& a, double b) { return maximum(a, scalar_like(a, b)); }
Tensor minimum(const Tensor& a, double b) { return minimum(a, scalar_like(a, b)); }

Tensor scalar_like(const Tensor& x, double value) {
  FATHOM_CHECK(x.defined(), ValueError, "scalar_like: input is an undefined tensor");
  return Tensor::full({}, value, x.dtype(), x.device());
}

}  // namespace fathom::ops

namespace fathom {
Tensor operator-(const Tensor& x) { return ops::neg(x); }
Tensor operator+(const Tensor& a, const Tensor& b) { return ops::add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return ops::sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return ops::mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return ops::div(a, b); }
Tensor operator+(const Tensor& a, double b) { return ops::add(a, b); }
Tensor operator-(const Tensor& a, double b) { return ops::sub(a, b); }
Tensor operator*(const Tensor& a, double b) { return ops::mul(a, b); }
Tensor operator/(const Tensor& a, double b) { return ops::div(a, b); }
Tensor operator*(double a, const Tensor& b) { return ops::mul(b, a); }
}  // namespace fathom
