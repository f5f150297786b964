// SPDX-License-Identifier: Apache-2.0
#include "layers/normalization_utils.h"

#include <algorithm>

#include "core/ops.h"
#include "layers/initializers.h"
#include "layers/regularizers.h"

namespace fathom::layers::norm_detail {

AxisArg AxisArg::from_config(const Config& c, const std::string& key, AxisArg fallback, const std::string& owner) {
  if (!c.has(key) || c.at(key).is_null()) return fallback;
  const Config& v = c.at(key);
  AxisArg a;
  if (v.kind() == Config::Kind::kInt) {
    a.axes = {v.as_int()};
    return a;
  }
  FATHOM_CHECK(v.is_list() && !v.items().empty(), ConfigError, c.where_of(key), owner, ": ", key,
               " must be an int or a non-empty list of ints. Received: ", key, "=", v.to_json());
  a.axes.clear();
  a.is_list = true;
  for (const Config& item : v.items()) {
    FATHOM_CHECK(item.kind() == Config::Kind::kInt, ConfigError, c.where_of(key), owner, ": ", key,
                 " must be an int or a list of ints. Received: ", key, "=", v.to_json());
    a.axes.push_back(item.as_int());
  }
  return a;
}

Config AxisArg::to_config() const {
  if (!is_list) return Config(axes.front());
  Config list = Config::list();
  for (std::int64_t a : axes) list.push_back(Config(a));
  return list;
}

std::string AxisArg::to_string() const { return to_config().to_json(); }

std::vector<std::int64_t> resolve_axes(const std::vector<std::int64_t>& axes, const Shape& input_shape,
                                       const std::string& owner, const std::string& axis_text) {
  const auto rank = static_cast<std::int64_t>(input_shape.size());
  std::vector<std::int64_t> out;
  for (std::int64_t a : axes) {
    FATHOM_CHECK(a >= -rank && a < rank, ShapeError, owner, ": axis ", a, " is out of bounds for input shape ",
                 shape_to_string(input_shape), ". Received: axis=", axis_text);
    out.push_back(a < 0 ? a + rank : a);
  }
  std::sort(out.begin(), out.end());
  FATHOM_CHECK(std::adjacent_find(out.begin(), out.end()) == out.end(), ShapeError, owner,
               ": axis names the same dimension twice for input shape ", shape_to_string(input_shape),
               ". Received: axis=", axis_text);
  return out;
}

std::vector<std::int64_t> other_axes(const std::vector<std::int64_t>& axes, std::int64_t rank) {
  std::vector<std::int64_t> out;
  for (std::int64_t d = 0; d < rank; ++d) {
    if (std::find(axes.begin(), axes.end(), d) == axes.end()) out.push_back(d);
  }
  return out;
}

Shape param_shape(const Shape& input_shape, const std::vector<std::int64_t>& axes, const std::string& owner) {
  Shape out;
  for (std::int64_t a : axes) {
    FATHOM_CHECK(input_shape[a] > 0, ShapeError, owner, ": axis ", a, " of the input must have a known size, received shape ",
                 shape_to_string(input_shape));
    out.push_back(input_shape[a]);
  }
  return out;
}

Shape broadcast_shape(const Shape& input_shape, const std::vector<std::int64_t>& axes) {
  Shape out(input_shape.size(), 1);
  for (std::int64_t a : axes) out[a] = input_shape[a];
  return out;
}

Tensor as_dtype(const Tensor& t, DType dtype) { return t.dtype() == dtype ? t : ops::cast(t, dtype); }

Tensor normalize(const Tensor& x, const Tensor& mean, const Tensor& variance, const Tensor& gamma, const Tensor& beta,
                 double epsilon) {
  Tensor inv = ops::pow(ops::add(variance, epsilon), -0.5);
  if (gamma.defined()) inv = ops::mul(inv, gamma);
  Tensor shift = ops::neg(ops::mul(mean, inv));
  if (beta.defined()) shift = ops::add(shift, beta);
  return ops::add(ops::mul(x, inv), shift);
}

Moments moments(const Tensor& x, const std::vector<std::int64_t>& axes, const Tensor& mask) {
  if (!mask.defined()) return {ops::mean(x, axes, true), ops::var(x, axes, true)};
  // Weights [B, ..., 1] broadcast over the last axis; sums divided by (count + 1e-7) as Keras.
  const Tensor w = ops::broadcast_to(ops::expand_dims(ops::cast(mask, x.dtype()), -1), x.shape());
  const Tensor count = ops::add(ops::sum(w, axes, true), 1e-7);
  const Tensor mean = ops::div(ops::sum(ops::mul(x, w), axes, true), count);
  const Tensor diff = ops::mul(ops::sub(x, mean), w);
  return {mean, ops::div(ops::sum(ops::square(diff), axes, true), count)};
}

const std::vector<std::string>& ScaleOffsetOptions::keys() {
  static const std::vector<std::string> k = {"beta_initializer",  "gamma_initializer", "beta_regularizer",
                                             "gamma_regularizer", "beta_constraint",   "gamma_constraint"};
  return k;
}

ScaleOffsetOptions ScaleOffsetOptions::from_config(const Config& c) {
  ScaleOffsetOptions o;
  o.gamma_initializer = c.get_or<Config>("gamma_initializer", o.gamma_initializer);
  o.beta_initializer = c.get_or<Config>("beta_initializer", o.beta_initializer);
  o.gamma_regularizer = c.get_or<Config>("gamma_regularizer", Config());
  o.beta_regularizer = c.get_or<Config>("beta_regularizer", Config());
  o.gamma_constraint = c.get_or<Config>("gamma_constraint", Config());
  o.beta_constraint = c.get_or<Config>("beta_constraint", Config());
  return o;
}

ResolvedScaleOffset::ResolvedScaleOffset(const ScaleOffsetOptions& o)
    : gamma_initializer(get_initializer(o.gamma_initializer)),
      beta_initializer(get_initializer(o.beta_initializer)),
      gamma_regularizer(get_regularizer(o.gamma_regularizer)),
      beta_regularizer(get_regularizer(o.beta_regularizer)),
      gamma_constraint(get_constraint(o.gamma_constraint)),
      beta_constraint(get_constraint(o.beta_constraint)) {}

void ResolvedScaleOffset::add_initializers(Config& c) const {
  c.set("beta_initializer", serialize_initializer(*beta_initializer));
  c.set("gamma_initializer", serialize_initializer(*gamma_initializer));
}

void ResolvedScaleOffset::add_regularizers_and_constraints(Config& c) const {
  c.set("beta_regularizer", serialize_regularizer(beta_regularizer.get()));
  c.set("gamma_regularizer", serialize_regularizer(gamma_regularizer.get()));
  c.set("beta_constraint", serialize_constraint(beta_constraint.get()));
  c.set("gamma_constraint", serialize_constraint(gamma_constraint.get()));
}

}  // namespace fathom::layers::norm_detail
