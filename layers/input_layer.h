// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>

#include "layers/layer.h"

namespace fathom::layers {

/// The entry of a model: passes its input through and declares its shape. Config:
/// batch_shape (Keras 3) or batch_input_shape (Keras 2), or shape (without the batch dim).
class InputLayer final : public Layer {
 public:
  explicit InputLayer(Shape batch_shape, std::string name = "");
  static std::unique_ptr<Layer> from_config(const Config& config);
  std::string class_name() const override { return "InputLayer"; }
  const Shape& batch_shape() const { return batch_shape_; }
  Tensor call(const Tensor& x, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) const override;
  Config get_config() const override;

 private:
  Shape batch_shape_;
};

}  // namespace fathom::layers
