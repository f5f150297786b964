// SPDX-License-Identifier: Apache-2.0
#include "layers/unit_normalization.h"

#include "core/ops.h"
#include "layers/layer_config.h"

namespace fathom::layers {

UnitNormalization::UnitNormalization(norm_detail::AxisArg axis, std::string name)
    : Layer(std::move(name), "unit_normalization"), axis_(std::move(axis)) {}

std::unique_ptr<Layer> UnitNormalization::from_config(const Config& c) {
  const BaseLayerArgs base = parse_base_args(c, {"axis"}, "UnitNormalization");
  auto layer = std::make_unique<UnitNormalization>(
      norm_detail::AxisArg::from_config(c, "axis", {}, "UnitNormalization"), base.name);
  apply_base_args(*layer, base);
  return layer;
}

Tensor UnitNormalization::call(const Tensor& x, bool /*training*/) {
  const auto axes = norm_detail::resolve_axes(axis_.axes, x.shape(), "UnitNormalization '" + name() + "'",
                                              axis_.to_string());
  // min(rsqrt(s), 1e12) = rsqrt(max(s, 1e-24)); the floor also keeps the gradient finite at 0.
  const Tensor squared_norm = ops::sum(ops::square(x), axes, true);
  return ops::mul(x, ops::pow(ops::maximum(squared_norm, 1e-24), -0.5));
}

Shape UnitNormalization::compute_output_shape(const Shape& s) const {
  norm_detail::resolve_axes(axis_.axes, s, "UnitNormalization '" + name() + "'", axis_.to_string());
  return s;
}

Config UnitNormalization::get_config() const {
  Config c = Layer::get_config();
  c.set("axis", axis_.to_config());
  return c;
}

}  // namespace fathom::layers
