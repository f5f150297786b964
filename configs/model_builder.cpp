// SPDX-License-Identifier: Apache-2.0
#include "configs/model_builder.h"

#include <filesystem>

#include "io/zip_archive.h"
#include "models/keras_saving.h"

#include <algorithm>
#include <map>

#include "configs/error_location.h"
#include "configs/yaml_config.h"
#include "layers/registry.h"
#include "models/functional.h"
#include "models/sequential.h"

namespace fathom::configs {
namespace {

/// Locates a layer entry's error (configs/error_location.h).
void locate(Error& e, const Config& entry, const std::string& what) { locate_error(e, entry, what); }

/// Models compute in float32; a dtype key may say so, nothing else.
void check_model_dtype(const Config& c, const char* owner) {
  if (!c.has("dtype") || c.at("dtype").is_null()) return;
  const Config& d = c.at("dtype");
  const std::string name = d.is_string() ? d.as_string()
                           : d.is_map() && d.has("config") ? d.at("config").get_or<std::string>("name", "") : "";
  FATHOM_CHECK(name == "float32", ConfigError, d.where(), owner, ": dtype must be float32 (Fathom's layers compute in "
               "float32), received ", d.to_json());
}

std::shared_ptr<layers::Layer> make_layer_at(const Config& entry, std::size_t index) {
  try {
    return layers::layer_from_config(entry);
  } catch (Error& e) {
    locate(e, entry, "model layer " + std::to_string(index));
    throw;
  }
}

std::unique_ptr<models::Model> sequential_from(const Config& spec) {
  const Config& c = spec.at("config");
  c.reject_unknown_keys({"name", "layers", "input_shape", "batch_input_shape", "build_input_shape", "trainable", "dtype"},
                        "Sequential");
  check_model_dtype(c, "Sequential");
  auto model = std::make_unique<models::Sequential>(c.get_or<std::string>("name", ""));
  if (!c.has("layers") || !c.at("layers").is_list()) throw ConfigError(c.where() + "Sequential: needs a list of layers");
  const auto& entries = c.at("layers").items();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    auto layer = make_layer_at(entries[i], i);
    if (i == 0 && !layer->declared_input_shape()) {
      // input_shape may sit on the model in a hand-written config (without the batch dimension).
      if (c.has("input_shape")) {
        Shape s = c.get<Shape>("input_shape");
        s.insert(s.begin(), -1);
        layer->set_declared_input_shape(s);
      } else if (c.has("batch_input_shape")) {
        layer->set_declared_input_shape(c.get<Shape>("batch_input_shape"));
      }
    }
    try {
      model->add(layer);
    } catch (Error& e) {
      locate(e, entries[i], "model layer " + std::to_string(i) + " (" + layer->class_name() + " '" + layer->name() + "')");
      throw;
    }
  }
  if (!model->built() && c.has("build_input_shape") && !c.at("build_input_shape").is_null()) {
    model->build_from_shapes({c.get<Shape>("build_input_shape")});
  }
  if (!c.get_or("trainable", true)) model->set_trainable(false);
  return model;
}

std::vector<std::string> names_of(const Config& v) {
  if (v.is_string()) return {v.as_string()};
  if (!v.is_list()) throw ConfigError(v.where() + "expected a name or a list of names");
  std::vector<std::string> out;
  for (const Config& n : v.items()) out.push_back(n.as_string());
  return out;
}

/// The hand-written functional form: named inputs, layers naming their inputs, outputs.
std::unique_ptr<models::Model> functional_from(const Config& c) {
  c.reject_unknown_keys({"name", "inputs", "layers", "outputs", "trainable", "dtype"}, "Functional");
  check_model_dtype(c, "Functional");
  std::map<std::string, models::SymbolicTensor> tensors;
  std::vector<std::string> known;
  std::vector<models::SymbolicTensor> inputs, outputs;
  auto add_input = [&](const std::string& name, const Config& shape) {
    inputs.push_back(models::Input(shape.as_shape(), name));
    tensors[name] = inputs.back();
    known.push_back(name);
  };
  const Config& ins = c.at("inputs");
  if (ins.is_map()) {
    for (const auto& [name, shape] : ins.entries()) add_input(name, shape);
  } else {
    for (const Config& in : ins.items()) {
      in.reject_unknown_keys({"name", "shape"}, "Functional input");
      add_input(in.get<std::string>("name"), in.at("shape"));
    }
  }
  std::map<std::string, std::shared_ptr<layers::Layer>> by_name;
  auto lookup = [&](const Config& ref) {
    std::vector<models::SymbolicTensor> list;
    for (const std::string& n : names_of(ref)) {
      auto it = tensors.find(n);
      if (it == tensors.end()) {
        throw ConfigError(ref.where() + "unknown input '" + n + "'; it must be a model input or an earlier layer." +
                          did_you_mean(n, known));
      }
      list.push_back(it->second);
    }
    return list;
  };
  const auto& entries = c.at("layers").items();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const Config& e = entries[i];
    std::shared_ptr<layers::Layer> layer;
    std::string output_name;
    if (e.has("reuse")) {
      e.reject_unknown_keys({"reuse", "inputs", "name"}, "Functional layer");
      const std::string target = e.get<std::string>("reuse");
      auto it = by_name.find(target);
      if (it == by_name.end()) {
        std::vector<std::string> layer_names;
        for (const auto& [k, v] : by_name) layer_names.push_back(k);
        throw ConfigError(e.at("reuse").where() + "reuse: no earlier layer named '" + target + "'." +
                          did_you_mean(target, layer_names));
      }
      layer = it->second;
      output_name = e.get_or<std::string>("name", target + "_" + std::to_string(i));
    } else {
      Config spec = e;
      if (!e.has("inputs")) throw ConfigError(e.where() + "model layer " + std::to_string(i) + ": missing 'inputs'");
      spec.erase("inputs");
      spec.erase("name");
      layer = make_layer_at(spec, i);
      output_name = e.get_or<std::string>("name", layer->name());
      by_name[layer->name()] = layer;
    }
    if (!e.has("inputs")) throw ConfigError(e.where() + "model layer " + std::to_string(i) + ": missing 'inputs'");
    if (tensors.count(output_name)) {
      throw ConfigError(e.where() + "model layer " + std::to_string(i) + ": the output name '" + output_name +
                        "' is already used by an input or an earlier layer; give it another `name`");
    }
    try {
      tensors[output_name] = models::call_layer(layer, lookup(e.at("inputs")));
    } catch (Error& err) {
      locate(err, e, "model layer " + std::to_string(i) + " (" + layer->class_name() + " '" + layer->name() + "')");
      throw;
    }
    known.push_back(output_name);
  }
  for (const models::SymbolicTensor& t : lookup(c.at("outputs"))) outputs.push_back(t);
  auto model = std::make_unique<models::Functional>(inputs, outputs, c.get_or<std::string>("name", ""));
  if (!c.get_or("trainable", true)) model->set_trainable(false);
  return model;
}

