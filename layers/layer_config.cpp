// SPDX-License-Identifier: Apache-2.0
#include "layers/layer_config.h"

#include "layers/layer.h"

namespace fathom::layers {
namespace {

void check_dtype(const Config& dtype, const std::string& class_name) {
  if (dtype.is_null()) return;
  std::string name;
  if (dtype.is_string()) {
    name = dtype.as_string();
  } else if (dtype.is_map() && dtype.has("config") && dtype.at("config").has("name")) {
    name = dtype.at("config").get<std::string>("name");  // {module, class_name: DTypePolicy, config: {name}}
  } else {
    throw ConfigError(dtype.where() + class_name + ": dtype must be a name or a DTypePolicy mapping");
  }
  FATHOM_CHECK(name == "float32", ConfigError, dtype.where(), class_name, ": dtype '", name,
               "' is not supported; Fathom's layers compute in float32");
}

}  // namespace

BaseLayerArgs parse_base_args(const Config& config, const std::vector<std::string>& own_keys,
                              const std::string& class_name) {
  std::vector<std::string> known = own_keys;
  for (const char* k : {"name", "trainable", "dtype", "input_shape", "batch_input_shape", "batch_size"}) known.push_back(k);
  config.reject_unknown_keys(known, class_name);
  BaseLayerArgs args;
  args.name = config.get_or<std::string>("name", "");
  args.trainable = config.get_or("trainable", true);
  if (config.has("dtype")) check_dtype(config.at("dtype"), class_name);
  if (config.has("batch_input_shape") && !config.at("batch_input_shape").is_null()) {
    args.batch_input_shape = config.get<Shape>("batch_input_shape");
  } else if (config.has("input_shape") && !config.at("input_shape").is_null()) {
    Shape s = config.get<Shape>("input_shape");
    s.insert(s.begin(), config.get_or<std::int64_t>("batch_size", -1));
    args.batch_input_shape = s;
  }
  return args;
}

void apply_base_args(Layer& layer, const BaseLayerArgs& args) {
  if (!args.trainable) layer.set_trainable(false);
  if (args.batch_input_shape) layer.set_declared_input_shape(*args.batch_input_shape);
}

}  // namespace fathom::layers
