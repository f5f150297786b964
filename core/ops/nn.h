// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdint>

#include "core/tensor.h"

namespace fathom::ops {

/// exp(x - max) / sum(exp(x - max)) along `axis`: stable for large logits.
Tensor softmax(const Tensor& x, std::int64_t axis = -1);
/// x - logsumexp(x) along `axis`.
Tensor log_softmax(const Tensor& x, std::int64_t axis = -1);

/// Sliding windows of an NHWC image, VALID (pad beforehand with ops::pad): x [B, H, W, C] ->
/// [B, OH, OW, kh*kw*C], each window ordered (kh, kw, C) so that a Keras kernel [kh, kw, C, F]
/// reshaped to [kh*kw*C, F] multiplies it (im2col). OH = (H - (kh-1)*dilation_h - 1) / stride_h + 1;
/// a window larger than the image is a ShapeError. Differentiable (the gradient scatter-adds
/// back into the image).
Tensor extract_patches(const Tensor& x, std::int64_t kh, std::int64_t kw, std::int64_t stride_h = 1,
                       std::int64_t stride_w = 1, std::int64_t dilation_h = 1, std::int64_t dilation_w = 1);

/// The LSTM cell fused into one kernel, Keras's gate order i, f, c, o:
///   z [B, 4u] = x_t·W + b + h_prev·U (pre-activations), c_prev [B, u];
///   i, f, o = sigmoid(z_i, z_f, z_o), g = tanh(z_c), c = f·c_prev + i·g, h = o·tanh(c).
/// Returns concat(h, c) along axis 1: [B, 2u]. float32 or float64. Differentiable in z and
/// c_prev (one gradient kernel; no second-order gradient).
Tensor lstm_cell(const Tensor& z, const Tensor& c_prev);

}  // namespace fathom::ops
