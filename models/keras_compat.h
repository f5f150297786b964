// SPDX-License-Identifier: Apache-2.0
// Internal to the Keras file readers (models/keras_*.cpp): version semantics and the weight
// order Keras files use. Not part of the public API.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "core/config.h"
#include "core/tensor.h"
#include "core/variable.h"

namespace fathom::layers {
class Layer;
}

namespace fathom::models {
class Model;
}

namespace fathom::models::keras_detail {

/// A file's keras_version ("2.1.3", "2.2.4-tf", "3.8.0").
struct KerasVersion {
  int major = 3, minor = 0, patch = 0;
  std::string text;
};
/// Parses `text`; an empty text or a Keras 1 version is an IoError naming `source` (Fathom reads
/// Keras >= 2.0 files).
KerasVersion parse_keras_version(const std::string& text, const std::string& source);

/// True for Keras 3's serialized tensor reference {"class_name": "__keras_tensor__", ...}.
bool is_keras_tensor(const Config& value);

/// A Keras model config ({class_name, config}) made loadable by Fathom's registry for files of
/// `version`: Keras 2.0-2.1's bare-list Sequential becomes the dict form, top-level
/// build_config/compile_config are dropped, Keras 2's "hard_sigmoid" (0.2x+0.5) becomes
/// "hard_sigmoid_keras2", and a Keras 2 GRU without reset_after gets reset_after=false.
Config normalize_model_config(Config spec, const KerasVersion& version);
/// The reverse for writing Keras 2 form configs (legacy .h5): "hard_sigmoid_keras2" becomes
/// "hard_sigmoid", InputLayer's batch_shape becomes batch_input_shape, Keras 3 serialization
/// extras (module, registered_name, build_config, DTypePolicy objects) are dropped and
/// Functional inbound_nodes are written in Keras 2's list form.
Config to_keras2_model_config(const Config& spec);

/// The model's top-level layers as Keras lists them in files: Sequential's without the
/// InputLayer, Functional's with them.
std::vector<layers::Layer*> keras_layers(const Model& model);
/// A layer's weights in the legacy .h5 order: trainable ones, then non-trainable ones.
std::vector<Variable> legacy_weight_order(const layers::Layer& layer);

/// Assignments checked up front and applied together, so that a failed load changes nothing.
class StagedWeights {
 public:
  /// Checks the shape (ShapeError naming `where`, the file's and the model's shapes) and converts
  /// the value to the variable's dtype.
  void add(const Variable& variable, const Tensor& value, const std::string& where);
  void commit();
  std::size_t size() const { return pending_.size(); }

 private:
  std::vector<std::pair<Variable, Tensor>> pending_;
};

}  // namespace fathom::models::keras_detail
