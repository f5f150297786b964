// SPDX-License-Identifier: Apache-2.0
// Keras 3's .weights.h5 layout (keras-formats.md §3): the object graph, walked as Keras 3's
// saving_lib does — /layers/<key>/vars/<i>, RNN weights under cell/, Bidirectional under
// forward_layer/ and backward_layer/, TimeDistributed's under layer/, MultiHeadAttention's under
// query_dense/, key_dense/, value_dense/ and output_dense/, a nested model's layers under layers/.
#include <map>
#include <regex>

#include "io/hdf5/h5_file.h"
#include "layers/layer.h"
#include "models/keras_compat.h"
#include "models/keras_formats.h"
#include "models/model.h"

namespace fathom::models {

std::string keras_snake_case(const std::string& class_name) {
  std::string s = std::regex_replace(class_name, std::regex("\\W+"), "");
  s = std::regex_replace(s, std::regex("(.)([A-Z][a-z]+)"), "$1_$2");
  s = std::regex_replace(s, std::regex("([a-z])([A-Z])"), "$1_$2");
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

namespace keras_detail {
namespace {

bool is_rnn(const std::string& class_name) {
  return class_name == "LSTM" || class_name == "GRU" || class_name == "SimpleRNN";
}

/// Where each of a layer's variables lives: (vars group, variables in it, the name attribute).
struct VarGroup {
  std::string path;
  std::vector<Variable> vars;
  std::string name;
};

/// Keras 3 keys of a container's layers: snake_case(class name) with a counter per key.
std::vector<std::string> container_keys(const std::vector<layers::Layer*>& children) {
  std::map<std::string, int> seen;
  std::vector<std::string> keys;
  for (const layers::Layer* l : children) {
    const std::string base = keras_snake_case(l->class_name());
    const int n = seen[base]++;
    keys.push_back(n == 0 ? base : base + "_" + std::to_string(n));
  }
  return keys;
}

void collect(const layers::Layer& layer, const std::string& path, std::vector<VarGroup>& out) {
  const std::string cls = layer.class_name();
  if (const auto* model = dynamic_cast<const Model*>(&layer)) {
    out.push_back({path + "/vars", {}, layer.name()});
    const std::vector<layers::Layer*> children = keras_layers(*model);
    const std::vector<std::string> keys = container_keys(children);
    for (std::size_t i = 0; i < children.size(); ++i) collect(*children[i], path + "/layers/" + keys[i], out);
    return;
  }
  const std::vector<Variable> weights = layer.weights();
  if (is_rnn(cls)) {
    out.push_back({path + "/vars", {}, layer.name()});
    out.push_back({path + "/cell/vars", weights, keras_snake_case(cls) + "_cell"});
    return;
  }
  if (cls == "Bidirectional") {
    // Forward weights then backward ones, the same count each (Keras's Bidirectional).
    const std::size_t half = weights.size() / 2;
    out.push_back({path + "/vars", {}, layer.name()});
    for (int side = 0; side < 2; ++side) {
      const std::string sub = path + (side == 0 ? "/forward_layer" : "/backward_layer");
      std::vector<Variable> part(weights.begin() + static_cast<std::ptrdiff_t>(side * half),
                                 weights.begin() + static_cast<std::ptrdiff_t>((side + 1) * half));
      out.push_back({sub + "/vars", {}, ""});
      out.push_back({sub + "/cell/vars", part, ""});
    }
    return;
  }
  if (cls == "TimeDistributed") {  // the wrapped layer's variables under layer/ (Keras 3)
    out.push_back({path + "/vars", {}, layer.name()});
    out.push_back({path + "/layer/vars", weights, ""});
    return;
  }
  if (cls == "MultiHeadAttention") {
    // Four EinsumDense sub-layers, each kernel (+ bias): query, key, value, attention output.
    const std::size_t each = weights.size() / 4;
    out.push_back({path + "/vars", {}, layer.name()});
    const char* parts[] = {"/query_dense", "/key_dense", "/value_dense", "/output_dense"};
    for (std::size_t i = 0; i < 4; ++i) {
      out.push_back({path + parts[i] + "/vars",
                     std::vector<Variable>(weights.begin() + static_cast<std::ptrdiff_t>(i * each),
                                           weights.begin() + static_cast<std::ptrdiff_t>((i + 1) * each)),
                     ""});
    }
    return;
  }
  out.push_back({path + "/vars", weights, layer.name()});
}

std::vector<VarGroup> layout_of(const Model& model) {
  std::vector<VarGroup> out;
  out.push_back({"/vars", {}, model.name()});
  const std::vector<layers::Layer*> children = keras_layers(model);
  const std::vector<std::string> keys = container_keys(children);
  for (std::size_t i = 0; i < children.size(); ++i) collect(*children[i], "/layers/" + keys[i], out);
  return out;
}

}  // namespace

void load_v3_weights(const io::H5Reader& file, Model& model) {
  StagedWeights staged;
  for (const VarGroup& g : layout_of(model)) {
    if (g.vars.empty()) continue;  // groups without variables may be absent (Keras < 3.6)
    FATHOM_CHECK(file.is_group(g.path), IoError, file.label(), ": the model's layer needs the group ", g.path,
                 " (", g.vars.size(), " variables, the first '", g.vars.front().name(), "'), which the file lacks");
    const std::size_t in_file = file.children(g.path).size();
    FATHOM_CHECK(in_file == g.vars.size(), ValueError, file.label(), ": ", g.path, " holds ", in_file,
                 " variables but the model's layer has ", g.vars.size(), " (the first '", g.vars.front().name(), "')");
    for (std::size_t i = 0; i < g.vars.size(); ++i) {
      const std::string path = g.path + "/" + std::to_string(i);
      staged.add(g.vars[i], file.read_dataset(path), file.label() + ": " + path);
    }
  }
  staged.commit();
}

void write_v3_weights(io::H5Writer& file, const Model& model) {
  for (const VarGroup& g : layout_of(model)) {
    file.create_group(g.path);
    if (!g.name.empty()) file.set_string_attribute(g.path, "name", g.name);
    for (std::size_t i = 0; i < g.vars.size(); ++i) file.write_dataset(g.path + "/" + std::to_string(i), g.vars[i].value());
  }
}

}  // namespace keras_detail
}  // namespace fathom::models