std::unique_ptr<models::Model> as_model(std::unique_ptr<layers::Layer> layer, const Config& spec) {
  auto* model = dynamic_cast<models::Model*>(layer.get());
  if (!model) throw ConfigError(spec.where() + "model: '" + layer->class_name() + "' is a layer, not a model");
  layer.release();
  return std::unique_ptr<models::Model>(model);
}

/// `model: {keras_file: PATH, weights: W}`: a Keras JSON architecture (model.to_json()), a legacy
/// full-model .h5 or a .keras zip (these two with their weights: a pretrained model), told by the
/// file's bytes; `weights` (optional) then loads any weights file Fathom reads into it.
/// `keras_json: PATH` is the older spelling of keras_file.
std::unique_ptr<models::Model> keras_file_model(const Config& spec, const std::vector<Shape>& input_shapes) {
  spec.reject_unknown_keys({"keras_file", "keras_json", "weights"}, "model");
  FATHOM_CHECK(!(spec.has("keras_file") && spec.has("keras_json")), ConfigError, spec.where_of("keras_json"),
               "model: give keras_file or keras_json (its older name), not both");
  const std::string key = spec.has("keras_file") ? "keras_file" : "keras_json";
  const Config& path = spec.at(key);
  FATHOM_CHECK(path.is_string(), ConfigError, spec.where_of(key), "model.", key, ": expected a file path, received ",
               path.to_json());
  FATHOM_CHECK(std::filesystem::is_regular_file(path.as_string()), ConfigError, spec.where_of(key), "model.", key,
               ": no such file '", path.as_string(), "'");
  std::unique_ptr<models::Model> model;
  try {
    if (io::sniff_file_kind(path.as_string()) == io::FileKind::kJson) {
      Config keras = load_yaml_file(path.as_string());  // JSON is YAML: errors keep their file:line:column
      std::string version;
      if (keras.is_map() && keras.has("keras_version")) version = keras.get<std::string>("keras_version");
      keras.erase("keras_version");
      keras.erase("backend");
      model = models::model_from_keras_config(keras, version, path.as_string());
    } else {
      model = models::load_model_file(path.as_string());
    }
    if (spec.has("weights")) {
      const Config& weights = spec.at("weights");
      FATHOM_CHECK(weights.is_string() && std::filesystem::is_regular_file(weights.as_string()), ConfigError,
                   spec.where_of("weights"), "model.weights: no such file ", weights.to_json());
      models::load_weights_file(*model, weights.as_string());
    }
  } catch (Error& e) {
    e.add_context(path.where() + "model." + key);
    throw;
  }
  if (!input_shapes.empty()) {
    const std::vector<Shape>& expected = model->built_input_shapes();
    bool ok = expected.size() == input_shapes.size();
    for (std::size_t i = 0; ok && i < expected.size(); ++i) {
      ok = expected[i].size() == input_shapes[i].size();
      for (std::size_t d = 1; ok && d < expected[i].size(); ++d) ok = expected[i][d] < 0 || expected[i][d] == input_shapes[i][d];
    }
    FATHOM_CHECK(ok, ConfigError, path.where(), "model.", key, ": the model's input shape ",
                 expected.empty() ? std::string("?") : shape_to_string(expected[0]), " does not fit the data's ",
                 shape_to_string(input_shapes[0]));
  }
  return model;
}

}  // namespace

