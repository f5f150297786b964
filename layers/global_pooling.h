// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <string>

#include "layers/layer.h"

namespace fathom::layers {

/// GlobalAveragePooling1D/2D and GlobalMaxPooling1D/2D: the mean or max over the steps
/// ([B, T, C]) or the spatial axes ([B, H, W, C]) -> [B, C], or [B, 1, C] / [B, 1, 1, C] with
/// keepdims. No weights. GlobalAveragePooling1D honours an input mask [B, T] as Keras 3 does
/// (the mean over the unmasked steps only; a fully masked row gives NaN, 0 / 0, as Keras);
/// none of them passes a mask on.
/// Config: data_format (channels_last only), keepdims (false).
class GlobalPooling final : public Layer {
 public:
  enum class Kind { kMax, kAverage };

  /// `rank` is the number of pooled axes: 1 or 2.
  GlobalPooling(Kind kind, int rank, bool keepdims = false, std::string name = "");
  static std::unique_ptr<Layer> from_config(Kind kind, int rank, const Config& config);
  std::string class_name() const override;

  bool supports_masking() const override { return kind_ == Kind::kAverage && rank_ == 1; }
  Tensor compute_mask(const Tensor& x, const Tensor& mask) const override;
  void build(const Shape& input_shape) override { compute_output_shape(input_shape); }
  Tensor call(const Tensor& x, bool training) override;
  Tensor call_masked(const Tensor& x, const Tensor& mask, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) const override;
  Config get_config() const override;

 private:
  Kind kind_;
  int rank_;
  bool keepdims_;
};

}  // namespace fathom::layers
