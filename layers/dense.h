// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>

#include "layers/activations.h"
#include "layers/layer.h"
#include "layers/weight_options.h"

namespace fathom::layers {

/// Fully connected layer: y = activation(x · kernel + bias).
/// Input [batch, ..., in]; output [batch, ..., units]. Weights: kernel [in, units], bias [units].
/// Config: units (> 0), activation ("linear"), use_bias (true), kernel_initializer
/// ("glorot_uniform"), bias_initializer ("zeros"), kernel/bias/activity_regularizer (null),
/// kernel/bias_constraint (null).
class Dense final : public Layer {
 public:
  struct Options {
    std::int64_t units = 0;
    std::string activation = "linear";
    bool use_bias = true;
    WeightOptions weights = {};  // initializers, regularizers, constraints
  };

  explicit Dense(Options options, std::string name = "");
  static std::unique_ptr<Layer> from_config(const Config& config);
  std::string class_name() const override { return "Dense"; }
  bool supports_masking() const override { return true; }

  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) const override;
  Config get_config() const override;

 private:
  Options options_;
  ResolvedWeights resolved_;
  ActivationFn activation_;
  Variable kernel_, bias_;
};

}  // namespace fathom::layers
