// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <string>
#include <utility>

#include "layers/activations.h"
#include "layers/layer.h"
#include "layers/weight_options.h"

namespace fathom::layers {

/// Spatial geometry shared by Conv2D and the 2-D pooling layers (channels_last only).
namespace conv_detail {
using Pair = std::pair<std::int64_t, std::int64_t>;
/// An int or a list of two ints (Keras's int-or-tuple arguments); `what` names it in errors.
Pair parse_pair(const Config& c, const std::string& key, Pair fallback, const std::string& owner);
Config pair_config(Pair p);
/// "valid" or "same" (case-insensitive, as Keras); otherwise ConfigError.
std::string parse_padding(const Config& c, const std::string& owner);
/// channels_last (or null); channels_first and anything else are a ConfigError.
void check_data_format(const Config& c, const std::string& owner);
/// Output length of one spatial axis; -1 stays -1. Negative (VALID window larger than the input)
/// gives -2 for the caller to report.
std::int64_t output_length(std::int64_t in, std::int64_t k, std::int64_t stride, std::int64_t dilation, bool same);
/// TF "same" padding (before, after) of one axis.
Pair same_padding(std::int64_t in, std::int64_t k, std::int64_t stride, std::int64_t dilation);
}  // namespace conv_detail

/// 2-D convolution, NHWC: y = activation(conv(x, kernel) + bias), computed as im2col
/// (pad -> extract_patches) times the kernel. Input [B, H, W, Cin]; output [B, OH, OW, filters].
/// Weights: kernel [kh, kw, Cin, filters], bias [filters].
/// Config: filters (> 0), kernel_size (int or pair), strides (1), padding ("valid" | "same"),
/// data_format (channels_last only), dilation_rate (1), groups (1 only), activation, use_bias,
/// initializers, regularizers and constraints as Dense.
class Conv2D final : public Layer {
 public:
  struct Options {
    std::int64_t filters = 0;
    conv_detail::Pair kernel_size{0, 0};
    conv_detail::Pair strides{1, 1};
    std::string padding = "valid";
    conv_detail::Pair dilation_rate{1, 1};
    std::string activation = "linear";
    bool use_bias = true;
    WeightOptions weights = {};  // initializers, regularizers, constraints
  };

  explicit Conv2D(Options options, std::string name = "");
  static std::unique_ptr<Layer> from_config(const Config& config);
  std::string class_name() const override { return "Conv2D"; }

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
