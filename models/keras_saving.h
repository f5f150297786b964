// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <string>

#include "core/config.h"

namespace fathom::models {

class Model;

/// Reading and writing the files Keras writes (../shared/docs/keras-formats.md):
/// - legacy HDF5 (`model.save("m.h5")`: model_config + model_weights; `save_weights("w.h5")`),
///   from Keras 2.0 to Keras 3 and tf.keras 2.x;
/// - Keras 3's `.weights.h5` (layers/<key>/vars/<i>) and `.keras` zip (config.json,
///   metadata.json, model.weights.h5);
/// - a Keras JSON architecture (`model.to_json()`).
/// The format is told by the file's first bytes, never by its name. Keras-version semantics are
/// applied from the file's keras_version: Keras < 3 files get Keras 2's hard_sigmoid and, for GRU
/// configs without `reset_after` (Keras <= 2.1), reset_after=false. Keras 1 files, the Theano
/// backend and channels_first layers are rejected with an error naming the layer and the reason.

/// Loads a whole model: a legacy full-model .h5, a .keras zip, or a Fathom checkpoint (.fathom).
/// The model is not compiled. IoError / ConfigError / ShapeError naming the file and the part of
/// it that is wrong (the HDF5 path, the layer).
std::unique_ptr<Model> load_model_file(const std::string& path);

/// The architecture of a Keras JSON file (model.to_json(), or a {class_name, config} mapping),
/// freshly initialized. `keras_version` selects the version semantics (empty: the JSON's own
/// "keras_version" key if present, else Keras 3).
std::unique_ptr<Model> model_from_keras_json_file(const std::string& path, const std::string& keras_version = "");
/// The same from a parsed config ({class_name, config}); `source` names it in errors.
std::unique_ptr<Model> model_from_keras_config(const Config& model_config, const std::string& keras_version,
                                               const std::string& source);

struct LoadWeightsOptions {
  /// Match layers by name instead of by position (legacy .h5 only, as Keras).
  bool by_name = false;
  /// With by_name: skip layers whose weight count or shapes differ instead of failing.
  bool skip_mismatch = false;
};

/// Sets `model`'s weights from a legacy .h5 (weights-only or full model), a Keras 3 .weights.h5,
/// a .keras zip or a Fathom checkpoint. Everything is read and checked before the first weight
/// changes: on any error (a count or shape mismatch names the layer, the weight, the file's shape
/// and the model's) the model is left as it was.
void load_weights_file(Model& model, const std::string& path, const LoadWeightsOptions& options = {});

/// Writes the weights: a path ending in ".weights.h5" gets Keras 3's layout, any other the legacy
/// layout (Keras 2's save_weights). Atomic.
void save_weights_file(const Model& model, const std::string& path);

/// Writes the whole model: ".keras" -> a Keras 3 zip; ".h5" / ".hdf5" -> the legacy full-model
/// layout with a Keras 2 form model_config (tf.keras and Keras 3 read it); ".fathom" -> Fathom's
/// checkpoint. Anything else is a ValueError. Atomic.
void save_model_file(const Model& model, const std::string& path);

/// Keras 3's `to_snake_case` of a class name ("BatchNormalization" -> "batch_normalization",
/// "Conv2D" -> "conv2d"), the key of a layer's group in a .weights.h5 file.
std::string keras_snake_case(const std::string& class_name);

}  // namespace fathom::models
