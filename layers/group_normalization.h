// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <string>

#include "layers/layer.h"
#include "layers/normalization_utils.h"

namespace fathom::layers {

/// Group normalization (Wu & He 2018), as Keras's GroupNormalization: the channels (`axis`) are
/// split into `groups` groups, and each sample is normalized per group over the group's channels
/// and every other non-batch axis; then y = gamma * x_hat + beta per channel. groups = channels
/// is instance normalization, groups = 1 layer normalization over all non-batch axes. Output
/// shape = input shape. Weights: gamma (if scale), beta (if center), shape [channels].
/// Config: groups (32; -1 means one per channel), axis (-1), epsilon (1e-3), center, scale,
/// beta/gamma initializer, regularizer and constraint. The channel count must be a multiple of
/// groups (ConfigError at build otherwise).
class GroupNormalization final : public Layer {
 public:
  struct Options {
    std::int64_t groups = 32;
    std::int64_t axis = -1;
    double epsilon = 1e-3;
    bool center = true;
    bool scale = true;
    norm_detail::ScaleOffsetOptions weights;
  };

  explicit GroupNormalization(Options options, std::string name = "");
  static std::unique_ptr<Layer> from_config(const Config& config);
  std::string class_name() const override { return "GroupNormalization"; }
  bool supports_masking() const override { return true; }

  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) const override;
  Config get_config() const override;

 private:
  Options options_;
  norm_detail::ResolvedScaleOffset resolved_;
  std::int64_t axis_ = -1;    // resolved at build
  std::int64_t groups_ = 0;   // -1 resolved to the channel count
  Variable gamma_, beta_;
};

}  // namespace fathom::layers
