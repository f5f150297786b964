// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <vector>

#include "models/model.h"

namespace fathom::models {

/// A linear stack of layers (Keras's Sequential). The input shape comes from an InputLayer
/// added first, from `input_shape` on the first layer, from build(), or from the first call.
/// Config: name, layers (a list of {class_name, config}), build_input_shape.
class Sequential final : public Model {
 public:
  explicit Sequential(std::string name = "");
  Sequential(std::vector<std::shared_ptr<layers::Layer>> layers, std::string name = "");
  static std::unique_ptr<layers::Layer> from_config(const Config& config);
  std::string class_name() const override { return "Sequential"; }

  /// Appends a layer; when the input shape is known, builds it now so that a shape mismatch
  /// names the layer being added.
  void add(std::shared_ptr<layers::Layer> layer);
  /// Removes the last layer (ValueError when empty).
  void pop();

  void build(const Shape& input_shape) override;
  TensorList call_model(const TensorList& inputs, bool training) override;
  /// Nested in another model, a Sequential takes its input's mask (an Embedding's before it) to
  /// its layers and gives the last layer's mask on, as Keras's Sequential does.
  Tensor call_masked(const Tensor& x, const Tensor& mask, bool training) override;
  Tensor compute_mask(const Tensor& x, const Tensor& mask) const override;
  /// As a node of a functional model: one input, called with its mask.
  TensorList call_node(const TensorList& inputs, const Tensor& mask, const layers::NodeArgs& call, bool training,
                       Tensor* out_mask) override;
  Shape compute_output_shape(const Shape& input_shape) const override;
  std::vector<layers::Layer*> layers() const override;
  std::vector<std::vector<Shape>> layer_output_shapes() const override;
  Config get_config() const override;

 private:
  std::vector<std::shared_ptr<layers::Layer>> layers_;
  std::vector<Shape> output_shapes_;  // per layer, once built
  Tensor last_output_mask_;            // the mask of the last call_masked's output

  /// Runs the layers on x, carrying the mask from layer to layer; the output's mask in *out_mask.
  Tensor run_layers(const Tensor& x, Tensor mask, bool training, Tensor* out_mask);
};

/// Adds Sequential (and the functional Model) to the layer registry, so that configs and Keras
/// files can nest models. Called by the models' own entry points; harmless to call again.
void register_model_classes();

}  // namespace fathom::models
