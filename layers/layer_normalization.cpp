// SPDX-License-Identifier: Apache-2.0
#include "layers/layer_normalization.h"

#include "core/ops.h"
#include "layers/initializers.h"
#include "layers/layer_config.h"
#include "layers/regularizers.h"

namespace fathom::layers {

LayerNormalization::LayerNormalization(Options options, std::string name)
    : Layer(std::move(name), "layer_normalization"), options_(std::move(options)), resolved_(options_.weights) {
  FATHOM_CHECK(options_.epsilon >= 0, ValueError, "LayerNormalization '", this->name(),
               "': epsilon cannot be negative. Received: epsilon=", options_.epsilon);
}

std::unique_ptr<Layer> LayerNormalization::from_config(const Config& c) {
  std::vector<std::string> keys = {"axis", "epsilon", "center", "scale", "rms_scaling"};
  keys.insert(keys.end(), norm_detail::ScaleOffsetOptions::keys().begin(), norm_detail::ScaleOffsetOptions::keys().end());
  const BaseLayerArgs base = parse_base_args(c, keys, "LayerNormalization");
  Options o;
  o.axis = norm_detail::AxisArg::from_config(c, "axis", o.axis, "LayerNormalization");
  o.epsilon = c.get_or("epsilon", o.epsilon);
  o.center = c.get_or("center", o.center);
  o.scale = c.get_or("scale", o.scale);
  o.rms_scaling = c.get_or("rms_scaling", o.rms_scaling);
  o.weights = norm_detail::ScaleOffsetOptions::from_config(c);
  auto layer = std::make_unique<LayerNormalization>(std::move(o), base.name);
  apply_base_args(*layer, base);
  return layer;
}

void LayerNormalization::build(const Shape& input_shape) {
  const std::string owner = "LayerNormalization '" + name() + "'";
  axes_ = norm_detail::resolve_axes(options_.axis.axes, input_shape, owner, options_.axis.to_string());
  const Shape shape = norm_detail::param_shape(input_shape, axes_, owner);
  broadcast_shape_ = norm_detail::broadcast_shape(input_shape, axes_);
  if (options_.scale || options_.rms_scaling) {
    gamma_ = add_weight("gamma", shape, *resolved_.gamma_initializer, true, resolved_.gamma_regularizer,
                        resolved_.gamma_constraint);
  }
  if (options_.center && !options_.rms_scaling) {
    beta_ = add_weight("beta", shape, *resolved_.beta_initializer, true, resolved_.beta_regularizer,
                       resolved_.beta_constraint);
  }
}

Tensor LayerNormalization::call(const Tensor& x, bool /*training*/) {
  const auto param = [&](const Variable& v) {
    return v.defined() ? ops::reshape(norm_detail::as_dtype(v, x.dtype()), broadcast_shape_) : Tensor();
  };
  if (options_.rms_scaling) {
    Tensor y = ops::mul(x, ops::pow(ops::add(ops::var(x, axes_, true), options_.epsilon), -0.5));
    return gamma_.defined() ? ops::mul(y, param(gamma_)) : y;
  }
  const norm_detail::Moments m = norm_detail::moments(x, axes_);
  return norm_detail::normalize(x, m.mean, m.variance, param(gamma_), param(beta_), options_.epsilon);
}

Shape LayerNormalization::compute_output_shape(const Shape& s) const {
  norm_detail::resolve_axes(options_.axis.axes, s, "LayerNormalization '" + name() + "'", options_.axis.to_string());
  return s;
}

Config LayerNormalization::get_config() const {
  Config c = Layer::get_config();
  c.set("axis", options_.axis.to_config()).set("epsilon", options_.epsilon);
  c.set("center", options_.center).set("scale", options_.scale).set("rms_scaling", options_.rms_scaling);
  resolved_.add_initializers(c);
  resolved_.add_regularizers_and_constraints(c);
  return c;
}

}  // namespace fathom::layers
