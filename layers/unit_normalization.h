// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <string>

#include "layers/layer.h"
#include "layers/normalization_utils.h"

namespace fathom::layers {

/// Scales each sample to unit L2 norm over `axis`, as Keras's UnitNormalization
/// (ops.normalize(order=2, epsilon=1e-12)): y = x * min(1 / sqrt(sum(x^2)), 1e12), that is
/// x / max(||x||, 1e-12); an all-zero vector stays zero. No weights; output shape = input shape.
/// Config: axis (-1; int or list).
class UnitNormalization final : public Layer {
 public:
  explicit UnitNormalization(norm_detail::AxisArg axis = {}, std::string name = "");
  static std::unique_ptr<Layer> from_config(const Config& config);
  std::string class_name() const override { return "UnitNormalization"; }
  bool supports_masking() const override { return true; }

  Tensor call(const Tensor& x, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) const override;
  Config get_config() const override;

 private:
  norm_detail::AxisArg axis_;
};

}  // namespace fathom::layers
