// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"

namespace fathom::layers {

class Layer;

/// The keys every Keras layer config may carry besides its own arguments.
struct BaseLayerArgs {
  std::string name;
  bool trainable = true;
  std::optional<Shape> batch_input_shape;  // from input_shape (batch prepended) or batch_input_shape
};

/// Checks `config` against `own_keys` plus the base keys (name, trainable, dtype, input_shape,
/// batch_input_shape, batch_size), and parses the base keys. dtype may be "float32" or a Keras 3
/// DTypePolicy mapping; any other dtype is a ConfigError (Fathom's layers compute in float32).
BaseLayerArgs parse_base_args(const Config& config, const std::vector<std::string>& own_keys,
                              const std::string& class_name);
/// Applies trainable and the declared input shape to a freshly made layer.
void apply_base_args(Layer& layer, const BaseLayerArgs& args);

}  // namespace fathom::layers
