// SPDX-License-Identifier: Apache-2.0
// UpSampling1D/2D (keras/src/layers/reshaping), channels_last. As in Keras 3, no mask support.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "layers/layer.h"

namespace fathom::layers {

/// UpSampling1D / UpSampling2D: repeats each step (1D) or each row and column (2D) `size` times.
/// Input [B, steps, C] -> [B, steps * size, C]; [B, H, W, C] -> [B, H * sh, W * sw, C].
/// Config: size (1D: int, default 2; 2D: int or (sh, sw), default (2, 2)), and for 2D
/// data_format (channels_last only) and interpolation: "nearest" (repetition, the default) or
/// "bilinear" (tf.image.resize's half-pixel bilinear weights, edges clamped, as Keras on
/// TensorFlow). Keras's other methods (bicubic, lanczos3, ...) are a ConfigError.
class UpSampling final : public Layer {
 public:
  struct Options {
    std::vector<std::int64_t> size;  // one factor per spatial axis (1 or 2 of them)
    std::string interpolation = "nearest";
  };
  explicit UpSampling(Options options, std::string name = "");
  static std::unique_ptr<Layer> from_config(int rank, const Config& config);
  std::string class_name() const override;
  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) const override;
  Config get_config() const override;

 private:
  Options options_;
};

}  // namespace fathom::layers
