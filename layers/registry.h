// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "layers/layer.h"

namespace fathom::layers {

using LayerFactory = std::function<std::unique_ptr<Layer>(const Config& config)>;

/// Makes a layer from its Keras class name and config. An unknown name is a ConfigError listing
/// a did-you-mean suggestion (STYLE §2.4: an explicit table, no static self-registration).
std::unique_ptr<Layer> make_layer(const std::string& class_name, const Config& config);
/// {class_name, config} (Keras's serialization; module/registered_name/build_config accepted).
std::unique_ptr<Layer> layer_from_config(const Config& spec);
/// {module, class_name, config, registered_name} as Keras 3 writes it.
Config serialize_layer(const Layer& layer);

/// Adds or replaces a class (user layers; models register Sequential and Model this way).
void register_layer(const std::string& class_name, LayerFactory factory);
std::vector<std::string> registered_layers();
/// The aliases keras.layers exports, each with the class it makes ({"Convolution1D", "Conv1D"}, ...);
/// registered_layers() lists them too.
const std::vector<std::pair<std::string, std::string>>& layer_aliases();

}  // namespace fathom::layers
