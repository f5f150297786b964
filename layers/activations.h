// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace fathom::layers {

using ActivationFn = std::function<Tensor(const Tensor&)>;

/// Every Keras activation by its name: linear (or empty/None), relu, relu6, leaky_relu, elu,
/// selu, gelu, sigmoid, hard_sigmoid (Keras 3's x/6+0.5; hard_sigmoid_keras2 is Keras 2's
/// 0.2x+0.5), hard_silu/hard_swish, tanh, softmax,
/// log_softmax, softplus, softsign, swish/silu, exponential, mish. Unknown names throw
/// ConfigError with a did-you-mean.
ActivationFn activation_fn(const std::string& name);
std::vector<std::string> registered_activations();

}  // namespace fathom::layers
