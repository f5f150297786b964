// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "models/model.h"

namespace fathom::models {

struct Node;

/// A tensor in a model being defined (Keras's KerasTensor): which layer call produced it and
/// its shape (batch dimension first, -1 when unknown). Made by Input() and call_layer().
class SymbolicTensor {
 public:
  SymbolicTensor() = default;
  SymbolicTensor(std::shared_ptr<Node> node, int index) : node_(std::move(node)), index_(index) {}
  const Shape& shape() const;
  const std::shared_ptr<Node>& node() const { return node_; }
  int index() const { return index_; }
  bool defined() const { return node_ != nullptr; }

 private:
  std::shared_ptr<Node> node_;
  int index_ = 0;
};

using layers::NodeArgs;
using layers::TensorKwarg;

/// One call of a layer in the graph: its inputs (positional ones first, then the tensors of the
/// keyword arguments, as `call` describes), and the shape of each output.
struct Node {
  std::shared_ptr<layers::Layer> layer;
  std::vector<SymbolicTensor> inputs;  // empty for an InputLayer
  NodeArgs call;                       // positional count, keyword tensors, other keywords
  Shape output_shape;                  // the first output's
  std::vector<Shape> output_shapes;
  int node_index = 0;  // how many times the layer was called before this call (Keras's node index)
};

/// The keyword arguments of a call: tensors (become inputs after the positional ones) and values.
struct CallKwargs {
  std::vector<std::pair<TensorKwarg, std::vector<SymbolicTensor>>> tensors;
  Config values = Config::map();
};

/// Keras's keras.Input: a symbolic input of shape `shape` (without the batch dimension).
SymbolicTensor Input(const Shape& shape, std::string name = "", std::int64_t batch_size = -1);
/// Calls `layer` on symbolic inputs: builds the layer from their shapes (errors name the layer
/// and the shapes) and records the call. The same layer object may be applied several times
/// (shared layers); a Model may be applied like a layer (nested models).
SymbolicTensor call_layer(const std::shared_ptr<layers::Layer>& layer, const std::vector<SymbolicTensor>& inputs);
SymbolicTensor call_layer(const std::shared_ptr<layers::Layer>& layer, const SymbolicTensor& input);
/// The general call: every output (an LSTM with return_state gives [output, h, c]) and keyword
/// arguments (`{.tensors = {{{"initial_state", 2, true}, {h, c}}}}`, use_causal_mask in values).
/// call_layer is this for single-output calls without keywords (a ValueError otherwise).
std::vector<SymbolicTensor> call_layer_outputs(const std::shared_ptr<layers::Layer>& layer,
                                               const std::vector<SymbolicTensor>& args, const CallKwargs& kwargs = {});

/// A model defined by its inputs and outputs (Keras's functional Model): a DAG of layer calls
/// with any number of inputs and outputs. Config (Keras 3 form): name, trainable, layers (each
/// with inbound_nodes), input_layers, output_layers; Keras 2's list form of inbound_nodes is
/// read too.
class Functional final : public Model {
 public:
  Functional(std::vector<SymbolicTensor> inputs, std::vector<SymbolicTensor> outputs, std::string name = "");
  static std::unique_ptr<layers::Layer> from_config(const Config& config);
  std::string class_name() const override { return "Functional"; }

  TensorList call_model(const TensorList& inputs, bool training) override;
  void build_multi(const std::vector<Shape>& input_shapes) override;
  Shape compute_output_shape_multi(const std::vector<Shape>& input_shapes) const override;
  std::vector<layers::Layer*> layers() const override;
  std::vector<std::vector<Shape>> layer_output_shapes() const override;
  std::vector<std::string> output_names() const override;
  Config get_config() const override;

  const std::vector<SymbolicTensor>& inputs() const { return inputs_; }
  const std::vector<SymbolicTensor>& outputs() const { return outputs_; }

 private:
  std::vector<SymbolicTensor> inputs_, outputs_;
  std::vector<std::shared_ptr<Node>> order_;  // topological: every node after its inputs
  std::vector<std::shared_ptr<layers::Layer>> layers_;  // unique, in first-use order
};

}  // namespace fathom::models
