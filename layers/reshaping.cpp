// SPDX-License-Identifier: Apache-2.0
#include "layers/reshaping.h"

#include <algorithm>

#include "core/ops.h"
#include "layers/layer_config.h"

namespace fathom::layers {

Flatten::Flatten(std::string name) : Layer(std::move(name), "flatten") {}

std::unique_ptr<Layer> Flatten::from_config(const Config& c) {
  const BaseLayerArgs base = parse_base_args(c, {"data_format"}, "Flatten");
  const std::string format = c.get_or<std::string>("data_format", "channels_last");
  FATHOM_CHECK(format == "channels_last", ConfigError, c.where(), "Flatten: data_format '", format,
               "' is not supported yet; only channels_last");
  auto layer = std::make_unique<Flatten>(base.name);
  apply_base_args(*layer, base);
  return layer;
}

Tensor Flatten::call(const Tensor& x, bool /*training*/) {
  if (x.dim() < 1) fail("expected an input with a batch dimension, received a scalar");
  return ops::reshape(x, {x.shape()[0], x.dim() == 1 ? 1 : -1});
}

Shape Flatten::compute_output_shape(const Shape& s) const {
  std::int64_t n = 1;
  for (std::size_t d = 1; d < s.size(); ++d) n = (n < 0 || s[d] < 0) ? -1 : n * s[d];
  return {s.empty() ? -1 : s[0], n};
}

Config Flatten::get_config() const {
  Config c = Layer::get_config();
  c.set("data_format", "channels_last");
  return c;
}

Reshape::Reshape(Shape target_shape, std::string name) : Layer(std::move(name), "reshape"), target_(std::move(target_shape)) {
  FATHOM_CHECK(std::count(target_.begin(), target_.end(), -1) <= 1, ValueError, "Reshape '", this->name(),
               "': target_shape can contain at most one -1. Received: target_shape=", shape_to_string(target_));
}

std::unique_ptr<Layer> Reshape::from_config(const Config& c) {
  const BaseLayerArgs base = parse_base_args(c, {"target_shape"}, "Reshape");
  auto layer = std::make_unique<Reshape>(c.get<Shape>("target_shape"), base.name);
  apply_base_args(*layer, base);
  return layer;
}

void Reshape::build(const Shape& input_shape) {
  std::int64_t in = 1;
  for (std::size_t d = 1; d < input_shape.size(); ++d) in = (in < 0 || input_shape[d] < 0) ? -1 : in * input_shape[d];
  std::int64_t known = 1;
  bool inferred = false;
  for (auto d : target_) {
    if (d < 0) {
      inferred = true;
    } else {
      known *= d;
    }
  }
  if (in >= 0 && ((!inferred && known != in) || (inferred && (known == 0 || in % known != 0)))) {
    fail("cannot reshape an input of shape " + shape_to_string(input_shape) + " into target_shape " +
         shape_to_string(target_));
  }
}

Tensor Reshape::call(const Tensor& x, bool /*training*/) {
  Shape s = target_;
  s.insert(s.begin(), x.shape()[0]);
  return ops::reshape(x, s);
}

Shape Reshape::compute_output_shape(const Shape& input_shape) const {
  Shape out = target_;
  if (std::find(out.begin(), out.end(), -1) != out.end()) {
    std::int64_t in = 1, known = 1;
    for (std::size_t d = 1; d < input_shape.size(); ++d) in = (in < 0 || input_shape[d] < 0) ? -1 : in * input_shape[d];
    for (auto d : out) known *= d < 0 ? 1 : d;
    for (auto& d : out) {
      if (d < 0) d = in < 0 ? -1 : in / known;
    }
  }
  out.insert(out.begin(), input_shape.empty() ? -1 : input_shape[0]);
  return out;
}

Config Reshape::get_config() const {
  Config c = Layer::get_config();
  Config target = Config::list();  // Keras writes -1, not null, in target_shape
  for (auto d : target_) target.push_back(d);
  c.set("target_shape", target);
  return c;
}

Permute::Permute(std::vector<std::int64_t> dims, std::string name) : Layer(std::move(name), "permute"), dims_(std::move(dims)) {
  std::vector<std::int64_t> sorted = dims_;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    FATHOM_CHECK(sorted[i] == static_cast<std::int64_t>(i) + 1, ValueError, "Permute '", this->name(),
                 "': dims must be a permutation of 1..", sorted.size(), ". Received: dims=", shape_to_string(dims_));
  }
}

std::unique_ptr<Layer> Permute::from_config(const Config& c) {
  const BaseLayerArgs base = parse_base_args(c, {"dims"}, "Permute");
  auto layer = std::make_unique<Permute>(c.get<Shape>("dims"), base.name);
  apply_base_args(*layer, base);
  return layer;
}

Tensor Permute::call(const Tensor& x, bool /*training*/) {
  if (x.dim() != static_cast<std::int64_t>(dims_.size()) + 1) {
    fail("dims " + shape_to_string(dims_) + " need an input of rank " + std::to_string(dims_.size() + 1) +
         ", received shape " + shape_to_string(x.shape()));
  }
  std::vector<std::int64_t> perm = {0};
  perm.insert(perm.end(), dims_.begin(), dims_.end());
  return ops::transpose(x, perm);
}

Shape Permute::compute_output_shape(const Shape& s) const {
  Shape out = {s.empty() ? -1 : s[0]};
  for (auto d : dims_) out.push_back(static_cast<std::size_t>(d) < s.size() ? s[d] : -1);
  return out;
}

Config Permute::get_config() const {
  Config c = Layer::get_config();
  c.set("dims", Config(dims_));
  return c;
}

RepeatVector::RepeatVector(std::int64_t n, std::string name) : Layer(std::move(name), "repeat_vector"), n_(n) {
  FATHOM_CHECK(n_ > 0, ValueError, "RepeatVector '", this->name(), "': n must be positive. Received: n=", n_);
}

std::unique_ptr<Layer> RepeatVector::from_config(const Config& c) {
  const BaseLayerArgs base = parse_base_args(c, {"n"}, "RepeatVector");
  auto layer = std::make_unique<RepeatVector>(c.get<std::int64_t>("n"), base.name);
  apply_base_args(*layer, base);
  return layer;
}

void RepeatVector::build(const Shape& s) {
  if (s.size() != 2) fail("expected an input of rank 2 [batch, features], received shape " + shape_to_string(s));
}

Tensor RepeatVector::call(const Tensor& x, bool /*training*/) {
  return ops::broadcast_to(ops::expand_dims(x, 1), {x.shape()[0], n_, x.shape()[1]});
}

Shape RepeatVector::compute_output_shape(const Shape& s) const { return {s[0], n_, s[1]}; }

Config RepeatVector::get_config() const {
  Config c = Layer::get_config();
  c.set("n", n_);
  return c;
}

}  // namespace fathom::layers
