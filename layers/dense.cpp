// SPDX-License-Identifier: Apache-2.0
#include "layers/dense.h"

#include "core/ops.h"
#include "layers/initializers.h"
#include "layers/layer_config.h"
#include "layers/regularizers.h"

namespace fathom::layers {

Dense::Dense(Options options, std::string name)
    : Layer(std::move(name), "dense"), options_(std::move(options)),
      resolved_(options_.weights),
      activation_(activation_fn(options_.activation)) {
  FATHOM_CHECK(options_.units > 0, ValueError, "Dense '", this->name(),
               "': units must be a positive integer. Received: units=", options_.units);
  // Resolve every name now so that a typo fails at construction, not at the first call.
}

std::unique_ptr<Layer> Dense::from_config(const Config& c) {
  std::vector<std::string> keys = {"units", "activation", "use_bias", "lora_rank", "quantization_config"};
  keys.insert(keys.end(), WeightOptions::keys().begin(), WeightOptions::keys().end());
  const BaseLayerArgs base = parse_base_args(c, keys, "Dense");
  FATHOM_CHECK(!c.has("lora_rank") || c.at("lora_rank").is_null(), ConfigError, c.where(),
               "Dense: lora_rank is not supported");
  FATHOM_CHECK(!c.has("quantization_config") || c.at("quantization_config").is_null(), ConfigError, c.where(),
               "Dense: quantization_config is not supported");
  Options o;
  o.units = c.get<std::int64_t>("units");
  o.activation = c.get_or<std::string>("activation", "linear");
  o.use_bias = c.get_or("use_bias", true);
  o.weights = WeightOptions::from_config(c);
  auto layer = std::make_unique<Dense>(std::move(o), base.name);
  apply_base_args(*layer, base);
  return layer;
}

void Dense::build(const Shape& input_shape) {
  if (input_shape.size() < 2) fail("expected an input of rank >= 2, received shape " + shape_to_string(input_shape));
  const std::int64_t in = input_shape.back();
  if (in < 0) fail("the last dimension of the input must be known, received shape " + shape_to_string(input_shape));
  kernel_ = add_weight("kernel", {in, options_.units}, *resolved_.kernel_initializer, true,
                       resolved_.kernel_regularizer, resolved_.kernel_constraint);
  if (options_.use_bias) {
    bias_ = add_weight("bias", {options_.units}, *resolved_.bias_initializer, true,
                       resolved_.bias_regularizer, resolved_.bias_constraint);
  }
}

Tensor Dense::call(const Tensor& x, bool /*training*/) {
  Tensor y = ops::matmul(x, kernel_);  // [B, ..., in] x [in, units]
  if (options_.use_bias) y = ops::add(y, bias_);
  y = activation_(y);
  if (const auto& reg = resolved_.activity_regularizer) {
    // Keras (2 and 3.15) divides the activity penalty by the batch size.
    add_loss(ops::div((*reg)(y), static_cast<double>(x.shape()[0])));
  }
  return y;
}

Shape Dense::compute_output_shape(const Shape& s) const {
  Shape out = s;
  out.back() = options_.units;
  return out;
}

Config Dense::get_config() const {
  Config c = Layer::get_config();
  c.set("units", options_.units).set("activation", options_.activation).set("use_bias", options_.use_bias);
  resolved_.add_to_config(c);
  return c;
}

}  // namespace fathom::layers
