// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "layers/activations.h"
#include "layers/conv2d.h"
#include "layers/layer.h"
#include "layers/weight_options.h"

namespace fathom::layers {

/// Transposed 2-D convolution (the gradient of Conv2D w.r.t. its input; "deconvolution"), NHWC:
/// [B, H, W, Cin] -> [B, OH, OW, filters]. Computed as zero insertion (strides - 1 zeros
/// between input cells, by reshape + pad), padding, then a stride-1 im2col convolution with the
/// spatially flipped kernel. Weights: kernel [kh, kw, filters, Cin] (Keras's order: filters
/// before the input channels), bias [filters].
/// Output size per axis, k' = (k - 1) * dilation + 1 (Keras's deconv_output_length):
///   valid: (in - 1) * s + k' + output_padding, output_padding null meaning max(k', s) - k';
///   same:  in * s with output_padding null, else (in - 1) * s + k' % 2 + output_padding.
/// Config: filters (> 0), kernel_size, strides (1), padding ("valid" | "same"), output_padding
/// (null, or an int/pair each < strides), data_format (channels_last only), dilation_rate (1;
/// > 1 only with strides 1), activation, use_bias, initializers, regularizers and constraints as Dense.
class Conv2DTranspose final : public Layer {
 public:
  struct Options {
    std::int64_t filters = 0;
    conv_detail::Pair kernel_size{0, 0};
    conv_detail::Pair strides{1, 1};
    std::string padding = "valid";
    std::optional<conv_detail::Pair> output_padding;
    conv_detail::Pair dilation_rate{1, 1};
    std::string activation = "linear";
    bool use_bias = true;
    WeightOptions weights = {};
  };

  explicit Conv2DTranspose(Options options, std::string name = "");
  static std::unique_ptr<Layer> from_config(const Config& config);
  std::string class_name() const override { return "Conv2DTranspose"; }

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