std::unique_ptr<models::Model> make_model(const Config& spec_in, const std::vector<Shape>& input_shapes) {
  models::register_model_classes();
  Config spec = spec_in;
  if (spec.has("keras_file") || spec.has("keras_json")) return keras_file_model(spec, input_shapes);
  spec.reject_unknown_keys({"class_name", "config", "module", "registered_name", "build_config"}, "model");
  const std::string cls = spec.get<std::string>("class_name");
  std::unique_ptr<models::Model> model;
  if (cls == "Sequential") {
    model = sequential_from(spec);
  } else if ((cls == "Functional" || cls == "Model") && spec.at("config").has("inputs")) {
    model = functional_from(spec.at("config"));
  } else if (cls == "Functional" || cls == "Model") {
    model = as_model(layers::make_layer(cls, spec.at("config")), spec);
  } else {
    throw ConfigError(spec.at("class_name").where() + "model: class_name must be Sequential or Functional, received '" +
                      cls + "'." + did_you_mean(cls, {"Sequential", "Functional"}));
  }
  if (!model->built() && !input_shapes.empty()) {
    try {
      model->build_from_shapes(input_shapes);
    } catch (Error& e) {
      e.add_context(spec.where() + "model: building it for the data's input shape " + shape_to_string(input_shapes[0]));
      throw;
    }
  }
  return model;
}

}  // namespace fathom::configs
