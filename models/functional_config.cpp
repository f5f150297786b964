// SPDX-License-Identifier: Apache-2.0
// Functional::from_config: rebuilds the graph from Keras's serialized form. inbound_nodes come
// in two shapes: Keras 3 writes [{args: [keras tensors, possibly nested in lists], kwargs}],
// Keras 2 writes [[[layer_name, node_index, tensor_index, kwargs], ...], ...].
#include <map>

#include "layers/input_layer.h"
#include "layers/registry.h"
#include "models/functional.h"
#include "models/keras_compat.h"
#include "models/sequential.h"

namespace fathom::models {
namespace {

using keras_detail::is_keras_tensor;

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
  } else if (is_keras_tensor(v)) {
    out.push_back(parse_history(v.at("config").at("keras_history")));
  }
}

/// One inbound node: positional tensors, keyword tensors (initial_state, key) and other keyword
/// values (use_causal_mask).
struct ParsedNode {
  std::vector<History> args;
  std::vector<std::pair<TensorKwarg, std::vector<History>>> tensor_kwargs;
  Config values = Config::map();
};

ParsedNode parse_inbound_node(const Config& node) {
  ParsedNode parsed;
  if (node.is_map()) {  // Keras 3
    node.reject_unknown_keys({"args", "kwargs"}, "inbound node");
    collect_keras3(node.at("args"), parsed.args);
    if (node.has("kwargs")) {
      for (const auto& [k, v] : node.at("kwargs").entries()) {
        if (k == "training" || k == "mask" || v.is_null()) continue;  // masks travel with the tensors
        std::vector<History> refs;
        collect_keras3(v, refs);
        if (!refs.empty()) {
          parsed.tensor_kwargs.push_back({TensorKwarg{k, refs.size(), v.is_list()}, refs});
        } else {
          parsed.values.set(k, v);
        }
      }
    }
  } else {  // Keras 2: a list of [name, node_index, tensor_index, kwargs]; the call's kwargs in each
    for (const Config& ref : node.items()) {
      parsed.args.push_back(parse_history(ref));
      if (ref.items().size() >= 4 && ref.items()[3].is_map()) {
        for (const auto& [k, v] : ref.items()[3].entries()) {
          if (k != "training" && k != "mask" && !v.is_null()) parsed.values.set(k, v);
        }
      }
    }
  }
  return parsed;
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
  // layer name -> per call (node) -> per output
  std::map<std::string, std::vector<std::vector<SymbolicTensor>>> outputs;
  for (const Config& spec : c.at("layers").items()) {
    std::shared_ptr<layers::Layer> layer;
    try {
      layer = layers::layer_from_config(spec);
    } catch (Error& e) {
      const std::string which = spec.is_map() && spec.has("name") && spec.at("name").is_string()
                                    ? "layer '" + spec.get<std::string>("name") + "'"
                                    : "a layer";
      e.add_context("Functional '" + model_name + "', " + which);
      throw;
    }
    const std::string name = spec.get_or<std::string>("name", layer->name());
    if (auto* input = dynamic_cast<layers::InputLayer*>(layer.get())) {
      SymbolicTensor t = Input(Shape(input->batch_shape().begin() + 1, input->batch_shape().end()), name,
                               input->batch_shape()[0]);
      outputs[name].push_back({t});
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
        const ParsedNode parsed = parse_inbound_node(p.nodes[p.next]);
        // The referenced tensors, or false while one of them is not built yet.
        auto resolve_refs = [&](const std::vector<History>& refs, std::vector<SymbolicTensor>& out) {
          for (const History& h : refs) {
            auto it = outputs.find(h.layer);
            if (it == outputs.end() || h.node >= static_cast<std::int64_t>(it->second.size())) return false;
            const std::vector<SymbolicTensor>& outs = it->second[static_cast<std::size_t>(h.node)];
            FATHOM_CHECK(h.tensor >= 0 && h.tensor < static_cast<std::int64_t>(outs.size()), ConfigError, c.where(),
                         "Functional '", model_name, "': layer '", h.layer, "' call ", h.node, " has ", outs.size(),
                         " output(s); output ", h.tensor, " is referenced");
            out.push_back(outs[static_cast<std::size_t>(h.tensor)]);
          }
          return true;
        };
        std::vector<SymbolicTensor> args;
        CallKwargs kwargs;
        kwargs.values = parsed.values;
        bool ready = resolve_refs(parsed.args, args);
        for (const auto& [kw, refs] : parsed.tensor_kwargs) {
          std::vector<SymbolicTensor> tensors;
          ready = ready && resolve_refs(refs, tensors);
          kwargs.tensors.emplace_back(kw, tensors);
        }
        if (!ready) break;
        try {
          outputs[p.layer->name()].push_back(call_layer_outputs(p.layer, args, kwargs));
        } catch (Error& e) {
          e.add_context(c.where() + "Functional '" + model_name + "', layer '" + p.layer->name() + "'");
          throw;
        }
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
      FATHOM_CHECK(it != outputs.end() && h.node < static_cast<std::int64_t>(it->second.size()) &&
                       h.tensor >= 0 && h.tensor < static_cast<std::int64_t>(it->second[h.node].size()),
                   ConfigError, c.where(), "Functional '", model_name, "': ", key, " names unknown layer output '",
                   h.layer, "'[", h.node, "][", h.tensor, "]");
      list.push_back(it->second[static_cast<std::size_t>(h.node)][static_cast<std::size_t>(h.tensor)]);
    }
    return list;
  };
  auto model = std::make_unique<Functional>(resolve("input_layers"), resolve("output_layers"), model_name);
  if (!c.get_or("trainable", true)) model->set_trainable(false);
  return model;
}

}  // namespace fathom::models
