// SPDX-License-Identifier: Apache-2.0
// Keras files: telling the formats apart, full models (legacy .h5, .keras zip, JSON), and the
// entry points of models/keras_saving.h.
#include "models/keras_saving.h"

#include <chrono>
#include <ctime>
#include <fstream>
#include <sstream>

#include "core/json.h"
#include "io/hdf5/h5_file.h"
#include "io/zip_archive.h"
#include "layers/registry.h"
#include "models/checkpoint.h"
#include "models/keras_compat.h"
#include "models/keras_formats.h"
#include "models/model.h"
#include "models/sequential.h"

namespace fathom::models {

using keras_detail::KerasVersion;

namespace {

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  FATHOM_CHECK(in.good(), IoError, path, ": cannot open the file");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// The Keras version a legacy HDF5 file declares (root first, then its weights group).
KerasVersion file_version(const io::H5Reader& file, const std::string& weights_group) {
  for (const std::string& object : {std::string("/"), weights_group}) {
    if (file.is_group(object) && file.has_attribute(object, "keras_version")) {
      return keras_detail::parse_keras_version(file.string_attribute(object, "keras_version"), file.label());
    }
  }
  return keras_detail::parse_keras_version("", file.label());
}

std::unique_ptr<Model> load_legacy_model(const io::H5Reader& file) {
  FATHOM_CHECK(file.has_attribute("/", "model_config"), IoError, file.label(),
               ": this HDF5 file holds weights only (save_weights) and no model_config; build the model (for example "
               "from its Keras JSON) and load the weights into it");
  const KerasVersion version = file_version(file, "/model_weights");
  if (file.has_attribute("/", "backend")) {
    FATHOM_CHECK(file.string_attribute("/", "backend") != "theano", IoError, file.label(),
                 ": the model was saved with the Theano backend; Fathom reads TensorFlow-backend files only");
  }
  const Config spec = parse_json(file.string_attribute("/", "model_config"), file.label() + " @model_config");
  std::unique_ptr<Model> model = model_from_keras_config(spec, version.text, file.label() + " @model_config");
  FATHOM_CHECK(file.is_group("/model_weights"), IoError, file.label(), ": the file has a model_config but no /model_weights group");
  keras_detail::load_legacy_weights(file, "/model_weights", *model, {});
  return model;
}

std::unique_ptr<Model> load_keras_zip(const std::string& path) {
  const io::ZipArchive zip = io::ZipArchive::open(path);
  std::string version = "3.0.0";
  if (zip.contains("metadata.json")) {
    const Config meta = parse_json(zip.read_text("metadata.json"), path + "!metadata.json");
    if (meta.is_map() && meta.has("keras_version")) version = meta.get<std::string>("keras_version");
  }
  const Config spec = parse_json(zip.read_text("config.json"), path + "!config.json");
  std::unique_ptr<Model> model = model_from_keras_config(spec, version, path + "!config.json");
  const io::H5Reader weights = io::H5Reader::open_image(zip.read("model.weights.h5"), path + "!model.weights.h5");
  keras_detail::load_v3_weights(weights, *model);
  return model;
}

void load_weights_h5(Model& model, const io::H5Reader& file, const LoadWeightsOptions& options) {
  const bool legacy_root = file.has_attribute("/", "layer_names") || file.has_attribute("/", "layer_names0");
  if (legacy_root || file.is_group("/model_weights")) {
    const std::string group = legacy_root ? "/" : "/model_weights";
    file_version(file, group);  // Keras 1 files are refused
    keras_detail::load_legacy_weights(file, group, model, options);
    return;
  }
  FATHOM_CHECK(file.is_group("/layers") || file.is_group("/vars"), IoError, file.label(),
               ": not a Keras weights file (no layer_names attribute, no /model_weights and no /layers group)");
  FATHOM_CHECK(!options.by_name, ValueError, file.label(),
               ": by_name loading applies to legacy .h5 files only (as in Keras); this is a Keras 3 .weights.h5 file");
  keras_detail::load_v3_weights(file, model);
}

/// Refuses models that the target format cannot express exactly.
void check_activations_for(const Config& v, bool keras3_target, const std::string& path) {
  if (v.is_list()) {
    for (const Config& item : v.items()) check_activations_for(item, keras3_target, path);
    return;
  }
  if (!v.is_map()) return;
  for (const auto& [key, value] : v.entries()) {
    if (value.is_string() && key.ends_with("activation")) {
      const std::string& a = value.as_string();
      FATHOM_CHECK(!(keras3_target && a == "hard_sigmoid_keras2"), ValueError, path, ": '", key,
                   "' is Keras 2's hard_sigmoid (0.2x + 0.5), which a Keras 3 .keras file cannot express; save as .h5");
      FATHOM_CHECK(!(!keras3_target && a == "hard_sigmoid"), ValueError, path, ": '", key,
                   "' is Keras 3's hard_sigmoid (x/6 + 0.5), which Keras 2 readers of a legacy .h5 file would compute "
                   "as 0.2x + 0.5; save as .keras");
    }
    check_activations_for(value, keras3_target, path);
  }
}

std::string now_keras_date() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d@%H:%M:%S", &tm);
  return buf;
}

}  // namespace

