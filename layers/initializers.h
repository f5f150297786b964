// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/tensor.h"

namespace fathom::layers {

/// A weight initializer with Keras's name and semantics. `seed` as Keras: unset draws from the
/// global generator (random::set_global_seed makes runs repeatable); set gives the same values
/// on every call.
class Initializer {
 public:
  virtual ~Initializer() = default;
  virtual std::string class_name() const = 0;
  virtual Tensor operator()(const Shape& shape, DType dtype = DType::kFloat32) const = 0;
  virtual Config get_config() const = 0;
};

/// fan_in and fan_out as Keras computes them: [in, out] for Dense; [..., in, out] with the
/// receptive field (product of the leading dims) multiplied in for convolutions.
std::pair<double, double> compute_fans(const Shape& shape);

/// Keras's names: "glorot_uniform", "GlorotUniform", or {class_name, config}. Known:
/// glorot_uniform/normal, he_uniform/normal, lecun_uniform/normal, random_normal/uniform,
/// truncated_normal, zeros, ones, constant, orthogonal, identity, variance_scaling.
std::shared_ptr<Initializer> get_initializer(const Config& name_or_config);
std::vector<std::string> registered_initializers();
/// {class_name, config} for a layer's get_config (Keras 3 serialization).
Config serialize_initializer(const Initializer& init);

}  // namespace fathom::layers
