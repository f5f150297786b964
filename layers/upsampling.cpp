// SPDX-License-Identifier: Apache-2.0
#include "layers/upsampling.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "core/ops.h"
#include "layers/conv2d.h"
#include "layers/layer_config.h"
#include "layers/padding_cropping.h"

namespace fathom::layers {
namespace {

/// Nearest: every spatial axis i gets a size-1 axis after it, broadcast to the factor and merged
/// back: [B, H, W, C] -> [B, H, 1, W, 1, C] -> [B, H, sh, W, sw, C] -> [B, H*sh, W*sw, C].
Tensor repeat_nearest(const Tensor& x, const std::vector<std::int64_t>& size) {
  const Shape& s = x.shape();
  Shape split = {s[0]}, broadcast = {s[0]}, merged = {s[0]};
  for (std::size_t i = 0; i < size.size(); ++i) {
    split.insert(split.end(), {s[i + 1], 1});
    broadcast.insert(broadcast.end(), {s[i + 1], size[i]});
    merged.push_back(s[i + 1] * size[i]);
  }
  split.push_back(s.back());
  broadcast.push_back(s.back());
  merged.push_back(s.back());
  return ops::reshape(ops::broadcast_to(ops::reshape(x, split), broadcast), merged);
}

/// Bilinear along one axis by an integer factor, with TensorFlow's half-pixel weights: output
/// position o samples src = (o + 0.5) / factor - 0.5 between rows floor(src) and floor(src) + 1,
/// both clamped to the axis (so the edges repeat). Two gathers and a lerp; the gathers
/// scatter-add the gradient back.
Tensor bilinear_axis(const Tensor& x, std::int64_t axis, std::int64_t factor) {
  const std::int64_t n = x.shape()[axis], out = n * factor;
  std::vector<std::int64_t> lo(out), hi(out);
  std::vector<double> weight(out);
  for (std::int64_t o = 0; o < out; ++o) {
    const double src = (static_cast<double>(o) + 0.5) / static_cast<double>(factor) - 0.5;
    const auto f = static_cast<std::int64_t>(std::floor(src));
    lo[o] = std::clamp<std::int64_t>(f, 0, n - 1);
    hi[o] = std::clamp<std::int64_t>(f + 1, 0, n - 1);
    weight[o] = src - static_cast<double>(f);
  }
  Shape weight_shape(x.shape().size(), 1);
  weight_shape[axis] = out;
  const Tensor w = ops::cast(Tensor::from_vector(weight, weight_shape), x.dtype());
  const Tensor a = ops::gather(x, Tensor::from_vector(lo), axis);
  const Tensor b = ops::gather(x, Tensor::from_vector(hi), axis);
  return ops::add(a, ops::mul(ops::sub(b, a), w));  // TF's form: a + (b - a) * lerp
}

}  // namespace

UpSampling::UpSampling(Options options, std::string name)
    : Layer(std::move(name), "up_sampling" + std::to_string(options.size.size()) + "d"), options_(std::move(options)) {
  const std::size_t rank = options_.size.size();
  FATHOM_CHECK(rank == 1 || rank == 2, ValueError, "UpSampling '", this->name(),
               "': size needs 1 or 2 spatial factors, received ", rank);
  for (auto f : options_.size) {
    FATHOM_CHECK(f > 0, ValueError, class_name(), " '", this->name(),
                 "': size must be positive. Received: size=", shape_to_string(options_.size));
  }
  const std::string& method = options_.interpolation;
  FATHOM_CHECK(method == "nearest" || (method == "bilinear" && rank == 2), ConfigError, class_name(), " '",
               this->name(), "': interpolation '", method, "' is not supported; ",
               rank == 2 ? "Fathom implements 'nearest' and 'bilinear'" : "UpSampling1D repeats (nearest)");
}

std::string UpSampling::class_name() const { return "UpSampling" + std::to_string(options_.size.size()) + "D"; }

std::unique_ptr<Layer> UpSampling::from_config(int rank, const Config& c) {
  const std::string owner = "UpSampling" + std::to_string(rank) + "D";
  const BaseLayerArgs base =
      parse_base_args(c, rank == 1 ? std::vector<std::string>{"size"}
                                   : std::vector<std::string>{"size", "data_format", "interpolation"},
                      owner);
  Options o;
  if (rank == 1) {
    o.size = {c.get_or<std::int64_t>("size", 2)};
  } else {
    spatial_detail::check_channels_last(c, owner);
    const auto [sh, sw] = conv_detail::parse_pair(c, "size", {2, 2}, owner);
    o.size = {sh, sw};
    std::string method = c.get_or<std::string>("interpolation", "nearest");
    std::transform(method.begin(), method.end(), method.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    o.interpolation = method;
  }
  auto layer = std::make_unique<UpSampling>(std::move(o), base.name);
  apply_base_args(*layer, base);
  return layer;
}

void UpSampling::build(const Shape& s) { spatial_detail::check_rank(*this, s, options_.size.size()); }

Tensor UpSampling::call(const Tensor& x, bool /*training*/) {
  spatial_detail::check_rank(*this, x.shape(), options_.size.size());
  if (options_.interpolation == "nearest") return repeat_nearest(x, options_.size);
  Tensor y = x;
  // Width first, then height, as tf.image.resize lerps (the result is the same either way).
  for (std::int64_t axis = 2; axis >= 1; --axis) {
    if (options_.size[axis - 1] > 1) y = bilinear_axis(y, axis, options_.size[axis - 1]);
  }
  return y;
}

Shape UpSampling::compute_output_shape(const Shape& s) const {
  spatial_detail::check_rank(*this, s, options_.size.size());
  Shape out = s;
  for (std::size_t i = 0; i < options_.size.size(); ++i) {
    if (out[i + 1] >= 0) out[i + 1] *= options_.size[i];
  }
  return out;
}

Config UpSampling::get_config() const {
  Config c = Layer::get_config();
  if (options_.size.size() == 1) {
    c.set("size", options_.size[0]);
  } else {
    c.set("size", Config(Shape(options_.size))).set("data_format", "channels_last");
    c.set("interpolation", options_.interpolation);
  }
  return c;
}

}  // namespace fathom::layers
