// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "layers/activations.h"
#include "layers/conv_utils.h"
#include "layers/layer.h"

namespace fathom::layers {

/// Depthwise separable 2-D convolution (Xception, arXiv:1610.02357), NHWC: a depthwise
/// convolution (strides, padding and dilation apply here) followed by a 1x1 pointwise one,
/// [B, H, W, C] -> [B, OH, OW, filters]: y = activation(pointwise(depthwise(x)) + bias).
/// Weights: depthwise_kernel [kh, kw, C, depth_multiplier], pointwise_kernel
/// [1, 1, C * depth_multiplier, filters], bias [filters].
/// Config: filters (> 0), kernel_size, strides (1), padding ("valid" | "same"),
/// depth_multiplier (1), data_format (channels_last only), dilation_rate (1), activation,
/// use_bias, {depthwise,pointwise}_initializer ("glorot_uniform"), bias_initializer ("zeros"),
/// {depthwise,pointwise,bias,activity}_regularizer and {depthwise,pointwise,bias}_constraint (null).
class SeparableConv2D final : public Layer {
 public:
  struct Options {
    std::int64_t filters = 0;
    conv_detail::Pair kernel_size{0, 0};
    conv_detail::Pair strides{1, 1};
    std::string padding = "valid";
    std::int64_t depth_multiplier = 1;
    conv_detail::Pair dilation_rate{1, 1};
    std::string activation = "linear";
    bool use_bias = true;
    Config depthwise_initializer = "glorot_uniform", pointwise_initializer = "glorot_uniform";
    Config bias_initializer = "zeros";
    Config depthwise_regularizer = {}, pointwise_regularizer = {}, bias_regularizer = {};
    Config activity_regularizer = {};
    Config depthwise_constraint = {}, pointwise_constraint = {}, bias_constraint = {};
  };

  explicit SeparableConv2D(Options options, std::string name = "");
  static std::unique_ptr<Layer> from_config(const Config& config);
  std::string class_name() const override { return "SeparableConv2D"; }

  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) const override;
  Config get_config() const override;

 private:
  Options options_;
  conv_detail::WeightSlot depthwise_, pointwise_, bias_slot_;
  std::shared_ptr<Regularizer> activity_regularizer_;
  ActivationFn activation_;
  Variable depthwise_kernel_, pointwise_kernel_, bias_;
};

}  // namespace fathom::layers
