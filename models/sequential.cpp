// SPDX-License-Identifier: Apache-2.0
#include "models/sequential.h"

#include "core/ops.h"

#include "layers/input_layer.h"
#include "layers/layer_config.h"
#include "layers/registry.h"
#include "models/functional.h"

namespace fathom::models {

void register_model_classes() {
  static const bool done = [] {
    layers::register_layer("Sequential", &Sequential::from_config);
    layers::register_layer("Functional", &Functional::from_config);
    layers::register_layer("Model", &Functional::from_config);  // Keras 2's class name
    return true;
  }();
  (void)done;
}

Sequential::Sequential(std::string name) : Model(std::move(name), "sequential") { register_model_classes(); }

Sequential::Sequential(std::vector<std::shared_ptr<layers::Layer>> layers, std::string name) : Sequential(std::move(name)) {
  for (auto& l : layers) add(std::move(l));
}

std::unique_ptr<layers::Layer> Sequential::from_config(const Config& c) {
  c.reject_unknown_keys({"name", "layers", "build_input_shape", "trainable", "dtype"}, "Sequential");
  auto model = std::make_unique<Sequential>(c.get_or<std::string>("name", ""));
  const Config& list = c.at("layers");
  for (std::size_t i = 0; i < list.items().size(); ++i) {
    try {
      model->add(std::shared_ptr<layers::Layer>(layers::layer_from_config(list.items()[i])));
    } catch (Error& e) {
      const Config& item = list.items()[i];
      std::string which = "layer " + std::to_string(i);
      if (item.is_map() && item.has("config") && item.at("config").is_map() && item.at("config").has("name") &&
          item.at("config").at("name").is_string()) {
        which += " '" + item.at("config").get<std::string>("name") + "'";
      }
      e.add_context("Sequential '" + model->name() + "', " + which);
      throw;
    }
  }
  if (c.has("build_input_shape") && !c.at("build_input_shape").is_null() && !model->built()) {
    model->build_from_shapes({c.get<Shape>("build_input_shape")});
  }
  if (!c.get_or("trainable", true)) model->set_trainable(false);
  return model;
}

void Sequential::add(std::shared_ptr<layers::Layer> layer) {
  FATHOM_CHECK(layer != nullptr, ValueError, "Sequential '", name(), "': cannot add a null layer");
  for (const auto& l : layers_) {
    FATHOM_CHECK(l->name() != layer->name(), ValueError, "Sequential '", name(), "': a layer named '", layer->name(),
                 "' is already in the model; layer names must be unique");
  }
  if (auto* input = dynamic_cast<layers::InputLayer*>(layer.get())) {
    FATHOM_CHECK(layers_.empty(), ValueError, "Sequential '", name(), "': an InputLayer must be the first layer");
    (void)input;
  }
  const bool first = layers_.empty();
  reset_traced_steps();  // the traced steps ran the old stack of layers
  layers_.push_back(layer);
  std::optional<Shape> shape;
  if (first && layer->declared_input_shape()) shape = layer->declared_input_shape();
  if (built() || shape) {
    // Build the new layer now from the previous layer's output shape, or the whole model.
    if (!built()) {
      try {
        build_from_shapes({*shape});
      } catch (...) {
        layers_.pop_back();
        output_shapes_.clear();
        throw;
      }
    } else {
      const Shape in = output_shapes_.empty() ? built_input_shapes()[0] : output_shapes_.back();
      try {
        layer->build_from_shapes({in});
        output_shapes_.push_back(layer->compute_output_shape(in));
      } catch (...) {
        layers_.pop_back();
        throw;
      }
    }
  }
}

void Sequential::pop() {
  FATHOM_CHECK(!layers_.empty(), ValueError, "Sequential '", name(), "': pop() on a model with no layers");
  layers_.pop_back();
  reset_traced_steps();  // the traced steps ran (and point into) the removed layer
  if (output_shapes_.size() > layers_.size()) output_shapes_.resize(layers_.size());
}

void Sequential::build(const Shape& input_shape) {
  FATHOM_CHECK(!layers_.empty(), ValueError, "Sequential '", name(), "': cannot build a model with no layers");
  output_shapes_.clear();
  Shape shape = input_shape;
  for (const auto& layer : layers_) {
    try {
      layer->build_from_shapes({shape});
      shape = layer->compute_output_shape(shape);
    } catch (Error& e) {
      e.add_context("Sequential '" + name() + "': building layer '" + layer->name() + "' (" + layer->class_name() +
                    ") on input shape " + shape_to_string(shape));
      throw;
    }
    output_shapes_.push_back(shape);
  }
  mark_built({input_shape});  // model.build(shape) called directly counts as built (Keras)
}

TensorList Sequential::call_model(const TensorList& inputs, bool training) {
  FATHOM_CHECK(inputs.size() == 1, ValueError, "Sequential '", name(), "': expects 1 input, received ", inputs.size());
  FATHOM_CHECK(!layers_.empty(), ValueError, "Sequential '", name(), "': the model has no layers");
  // Keras casts float64 inputs (numpy's default) to the model's float32.
  Tensor x = inputs[0].dtype() == DType::kFloat64 ? ops::cast(inputs[0], DType::kFloat32) : inputs[0];
  if (!built()) {
    // First use through fit/predict (which call call_model directly): build as a call would.
    Shape s = x.shape();
    if (!s.empty()) s[0] = -1;
    build_from_shapes({s});
  }
  return {run_layers(x, Tensor(), training, nullptr)};
}

Tensor Sequential::run_layers(const Tensor& x_in, Tensor mask, bool training, Tensor* out_mask) {
  // Keras masks travel from the layer that makes one (Embedding, Masking) onwards.
  Tensor x = x_in;
  for (const auto& layer : layers_) x = layer->call_with_mask(x, mask, training, &mask);
  if (out_mask != nullptr) *out_mask = mask;
  return x;
}

Tensor Sequential::call_masked(const Tensor& x, const Tensor& mask, bool training) {
  if (!mask.defined()) {
    last_output_mask_ = Tensor();
    return call_model({x}, training).at(0);
  }
  FATHOM_CHECK(!layers_.empty(), ValueError, "Sequential '", name(), "': the model has no layers");
  return run_layers(x.dtype() == DType::kFloat64 ? ops::cast(x, DType::kFloat32) : x, mask, training, &last_output_mask_);
}

TensorList Sequential::call_node(const TensorList& inputs, const Tensor& mask, const layers::NodeArgs& call,
                                 bool training, Tensor* out_mask) {
  if (inputs.size() == 1) return {call_with_mask(inputs[0], mask, training, out_mask)};
  return Model::call_node(inputs, mask, call, training, out_mask);
}

Tensor Sequential::compute_mask(const Tensor& x, const Tensor& mask) const {
  (void)x;
  (void)mask;
  return last_output_mask_;
}

Shape Sequential::compute_output_shape(const Shape& input_shape) const {
  Shape shape = input_shape;
  for (const auto& layer : layers_) shape = layer->compute_output_shape(shape);
  return shape;
}

std::vector<layers::Layer*> Sequential::layers() const {
  std::vector<layers::Layer*> out;
  for (const auto& l : layers_) out.push_back(l.get());
  return out;
}

std::vector<std::vector<Shape>> Sequential::layer_output_shapes() const {
  std::vector<std::vector<Shape>> out;
  for (const auto& s : output_shapes_) out.push_back({s});
  return out;
}

Config Sequential::get_config() const {
  Config c = Config::map();
  c.set("name", name()).set("trainable", trainable()).set("dtype", "float32");
  Config list = Config::list();
  for (const auto& l : layers_) list.push_back(layers::serialize_layer(*l));
  c.set("layers", list);
  if (built()) c.set("build_input_shape", Config(built_input_shapes()[0]));
  return c;
}

}  // namespace fathom::models
