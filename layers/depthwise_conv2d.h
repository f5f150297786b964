// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "layers/activations.h"
#include "layers/conv_utils.h"
#include "layers/layer.h"

namespace fathom::layers {

/// Depthwise 2-D convolution, NHWC: each input channel is convolved with its own
/// depth_multiplier filters, [B, H, W, C] -> [B, OH, OW, C * depth_multiplier] (output channel
/// c * depth_multiplier + m, as TF). Computed as im2col patches times the kernel, one batched
/// matmul over the channels. Weights: depthwise_kernel [kh, kw, C, depth_multiplier], bias
/// [C * depth_multiplier]. (Keras 3 names the first weight "kernel"; Keras 2 files name it
/// "depthwise_kernel", the name used here.)
/// Config: kernel_size, strides (1), padding ("valid" | "same"), depth_multiplier (1),
/// data_format (channels_last only), dilation_rate (1), activation, use_bias,
/// depthwise_initializer ("glorot_uniform"), bias_initializer ("zeros"), depthwise_regularizer,
/// bias_regularizer, activity_regularizer, depthwise_constraint, bias_constraint (null).
class DepthwiseConv2D final : public Layer {
 public:
  struct Options {
    conv_detail::Pair kernel_size{0, 0};
    conv_detail::Pair strides{1, 1};
    std::string padding = "valid";
    std::int64_t depth_multiplier = 1;
    conv_detail::Pair dilation_rate{1, 1};
    std::string activation = "linear";
    bool use_bias = true;
    Config depthwise_initializer = "glorot_uniform", bias_initializer = "zeros";
    Config depthwise_regularizer = {}, bias_regularizer = {}, activity_regularizer = {};
    Config depthwise_constraint = {}, bias_constraint = {};
  };

  explicit DepthwiseConv2D(Options options, std::string name = "");
  static std::unique_ptr<Layer> from_config(const Config& config);
  std::string class_name() const override { return "DepthwiseConv2D"; }

  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) const override;
  Config get_config() const override;

 private:
  Options options_;
  conv_detail::WeightSlot depthwise_, bias_slot_;
  std::shared_ptr<Regularizer> activity_regularizer_;
  ActivationFn activation_;
  Variable kernel_, bias_;
};

}  // namespace fathom::layers
