// SPDX-License-Identifier: Apache-2.0
#include "layers/conv2d.h"

#include <algorithm>
#include <cctype>

#include "core/ops.h"
#include "layers/initializers.h"
#include "layers/layer_config.h"
#include "layers/regularizers.h"

namespace fathom::layers {
namespace conv_detail {

Pair parse_pair(const Config& c, const std::string& key, Pair fallback, const std::string& owner) {
  if (!c.has(key) || c.at(key).is_null()) return fallback;
  const Config& v = c.at(key);
  if (v.is_number()) return {v.as_int(), v.as_int()};
  FATHOM_CHECK(v.is_list() && v.items().size() == 2, ConfigError, c.where_of(key), owner, ": ", key,
               " must be an int or a list of two ints. Received: ", v.to_json());
  return {v.items()[0].as_int(), v.items()[1].as_int()};
}

Config pair_config(Pair p) { return Config(Shape{p.first, p.second}); }

std::string parse_padding(const Config& c, const std::string& owner) {
  std::string p = c.get_or<std::string>("padding", "valid");
  std::transform(p.begin(), p.end(), p.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  FATHOM_CHECK(p == "valid" || p == "same", ConfigError, c.where_of("padding"), owner,
               ": padding must be 'valid' or 'same'. Received: padding='", c.get<std::string>("padding"), "'");
  return p;
}

void check_data_format(const Config& c, const std::string& owner) {
  const std::string format = c.get_or<std::string>("data_format", "channels_last");
  FATHOM_CHECK(format == "channels_last", ConfigError, c.where_of("data_format"), owner, ": data_format '", format,
               "' is not supported yet; only channels_last (NHWC)");
}

std::int64_t output_length(std::int64_t in, std::int64_t k, std::int64_t stride, std::int64_t dilation, bool same) {
  if (in < 0) return -1;
  if (same) return (in + stride - 1) / stride;
  const std::int64_t eff = (k - 1) * dilation + 1;
  if (in < eff) return -2;
  return (in - eff) / stride + 1;
}

Pair same_padding(std::int64_t in, std::int64_t k, std::int64_t stride, std::int64_t dilation) {
  const std::int64_t out = (in + stride - 1) / stride;
  const std::int64_t total = std::max<std::int64_t>((out - 1) * stride + (k - 1) * dilation + 1 - in, 0);
  return {total / 2, total - total / 2};
}

}  // namespace conv_detail

using conv_detail::Pair;

Conv2D::Conv2D(Options options, std::string name)
    : Layer(std::move(name), "conv2d"), options_(std::move(options)),
      resolved_(options_.weights),
      activation_(activation_fn(options_.activation)) {
  FATHOM_CHECK(options_.filters > 0, ValueError, "Conv2D '", this->name(),
               "': filters must be a positive integer. Received: filters=", options_.filters);
  const auto positive = [](Pair p) { return p.first > 0 && p.second > 0; };
  FATHOM_CHECK(positive(options_.kernel_size), ValueError, "Conv2D '", this->name(),
               "': kernel_size must be positive. Received: kernel_size=(", options_.kernel_size.first, ", ",
               options_.kernel_size.second, ")");
  FATHOM_CHECK(positive(options_.strides), ValueError, "Conv2D '", this->name(),
               "': strides must be positive. Received: strides=(", options_.strides.first, ", ",
               options_.strides.second, ")");
  FATHOM_CHECK(positive(options_.dilation_rate), ValueError, "Conv2D '", this->name(),
               "': dilation_rate must be positive. Received: dilation_rate=(", options_.dilation_rate.first, ", ",
               options_.dilation_rate.second, ")");
  // Keras: strides > 1 together with dilation_rate > 1 is not supported.
  FATHOM_CHECK(!((options_.strides.first > 1 || options_.strides.second > 1) &&
                 (options_.dilation_rate.first > 1 || options_.dilation_rate.second > 1)),
               ValueError, "Conv2D '", this->name(), "': strides > 1 is not compatible with dilation_rate > 1");
}

std::unique_ptr<Layer> Conv2D::from_config(const Config& c) {
  std::vector<std::string> keys = {"filters",       "kernel_size", "strides",    "padding",  "data_format",
                                   "dilation_rate", "groups",      "activation", "use_bias", "lora_rank"};
  keys.insert(keys.end(), WeightOptions::keys().begin(), WeightOptions::keys().end());
  const BaseLayerArgs base = parse_base_args(c, keys, "Conv2D");
  conv_detail::check_data_format(c, "Conv2D");
  const std::int64_t groups = c.get_or<std::int64_t>("groups", 1);
  FATHOM_CHECK(groups == 1, ConfigError, c.where_of("groups"), "Conv2D: groups=", groups,
               " is not supported yet; only groups=1");
  FATHOM_CHECK(!c.has("lora_rank") || c.at("lora_rank").is_null(), ConfigError, c.where(),
               "Conv2D: lora_rank is not supported");
  FATHOM_CHECK(c.has("kernel_size"), ConfigError, c.where(), "Conv2D: kernel_size is required");
  Options o;
  o.filters = c.get<std::int64_t>("filters");
  o.kernel_size = conv_detail::parse_pair(c, "kernel_size", {0, 0}, "Conv2D");
  o.strides = conv_detail::parse_pair(c, "strides", {1, 1}, "Conv2D");
  o.padding = conv_detail::parse_padding(c, "Conv2D");
  o.dilation_rate = conv_detail::parse_pair(c, "dilation_rate", {1, 1}, "Conv2D");
  o.activation = c.get_or<std::string>("activation", "linear");
  o.use_bias = c.get_or("use_bias", true);
  o.weights = WeightOptions::from_config(c);
  auto layer = std::make_unique<Conv2D>(std::move(o), base.name);
  apply_base_args(*layer, base);
  return layer;
}

void Conv2D::build(const Shape& input_shape) {
  if (input_shape.size() != 4) {
    fail("expected an NHWC input of rank 4, received shape " + shape_to_string(input_shape));
  }
  const std::int64_t in = input_shape.back();
  if (in < 0) fail("the channel dimension of the input must be known, received shape " + shape_to_string(input_shape));
  compute_output_shape(input_shape);  // reports a kernel larger than a VALID input now
  const auto [kh, kw] = options_.kernel_size;
  kernel_ = add_weight("kernel", {kh, kw, in, options_.filters}, *resolved_.kernel_initializer, true,
                       resolved_.kernel_regularizer, resolved_.kernel_constraint);
  if (options_.use_bias) {
    bias_ = add_weight("bias", {options_.filters}, *resolved_.bias_initializer, true,
                       resolved_.bias_regularizer, resolved_.bias_constraint);
  }
}

Tensor Conv2D::call(const Tensor& x_in, bool /*training*/) {
  const Shape out_shape = compute_output_shape(x_in.shape());
  const auto [kh, kw] = options_.kernel_size;
  const auto [sh, sw] = options_.strides;
  const auto [dh, dw] = options_.dilation_rate;
  Tensor x = x_in;
  if (options_.padding == "same") {
    const Pair ph = conv_detail::same_padding(x.shape()[1], kh, sh, dh);
    const Pair pw = conv_detail::same_padding(x.shape()[2], kw, sw, dw);
    if (ph.first + ph.second + pw.first + pw.second > 0) x = ops::pad(x, {{0, 0}, ph, pw, {0, 0}});
  }
  const std::int64_t cin = x.shape()[3];
  Tensor patches = ops::extract_patches(x, kh, kw, sh, sw, dh, dw);        // [B, OH, OW, kh*kw*Cin]
  patches = ops::reshape(patches, {-1, kh * kw * cin});                    // [B*OH*OW, kh*kw*Cin]
  Tensor y = ops::matmul(patches, ops::reshape(kernel_, {kh * kw * cin, options_.filters}));
  if (options_.use_bias) y = ops::add(y, bias_);
  y = ops::reshape(y, out_shape);
  y = activation_(y);
  if (const auto& reg = resolved_.activity_regularizer) {
    add_loss(ops::div((*reg)(y), static_cast<double>(x_in.shape()[0])));
  }
  return y;
}

Shape Conv2D::compute_output_shape(const Shape& s) const {
  if (s.size() != 4) fail("expected an NHWC input of rank 4, received shape " + shape_to_string(s));
  const bool same = options_.padding == "same";
  const std::int64_t oh = conv_detail::output_length(s[1], options_.kernel_size.first, options_.strides.first,
                                                     options_.dilation_rate.first, same);
  const std::int64_t ow = conv_detail::output_length(s[2], options_.kernel_size.second, options_.strides.second,
                                                     options_.dilation_rate.second, same);
  if (oh == -2 || ow == -2) {
    fail("the kernel (" + std::to_string(options_.kernel_size.first) + ", " +
         std::to_string(options_.kernel_size.second) + ") with dilation_rate (" +
         std::to_string(options_.dilation_rate.first) + ", " + std::to_string(options_.dilation_rate.second) +
         ") is larger than the input " + shape_to_string(s) + " with padding='valid'");
  }
  return {s[0], oh, ow, options_.filters};
}

Config Conv2D::get_config() const {
  Config c = Layer::get_config();
  c.set("filters", options_.filters).set("kernel_size", conv_detail::pair_config(options_.kernel_size));
  c.set("strides", conv_detail::pair_config(options_.strides)).set("padding", options_.padding);
  c.set("data_format", "channels_last").set("dilation_rate", conv_detail::pair_config(options_.dilation_rate));
  c.set("groups", std::int64_t{1}).set("activation", options_.activation).set("use_bias", options_.use_bias);
  resolved_.add_to_config(c);
  return c;
}

}  // namespace fathom::layers
