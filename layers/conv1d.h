// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "layers/activations.h"
#include "layers/layer.h"
#include "layers/weight_options.h"

namespace fathom::layers {

/// 1-D convolution over [B, L, Cin] -> [B, OL, filters]: y = activation(conv(x, kernel) + bias),
/// computed by the 2-D im2col path on the view [B, 1, L, Cin]. Weights: kernel [k, Cin, filters],
/// bias [filters]. "causal" pads (k - 1) * dilation_rate zeros on the left (output[t] sees
/// input[<= t] only; WaveNet, arXiv:1609.03499), then runs VALID.
/// Config: filters (> 0), kernel_size (int or [int]), strides (1), padding ("valid" | "same" |
/// "causal"), data_format (channels_last only), dilation_rate (1), groups (1 only), activation,
/// use_bias, initializers, regularizers and constraints as Dense.
class Conv1D final : public Layer {
 public:
  struct Options {
    std::int64_t filters = 0;
    std::int64_t kernel_size = 0;
    std::int64_t strides = 1;
    std::string padding = "valid";
    std::int64_t dilation_rate = 1;
    std::string activation = "linear";
    bool use_bias = true;
    WeightOptions weights = {};  // initializers, regularizers, constraints
  };

  explicit Conv1D(Options options, std::string name = "");
  static std::unique_ptr<Layer> from_config(const Config& config);
  std::string class_name() const override { return "Conv1D"; }

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
