// SPDX-License-Identifier: Apache-2.0
// Unary math and activations. Each forward is one kernel; each gradient is one kernel
// (unary_grad) computing gy * f'(x) from x and y = f(x).
#include "core/ops/elementwise.h"
#include "core/ops/op_util.h"

namespace fathom::ops {
namespace {

using kernels::UnaryKind;
using kernels::UnaryParams;

Tensor unary_op(const char* name, UnaryKind kind, const Tensor& x, UnaryParams params = {}) {
  detail::expect_floating(name, x);
  return autograd::run_op(
      name, {x},
      [kind, params](const TensorList& in) {
        return kernels::backend(in[0].device()).unary(kind, in[0], params);
      },
      [name, kind, params](const autograd::GradContext& c) -> TensorList {
        // The gradient op is recorded too (outer tapes, the tracer); its own gradient is not defined.
        Tensor gx = autograd::run_op(
            name, {c.inputs[0], c.output, c.grad},
            [kind, params](const TensorList& in) {
              return kernels::backend(in[0].device()).unary_grad(kind, in[0], in[1], in[2], params);
            },
            autograd::no_higher_order_gradient(name));
        return {gx};
      });
}

}  // namespace

Tensor neg(const Tensor& x) { return unary_op("neg", UnaryKind::kNeg, x); }
Tensor abs(const Tensor& x) { return unary_op("abs", UnaryKind::kAbs, x); }
Tensor sign(const Tensor& x) { return unary_op("sign", UnaryKind::kSign, x); }
Tensor exp(const Tensor& x) { return unary_op("exp", UnaryKind::kExp, x); }
Tensor log(const Tensor& x) { return unary_op("log", UnaryKind::kLog, x); }
Tensor sqrt(const Tensor& x) { return unary_op("sqrt", UnaryKind::kSqrt, x); }
Tensor square(const Tensor& x) { return unary_op("square", UnaryKind::kSquare, x); }
Tensor reciprocal(const Tensor& x) { return unary_op("reciprocal", UnaryKind::kReciprocal, x); }
Tensor pow(const Tensor& x, double exponent) { return unary_op("pow_scalar", UnaryKind::kPowScalar, x, {exponent}); }

Tensor clip(const Tensor& x, double min_value, double max_value) {
  FATHOM_CHECK(min_value <= max_value, ValueError, "clip: min_value must not exceed max_value. Received: min_value=",
               min_value, ", max_value=", max_value);
  return unary_op("clip", UnaryKind::kClip, x, {min_value, max_value});
}

Tensor tanh(const Tensor& x) { return unary_op("tanh", UnaryKind::kTanh, x); }
Tensor sigmoid(const Tensor& x) { return unary_op("sigmoid", UnaryKind::kSigmoid, x); }
Tensor relu(const Tensor& x) { return unary_op("relu", UnaryKind::kRelu, x); }
Tensor relu6(const Tensor& x) { return unary_op("relu6", UnaryKind::kRelu6, x); }
Tensor leaky_relu(const Tensor& x, double negative_slope) {
  return unary_op("leaky_relu", UnaryKind::kLeakyRelu, x, {negative_slope});
}
Tensor elu(const Tensor& x, double alpha) { return unary_op("elu", UnaryKind::kElu, x, {alpha}); }
Tensor selu(const Tensor& x) { return unary_op("selu", UnaryKind::kSelu, x); }
Tensor gelu(const Tensor& x, bool approximate) {
  return approximate ? unary_op("gelu_approximate", UnaryKind::kGeluTanh, x) : unary_op("gelu", UnaryKind::kGelu, x);
}
Tensor softplus(const Tensor& x) { return unary_op("softplus", UnaryKind::kSoftplus, x); }
Tensor softsign(const Tensor& x) { return unary_op("softsign", UnaryKind::kSoftsign, x); }
Tensor swish(const Tensor& x) { return unary_op("swish", UnaryKind::kSwish, x); }
Tensor silu(const Tensor& x) { return unary_op("silu", UnaryKind::kSwish, x); }
Tensor hard_sigmoid(const Tensor& x) { return unary_op("hard_sigmoid", UnaryKind::kHardSigmoidV3, x); }
Tensor hard_sigmoid_keras2(const Tensor& x) {
  return unary_op("hard_sigmoid_keras2", UnaryKind::kHardSigmoid, x);
}

}  // namespace fathom::ops
