// SPDX-License-Identifier: Apache-2.0
#include "layers/batch_normalization.h"

#include "core/ops.h"
#include "layers/initializers.h"
#include "layers/layer_config.h"
#include "layers/regularizers.h"

namespace fathom::layers {

BatchNormalization::BatchNormalization(Options options, std::string name)
    : Layer(std::move(name), "batch_normalization"),
      options_(std::move(options)),
      resolved_(options_.weights),
      moving_mean_initializer_(get_initializer(options_.moving_mean_initializer)),
      moving_variance_initializer_(get_initializer(options_.moving_variance_initializer)) {
  FATHOM_CHECK(options_.epsilon >= 0, ValueError, "BatchNormalization '", this->name(),
               "': epsilon cannot be negative. Received: epsilon=", options_.epsilon);
}

std::unique_ptr<Layer> BatchNormalization::from_config(const Config& c) {
  std::vector<std::string> keys = {"axis",           "momentum",           "epsilon",         "center",
                                   "scale",          "moving_mean_initializer", "moving_variance_initializer",
                                   "synchronized",   "renorm",             "renorm_clipping", "renorm_momentum",
                                   "fused",          "virtual_batch_size", "adjustment"};
  keys.insert(keys.end(), norm_detail::ScaleOffsetOptions::keys().begin(), norm_detail::ScaleOffsetOptions::keys().end());
  const BaseLayerArgs base = parse_base_args(c, keys, "BatchNormalization");
  FATHOM_CHECK(!c.get_or("renorm", false), ConfigError, c.where_of("renorm"),
               "BatchNormalization: renorm=True (batch renormalization) is not supported");
  for (const char* k : {"virtual_batch_size", "adjustment"}) {
    FATHOM_CHECK(!c.has(k) || c.at(k).is_null(), ConfigError, c.where_of(k), "BatchNormalization: ", k,
                 " is not supported; it must be null. Received: ", k, "=", c.at(k).to_json());
  }
  if (c.has("fused") && !c.at("fused").is_null()) c.get<bool>("fused");  // a bool; Fathom has one implementation
  Options o;
  o.axis = norm_detail::AxisArg::from_config(c, "axis", o.axis, "BatchNormalization");
  o.momentum = c.get_or("momentum", o.momentum);
  o.epsilon = c.get_or("epsilon", o.epsilon);
  o.center = c.get_or("center", o.center);
  o.scale = c.get_or("scale", o.scale);
  o.weights = norm_detail::ScaleOffsetOptions::from_config(c);
  o.moving_mean_initializer = c.get_or<Config>("moving_mean_initializer", o.moving_mean_initializer);
  o.moving_variance_initializer = c.get_or<Config>("moving_variance_initializer", o.moving_variance_initializer);
  o.synchronized = c.get_or("synchronized", false);
  o.renorm_clipping = c.get_or<Config>("renorm_clipping", Config());
  o.renorm_momentum = c.get_or("renorm_momentum", o.renorm_momentum);
  auto layer = std::make_unique<BatchNormalization>(std::move(o), base.name);
  apply_base_args(*layer, base);
  return layer;
}

void BatchNormalization::build(const Shape& input_shape) {
  const std::string owner = "BatchNormalization '" + name() + "'";
  const auto axes = norm_detail::resolve_axes(options_.axis.axes, input_shape, owner, options_.axis.to_string());
  const Shape shape = norm_detail::param_shape(input_shape, axes, owner);
  reduction_axes_ = norm_detail::other_axes(axes, static_cast<std::int64_t>(input_shape.size()));
  broadcast_shape_ = norm_detail::broadcast_shape(input_shape, axes);
  if (options_.scale) {
    gamma_ = add_weight("gamma", shape, *resolved_.gamma_initializer, true, resolved_.gamma_regularizer,
                        resolved_.gamma_constraint);
  }
  if (options_.center) {
    beta_ = add_weight("beta", shape, *resolved_.beta_initializer, true, resolved_.beta_regularizer,
                       resolved_.beta_constraint);
  }
  moving_mean_ = add_weight("moving_mean", shape, *moving_mean_initializer_, false);
  moving_variance_ = add_weight("moving_variance", shape, *moving_variance_initializer_, false);
}

Tensor BatchNormalization::call(const Tensor& x, bool training) { return call_masked(x, Tensor(), training); }

Tensor BatchNormalization::call_masked(const Tensor& x, const Tensor& mask, bool training) {
  if (mask.defined() && mask.dim() != x.dim() - 1) {
    fail("the mask must have one dimension less than the input. Received: mask.shape=" +
         shape_to_string(mask.shape()) + ", inputs.shape=" + shape_to_string(x.shape()));
  }
  const DType dt = x.dtype();
  const auto param = [&](const Variable& v) {
    return v.defined() ? ops::reshape(norm_detail::as_dtype(v, dt), broadcast_shape_) : Tensor();
  };
  Tensor mean, variance;
  if (training && trainable()) {
    const norm_detail::Moments m = norm_detail::moments(x, reduction_axes_, mask);
    mean = m.mean;
    variance = m.variance;
    update_moving_statistics(mean, variance);
  } else {
    mean = param(moving_mean_);
    variance = param(moving_variance_);
  }
  return norm_detail::normalize(x, mean, variance, param(gamma_), param(beta_), options_.epsilon);
}

void BatchNormalization::update_moving_statistics(const Tensor& batch_mean, const Tensor& batch_variance) {
  autograd::NoRecordGuard no_record;
  const double m = options_.momentum;
  const auto moved = [&](const Variable& moving, const Tensor& batch) {
    const Tensor b = ops::reshape(norm_detail::as_dtype(batch, moving.dtype()), moving.shape());
    return ops::add(ops::mul(moving.value(), m), ops::mul(b, 1.0 - m));
  };
  moving_mean_.assign(moved(moving_mean_, batch_mean));
  moving_variance_.assign(moved(moving_variance_, batch_variance));
}

Shape BatchNormalization::compute_output_shape(const Shape& s) const {
  norm_detail::resolve_axes(options_.axis.axes, s, "BatchNormalization '" + name() + "'", options_.axis.to_string());
  return s;
}

Config BatchNormalization::get_config() const {
  Config c = Layer::get_config();
  c.set("axis", options_.axis.to_config()).set("momentum", options_.momentum).set("epsilon", options_.epsilon);
  c.set("center", options_.center).set("scale", options_.scale);
  resolved_.add_initializers(c);
  c.set("moving_mean_initializer", serialize_initializer(*moving_mean_initializer_));
  c.set("moving_variance_initializer", serialize_initializer(*moving_variance_initializer_));
  resolved_.add_regularizers_and_constraints(c);
  c.set("synchronized", options_.synchronized).set("renorm", false);
  c.set("renorm_clipping", options_.renorm_clipping).set("renorm_momentum", options_.renorm_momentum);
  return c;
}

}  // namespace fathom::layers
