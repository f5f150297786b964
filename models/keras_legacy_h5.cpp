// SPDX-License-Identifier: Apache-2.0
// The legacy Keras 2 weights layout (keras-formats.md §1): read by position or by name, write.
#include <map>
#include <set>

#include "core/log.h"
#include "io/hdf5/h5_file.h"
#include "layers/layer.h"
#include "models/keras_compat.h"
#include "models/keras_formats.h"
#include "models/model.h"

namespace fathom::models::keras_detail {
namespace {

std::string join_path(const std::string& group, const std::string& name) {
  return group == "/" || group.empty() ? "/" + name : group + "/" + name;
}

struct FileLayer {
  std::string name;
  std::vector<std::string> weight_paths;
};

std::vector<FileLayer> read_file_layers(const io::H5Reader& file, const std::string& group) {
  std::vector<FileLayer> out;
  for (const std::string& name : read_name_list(file, group, "layer_names")) {
    const std::string layer_group = join_path(group, name);
    FATHOM_CHECK(file.is_group(layer_group), IoError, file.label(), ": layer_names lists '", name,
                 "' but there is no group ", layer_group);
    FileLayer layer{name, {}};
    for (const std::string& w : read_name_list(file, layer_group, "weight_names")) {
      layer.weight_paths.push_back(layer_group + "/" + w);
    }
    out.push_back(std::move(layer));
  }
  return out;
}

std::string names_of(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

/// Stages one layer's weights; false (nothing staged) on a mismatch when `skip` is set.
bool stage_layer(const io::H5Reader& file, const FileLayer& from, layers::Layer& to, StagedWeights& staged, bool skip) {
  const std::vector<Variable> vars = legacy_weight_order(to);
  const std::string where = file.label() + ": layer '" + to.name() + "' (" + to.class_name() + ")";
  if (vars.size() != from.weight_paths.size()) {
    if (skip) {
      log::warn(where + ": skipped: the file's layer '" + from.name + "' has " + std::to_string(from.weight_paths.size()) +
                " weights, the model's " + std::to_string(vars.size()));
      return false;
    }
    throw ValueError(where + " has " + std::to_string(vars.size()) + " weights but the file's layer '" + from.name +
                     "' has " + std::to_string(from.weight_paths.size()) + " (" + names_of(from.weight_paths) + ")");
  }
  std::vector<Tensor> values;
  for (std::size_t i = 0; i < vars.size(); ++i) {
    values.push_back(file.read_dataset(from.weight_paths[i]));
    if (values.back().shape() != vars[i].shape() && skip) {
      log::warn(where + ": skipped: " + from.weight_paths[i] + " has shape " + shape_to_string(values.back().shape()) +
                ", the model's '" + vars[i].name() + "' " + shape_to_string(vars[i].shape()));
      return false;
    }
  }
  for (std::size_t i = 0; i < vars.size(); ++i) staged.add(vars[i], values[i], where + ", " + from.weight_paths[i]);
  return true;
}

}  // namespace

std::vector<std::string> read_name_list(const io::H5Reader& file, const std::string& object, const std::string& name) {
  if (file.has_attribute(object, name)) return file.string_list_attribute(object, name);
  std::vector<std::string> out;
  for (int chunk = 0; file.has_attribute(object, name + std::to_string(chunk)); ++chunk) {
    for (auto& s : file.string_list_attribute(object, name + std::to_string(chunk))) out.push_back(std::move(s));
  }
  FATHOM_CHECK(!out.empty() || file.has_attribute(object, name + "0"), IoError, file.label(), ": ", object,
               " has no attribute '", name, "' (is this a Keras weights file?)");
  return out;
}

void load_legacy_weights(const io::H5Reader& file, const std::string& group, Model& model,
                         const LoadWeightsOptions& options) {
  if (file.has_attribute(group, "backend")) {
    const std::string backend = file.string_attribute(group, "backend");
    FATHOM_CHECK(backend != "theano", IoError, file.label(), ": the weights were saved with the Theano backend, whose "
                 "convolution kernels are flipped; Fathom reads TensorFlow-backend files only");
  }
  const std::vector<FileLayer> file_layers = read_file_layers(file, group);
  std::vector<layers::Layer*> model_layers;
  for (layers::Layer* l : keras_layers(model)) {
    if (!l->weights().empty()) model_layers.push_back(l);
  }
  StagedWeights staged;
  if (options.by_name) {
    std::map<std::string, const FileLayer*> by_name;
    for (const FileLayer& f : file_layers) by_name[f.name] = &f;
    for (layers::Layer* l : model_layers) {
      const auto it = by_name.find(l->name());
      if (it != by_name.end()) stage_layer(file, *it->second, *l, staged, options.skip_mismatch);
    }
  } else {
    std::vector<const FileLayer*> weighted;
    for (const FileLayer& f : file_layers) {
      if (!f.weight_paths.empty()) weighted.push_back(&f);
    }
    if (weighted.size() != model_layers.size()) {
      std::vector<std::string> file_names, model_names;
      for (const FileLayer* f : weighted) file_names.push_back(f->name);
      for (const layers::Layer* l : model_layers) model_names.push_back(l->name());
      throw ValueError(file.label() + ": the file has " + std::to_string(weighted.size()) + " layers with weights (" +
                       names_of(file_names) + ") but the model has " + std::to_string(model_layers.size()) + " (" +
                       names_of(model_names) + "); load by_name to match layers by their names");
    }
    for (std::size_t i = 0; i < weighted.size(); ++i) stage_layer(file, *weighted[i], *model_layers[i], staged, false);
  }
  staged.commit();
}

void write_legacy_weights(io::H5Writer& file, const std::string& group, const Model& model) {
  if (group != "/") file.create_group(group);
  std::vector<std::string> names;
  for (const layers::Layer* l : keras_layers(model)) names.push_back(l->name());
  file.set_string_list_attribute(group, "layer_names", names);
  file.set_string_attribute(group, "backend", "tensorflow");
  file.set_string_attribute(group, "keras_version", kLegacyKerasVersion);
  for (const layers::Layer* l : keras_layers(model)) {
    const std::string layer_group = join_path(group, l->name());
    file.create_group(layer_group);
    std::vector<std::string> weight_names;
    std::set<std::string> used;
    for (const Variable& v : legacy_weight_order(*l)) {
      std::string name = v.name() + ":0";  // Keras 2 variable names
      for (int k = 1; !used.insert(name).second; ++k) name = v.name() + "_" + std::to_string(k) + ":0";
      weight_names.push_back(name);
      file.write_dataset(layer_group + "/" + name, v.value());
    }
    file.set_string_list_attribute(layer_group, "weight_names", weight_names);
  }
}

}  // namespace fathom::models::keras_detail
