// SPDX-License-Identifier: Apache-2.0
#include "layers/pooling2d.h"

#include <limits>

#include "core/ops.h"
#include "layers/layer_config.h"

namespace fathom::layers {

using conv_detail::Pair;

Pooling2D::Pooling2D(Kind kind, Options options, std::string name)
    : Layer(std::move(name), kind == Kind::kMax ? "max_pooling2d" : "average_pooling2d"),
      kind_(kind),
      options_(std::move(options)) {
  const auto positive = [](Pair p) { return p.first > 0 && p.second > 0; };
  FATHOM_CHECK(positive(options_.pool_size), ValueError, class_name(), " '", this->name(),
               "': pool_size must be positive. Received: pool_size=(", options_.pool_size.first, ", ",
               options_.pool_size.second, ")");
  FATHOM_CHECK(positive(options_.strides), ValueError, class_name(), " '", this->name(),
               "': strides must be positive. Received: strides=(", options_.strides.first, ", ",
               options_.strides.second, ")");
}

std::unique_ptr<Layer> Pooling2D::from_config(Kind kind, const Config& c) {
  const std::string owner = kind == Kind::kMax ? "MaxPooling2D" : "AveragePooling2D";
  const BaseLayerArgs base = parse_base_args(c, {"pool_size", "strides", "padding", "data_format"}, owner);
  conv_detail::check_data_format(c, owner);
  Options o;
  o.pool_size = conv_detail::parse_pair(c, "pool_size", {2, 2}, owner);
  o.strides = conv_detail::parse_pair(c, "strides", o.pool_size, owner);
  o.padding = conv_detail::parse_padding(c, owner);
  auto layer = std::make_unique<Pooling2D>(kind, std::move(o), base.name);
  apply_base_args(*layer, base);
  return layer;
}

Tensor Pooling2D::call(const Tensor& x_in, bool /*training*/) {
  const Shape out_shape = compute_output_shape(x_in.shape());
  const auto [kh, kw] = options_.pool_size;
  const auto [sh, sw] = options_.strides;
  const std::int64_t c = x_in.shape()[3];
  Pair ph{0, 0}, pw{0, 0};
  if (options_.padding == "same") {
    ph = conv_detail::same_padding(x_in.shape()[1], kh, sh, 1);
    pw = conv_detail::same_padding(x_in.shape()[2], kw, sw, 1);
  }
  const bool padded = ph.first + ph.second + pw.first + pw.second > 0;
  const std::vector<std::pair<std::int64_t, std::int64_t>> paddings = {{0, 0}, ph, pw, {0, 0}};
  const auto windows = [&](const Tensor& img, std::int64_t channels) {
    // [B, OH, OW, kh*kw*C] -> [B, OH, OW, kh*kw, C]
    return ops::reshape(ops::extract_patches(img, kh, kw, sh, sw, 1, 1),
                        {img.shape()[0], out_shape[1], out_shape[2], kh * kw, channels});
  };
  if (kind_ == Kind::kMax) {
    // Padded cells hold the lowest finite float32, so they never win a window with a real cell.
    const Tensor x = padded ? ops::pad(x_in, paddings, -static_cast<double>(std::numeric_limits<float>::max())) : x_in;
    return ops::max(windows(x, c), {3});
  }
  if (!padded) return ops::mean(windows(x_in, c), {3});
  // Keras's same-padding average divides by the number of real cells in each window.
  const Tensor sums = ops::sum(windows(ops::pad(x_in, paddings, 0.0), c), {3});
  const Tensor ones = Tensor::ones({1, x_in.shape()[1], x_in.shape()[2], 1}, x_in.dtype());
  const Tensor counts = ops::sum(windows(ops::pad(ones, paddings, 0.0), 1), {3});  // [1, OH, OW, 1]
  return ops::div(sums, counts);
}

Shape Pooling2D::compute_output_shape(const Shape& s) const {
  if (s.size() != 4) fail("expected an NHWC input of rank 4, received shape " + shape_to_string(s));
  const bool same = options_.padding == "same";
  const std::int64_t oh = conv_detail::output_length(s[1], options_.pool_size.first, options_.strides.first, 1, same);
  const std::int64_t ow = conv_detail::output_length(s[2], options_.pool_size.second, options_.strides.second, 1, same);
  if (oh == -2 || ow == -2) {
    fail("the pool_size (" + std::to_string(options_.pool_size.first) + ", " +
         std::to_string(options_.pool_size.second) + ") is larger than the input " + shape_to_string(s) +
         " with padding='valid'");
  }
  return {s[0], oh, ow, s[3]};
}

Config Pooling2D::get_config() const {
  Config c = Layer::get_config();
  c.set("pool_size", conv_detail::pair_config(options_.pool_size));
  c.set("padding", options_.padding).set("strides", conv_detail::pair_config(options_.strides));
  c.set("data_format", "channels_last");
  return c;
}

}  // namespace fathom::layers
