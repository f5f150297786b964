// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <vector>

#include "core/config.h"
#include "models/model.h"

namespace fathom::configs {

/// Makes the model a config's `model` section describes, and builds it for inputs of
/// `input_shapes` (batch dimension first; empty: only from shapes the config declares).
/// Accepted forms:
///   {class_name: Sequential, config: {name, input_shape (optional), layers: [...]}}
///   {class_name: Functional, config: {name, inputs: {a: [4], ...} or [{name, shape}], layers:
///     [{class_name, config, inputs: a | [a, b]} | {reuse: layer, inputs: b, name: out}], outputs: [...]}}
///   Keras's own Sequential/Functional configs (inbound_nodes), and {keras_json: path} for a file
///   written by Keras's model.to_json().
/// Every error is a ConfigError (or ShapeError) that starts with the file:line:column of the
/// offending value and names the layer.
std::unique_ptr<models::Model> make_model(const Config& spec, const std::vector<Shape>& input_shapes = {});

}  // namespace fathom::configs
