// SPDX-License-Identifier: Apache-2.0
#include "layers/activations.h"

#include <map>

#include "core/config.h"
#include "core/ops.h"

namespace fathom::layers {
namespace {

const std::map<std::string, ActivationFn>& table() {
  static const std::map<std::string, ActivationFn> t = {
      {"linear", [](const Tensor& x) { return x; }},
      {"relu", [](const Tensor& x) { return ops::relu(x); }},
      {"relu6", [](const Tensor& x) { return ops::relu6(x); }},
      {"leaky_relu", [](const Tensor& x) { return ops::leaky_relu(x, 0.2); }},
      {"elu", [](const Tensor& x) { return ops::elu(x, 1.0); }},
      {"selu", [](const Tensor& x) { return ops::selu(x); }},
      {"gelu", [](const Tensor& x) { return ops::gelu(x, false); }},
      {"sigmoid", [](const Tensor& x) { return ops::sigmoid(x); }},
      {"hard_sigmoid", [](const Tensor& x) { return ops::hard_sigmoid(x); }},
      // Keras 2 / tf.keras's clip(0.2x + 0.5, 0, 1): Keras 2 files name it "hard_sigmoid", and
      // the Keras file loader renames it to this so that the file computes what Keras 2 did.
      {"hard_sigmoid_keras2", [](const Tensor& x) { return ops::hard_sigmoid_keras2(x); }},
      {"hard_silu", [](const Tensor& x) { return ops::mul(x, ops::hard_sigmoid(x)); }},
      {"hard_swish", [](const Tensor& x) { return ops::mul(x, ops::hard_sigmoid(x)); }},
      {"tanh", [](const Tensor& x) { return ops::tanh(x); }},
      {"softmax", [](const Tensor& x) { return ops::softmax(x, -1); }},
      {"log_softmax", [](const Tensor& x) { return ops::log_softmax(x, -1); }},
      {"softplus", [](const Tensor& x) { return ops::softplus(x); }},
      {"softsign", [](const Tensor& x) { return ops::softsign(x); }},
      {"swish", [](const Tensor& x) { return ops::swish(x); }},
      {"silu", [](const Tensor& x) { return ops::silu(x); }},
      {"exponential", [](const Tensor& x) { return ops::exp(x); }},
      {"mish", [](const Tensor& x) { return ops::mul(x, ops::tanh(ops::softplus(x))); }},
  };
  return t;
}

}  // namespace

std::vector<std::string> registered_activations() {
  std::vector<std::string> names;
  for (const auto& [k, v] : table()) names.push_back(k);
  return names;
}

ActivationFn activation_fn(const std::string& name) {
  if (name.empty() || name == "None") return table().at("linear");
  auto it = table().find(name);
  if (it == table().end()) {
    throw ConfigError("unknown activation '" + name + "'." + did_you_mean(name, registered_activations()));
  }
  return it->second;
}

}  // namespace fathom::layers
