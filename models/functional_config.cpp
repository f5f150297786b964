// SPDX-License-Identifier: Apache-2.0
// Functional::from_config: rebuilds the graph from Keras's serialized form. inbound_nodes come
// in two shapes: Keras 3 writes [{args: [keras tensors, possibly nested in lists], kwargs}],
// Keras 2 writes [[[layer_name, node_index, tensor_index, kwargs], ...], ...].
#include <map>

#include "layers/input_layer.h"
#include "layers/registry.h"
#include "models/functional.h"
#include "models/sequential.h"

namespace fathom::models {
namespace {

struct History {
  std::string layer;
  std::int64_t node = 0, tensor = 0;
};

History parse_history(const Config& c) {
  const auto& items = c.items();
  FATHOM_CHECK(items.size() >= 3, ConfigError, c.where(), "a tensor reference needs [layer_name, node_index, tensor_index]");
  return {items[0].as_string(), items[1].as_int(), items[2].as_int()};
}

/// Collects the keras_history of every __keras_tensor__ inside a Keras 3 `args` value.
void collect_keras3(const Config& v, std::vector<History>& out) {
  if (v.is_list()) {
    for (const Config& item : v.items()) collect_keras3(item, out);
  } else if (v.is_map() && v.has("class_name") && v.get<std::string>("class_name") == "__keras_tensor__") {
    out.push_back(parse_history(v.at("config").at("keras_history")));
  }
}

std::vector<History> parse_inbound_node(const Config& node) {
  std::vector<History> refs;
  if (node.is_map()) {  // Keras 3
    node.reject_unknown_keys({"args", "kwargs"}, "inbound node");
    collect_keras3(node.at("args"), refs);
    if (node.has("kwargs")) {
      for (const auto& [k, v] : node.at("kwargs").entries()) {
        FATHOM_CHECK(k == "training" || k == "mask" || v.is_null(), ConfigError, node.where(), "inbound node: call "
                     "argument '", k, "' is not supported");
      }
    }
  } else {  // Keras 2: a list of [name, node_index, tensor_index, kwargs]
    for (const Config& ref : node.items()) refs.push_back(parse_history(ref));
  }
  return refs;
}

}  // namespace

std::unique_ptr<layers::Layer> Functional::from_config(const Config& c) {
  register_model_classes();
  c.reject_unknown_keys({"name", "trainable", "layers", "input_layers", "output_layers"}, "Functional");
  const std::string model_name = c.get_or<std::string>("name", "");
  struct Pending {
    std::shared_ptr<layers::Layer> layer;
    std::vector<Config> nodes;
    std::size_t next = 0;  // first inbound node not built yet
  };
  std::vector<Pending> pending;
  std::map<std::string, std::vector<SymbolicTensor>> outputs;  // layer name -> output per node
  for (const Config& spec : c.at("layers").items()) {
    std::shared_ptr<layers::Layer> layer = layers::layer_from_config(spec);
    const std::string name = spec.get_or<std::string>("name", layer->name());
    if (auto* input = dynamic_cast<layers::InputLayer*>(layer.get())) {
      SymbolicTensor t = Input(Shape(input->batch_shape().begin() + 1, input->batch_shape().end()), name,
                               input->batch_shape()[0]);
      outputs[name].push_back(t);
      continue;
    }
    Pending p{layer, {}, 0};
    if (spec.has("inbound_nodes")) p.nodes = spec.at("inbound_nodes").items();
    pending.push_back(std::move(p));
  }
  // Build nodes as their inputs become available (a shared layer's second call may need a
  // layer listed after it).
  for (bool progress = true; progress;) {
    progress = false;
    for (Pending& p : pending) {
      while (p.next < p.nodes.size()) {
        const std::vector<History> refs = parse_inbound_node(p.nodes[p.next]);
        std::vector<SymbolicTensor> ins;
        for (const History& h : refs) {
          auto it = outputs.find(h.layer);
          if (it == outputs.end() || h.node >= static_cast<std::int64_t>(it->second.size())) break;
          FATHOM_CHECK(h.tensor == 0, ConfigError, c.where(), "Functional '", model_name, "': layer '", h.layer,
                       "' output ", h.tensor, " is referenced; only single-output layers are supported");
          ins.push_back(it->second[h.node]);
        }
        if (ins.size() != refs.size()) break;
        outputs[p.layer->name()].push_back(models::call_layer(p.layer, ins));
        ++p.next;
        progress = true;
      }
    }
  }
  for (const Pending& p : pending) {
    FATHOM_CHECK(p.next == p.nodes.size(), ConfigError, c.where(), "Functional '", model_name, "': layer '",
                 p.layer->name(), "' has an inbound node whose inputs never appear in the model");
  }
  auto resolve = [&](const char* key) {
    std::vector<SymbolicTensor> list;
    Config refs = c.at(key);
    // Keras 2 may write a single [name, node, tensor] instead of a list of them.
    if (!refs.items().empty() && refs.items()[0].is_string()) refs = Config(std::vector<Config>{refs});
    for (const Config& r : refs.items()) {
      const History h = parse_history(r);
      auto it = outputs.find(h.layer);
      FATHOM_CHECK(it != outputs.end() && h.node < static_cast<std::int64_t>(it->second.size()), ConfigError, c.where(),
                   "Functional '", model_name, "': ", key, " names unknown layer output '", h.layer, "'[", h.node, "]");
      list.push_back(it->second[h.node]);
    }
    return list;
  };
  auto model = std::make_unique<Functional>(resolve("input_layers"), resolve("output_layers"), model_name);
  if (!c.get_or("trainable", true)) model->set_trainable(false);
  return model;
}

}  // namespace fathom::models
