// SPDX-License-Identifier: Apache-2.0
#include "layers/input_layer.h"

#include "layers/layer_config.h"

namespace fathom::layers {

InputLayer::InputLayer(Shape batch_shape, std::string name)
    : Layer(std::move(name), "input_layer"), batch_shape_(std::move(batch_shape)) {
  FATHOM_CHECK(!batch_shape_.empty(), ValueError, "InputLayer '", this->name(),
               "': needs a shape with a batch dimension, received []");
  set_declared_input_shape(batch_shape_);
}

std::unique_ptr<Layer> InputLayer::from_config(const Config& c) {
  c.reject_unknown_keys({"name", "dtype", "batch_shape", "batch_input_shape", "shape", "batch_size", "sparse", "ragged",
                         "optional", "input_tensor"}, "InputLayer");
  FATHOM_CHECK(!c.get_or("sparse", false) && !c.get_or("ragged", false), ConfigError, c.where(),
               "InputLayer: sparse and ragged inputs are not supported");
  Shape batch_shape;
  if (c.has("batch_shape")) {
    batch_shape = c.get<Shape>("batch_shape");
  } else if (c.has("batch_input_shape")) {
    batch_shape = c.get<Shape>("batch_input_shape");
  } else if (c.has("shape")) {
    batch_shape = c.get<Shape>("shape");
    batch_shape.insert(batch_shape.begin(), c.get_or<std::int64_t>("batch_size", -1));
  } else {
    throw ConfigError(c.where() + "InputLayer: needs batch_shape, batch_input_shape or shape");
  }
  return std::make_unique<InputLayer>(batch_shape, c.get_or<std::string>("name", ""));
}

Tensor InputLayer::call(const Tensor& x, bool /*training*/) {
  bool ok = x.dim() == static_cast<std::int64_t>(batch_shape_.size());
  for (std::size_t d = 0; ok && d < batch_shape_.size(); ++d) ok = batch_shape_[d] < 0 || batch_shape_[d] == x.shape()[d];
  if (!ok) fail("expected input shape " + shape_to_string(batch_shape_) + ", received " + shape_to_string(x.shape()));
  return x;
}

Shape InputLayer::compute_output_shape(const Shape&) const { return batch_shape_; }

Config InputLayer::get_config() const {
  Config c = Config::map();
  c.set("batch_shape", Config(batch_shape_)).set("dtype", "float32").set("sparse", false).set("name", name());
  return c;
}

}  // namespace fathom::layers
