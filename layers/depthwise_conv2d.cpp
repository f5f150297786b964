// SPDX-License-Identifier: Apache-2.0
#include "layers/depthwise_conv2d.h"

#include "core/ops.h"
#include "layers/initializers.h"
#include "layers/layer_config.h"
#include "layers/regularizers.h"

namespace fathom::layers {

DepthwiseConv2D::DepthwiseConv2D(Options options, std::string name)
    : Layer(std::move(name), "depthwise_conv2d"),
      options_(std::move(options)),
      depthwise_(options_.depthwise_initializer, options_.depthwise_regularizer, options_.depthwise_constraint),
      bias_slot_(options_.bias_initializer, options_.bias_regularizer, options_.bias_constraint),
      activity_regularizer_(get_regularizer(options_.activity_regularizer)),
      activation_(activation_fn(options_.activation)) {
  const std::string who = "DepthwiseConv2D '" + this->name() + "'";
  FATHOM_CHECK(options_.depth_multiplier > 0, ValueError, who,
               ": depth_multiplier must be a positive integer. Received: depth_multiplier=", options_.depth_multiplier);
  FATHOM_CHECK(options_.padding == "valid" || options_.padding == "same", ValueError, who,
               ": padding must be 'valid' or 'same'. Received: padding='", options_.padding, "'");
  conv_detail::check_geometry(who, options_.kernel_size, options_.strides, options_.dilation_rate);
}

std::unique_ptr<Layer> DepthwiseConv2D::from_config(const Config& c) {
  const std::string owner = "DepthwiseConv2D";
  // "groups": Keras 2 writes it (always 1) into DepthwiseConv2D configs.
  const BaseLayerArgs base = parse_base_args(
      c,
      {"kernel_size", "strides", "padding", "depth_multiplier", "data_format", "dilation_rate", "groups", "activation",
       "use_bias", "depthwise_initializer", "bias_initializer", "depthwise_regularizer", "bias_regularizer",
       "activity_regularizer", "depthwise_constraint", "bias_constraint"},
      owner);
  conv_detail::check_data_format(c, owner);
  conv_detail::check_groups(c, owner);
  FATHOM_CHECK(c.has("kernel_size"), ConfigError, c.where(), owner, ": kernel_size is required");
  Options o;
  o.kernel_size = conv_detail::parse_pair(c, "kernel_size", {0, 0}, owner);
  o.strides = conv_detail::parse_pair(c, "strides", {1, 1}, owner);
  o.padding = conv_detail::parse_padding(c, owner);
  o.depth_multiplier = c.get_or<std::int64_t>("depth_multiplier", 1);
  o.dilation_rate = conv_detail::parse_pair(c, "dilation_rate", {1, 1}, owner);
  o.activation = c.get_or<std::string>("activation", "linear");
  o.use_bias = c.get_or("use_bias", true);
  o.depthwise_initializer = c.get_or<Config>("depthwise_initializer", o.depthwise_initializer);
  o.bias_initializer = c.get_or<Config>("bias_initializer", o.bias_initializer);
  o.depthwise_regularizer = c.get_or<Config>("depthwise_regularizer", Config());
  o.bias_regularizer = c.get_or<Config>("bias_regularizer", Config());
  o.activity_regularizer = c.get_or<Config>("activity_regularizer", Config());
  o.depthwise_constraint = c.get_or<Config>("depthwise_constraint", Config());
  o.bias_constraint = c.get_or<Config>("bias_constraint", Config());
  auto layer = std::make_unique<DepthwiseConv2D>(std::move(o), base.name);
  apply_base_args(*layer, base);
  return layer;
}

void DepthwiseConv2D::build(const Shape& input_shape) {
  compute_output_shape(input_shape);
  const std::int64_t in = input_shape.back();
  if (in < 0) fail("the channel dimension of the input must be known, received shape " + shape_to_string(input_shape));
  const auto [kh, kw] = options_.kernel_size;
  kernel_ = add_weight("depthwise_kernel", {kh, kw, in, options_.depth_multiplier}, *depthwise_.initializer, true,
                       depthwise_.regularizer, depthwise_.constraint);
  if (options_.use_bias) {
    bias_ = add_weight("bias", {in * options_.depth_multiplier}, *bias_slot_.initializer, true, bias_slot_.regularizer,
                       bias_slot_.constraint);
  }
}

Tensor DepthwiseConv2D::call(const Tensor& x_in, bool /*training*/) {
  compute_output_shape(x_in.shape());
  const Tensor x = options_.padding == "same"
                       ? conv_detail::pad_same(x_in, options_.kernel_size, options_.strides, options_.dilation_rate)
                       : x_in;
  Tensor y = conv_detail::depthwise_conv2d_valid(x, kernel_, options_.strides, options_.dilation_rate);
  if (options_.use_bias) y = ops::add(y, bias_);
  y = activation_(y);
  if (activity_regularizer_) add_loss(ops::div((*activity_regularizer_)(y), static_cast<double>(x_in.shape()[0])));
  return y;
}

Shape DepthwiseConv2D::compute_output_shape(const Shape& s) const {
  if (s.size() != 4) fail("expected an NHWC input of rank 4, received shape " + shape_to_string(s));
  std::string error;
  const auto [oh, ow] = conv_detail::output_hw(s, options_.kernel_size, options_.strides, options_.dilation_rate,
                                               options_.padding == "same", &error);
  if (!error.empty()) fail(error);
  return {s[0], oh, ow, s[3] < 0 ? -1 : s[3] * options_.depth_multiplier};
}

Config DepthwiseConv2D::get_config() const {
  Config c = Layer::get_config();
  c.set("depth_multiplier", options_.depth_multiplier);
  c.set("kernel_size", conv_detail::pair_config(options_.kernel_size));
  c.set("strides", conv_detail::pair_config(options_.strides)).set("padding", options_.padding);
  c.set("data_format", "channels_last").set("dilation_rate", conv_detail::pair_config(options_.dilation_rate));
  c.set("activation", options_.activation).set("use_bias", options_.use_bias);
  c.set("depthwise_initializer", serialize_initializer(*depthwise_.initializer));
  c.set("bias_initializer", serialize_initializer(*bias_slot_.initializer));
  c.set("depthwise_regularizer", serialize_regularizer(depthwise_.regularizer.get()));
  c.set("bias_regularizer", serialize_regularizer(bias_slot_.regularizer.get()));
  c.set("activity_regularizer", serialize_regularizer(activity_regularizer_.get()));
  c.set("depthwise_constraint", serialize_constraint(depthwise_.constraint.get()));
  c.set("bias_constraint", serialize_constraint(bias_slot_.constraint.get()));
  return c;
}

}  // namespace fathom::layers
