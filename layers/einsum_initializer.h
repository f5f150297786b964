// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>

#include "layers/initializers.h"

namespace fathom::layers {

/// The kernel initializer of a Keras 3 EinsumDense (MultiHeadAttention's projections): a
/// VarianceScaling initializer (glorot, he, lecun, variance_scaling) takes its fans from the
/// kernel's input and output axes (Keras 3.15's input_axes/output_axes), not from the conv-style
/// receptive field of compute_fans, so the kernel is drawn as `fan_shape` = [fan_in, fan_out] and
/// reshaped. Other initializers see the kernel's own shape, as in Keras.
std::shared_ptr<Initializer> einsum_kernel_initializer(std::shared_ptr<Initializer> inner, Shape fan_shape);

}  // namespace fathom::layers
