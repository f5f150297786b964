// SPDX-License-Identifier: Apache-2.0
#include "layers/dense.h"

#include "core/ops.h"
#include "layers/initializers.h"
#include "layers/layer_config.h"
#include "layers/regularizers.h"

namespace fathom::layers {

Dense::Dense(Options options, std::string name)
    : Layer(std::move(name), "dense"), options_(std::move(options)), activation_(activation_fn(options_.activation)) {
  FATHOM_CHECK(options_.units > 0, ValueError, "Dense '", this->name(),
               "': units must be a positive integer. Received: units=", options_.units);
  // Resolve every name now so that a typo fails at construction, not at the first call.
  get_initializer(options_.kernel_initializer);
  get_initializer(options_.bias_initializer);
  get_regularizer(options_.kernel_regularizer);
  get_regularizer(options_.bias_regularizer);
  get_regularizer(options_.activity_regularizer);
  get_constraint(options_.kernel_constraint);
  get_constraint(options_.bias_constraint);
}

std::unique_ptr<Layer> Dense::from_config(const Config& c) {
  const BaseLayerArgs base = parse_base_args(
      c, {"units", "activation", "use_bias", "kernel_initializer", "bias_initializer", "kernel_regularizer",
          "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint", "lora_rank", "quantization_config"},
      "Dense");
  FATHOM_CHECK(!c.has("lora_rank") || c.at("lora_rank").is_null(), ConfigError, c.where(),
               "Dense: lora_rank is not supported");
  FATHOM_CHECK(!c.has("quantization_config") || c.at("quantization_config").is_null(), ConfigError, c.where(),
               "Dense: quantization_config is not supported");
  Options o;
  o.units = c.get<std::int64_t>("units");
  o.activation = c.get_or<std::string>("activation", "linear");
  o.use_bias = c.get_or("use_bias", true);
  o.kernel_initializer = c.get_or<Config>("kernel_initializer", o.kernel_initializer);
  o.bias_initializer = c.get_or<Config>("bias_initializer", o.bias_initializer);
  o.kernel_regularizer = c.get_or<Config>("kernel_regularizer", Config());
  o.bias_regularizer = c.get_or<Config>("bias_regularizer", Config());
  o.activity_regularizer = c.get_or<Config>("activity_regularizer", Config());
  o.kernel_constraint = c.get_or<Config>("kernel_constraint", Config());
  o.bias_constraint = c.get_or<Config>("bias_constraint", Config());
  auto layer = std::make_unique<Dense>(std::move(o), base.name);
  apply_base_args(*layer, base);
  return layer;
}

void Dense::build(const Shape& input_shape) {
  if (input_shape.size() < 2) fail("expected an input of rank >= 2, received shape " + shape_to_string(input_shape));
  const std::int64_t in = input_shape.back();
  if (in < 0) fail("the last dimension of the input must be known, received shape " + shape_to_string(input_shape));
  kernel_ = add_weight("kernel", {in, options_.units}, *get_initializer(options_.kernel_initializer), true,
                       get_regularizer(options_.kernel_regularizer), get_constraint(options_.kernel_constraint));
  if (options_.use_bias) {
    bias_ = add_weight("bias", {options_.units}, *get_initializer(options_.bias_initializer), true,
                       get_regularizer(options_.bias_regularizer), get_constraint(options_.bias_constraint));
  }
}

Tensor Dense::call(const Tensor& x, bool /*training*/) {
  Tensor y = ops::matmul(x, kernel_);  // [B, ..., in] x [in, units]
  if (options_.use_bias) y = ops::add(y, bias_);
  y = activation_(y);
  if (auto reg = get_regularizer(options_.activity_regularizer)) {
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
  c.set("kernel_initializer", serialize_initializer(*get_initializer(options_.kernel_initializer)));
  c.set("bias_initializer", serialize_initializer(*get_initializer(options_.bias_initializer)));
  c.set("kernel_regularizer", serialize_regularizer(get_regularizer(options_.kernel_regularizer).get()));
  c.set("bias_regularizer", serialize_regularizer(get_regularizer(options_.bias_regularizer).get()));
  c.set("activity_regularizer", serialize_regularizer(get_regularizer(options_.activity_regularizer).get()));
  c.set("kernel_constraint", serialize_constraint(get_constraint(options_.kernel_constraint).get()));
  c.set("bias_constraint", serialize_constraint(get_constraint(options_.bias_constraint).get()));
  return c;
}

}  // namespace fathom::layers