std::unique_ptr<Model> model_from_keras_config(const Config& model_config, const std::string& keras_version,
                                               const std::string& source) {
  register_model_classes();
  const KerasVersion version = keras_detail::parse_keras_version(keras_version.empty() ? "3.0.0" : keras_version, source);
  const Config spec = keras_detail::normalize_model_config(model_config, version);
  std::unique_ptr<layers::Layer> layer;
  try {
    layer = layers::layer_from_config(spec);
  } catch (Error& e) {
    e.add_context(source);
    throw;
  }
  auto* model = dynamic_cast<Model*>(layer.get());
  FATHOM_CHECK(model != nullptr, ConfigError, source, ": the config describes a ", layer->class_name(),
               " layer, not a model (Sequential, Functional or Model)");
  layer.release();
  return std::unique_ptr<Model>(model);
}

std::unique_ptr<Model> model_from_keras_json_file(const std::string& path, const std::string& keras_version) {
  Config spec = parse_json(read_text_file(path), path);
  std::string version = keras_version;
  if (version.empty() && spec.is_map() && spec.has("keras_version")) version = spec.get<std::string>("keras_version");
  if (spec.is_map()) {
    spec.erase("keras_version");  // model.to_json() adds keras_version and backend beside class_name/config
    spec.erase("backend");
  }
  return model_from_keras_config(spec, version, path);
}

std::unique_ptr<Model> load_model_file(const std::string& path) {
  switch (io::sniff_file_kind(path)) {
    case io::FileKind::kHdf5:
      return load_legacy_model(io::H5Reader::open(path));
    case io::FileKind::kZip:
      return load_keras_zip(path);
    case io::FileKind::kJson:
      throw IoError(path + ": a JSON file holds an architecture without weights; build it with "
                    "model_from_keras_json_file (fathom: --weights W) and load the weights into it");
    case io::FileKind::kOther:
      break;
  }
  FATHOM_CHECK(is_fathom_checkpoint(path), IoError, path,
               ": not a model file Fathom knows (neither HDF5, a .keras zip nor a Fathom checkpoint)");
  return load_model(path);
}

void load_weights_file(Model& model, const std::string& path, const LoadWeightsOptions& options) {
  switch (io::sniff_file_kind(path)) {
    case io::FileKind::kHdf5:
      load_weights_h5(model, io::H5Reader::open(path), options);
      return;
    case io::FileKind::kZip: {
      const io::ZipArchive zip = io::ZipArchive::open(path);
      load_weights_h5(model, io::H5Reader::open_image(zip.read("model.weights.h5"), path + "!model.weights.h5"), options);
      return;
    }
    case io::FileKind::kJson:
      throw IoError(path + ": a JSON file holds an architecture, not weights");
    case io::FileKind::kOther:
      break;
  }
  FATHOM_CHECK(is_fathom_checkpoint(path), IoError, path,
               ": not a weights file Fathom knows (neither HDF5, a .keras zip nor a Fathom checkpoint)");
  load_weights(model, path);
}

void save_weights_file(const Model& model, const std::string& path) {
  io::H5Writer file(path);
  if (path.ends_with(".weights.h5")) {
    keras_detail::write_v3_weights(file, model);
  } else {
    keras_detail::write_legacy_weights(file, "/", model);
  }
  file.commit();
}

void save_model_file(const Model& model, const std::string& path) {
  const Config spec = layers::serialize_layer(model);
  if (path.ends_with(".keras")) {
    check_activations_for(spec, true, path);
    io::H5Writer weights(path + "!model.weights.h5");
    keras_detail::write_v3_weights(weights, model);
    Config meta = Config::map();
    meta.set("keras_version", "3.15.1").set("date_saved", now_keras_date());
    const std::string config_text = spec.to_json();
    const std::string meta_text = meta.to_json();
    io::write_zip(path, {{"metadata.json", std::vector<std::uint8_t>(meta_text.begin(), meta_text.end())},
                         {"config.json", std::vector<std::uint8_t>(config_text.begin(), config_text.end())},
                         {"model.weights.h5", weights.finish_image()}});
    return;
  }
  if (path.ends_with(".h5") || path.ends_with(".hdf5")) {
    check_activations_for(spec, false, path);
    io::H5Writer file(path);
    file.set_string_attribute("/", "keras_version", keras_detail::kLegacyKerasVersion);
    file.set_string_attribute("/", "backend", "tensorflow");
    file.set_string_attribute("/", "model_config", keras_detail::to_keras2_model_config(spec).to_json());
    keras_detail::write_legacy_weights(file, "/model_weights", model);
    file.commit();
    return;
  }
  if (path.ends_with(".fathom")) {
    save_checkpoint(path, model);
    return;
  }
  throw ValueError("save_model_file: '" + path + "': the name must end in .keras, .h5, .hdf5 or .fathom (the format "
                   "follows the extension when writing)");
}

}  // namespace fathom::models
