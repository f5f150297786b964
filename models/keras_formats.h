// SPDX-License-Identifier: Apache-2.0
// Internal to models/keras_*.cpp: the two HDF5 weight layouts Keras writes.
#pragma once
#include <string>
#include <vector>

#include "models/keras_saving.h"

namespace fathom::io {
class H5Reader;
class H5Writer;
}  // namespace fathom::io

namespace fathom::models::keras_detail {

/// Keras 2 save_weights layout rooted at `group` ("/" or "/model_weights"): @layer_names (also
/// chunked as layer_names0..N), per layer @weight_names and the datasets they name. By position
/// over the layers with weights, or by name. Everything is checked before anything is assigned.
void load_legacy_weights(const io::H5Reader& file, const std::string& group, Model& model,
                         const LoadWeightsOptions& options);
/// Writes that layout under `group` (backend "tensorflow", keras_version kLegacyKerasVersion).
void write_legacy_weights(io::H5Writer& file, const std::string& group, const Model& model);
/// The keras_version written to legacy files: a tf.keras 2 version, so that Keras 2 semantics
/// (hard_sigmoid = 0.2x + 0.5) are what readers apply.
inline constexpr const char* kLegacyKerasVersion = "2.15.0";

/// Keras 3's layout: /layers/<snake_case key>/vars/<i>, RNN weights under cell/vars,
/// Bidirectional under forward_layer/ and backward_layer/, nested models under layers/.
void load_v3_weights(const io::H5Reader& file, Model& model);
void write_v3_weights(io::H5Writer& file, const Model& model);

/// Reads a list-of-names attribute, also when Keras split it into name0, name1, ... (> 64 KB).
std::vector<std::string> read_name_list(const io::H5Reader& file, const std::string& object, const std::string& name);

}  // namespace fathom::models::keras_detail
