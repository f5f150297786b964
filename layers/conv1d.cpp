// SPDX-License-Identifier: Apache-2.0
#include "layers/conv1d.h"

#include "core/ops.h"
#include "layers/conv_utils.h"
#include "layers/initializers.h"
#include "layers/layer_config.h"
#include "layers/regularizers.h"

namespace fathom::layers {

using conv_detail::Pair;

Conv1D::Conv1D(Options options, std::string name)
    : Layer(std::move(name), "conv1d"),
      options_(std::move(options)),
      resolved_(options_.weights),
      activation_(activation_fn(options_.activation)) {
  FATHOM_CHECK(options_.filters > 0, ValueError, "Conv1D '", this->name(),
               "': filters must be a positive integer. Received: filters=", options_.filters);
  FATHOM_CHECK(options_.padding == "valid" || options_.padding == "same" || options_.padding == "causal", ValueError,
               "Conv1D '", this->name(), "': padding must be 'valid', 'same' or 'causal'. Received: padding='",
               options_.padding, "'");
  conv_detail::check_geometry("Conv1D '" + this->name() + "'", {1, options_.kernel_size}, {1, options_.strides},
                              {1, options_.dilation_rate});
}

std::unique_ptr<Layer> Conv1D::from_config(const Config& c) {
  std::vector<std::string> keys = {"filters",       "kernel_size", "strides",    "padding",  "data_format",
                                   "dilation_rate", "groups",      "activation", "use_bias", "lora_rank"};
  keys.insert(keys.end(), WeightOptions::keys().begin(), WeightOptions::keys().end());
  const BaseLayerArgs base = parse_base_args(c, keys, "Conv1D");
  conv_detail::check_data_format(c, "Conv1D");
  conv_detail::check_groups(c, "Conv1D");
  FATHOM_CHECK(!c.has("lora_rank") || c.at("lora_rank").is_null(), ConfigError, c.where(),
               "Conv1D: lora_rank is not supported");
  FATHOM_CHECK(c.has("kernel_size"), ConfigError, c.where(), "Conv1D: kernel_size is required");
  Options o;
  o.filters = c.get<std::int64_t>("filters");
  o.kernel_size = conv_detail::parse_single(c, "kernel_size", 0, "Conv1D");
  o.strides = conv_detail::parse_single(c, "strides", 1, "Conv1D");
  o.padding = conv_detail::parse_padding_1d(c, "Conv1D", /*allow_causal=*/true);
  o.dilation_rate = conv_detail::parse_single(c, "dilation_rate", 1, "Conv1D");
  o.activation = c.get_or<std::string>("activation", "linear");
  o.use_bias = c.get_or("use_bias", true);
  o.weights = WeightOptions::from_config(c);
  auto layer = std::make_unique<Conv1D>(std::move(o), base.name);
  apply_base_args(*layer, base);
  return layer;
}

void Conv1D::build(const Shape& input_shape) {
  compute_output_shape(input_shape);  // rank, and a kernel larger than a VALID input
  const std::int64_t in = input_shape.back();
  if (in < 0) fail("the channel dimension of the input must be known, received shape " + shape_to_string(input_shape));
  kernel_ = add_weight("kernel", {options_.kernel_size, in, options_.filters}, *resolved_.kernel_initializer, true,
                       resolved_.kernel_regularizer, resolved_.kernel_constraint);
  if (options_.use_bias) {
    bias_ = add_weight("bias", {options_.filters}, *resolved_.bias_initializer, true, resolved_.bias_regularizer,
                       resolved_.bias_constraint);
  }
}

Tensor Conv1D::call(const Tensor& x_in, bool /*training*/) {
  const Shape out_shape = compute_output_shape(x_in.shape());
  const Pair kernel{1, options_.kernel_size}, strides{1, options_.strides}, dilation{1, options_.dilation_rate};
  const Shape& s = x_in.shape();
  Tensor x = ops::reshape(x_in, {s[0], 1, s[1], s[2]});  // [B, L, C] viewed as [B, 1, L, C]
  if (options_.padding == "same") x = conv_detail::pad_same(x, kernel, strides, dilation);
  if (options_.padding == "causal")
    x = conv_detail::pad_or_crop(x, {0, 0}, {(options_.kernel_size - 1) * options_.dilation_rate, 0});
  const Tensor k = ops::reshape(kernel_, {1, options_.kernel_size, s[2], options_.filters});
  Tensor y = conv_detail::conv2d_valid(x, k, strides, dilation);  // [B, 1, OL, F]
  if (options_.use_bias) y = ops::add(y, bias_);
  y = activation_(ops::reshape(y, out_shape));
  if (const auto& reg = resolved_.activity_regularizer) {
    add_loss(ops::div((*reg)(y), static_cast<double>(s[0])));
  }
  return y;
}

Shape Conv1D::compute_output_shape(const Shape& s) const {
  if (s.size() != 3) fail("expected an input [batch, steps, channels] of rank 3, received shape " + shape_to_string(s));
  // "causal" has the length of "same": the left padding keeps every step.
  const std::int64_t ol = conv_detail::output_length(s[1], options_.kernel_size, options_.strides,
                                                     options_.dilation_rate, options_.padding != "valid");
  if (ol == -2) {
    fail("the kernel_size " + std::to_string(options_.kernel_size) + " with dilation_rate " +
         std::to_string(options_.dilation_rate) + " is larger than the input " + shape_to_string(s) +
         " with padding='valid'");
  }
  return {s[0], ol, options_.filters};
}

Config Conv1D::get_config() const {
  Config c = Layer::get_config();
  c.set("filters", options_.filters).set("kernel_size", Config(Shape{options_.kernel_size}));
  c.set("strides", Config(Shape{options_.strides})).set("padding", options_.padding);
  c.set("data_format", "channels_last").set("dilation_rate", Config(Shape{options_.dilation_rate}));
  c.set("groups", std::int64_t{1}).set("activation", options_.activation).set("use_bias", options_.use_bias);
  resolved_.add_to_config(c);
  return c;
}

}  // namespace fathom::layers
