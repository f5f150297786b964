// SPDX-License-Identifier: Apache-2.0
#include "layers/group_normalization.h"

#include "core/ops.h"
#include "layers/initializers.h"
#include "layers/layer_config.h"
#include "layers/regularizers.h"

namespace fathom::layers {

GroupNormalization::GroupNormalization(Options options, std::string name)
    : Layer(std::move(name), "group_normalization"), options_(std::move(options)), resolved_(options_.weights) {
  FATHOM_CHECK(options_.groups > 0 || options_.groups == -1, ValueError, "GroupNormalization '", this->name(),
               "': groups must be a positive integer (or -1 for instance normalization). Received: groups=",
               options_.groups);
  FATHOM_CHECK(options_.epsilon >= 0, ValueError, "GroupNormalization '", this->name(),
               "': epsilon cannot be negative. Received: epsilon=", options_.epsilon);
}

std::unique_ptr<Layer> GroupNormalization::from_config(const Config& c) {
  std::vector<std::string> keys = {"groups", "axis", "epsilon", "center", "scale"};
  keys.insert(keys.end(), norm_detail::ScaleOffsetOptions::keys().begin(), norm_detail::ScaleOffsetOptions::keys().end());
  const BaseLayerArgs base = parse_base_args(c, keys, "GroupNormalization");
  Options o;
  o.groups = c.get_or("groups", o.groups);
  o.axis = c.get_or("axis", o.axis);
  o.epsilon = c.get_or("epsilon", o.epsilon);
  o.center = c.get_or("center", o.center);
  o.scale = c.get_or("scale", o.scale);
  o.weights = norm_detail::ScaleOffsetOptions::from_config(c);
  auto layer = std::make_unique<GroupNormalization>(std::move(o), base.name);
  apply_base_args(*layer, base);
  return layer;
}

void GroupNormalization::build(const Shape& input_shape) {
  const std::string owner = "GroupNormalization '" + name() + "'";
  axis_ = norm_detail::resolve_axes({options_.axis}, input_shape, owner, std::to_string(options_.axis)).front();
  const Shape shape = norm_detail::param_shape(input_shape, {axis_}, owner);
  const std::int64_t channels = shape.front();
  groups_ = options_.groups == -1 ? channels : options_.groups;
  FATHOM_CHECK(groups_ <= channels, ConfigError, owner, ": the number of groups (", groups_,
               ") cannot be more than the number of channels (", channels, ") of input shape ",
               shape_to_string(input_shape), ". Received: groups=", options_.groups);
  FATHOM_CHECK(channels % groups_ == 0, ConfigError, owner, ": the number of channels (", channels,
               ") must be a multiple of the number of groups (", groups_, "), input shape ",
               shape_to_string(input_shape), ". Received: groups=", options_.groups);
  if (options_.scale) {
    gamma_ = add_weight("gamma", shape, *resolved_.gamma_initializer, true, resolved_.gamma_regularizer,
                        resolved_.gamma_constraint);
  }
  if (options_.center) {
    beta_ = add_weight("beta", shape, *resolved_.beta_initializer, true, resolved_.beta_regularizer,
                       resolved_.beta_constraint);
  }
}

Tensor GroupNormalization::call(const Tensor& x, bool /*training*/) {
  // x [..., C, ...] -> [..., G, C/G, ...]; statistics over all but the batch and group axes.
  const Shape& s = x.shape();
  Shape grouped = s;
  grouped[axis_] = s[axis_] / groups_;
  grouped.insert(grouped.begin() + axis_, groups_);
  Shape param_shape(grouped.size(), 1);
  param_shape[axis_] = groups_;
  param_shape[axis_ + 1] = s[axis_] / groups_;
  std::vector<std::int64_t> reduce;
  for (std::int64_t d = 1; d < static_cast<std::int64_t>(grouped.size()); ++d) {
    if (d != axis_) reduce.push_back(d);
  }
  const Tensor xg = ops::reshape(x, grouped);
  const auto param = [&](const Variable& v) {
    return v.defined() ? ops::reshape(norm_detail::as_dtype(v, x.dtype()), param_shape) : Tensor();
  };
  const norm_detail::Moments m = norm_detail::moments(xg, reduce);
  return ops::reshape(norm_detail::normalize(xg, m.mean, m.variance, param(gamma_), param(beta_), options_.epsilon), s);
}

Shape GroupNormalization::compute_output_shape(const Shape& s) const {
  norm_detail::resolve_axes({options_.axis}, s, "GroupNormalization '" + name() + "'", std::to_string(options_.axis));
  return s;
}

Config GroupNormalization::get_config() const {
  Config c = Layer::get_config();
  c.set("groups", options_.groups).set("axis", options_.axis).set("epsilon", options_.epsilon);
  c.set("center", options_.center).set("scale", options_.scale);
  resolved_.add_initializers(c);
  resolved_.add_regularizers_and_constraints(c);
  return c;
}

}  // namespace fathom::layers
