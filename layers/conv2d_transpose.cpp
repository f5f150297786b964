// SPDX-License-Identifier: Apache-2.0
#include "layers/conv2d_transpose.h"

#include <algorithm>

#include "core/ops.h"
#include "layers/conv_utils.h"
#include "layers/initializers.h"
#include "layers/layer_config.h"
#include "layers/regularizers.h"

namespace fathom::layers {
namespace {

using conv_detail::Pair;

/// Keras's deconv_output_length for one axis; -1 stays -1. `op` < 0 means output_padding null.
std::int64_t transposed_length(std::int64_t n, std::int64_t k, std::int64_t s, std::int64_t d, bool same,
                               std::int64_t op) {
  if (n < 0) return -1;
  const std::int64_t k_eff = (k - 1) * d + 1;
  if (!same) return (n - 1) * s + k_eff + (op >= 0 ? op : std::max(k_eff, s) - k_eff);
  return op >= 0 ? (n - 1) * s + k_eff % 2 + op : n * s;
}

/// (left, right) padding of the zero-inserted axis (length (n - 1) * s + 1) so that a stride-1
/// VALID correlation with the flipped kernel gives `out` cells. TF derives the forward conv's
/// padding from `out` (same: max((n - 1) * s + k' - out, 0), the smaller half before); the
/// transposed conv pads k' - 1 - before on the left.
Pair transposed_padding(std::int64_t n, std::int64_t k, std::int64_t s, std::int64_t d, bool same, std::int64_t out) {
  const std::int64_t k_eff = (k - 1) * d + 1;
  const std::int64_t before = same ? std::max<std::int64_t>((n - 1) * s + k_eff - out, 0) / 2 : 0;
  const std::int64_t left = k_eff - 1 - before;
  return {left, out + k_eff - 1 - left - ((n - 1) * s + 1)};
}

/// [B, H, W, C] -> [B, H * sh, W * sw, C] with x at (i * sh, j * sw) and zeros elsewhere (the
/// last sh - 1 rows and sw - 1 columns are zeros too): reshape, pad the new unit axes, reshape.
Tensor zero_insert(const Tensor& x, Pair s) {
  if (s.first == 1 && s.second == 1) return x;
  const Shape& sh = x.shape();
  Tensor y = ops::reshape(x, {sh[0], sh[1], 1, sh[2], 1, sh[3]});
  y = ops::pad(y, {{0, 0}, {0, 0}, {0, s.first - 1}, {0, 0}, {0, s.second - 1}, {0, 0}});
  return ops::reshape(y, {sh[0], sh[1] * s.first, sh[2] * s.second, sh[3]});
}

}  // namespace

Conv2DTranspose::Conv2DTranspose(Options options, std::string name)
    : Layer(std::move(name), "conv2d_transpose"),
      options_(std::move(options)),
      resolved_(options_.weights),
      activation_(activation_fn(options_.activation)) {
  const std::string who = "Conv2DTranspose '" + this->name() + "'";
  FATHOM_CHECK(options_.filters > 0, ValueError, who,
               ": filters must be a positive integer. Received: filters=", options_.filters);
  FATHOM_CHECK(options_.padding == "valid" || options_.padding == "same", ValueError, who,
               ": padding must be 'valid' or 'same'. Received: padding='", options_.padding, "'");
  conv_detail::check_geometry(who, options_.kernel_size, options_.strides, options_.dilation_rate);
  if (const auto& op = options_.output_padding) {
    FATHOM_CHECK(
        op->first >= 0 && op->second >= 0 && op->first < options_.strides.first && op->second < options_.strides.second,
        ValueError, who,
        ": output_padding must be non-negative and strictly less than strides. Received: "
        "output_padding=(",
        op->first, ", ", op->second, "), strides=(", options_.strides.first, ", ", options_.strides.second, ")");
  }
}

std::unique_ptr<Layer> Conv2DTranspose::from_config(const Config& c) {
  std::vector<std::string> keys = {"filters",     "kernel_size",   "strides", "padding",    "output_padding",
                                   "data_format", "dilation_rate", "groups",  "activation", "use_bias"};
  keys.insert(keys.end(), WeightOptions::keys().begin(), WeightOptions::keys().end());
  const std::string owner = "Conv2DTranspose";
  const BaseLayerArgs base = parse_base_args(c, keys, owner);
  conv_detail::check_data_format(c, owner);
  conv_detail::check_groups(c, owner);  // Keras 2 files carry "groups": 1
  FATHOM_CHECK(c.has("kernel_size"), ConfigError, c.where(), owner, ": kernel_size is required");
  Options o;
  o.filters = c.get<std::int64_t>("filters");
  o.kernel_size = conv_detail::parse_pair(c, "kernel_size", {0, 0}, owner);
  o.strides = conv_detail::parse_pair(c, "strides", {1, 1}, owner);
  o.padding = conv_detail::parse_padding(c, owner);
  if (c.has("output_padding") && !c.at("output_padding").is_null()) {
    o.output_padding = conv_detail::parse_pair(c, "output_padding", {0, 0}, owner);
  }
  o.dilation_rate = conv_detail::parse_pair(c, "dilation_rate", {1, 1}, owner);
  o.activation = c.get_or<std::string>("activation", "linear");
  o.use_bias = c.get_or("use_bias", true);
  o.weights = WeightOptions::from_config(c);
  auto layer = std::make_unique<Conv2DTranspose>(std::move(o), base.name);
  apply_base_args(*layer, base);
  return layer;
}

void Conv2DTranspose::build(const Shape& input_shape) {
  compute_output_shape(input_shape);
  const std::int64_t in = input_shape.back();
  if (in < 0) fail("the channel dimension of the input must be known, received shape " + shape_to_string(input_shape));
  const auto [kh, kw] = options_.kernel_size;
  kernel_ = add_weight("kernel", {kh, kw, options_.filters, in}, *resolved_.kernel_initializer, true,
                       resolved_.kernel_regularizer, resolved_.kernel_constraint);
  if (options_.use_bias) {
    bias_ = add_weight("bias", {options_.filters}, *resolved_.bias_initializer, true, resolved_.bias_regularizer,
                       resolved_.bias_constraint);
  }
}

Tensor Conv2DTranspose::call(const Tensor& x_in, bool /*training*/) {
  const Shape out = compute_output_shape(x_in.shape());
  const auto [kh, kw] = options_.kernel_size;
  const auto [sh, sw] = options_.strides;
  const auto [dh, dw] = options_.dilation_rate;
  const bool same = options_.padding == "same";
  const Pair ph = transposed_padding(x_in.shape()[1], kh, sh, dh, same, out[1]);
  const Pair pw = transposed_padding(x_in.shape()[2], kw, sw, dw, same, out[2]);
  // zero_insert already appended s - 1 zeros after the last cell; the right padding counts them.
  const Tensor z = conv_detail::pad_or_crop(zero_insert(x_in, options_.strides), {ph.first, ph.second - (sh - 1)},
                                            {pw.first, pw.second - (sw - 1)});
  // kernel [kh, kw, F, Cin] -> flipped in space, [kh, kw, Cin, F].
  const ops::Slice reverse{std::nullopt, std::nullopt, -1};
  const Tensor k = ops::transpose(ops::slice(kernel_, {reverse, reverse}), {0, 1, 3, 2});
  Tensor y = conv_detail::conv2d_valid(z, k, {1, 1}, options_.dilation_rate);
  if (options_.use_bias) y = ops::add(y, bias_);
  y = activation_(y);
  if (const auto& reg = resolved_.activity_regularizer) {
    add_loss(ops::div((*reg)(y), static_cast<double>(x_in.shape()[0])));
  }
  return y;
}

Shape Conv2DTranspose::compute_output_shape(const Shape& s) const {
  if (s.size() != 4) fail("expected an NHWC input of rank 4, received shape " + shape_to_string(s));
  const bool same = options_.padding == "same";
  const auto& op = options_.output_padding;
  const std::int64_t oh = transposed_length(s[1], options_.kernel_size.first, options_.strides.first,
                                            options_.dilation_rate.first, same, op ? op->first : -1);
  const std::int64_t ow = transposed_length(s[2], options_.kernel_size.second, options_.strides.second,
                                            options_.dilation_rate.second, same, op ? op->second : -1);
  if ((s[1] >= 0 && oh <= 0) || (s[2] >= 0 && ow <= 0)) {
    fail("the input " + shape_to_string(s) + " gives an empty output with padding='same' and output_padding=0");
  }
  return {s[0], oh, ow, options_.filters};
}

Config Conv2DTranspose::get_config() const {
  Config c = Layer::get_config();
  c.set("filters", options_.filters).set("kernel_size", conv_detail::pair_config(options_.kernel_size));
  c.set("strides", conv_detail::pair_config(options_.strides)).set("padding", options_.padding);
  const auto& op = options_.output_padding;
  c.set("output_padding", op ? conv_detail::pair_config(*op) : Config());
  c.set("data_format", "channels_last").set("dilation_rate", conv_detail::pair_config(options_.dilation_rate));
  c.set("activation", options_.activation).set("use_bias", options_.use_bias);
  resolved_.add_to_config(c);
  return c;
}

}  // namespace fathom::layers
