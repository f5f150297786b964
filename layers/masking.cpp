// SPDX-License-Identifier: Apache-2.0
#include "layers/masking.h"

#include "core/ops.h"
#include "layers/layer_config.h"

namespace fathom::layers {
namespace {

[[noreturn]] void bad_mask_value(const Config& v) {
  throw ConfigError(v.where() + "Masking: mask_value must be a number, a list of numbers or a serialized tensor " +
                    "{\"class_name\": \"__tensor__\", \"config\": {\"value\": ...}}. Received: mask_value=" +
                    v.to_json());
}

/// A number, or Keras 3's {"class_name": "__tensor__" | "__numpy__", "config": {"value", "dtype"}}
/// (what Keras writes when mask_value was given as a tensor or a NumPy array).
std::pair<std::vector<double>, bool> parse_mask_value(const Config& c) {
  if (!c.has("mask_value") || c.at("mask_value").is_null()) return {{0.0}, true};
  Config v = c.at("mask_value");
  if (v.is_map()) {
    const bool named = v.has("class_name") && v.at("class_name").is_string();
    const std::string cls = named ? v.get<std::string>("class_name") : "";
    if ((cls != "__tensor__" && cls != "__numpy__") || !v.has("config") || !v.at("config").has("value")) {
      bad_mask_value(v);
    }
    v = v.at("config").at("value");
  }
  if (v.is_number()) return {{v.as_double()}, true};
  if (!v.is_list() || v.items().empty()) bad_mask_value(v);
  std::vector<double> values;
  for (const Config& item : v.items()) {
    if (!item.is_number()) bad_mask_value(v);
    values.push_back(item.as_double());
  }
  return {values, false};
}

}  // namespace

Masking::Masking(std::vector<double> mask_value, bool scalar, std::string name)
    : Layer(std::move(name), "masking"), mask_value_(std::move(mask_value)), scalar_(scalar) {
  FATHOM_CHECK(!mask_value_.empty() && (!scalar_ || mask_value_.size() == 1), ValueError, "Masking '", this->name(),
               "': mask_value must hold one value, or one per feature. Received ", mask_value_.size(), " values");
}

std::unique_ptr<Layer> Masking::from_config(const Config& c) {
  const BaseLayerArgs base = parse_base_args(c, {"mask_value"}, "Masking");
  auto [values, scalar] = parse_mask_value(c);
  auto layer = std::make_unique<Masking>(std::move(values), scalar, base.name);
  apply_base_args(*layer, base);
  return layer;
}

void Masking::build(const Shape& s) {
  if (s.empty()) fail("expected an input of rank >= 1, received a scalar");
  const auto features = static_cast<std::int64_t>(mask_value_.size());
  if (!scalar_ && features != 1 && s.back() >= 0 && s.back() != features) {
    fail("mask_value holds " + std::to_string(features) + " values, one per feature, but the input has shape " +
         shape_to_string(s));
  }
}

Tensor Masking::keep(const Tensor& x) const {
  const Tensor value = scalar_ ? ops::scalar_like(x, mask_value_[0])
                               : ops::cast(Tensor::from_vector(mask_value_), x.dtype());
  const Tensor differs = ops::cast(ops::not_equal(x, value), x.dtype());
  const Tensor any = ops::max(differs, -1, /*keepdims=*/true);
  return ops::greater(any, ops::scalar_like(any, 0.0));
}

Tensor Masking::call(const Tensor& x, bool /*training*/) {
  return ops::where(keep(x), x, ops::scalar_like(x, 0.0));  // masked steps become 0, as Keras
}

Tensor Masking::compute_mask(const Tensor& x, const Tensor& /*mask*/) const {
  return ops::squeeze(keep(x), {-1});
}

Config Masking::get_config() const {
  Config c = Layer::get_config();
  if (scalar_) {
    c.set("mask_value", mask_value_[0]);
  } else {
    Config values = Config::list();
    for (double v : mask_value_) values.push_back(v);
    Config tensor = Config::map();
    tensor.set("value", values).set("dtype", "float32");
    Config wrapped = Config::map();
    wrapped.set("class_name", "__numpy__").set("config", tensor);
    c.set("mask_value", wrapped);
  }
  return c;
}

}  // namespace fathom::layers
