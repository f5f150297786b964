// SPDX-License-Identifier: Apache-2.0
#include "layers/pooling1d.h"

#include "core/ops.h"
#include "layers/conv_utils.h"
#include "layers/layer_config.h"

namespace fathom::layers {

Pooling1D::Pooling1D(Kind kind, Options options, std::string name)
    : Layer(std::move(name), kind == Kind::kMax ? "max_pooling1d" : "average_pooling1d"),
      kind_(kind),
      options_(std::move(options)) {
  FATHOM_CHECK(options_.pool_size > 0, ValueError, class_name(), " '", this->name(),
               "': pool_size must be positive. Received: pool_size=", options_.pool_size);
  FATHOM_CHECK(options_.strides > 0, ValueError, class_name(), " '", this->name(),
               "': strides must be positive. Received: strides=", options_.strides);
  FATHOM_CHECK(options_.padding == "valid" || options_.padding == "same", ValueError, class_name(), " '", this->name(),
               "': padding must be 'valid' or 'same'. Received: padding='", options_.padding, "'");
}

std::unique_ptr<Layer> Pooling1D::from_config(Kind kind, const Config& c) {
  const std::string owner = kind == Kind::kMax ? "MaxPooling1D" : "AveragePooling1D";
  const BaseLayerArgs base = parse_base_args(c, {"pool_size", "strides", "padding", "data_format"}, owner);
  conv_detail::check_data_format(c, owner);
  Options o;
  o.pool_size = conv_detail::parse_single(c, "pool_size", 2, owner);
  o.strides = conv_detail::parse_single(c, "strides", o.pool_size, owner);
  o.padding = conv_detail::parse_padding_1d(c, owner, /*allow_causal=*/false);
  auto layer = std::make_unique<Pooling1D>(kind, std::move(o), base.name);
  apply_base_args(*layer, base);
  return layer;
}

Tensor Pooling1D::call(const Tensor& x, bool /*training*/) {
  const Shape out = compute_output_shape(x.shape());
  const Shape& s = x.shape();
  const Tensor y = conv_detail::pool2d(ops::reshape(x, {s[0], 1, s[1], s[2]}), kind_ == Kind::kMax,
                                       {1, options_.pool_size}, {1, options_.strides}, options_.padding == "same");
  return ops::reshape(y, out);
}

Shape Pooling1D::compute_output_shape(const Shape& s) const {
  if (s.size() != 3) fail("expected an input [batch, steps, channels] of rank 3, received shape " + shape_to_string(s));
  const std::int64_t ol =
      conv_detail::output_length(s[1], options_.pool_size, options_.strides, 1, options_.padding == "same");
  if (ol == -2) {
    fail("the pool_size " + std::to_string(options_.pool_size) + " is larger than the input " + shape_to_string(s) +
         " with padding='valid'");
  }
  return {s[0], ol, s[2]};
}

Config Pooling1D::get_config() const {
  Config c = Layer::get_config();
  c.set("pool_size", Config(Shape{options_.pool_size})).set("padding", options_.padding);
  c.set("strides", Config(Shape{options_.strides})).set("data_format", "channels_last");
  return c;
}

}  // namespace fathom::layers
