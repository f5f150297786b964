// SPDX-License-Identifier: Apache-2.0
#pragma once
#include "core/tensor.h"

/// Elementwise ops. Binary ops broadcast as NumPy does; both operands must have the same dtype
/// (no implicit promotion, as in TF). Math and activations need float32 or float64.
namespace fathom::ops {

Tensor neg(const Tensor& x);
Tensor abs(const Tensor& x);
Tensor sign(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor square(const Tensor& x);
Tensor reciprocal(const Tensor& x);
Tensor pow(const Tensor& x, double exponent);
Tensor clip(const Tensor& x, double min_value, double max_value);

// Activations, with Keras's formulas and defaults.
Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor relu(const Tensor& x);
Tensor relu6(const Tensor& x);
Tensor leaky_relu(const Tensor& x, double negative_slope = 0.2);
Tensor elu(const Tensor& x, double alpha = 1.0);
Tensor selu(const Tensor& x);
/// Exact (erf) form by default, as Keras; approximate=true is the tanh form.
Tensor gelu(const Tensor& x, bool approximate = false);
Tensor softplus(const Tensor& x);
Tensor softsign(const Tensor& x);
/// x * sigmoid(x); silu is the same function.
Tensor swish(const Tensor& x);
Tensor silu(const Tensor& x);
/// Keras 3: relu6(x + 3) / 6 = clip(x / 6 + 0.5, 0, 1).
Tensor hard_sigmoid(const Tensor& x);
/// Keras 2 (and Keras-2-era files): clip(0.2 x + 0.5, 0, 1).
Tensor hard_sigmoid_keras2(const Tensor& x);

Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& a, const Tensor& b);
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
/// With a scalar of the tensor's dtype on one side.
Tensor add(const Tensor& a, double b);
Tensor sub(const Tensor& a, double b);
Tensor mul(const Tensor& a, double b);
Tensor div(const Tensor& a, double b);
Tensor maximum(const Tensor& a, double b);
Tensor minimum(const Tensor& a, double b);

/// Comparisons return bool tensors and have no gradient.
Tensor equal(const Tensor& a, const Tensor& b);
Tensor not_equal(const Tensor& a, const Tensor& b);
Tensor less(const Tensor& a, const Tensor& b);
Tensor less_equal(const Tensor& a, const Tensor& b);
Tensor greater(const Tensor& a, const Tensor& b);
Tensor greater_equal(const Tensor& a, const Tensor& b);
/// cond (bool) ? a : b, all three broadcast together.
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
/// Converts the dtype; differentiable between floating dtypes.
Tensor cast(const Tensor& x, DType dtype);
/// A tensor of x's dtype and device holding `value`, shape [] (broadcasts against anything).
Tensor scalar_like(const Tensor& x, double value);

}  // namespace fathom::ops

namespace fathom {
Tensor operator-(const Tensor& x);
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, double b);
Tensor operator-(const Tensor& a, double b);
Tensor operator*(const Tensor& a, double b);
Tensor operator/(const Tensor& a, double b);
Tensor operator*(double a, const Tensor& b);
}  // namespace fathom
