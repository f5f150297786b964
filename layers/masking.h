// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "layers/layer.h"

namespace fathom::layers {

/// Masks the timesteps whose features all equal mask_value: keep = any(x != mask_value, axis=-1);
/// output = where(keep, x, 0) (same shape as x) and compute_mask = keep without the last axis
/// (bool [B, steps] for [B, steps, F]). Passes masks on (supports_masking); the input mask is
/// replaced, not combined, as Keras does.
/// Config: mask_value (0.0): a number, or Keras 3's serialized tensor {"class_name": "__tensor__"
/// or "__numpy__", "config": {"value": number or list of F numbers, "dtype"}}; a list compares
/// feature by feature.
class Masking final : public Layer {
 public:
  /// One value (a scalar mask_value) or one per feature.
  explicit Masking(std::vector<double> mask_value = {0.0}, bool scalar = true, std::string name = "");
  static std::unique_ptr<Layer> from_config(const Config& config);
  std::string class_name() const override { return "Masking"; }
  bool supports_masking() const override { return true; }
  Tensor compute_mask(const Tensor& x, const Tensor& mask) const override;
  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  Config get_config() const override;

 private:
  /// any(x != mask_value, axis=-1), bool, keepdims.
  Tensor keep(const Tensor& x) const;

  std::vector<double> mask_value_;
  bool scalar_;
};

}  // namespace fathom::layers
