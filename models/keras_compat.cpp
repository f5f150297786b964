// SPDX-License-Identifier: Apache-2.0
#include "models/keras_compat.h"

#include <cstdio>
#include <functional>

#include "core/ops.h"
#include "layers/input_layer.h"
#include "layers/layer.h"
#include "models/model.h"
#include "models/sequential.h"

namespace fathom::models::keras_detail {

KerasVersion parse_keras_version(const std::string& text, const std::string& source) {
  FATHOM_CHECK(!text.empty(), IoError, source, ": the file has no keras_version attribute, so Keras 1 wrote it; Fathom "
               "reads files of Keras 2.0 and later (load and save it with Keras 2 to convert it)");
  KerasVersion v;
  v.text = text;
  v.major = v.minor = v.patch = 0;
  const int n = std::sscanf(text.c_str(), "%d.%d.%d", &v.major, &v.minor, &v.patch);
  FATHOM_CHECK(n >= 1, IoError, source, ": keras_version '", text, "' is not a version number");
  FATHOM_CHECK(v.major >= 2, IoError, source, ": the file was written by Keras ", text,
               "; Fathom reads files of Keras 2.0 and later (load and save it with Keras 2 to convert it)");
  return v;
}

namespace {

/// Applies `fix` to every layer spec of a model config, nested models and wrapped layers included.
void for_each_layer_spec(Config& spec, const std::function<void(Config&)>& fix) {
  if (!spec.is_map() || !spec.has("class_name")) return;
  fix(spec);
  if (!spec.has("config") || !spec.at("config").is_map()) return;
  Config config = spec.at("config");
  if (config.has("layers") && config.at("layers").is_list()) {
    Config list = Config::list();
    for (Config item : config.at("layers").items()) {
      for_each_layer_spec(item, fix);
      list.push_back(std::move(item));
    }
    config.set("layers", list);
  }
  for (const char* key : {"layer", "backward_layer"}) {  // Bidirectional, TimeDistributed
    if (config.has(key) && config.at(key).is_map()) {
      Config inner = config.at(key);
      for_each_layer_spec(inner, fix);
      config.set(key, inner);
    }
  }
  spec.set("config", config);
}

void rename_activation(Config& config, const std::string& from, const std::string& to) {
  for (const std::string& key : config.keys()) {
    const Config& v = config.at(key);
    if (key.ends_with("activation") && v.is_string() && v.as_string() == from) config.set(key, to);
  }
}

}  // namespace

bool is_keras_tensor(const Config& v) {
  return v.is_map() && v.has("class_name") && v.get<std::string>("class_name") == "__keras_tensor__";
}

Config normalize_model_config(Config spec, const KerasVersion& version) {
  FATHOM_CHECK(spec.is_map() && spec.has("class_name"), ConfigError, spec.where(),
               "a Keras model config must be a mapping with class_name and config");
  spec.erase("compile_config");
  spec.erase("build_config");
  for_each_layer_spec(spec, [&](Config& layer) {
    if (layer.get<std::string>("class_name") == "Sequential" && layer.has("config") && layer.at("config").is_list()) {
      Config dict = Config::map();  // Keras 2.0-2.1: the config is the bare list of layers
      dict.set("layers", layer.at("config"));
      layer.set("config", dict);
    }
    if (!layer.has("config") || !layer.at("config").is_map()) return;
    Config config = layer.at("config");
    if (version.major < 3) {
      rename_activation(config, "hard_sigmoid", "hard_sigmoid_keras2");
      if (layer.get<std::string>("class_name") == "GRU" && !config.has("reset_after")) config.set("reset_after", false);
    }
    layer.set("config", config);
  });
  return spec;
}

namespace {

bool holds_keras_tensor(const Config& v) {
  if (is_keras_tensor(v)) return true;
  if (v.is_list()) {
    for (const Config& item : v.items()) {
      if (holds_keras_tensor(item)) return true;
    }
  }
  return false;
}

/// Keras 3's {"args": [keras tensors], "kwargs": {}} node as Keras 2's [[name, node, tensor, {}], ...].
Config keras2_node(const Config& node) {
  if (!node.is_map()) return node;
  // A call with keyword tensors (initial_state=[h, c], key=k) keeps Keras 3's form: Keras 3
  // cannot read it from Keras 2's list, and tf.keras cannot read those layers' configs anyway.
  // So does a call with several positional tensors (attention's query, value): Keras 2's list
  // would reach the layer as one list argument.
  if (node.has("args") && node.at("args").is_list() && node.at("args").items().size() > 1) return node;
  if (node.has("kwargs") && node.at("kwargs").is_map()) {
    for (const auto& [key, value] : node.at("kwargs").entries()) {
      if (key != "mask" && holds_keras_tensor(value)) return node;
    }
  }
  // Keras 2 writes the call's other keyword arguments (use_causal_mask) in every reference.
  Config call_kwargs = Config::map();
  if (node.has("kwargs") && node.at("kwargs").is_map()) {
    for (const auto& [key, value] : node.at("kwargs").entries()) {
      if (key != "mask" && !holds_keras_tensor(value)) call_kwargs.set(key, value);
    }
  }
  Config out = Config::list();
  std::function<void(const Config&)> collect = [&](const Config& v) {
    if (v.is_list()) {
      for (const Config& item : v.items()) collect(item);
    } else if (is_keras_tensor(v)) {
      Config ref = Config::list();
      for (const Config& part : v.at("config").at("keras_history").items()) ref.push_back(part);
      ref.push_back(call_kwargs);
      out.push_back(ref);
    }
  };
  collect(node.has("args") ? node.at("args") : Config::list());
  return out;
}

Config strip_keras3(const Config& v) {
  if (v.is_list()) {
    Config out = Config::list();
    for (const Config& item : v.items()) out.push_back(strip_keras3(item));
    return out;
  }
  if (!v.is_map()) return v;
  if (v.has("class_name") && v.get<std::string>("class_name") == "DTypePolicy") return Config("float32");
  Config out = Config::map();
  for (const auto& [key, value] : v.entries()) {
    if (key == "module" || key == "registered_name" || key == "build_config" || key == "compile_config") continue;
    out.set(key, strip_keras3(value));
  }
  return out;
}

}  // namespace

Config to_keras2_model_config(const Config& model_spec) {
  Config spec = strip_keras3(model_spec);
  for_each_layer_spec(spec, [](Config& layer) {
    if (!layer.has("config") || !layer.at("config").is_map()) return;
    Config config = layer.at("config");
    rename_activation(config, "hard_sigmoid_keras2", "hard_sigmoid");
    // Keras 3 arguments tf.keras does not take ("Keyword argument not understood").
    const std::string cls = layer.get<std::string>("class_name");
    if (config.has("quantization_config") && config.at("quantization_config").is_null()) config.erase("quantization_config");
    if (cls == "LSTM" || cls == "GRU" || cls == "SimpleRNN") {
      config.erase("seed");
      config.erase("use_cudnn");
    }
    // A wrapped layer keeps its module: Keras 3's legacy loader cannot find "LSTM" without it,
    // and tf.keras ignores it (both checked on files this writes).
    for (const char* key : {"layer", "backward_layer"}) {
      if ((cls == "Bidirectional" || cls == "TimeDistributed") && config.has(key) && config.at(key).is_map()) {
        Config inner = config.at(key);
        inner.set("module", "keras.layers");
        config.set(key, inner);
      }
    }
    if (layer.get<std::string>("class_name") == "InputLayer" && config.has("batch_shape")) {
      Config renamed = Config::map();
      for (const auto& [key, value] : config.entries()) {
        if (key == "optional") continue;  // Keras 3 only
        renamed.set(key == "batch_shape" ? "batch_input_shape" : key, value);
      }
      config = renamed;
    }
    layer.set("config", config);
    if (layer.has("inbound_nodes") && layer.at("inbound_nodes").is_list()) {
      Config nodes = Config::list();
      for (const Config& node : layer.at("inbound_nodes").items()) nodes.push_back(keras2_node(node));
      layer.set("inbound_nodes", nodes);
    }
  });
  return spec;
}

std::vector<layers::Layer*> keras_layers(const Model& model) {
  std::vector<layers::Layer*> out;
  const bool sequential = dynamic_cast<const Sequential*>(&model) != nullptr;
  for (layers::Layer* layer : model.layers()) {
    if (sequential && dynamic_cast<layers::InputLayer*>(layer) != nullptr) continue;
    out.push_back(layer);
  }
  return out;
}

std::vector<Variable> legacy_weight_order(const layers::Layer& layer) {
  std::vector<Variable> out = layer.trainable_weights();
  for (const Variable& v : layer.non_trainable_weights()) out.push_back(v);
  return out;
}

void StagedWeights::add(const Variable& variable, const Tensor& value, const std::string& where) {
  FATHOM_CHECK(value.shape() == variable.shape(), ShapeError, where, ": the file's weight has shape ",
               shape_to_string(value.shape()), ", the model's '", variable.name(), "' has shape ",
               shape_to_string(variable.shape()));
  pending_.emplace_back(variable, value.dtype() == variable.dtype() ? value : ops::cast(value, variable.dtype()));
}

void StagedWeights::commit() {
  for (auto& [variable, value] : pending_) variable.assign(value);
  pending_.clear();
}

}  // namespace fathom::models::keras_detail
