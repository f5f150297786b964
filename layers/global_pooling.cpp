// SPDX-License-Identifier: Apache-2.0
#include "layers/global_pooling.h"

#include "core/ops.h"
#include "layers/conv2d.h"
#include "layers/layer_config.h"

namespace fathom::layers {
namespace {

std::string class_of(GlobalPooling::Kind kind, int rank) {
  return std::string("Global") + (kind == GlobalPooling::Kind::kMax ? "Max" : "Average") + "Pooling" +
         std::to_string(rank) + "D";
}

std::string prefix_of(GlobalPooling::Kind kind, int rank) {
  return std::string("global_") + (kind == GlobalPooling::Kind::kMax ? "max" : "average") + "_pooling" +
         std::to_string(rank) + "d";
}

}  // namespace

GlobalPooling::GlobalPooling(Kind kind, int rank, bool keepdims, std::string name)
    : Layer(std::move(name), prefix_of(kind, rank)), kind_(kind), rank_(rank), keepdims_(keepdims) {
  FATHOM_CHECK(rank == 1 || rank == 2, ValueError, "GlobalPooling: rank must be 1 or 2. Received: rank=", rank);
}

std::string GlobalPooling::class_name() const { return class_of(kind_, rank_); }

std::unique_ptr<Layer> GlobalPooling::from_config(Kind kind, int rank, const Config& c) {
  const std::string owner = class_of(kind, rank);
  const BaseLayerArgs base = parse_base_args(c, {"data_format", "keepdims"}, owner);
  conv_detail::check_data_format(c, owner);
  auto layer = std::make_unique<GlobalPooling>(kind, rank, c.get_or("keepdims", false), base.name);
  apply_base_args(*layer, base);
  return layer;
}

Tensor GlobalPooling::compute_mask(const Tensor& /*x*/, const Tensor& /*mask*/) const { return Tensor(); }

Tensor GlobalPooling::call(const Tensor& x, bool /*training*/) {
  compute_output_shape(x.shape());
  const ops::Axes axes = rank_ == 1 ? ops::Axes{1} : ops::Axes{1, 2};
  return kind_ == Kind::kMax ? ops::max(x, axes, keepdims_) : ops::mean(x, axes, keepdims_);
}

Tensor GlobalPooling::call_masked(const Tensor& x, const Tensor& mask, bool training) {
  if (!mask.defined() || !supports_masking()) return call(x, training);
  compute_output_shape(x.shape());
  const Shape& s = x.shape();
  if (mask.shape() != Shape{s[0], s[1]}) {
    fail("the mask must have shape [batch, steps] = " + shape_to_string({s[0], s[1]}) + ", received " +
         shape_to_string(mask.shape()) + " for the input " + shape_to_string(s));
  }
  // Keras 3: sum(where(mask, x, 0)) / sum(mask) over the steps.
  const Tensor bool_mask = mask.dtype() == DType::kBool ? mask : ops::not_equal(mask, ops::scalar_like(mask, 0));
  const Tensor keep = ops::expand_dims(bool_mask, 2);  // [B, T, 1]
  const Tensor sums = ops::sum(ops::where(keep, x, ops::scalar_like(x, 0.0)), {1}, keepdims_);
  const Tensor counts = ops::sum(ops::cast(keep, x.dtype()), {1}, keepdims_);  // [B, 1] or [B, 1, 1]
  return ops::div(sums, counts);
}

Shape GlobalPooling::compute_output_shape(const Shape& s) const {
  const std::size_t expected = static_cast<std::size_t>(rank_) + 2;
  if (s.size() != expected) {
    fail("expected an input of rank " + std::to_string(expected) +
         (rank_ == 1 ? " [batch, steps, channels]" : " [batch, height, width, channels]") + ", received shape " +
         shape_to_string(s));
  }
  if (!keepdims_) return {s[0], s.back()};
  return rank_ == 1 ? Shape{s[0], 1, s[2]} : Shape{s[0], 1, 1, s[3]};
}

Config GlobalPooling::get_config() const {
  Config c = Layer::get_config();
  c.set("data_format", "channels_last").set("keepdims", keepdims_);
  return c;
}

}  // namespace fathom::layers
