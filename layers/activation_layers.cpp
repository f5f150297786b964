// SPDX-License-Identifier: Apache-2.0
#include "layers/activation_layers.h"

#include "core/ops.h"
#include "layers/initializers.h"
#include "layers/layer_config.h"
#include "layers/normalization_utils.h"
#include "layers/regularizers.h"

namespace fathom::layers {

// ~~~ ReLU ~~~

ReLU::ReLU(Options options, std::string name) : Layer(std::move(name), "re_lu"), options_(options) {
  FATHOM_CHECK(!options_.max_value || *options_.max_value >= 0, ValueError, "ReLU '", this->name(),
               "': max_value cannot be negative. Received: max_value=", options_.max_value.value_or(0));
  FATHOM_CHECK(options_.negative_slope >= 0, ValueError, "ReLU '", this->name(),
               "': negative_slope cannot be negative. Received: negative_slope=", options_.negative_slope);
  FATHOM_CHECK(options_.threshold >= 0, ValueError, "ReLU '", this->name(),
               "': threshold cannot be negative. Received: threshold=", options_.threshold);
}

std::unique_ptr<Layer> ReLU::from_config(const Config& c) {
  const BaseLayerArgs base = parse_base_args(c, {"max_value", "negative_slope", "threshold"}, "ReLU");
  Options o;
  if (c.has("max_value") && !c.at("max_value").is_null()) o.max_value = c.get<double>("max_value");
  o.negative_slope = c.get_or("negative_slope", 0.0);
  o.threshold = c.get_or("threshold", 0.0);
  auto layer = std::make_unique<ReLU>(o, base.name);
  apply_base_args(*layer, base);
  return layer;
}

Tensor ReLU::call(const Tensor& x, bool /*training*/) {
  // Keras's activations.relu, term for term.
  const auto [max_value, slope, threshold] = options_;
  if (slope != 0 && !max_value && threshold == 0) return ops::leaky_relu(x, slope);
  Tensor negative_part;
  if (slope != 0) negative_part = ops::relu(ops::add(ops::neg(x), threshold));  // relu(threshold - x)
  Tensor y = threshold != 0
                 ? ops::where(ops::greater(x, ops::scalar_like(x, threshold)), x, ops::scalar_like(x, 0.0))
                 : ops::relu(x);
  if (max_value) y = ops::clip(y, 0.0, *max_value);
  if (slope != 0) y = ops::sub(y, ops::mul(negative_part, slope));
  return y;
}

Config ReLU::get_config() const {
  Config c = Layer::get_config();
  c.set("max_value", options_.max_value ? Config(*options_.max_value) : Config());
  c.set("negative_slope", options_.negative_slope).set("threshold", options_.threshold);
  return c;
}

// ~~~ LeakyReLU ~~~

LeakyReLU::LeakyReLU(double negative_slope, std::string name)
    : Layer(std::move(name), "leaky_re_lu"), negative_slope_(negative_slope) {
  FATHOM_CHECK(negative_slope_ >= 0, ValueError, "LeakyReLU '", this->name(),
               "': negative_slope cannot be negative. Received: negative_slope=", negative_slope_);
}

std::unique_ptr<Layer> LeakyReLU::from_config(const Config& c) {
  const BaseLayerArgs base = parse_base_args(c, {"negative_slope", "alpha"}, "LeakyReLU");
  // Keras 2 wrote `alpha`; Keras 3 takes it too and lets it win.
  const double slope = c.get_or("alpha", c.get_or("negative_slope", 0.3));
  auto layer = std::make_unique<LeakyReLU>(slope, base.name);
  apply_base_args(*layer, base);
  return layer;
}

Tensor LeakyReLU::call(const Tensor& x, bool /*training*/) { return ops::leaky_relu(x, negative_slope_); }

Config LeakyReLU::get_config() const {
  Config c = Layer::get_config();
  c.set("negative_slope", negative_slope_);
  return c;
}

// ~~~ PReLU ~~~

PReLU::PReLU(Options options, std::string name)
    : Layer(std::move(name), "p_re_lu"),
      options_(std::move(options)),
      initializer_(get_initializer(options_.alpha_initializer)),
      regularizer_(get_regularizer(options_.alpha_regularizer)),
      constraint_(get_constraint(options_.alpha_constraint)) {}

std::unique_ptr<Layer> PReLU::from_config(const Config& c) {
  const BaseLayerArgs base =
      parse_base_args(c, {"alpha_initializer", "alpha_regularizer", "alpha_constraint", "shared_axes"}, "PReLU");
  Options o;
  o.alpha_initializer = c.get_or<Config>("alpha_initializer", o.alpha_initializer);
  o.alpha_regularizer = c.get_or<Config>("alpha_regularizer", Config());
  o.alpha_constraint = c.get_or<Config>("alpha_constraint", Config());
  if (c.has("shared_axes") && !c.at("shared_axes").is_null()) {
    o.shared_axes = norm_detail::AxisArg::from_config(c, "shared_axes", {}, "PReLU").axes;
  }
  auto layer = std::make_unique<PReLU>(std::move(o), base.name);
  apply_base_args(*layer, base);
  return layer;
}

void PReLU::build(const Shape& input_shape) {
  Shape shape(input_shape.begin() + (input_shape.empty() ? 0 : 1), input_shape.end());
  for (std::int64_t a : options_.shared_axes.value_or(std::vector<std::int64_t>{})) {
    if (a < 1 || a >= static_cast<std::int64_t>(input_shape.size())) {
      fail("shared_axes must name non-batch axes (1 to " + std::to_string(input_shape.size() - 1) +
           ") of input shape " + shape_to_string(input_shape) + ". Received: shared_axes contains " + std::to_string(a));
    }
    shape[a - 1] = 1;
  }
  for (std::int64_t d : shape) {
    if (d < 0) fail("the input dimensions not in shared_axes must be known, received shape " + shape_to_string(input_shape));
  }
  alpha_ = add_weight("alpha", shape, *initializer_, true, regularizer_, constraint_);
}

Tensor PReLU::call(const Tensor& x, bool /*training*/) {
  const Tensor alpha = norm_detail::as_dtype(alpha_, x.dtype());
  return ops::sub(ops::relu(x), ops::mul(alpha, ops::relu(ops::neg(x))));
}

Config PReLU::get_config() const {
  Config c = Layer::get_config();
  c.set("alpha_initializer", serialize_initializer(*initializer_));
  c.set("alpha_regularizer", serialize_regularizer(regularizer_.get()));
  c.set("alpha_constraint", serialize_constraint(constraint_.get()));
  c.set("shared_axes", options_.shared_axes ? norm_detail::AxisArg{*options_.shared_axes, true}.to_config() : Config());
  return c;
}

// ~~~ ELU ~~~

ELU::ELU(double alpha, std::string name) : Layer(std::move(name), "elu"), alpha_(alpha) {}

std::unique_ptr<Layer> ELU::from_config(const Config& c) {
  const BaseLayerArgs base = parse_base_args(c, {"alpha"}, "ELU");
  auto layer = std::make_unique<ELU>(c.get_or("alpha", 1.0), base.name);
  apply_base_args(*layer, base);
  return layer;
}

Tensor ELU::call(const Tensor& x, bool /*training*/) { return ops::elu(x, alpha_); }

Config ELU::get_config() const {
  Config c = Layer::get_config();
  c.set("alpha", alpha_);  // Keras 2 writes it; Keras 3 omits it (and reads it)
  return c;
}

// ~~~ Softmax ~~~

Softmax::Softmax(std::vector<std::int64_t> axis, bool axis_is_list, std::string name)
    : Layer(std::move(name), "softmax"), axis_(std::move(axis)), axis_is_list_(axis_is_list) {
  FATHOM_CHECK(!axis_.empty(), ValueError, "Softmax '", this->name(), "': axis must name at least one axis");
}

std::unique_ptr<Layer> Softmax::from_config(const Config& c) {
  const BaseLayerArgs base = parse_base_args(c, {"axis"}, "Softmax");
  const auto axis = norm_detail::AxisArg::from_config(c, "axis", {}, "Softmax");
  auto layer = std::make_unique<Softmax>(axis.axes, axis.is_list, base.name);
  apply_base_args(*layer, base);
  return layer;
}

Tensor Softmax::call(const Tensor& x, bool /*training*/) {
  const auto axes = norm_detail::resolve_axes(axis_, x.shape(), "Softmax '" + name() + "'",
                                              norm_detail::AxisArg{axis_, axis_is_list_}.to_string());
  if (axes.size() == 1) return ops::softmax(x, axes.front());
  return ops::exp(ops::sub(x, ops::logsumexp(x, axes, true)));
}

Tensor Softmax::call_masked(const Tensor& x, const Tensor& mask_in, bool training) {
  if (!mask_in.defined()) return call(x, training);
  // Keras: the mask broadcasts against the input (right-aligned, dims 1 or equal).
  bool ok = mask_in.dim() <= x.dim();
  for (std::int64_t i = 1; ok && i <= mask_in.dim(); ++i) {
    const std::int64_t m = mask_in.shape()[mask_in.dim() - i], d = x.shape()[x.dim() - i];
    ok = m == 1 || m == d;
  }
  if (!ok) {
    fail("the mask must be broadcastable to the input: each mask dimension must be 1 or match the input's. "
         "Received: inputs.shape=" + shape_to_string(x.shape()) + ", mask.shape=" + shape_to_string(mask_in.shape()));
  }
  const Tensor mask = mask_in.dtype() == DType::kBool
                          ? mask_in
                          : ops::greater(mask_in, ops::scalar_like(mask_in, 0.5));
  const Tensor y = call(ops::where(mask, x, ops::scalar_like(x, -1e9)), training);
  // A fully masked row would otherwise come out uniform.
  return ops::where(mask, y, ops::scalar_like(y, 0.0));
}

Config Softmax::get_config() const {
  Config c = Layer::get_config();
  c.set("axis", norm_detail::AxisArg{axis_, axis_is_list_}.to_config());
  return c;
}

// ~~~ ThresholdedReLU ~~~

ThresholdedReLU::ThresholdedReLU(double theta, std::string name)
    : Layer(std::move(name), "thresholded_re_lu"), theta_(theta) {
  FATHOM_CHECK(theta_ >= 0, ValueError, "ThresholdedReLU '", this->name(),
               "': the theta value must be >= 0. Received: theta=", theta_);
}

std::unique_ptr<Layer> ThresholdedReLU::from_config(const Config& c) {
  const BaseLayerArgs base = parse_base_args(c, {"theta"}, "ThresholdedReLU");
  FATHOM_CHECK(!c.has("theta") || !c.at("theta").is_null(), ValueError, c.where_of("theta"),
               "ThresholdedReLU: theta cannot be None, expecting a float. Received: theta=None");
  auto layer = std::make_unique<ThresholdedReLU>(c.get_or("theta", 1.0), base.name);
  apply_base_args(*layer, base);
  return layer;
}

Tensor ThresholdedReLU::call(const Tensor& x, bool /*training*/) {
  return ops::mul(x, ops::cast(ops::greater(x, ops::scalar_like(x, theta_)), x.dtype()));
}

Config ThresholdedReLU::get_config() const {
  Config c = Layer::get_config();
  c.set("theta", theta_);
  return c;
}

}  // namespace fathom::layers
