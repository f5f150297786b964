// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "layers/layer.h"
#include "layers/normalization_utils.h"

namespace fathom::layers {

/// Layer normalization (Ba et al. 2016), as Keras's LayerNormalization: each sample is
/// normalized over `axis` with its own mean and biased variance,
/// y = gamma * (x - mean) / sqrt(var + epsilon) + beta. Output shape = input shape.
/// Weights: gamma (if scale or rms_scaling), beta (if center and not rms_scaling), both of shape
/// [input dims at axis].
/// Config: axis (-1; int or list), epsilon (1e-3), center (true), scale (true), rms_scaling
/// (false; Keras 3's deprecated form y = gamma * x / sqrt(var + epsilon)), beta/gamma
/// initializer (zeros/ones), regularizer and constraint (null).
class LayerNormalization final : public Layer {
 public:
  struct Options {
    norm_detail::AxisArg axis;
    double epsilon = 1e-3;
    bool center = true;
    bool scale = true;
    bool rms_scaling = false;
    norm_detail::ScaleOffsetOptions weights;
  };

  explicit LayerNormalization(Options options, std::string name = "");
  static std::unique_ptr<Layer> from_config(const Config& config);
  std::string class_name() const override { return "LayerNormalization"; }
  bool supports_masking() const override { return true; }

  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) const override;
  Config get_config() const override;

 private:
  Options options_;
  norm_detail::ResolvedScaleOffset resolved_;
  std::vector<std::int64_t> axes_;
  Shape broadcast_shape_;
  Variable gamma_, beta_;
};

}  // namespace fathom::layers
