// SPDX-License-Identifier: Apache-2.0
#include "layers/registry.h"

#include <algorithm>
#include <map>
#include <mutex>

#include "layers/activation.h"
#include "layers/conv2d.h"
#include "layers/dense.h"
#include "layers/input_layer.h"
#include "layers/merging.h"
#include "layers/pooling2d.h"
#include "layers/reshaping.h"

namespace fathom::layers {
namespace {

using Kind = ElementwiseMerge::Kind;

std::map<std::string, LayerFactory> builtin_table() {
  return {
      {"InputLayer", &InputLayer::from_config},
      {"Dense", &Dense::from_config},
      {"Activation", &Activation::from_config},
      {"Dropout", &Dropout::from_config},
      {"Flatten", &Flatten::from_config},
      {"Reshape", &Reshape::from_config},
      {"Permute", &Permute::from_config},
      {"RepeatVector", &RepeatVector::from_config},
      {"Add", [](const Config& c) { return ElementwiseMerge::from_config(Kind::kAdd, c); }},
      {"Subtract", [](const Config& c) { return ElementwiseMerge::from_config(Kind::kSubtract, c); }},
      {"Multiply", [](const Config& c) { return ElementwiseMerge::from_config(Kind::kMultiply, c); }},
      {"Average", [](const Config& c) { return ElementwiseMerge::from_config(Kind::kAverage, c); }},
      {"Maximum", [](const Config& c) { return ElementwiseMerge::from_config(Kind::kMaximum, c); }},
      {"Minimum", [](const Config& c) { return ElementwiseMerge::from_config(Kind::kMinimum, c); }},
      {"Concatenate", &Concatenate::from_config},
      {"Dot", &Dot::from_config},
      {"Conv2D", &Conv2D::from_config},
      {"MaxPooling2D", [](const Config& c) { return Pooling2D::from_config(Pooling2D::Kind::kMax, c); }},
      {"AveragePooling2D", [](const Config& c) { return Pooling2D::from_config(Pooling2D::Kind::kAverage, c); }},
  };
}

struct Registry {
  std::mutex mutex;
  std::map<std::string, LayerFactory> table = builtin_table();
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

void register_layer(const std::string& class_name, LayerFactory factory) {
  std::lock_guard lock(registry().mutex);
  registry().table[class_name] = std::move(factory);
}

std::vector<std::string> registered_layers() {
  std::lock_guard lock(registry().mutex);
  std::vector<std::string> names;
  for (const auto& [k, v] : registry().table) names.push_back(k);
  return names;
}

namespace {

[[noreturn]] void unknown_layer(const std::string& class_name, const std::string& where) {
  const bool model_class = class_name == "Sequential" || class_name == "Functional" || class_name == "Model";
  throw ConfigError(where + "unknown layer class '" + class_name + "'." + did_you_mean(class_name, registered_layers()) +
                    (model_class ? " Model classes are registered by fathom_models (models::register_model_classes)."
                                 : " Custom layers must be registered with fathom::layers::register_layer."));
}

LayerFactory find_factory(const std::string& class_name) {
  std::lock_guard lock(registry().mutex);
  auto it = registry().table.find(class_name);
  return it == registry().table.end() ? LayerFactory() : it->second;
}

}  // namespace

std::unique_ptr<Layer> make_layer(const std::string& class_name, const Config& config) {
  const LayerFactory factory = find_factory(class_name);
  if (!factory) unknown_layer(class_name, config.where());
  return factory(config.is_null() ? Config::map() : config);
}

std::unique_ptr<Layer> layer_from_config(const Config& spec) {
  FATHOM_CHECK(spec.is_map(), ConfigError, spec.where(), "a layer must be given as {class_name, config}, received ",
               Config::kind_name(spec.kind()));
  spec.reject_unknown_keys({"class_name", "config", "module", "registered_name", "build_config", "name", "inbound_nodes"},
                           "layer");
  const Config config = spec.has("config") ? spec.at("config") : Config::map();
  const std::string class_name = spec.get<std::string>("class_name");
  if (!find_factory(class_name)) unknown_layer(class_name, spec.where_of("class_name"));
  return make_layer(class_name, config);
}

Config serialize_layer(const Layer& layer) {
  Config c = Config::map();
  c.set("module", "keras.layers").set("class_name", layer.class_name()).set("config", layer.get_config());
  c.set("registered_name", Config());
  return c;
}

}  // namespace fathom::layers
