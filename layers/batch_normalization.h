// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "layers/layer.h"
#include "layers/normalization_utils.h"

namespace fathom::layers {

/// Batch normalization (Ioffe & Szegedy 2015), as Keras's BatchNormalization. The statistics run
/// over every axis but `axis` (channels last: axis -1). Output shape = input shape.
/// - inference: y = gamma * (x - moving_mean) / sqrt(moving_variance + epsilon) + beta;
/// - training (and the layer trainable): the batch mean and biased variance replace the moving
///   ones, and the moving statistics are updated in place, outside any tape:
///   moving = moving * momentum + batch * (1 - momentum). A frozen layer (trainable false) stays
///   in inference mode, as Keras 2.x/3. A mask (rank of the input minus 1) weights the batch
///   moments, as Keras 3.
/// Weights, in this order: gamma (if scale), beta (if center), moving_mean, moving_variance (the
/// last two non-trainable), each of shape [input dims at axis].
/// Config: axis (-1; int or list), momentum (0.99), epsilon (1e-3), center (true), scale (true),
/// beta/gamma/moving_mean/moving_variance_initializer (zeros/ones/zeros/ones), beta/gamma
/// regularizer and constraint (null), synchronized (single device: no effect), renorm (false
/// only), renorm_clipping, renorm_momentum; Keras 2's fused (ignored), virtual_batch_size and
/// adjustment (null only).
class BatchNormalization final : public Layer {
 public:
  struct Options {
    norm_detail::AxisArg axis;
    double momentum = 0.99;
    double epsilon = 1e-3;
    bool center = true;
    bool scale = true;
    norm_detail::ScaleOffsetOptions weights;
    Config moving_mean_initializer = "zeros";
    Config moving_variance_initializer = "ones";
    bool synchronized = false;
    Config renorm_clipping;  // kept for get_config; renorm itself is not supported
    double renorm_momentum = 0.99;
  };

  explicit BatchNormalization(Options options, std::string name = "");
  static std::unique_ptr<Layer> from_config(const Config& config);
  std::string class_name() const override { return "BatchNormalization"; }
  bool supports_masking() const override { return true; }

  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  Tensor call_masked(const Tensor& x, const Tensor& mask, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) const override;
  Config get_config() const override;

 private:
  /// Moves the moving statistics towards the batch's (not recorded by any tape).
  void update_moving_statistics(const Tensor& batch_mean, const Tensor& batch_variance);

  Options options_;
  norm_detail::ResolvedScaleOffset resolved_;
  std::shared_ptr<Initializer> moving_mean_initializer_, moving_variance_initializer_;
  std::vector<std::int64_t> reduction_axes_;
  Shape broadcast_shape_;  // the parameters reshaped to broadcast against the input
  Variable gamma_, beta_, moving_mean_, moving_variance_;
};

}  // namespace fathom::layers
