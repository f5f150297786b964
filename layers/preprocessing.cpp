// SPDX-License-Identifier: Apache-2.0
#include "layers/preprocessing.h"

#include <algorithm>

#include "core/ops.h"
#include "layers/initializers.h"
#include "layers/layer_config.h"
#include "layers/normalization_utils.h"

namespace fathom::layers {
namespace {

/// Keras 3 writes NumPy arrays as {"class_name": "__numpy__", "config": {"value": [...], ...}}.
const Config& unwrap_numpy(const Config& v) {
  if (v.is_map() && v.has("class_name") && v.at("class_name").is_string() &&
      v.get<std::string>("class_name") == "__numpy__" && v.has("config")) {
    return v.at("config").at("value");
  }
  return v;
}

void flatten(const Config& v, std::size_t depth, Shape& shape, std::vector<double>& out, const std::string& what) {
  if (v.is_number()) {
    FATHOM_CHECK(depth == shape.size(), ConfigError, v.where(), what, " must be a number or a rectangular list of numbers");
    out.push_back(v.as_double());
    return;
  }
  FATHOM_CHECK(v.is_list(), ConfigError, v.where(), what, " must be a number or a list of numbers. Received: ", v.to_json());
  const auto n = static_cast<std::int64_t>(v.items().size());
  if (depth == shape.size()) shape.push_back(n);  // the first list at this depth sets its size
  FATHOM_CHECK(shape[depth] == n, ConfigError, v.where(), what, " must be a rectangular list. Received: ", v.to_json());
  for (const Config& item : v.items()) flatten(item, depth + 1, shape, out, what);
}

/// A number or a nested list as a float64 tensor (shape [] for a number).
Tensor constant_from_config(const Config& config, const std::string& what) {
  const Config& v = unwrap_numpy(config);
  Shape shape;
  std::vector<double> values;
  flatten(v, 0, shape, values, what);
  FATHOM_CHECK(shape_numel(shape) == static_cast<std::int64_t>(values.size()), ConfigError, v.where(), what,
               " must be a rectangular list. Received: ", v.to_json());
  return Tensor::from_vector(values, shape);
}

constexpr double kEpsilon = 1e-7;  // keras.backend.epsilon()

}  // namespace

// ~~~ Rescaling ~~~

Rescaling::Rescaling(Config scale, Config offset, std::string name)
    : Layer(std::move(name), "rescaling"),
      scale_config_(std::move(scale)),
      offset_config_(std::move(offset)),
      scale_(constant_from_config(scale_config_, "Rescaling: scale")),
      offset_(constant_from_config(offset_config_, "Rescaling: offset")) {}

std::unique_ptr<Layer> Rescaling::from_config(const Config& c) {
  const BaseLayerArgs base = parse_base_args(c, {"scale", "offset"}, "Rescaling");
  FATHOM_CHECK(c.has("scale") && !c.at("scale").is_null(), ConfigError, c.where(), "Rescaling: scale is required");
  auto layer = std::make_unique<Rescaling>(c.at("scale"), c.get_or<Config>("offset", Config(0.0)), base.name);
  apply_base_args(*layer, base);
  return layer;
}

Tensor Rescaling::call(const Tensor& x, bool /*training*/) {
  compute_output_shape(x.shape());
  return ops::add(ops::mul(x, ops::cast(scale_, x.dtype())), ops::cast(offset_, x.dtype()));
}

Shape Rescaling::compute_output_shape(const Shape& s) const {
  for (const Tensor* t : {&scale_, &offset_}) {
    bool ok = t->dim() <= static_cast<std::int64_t>(s.size());
    for (std::int64_t i = 1; ok && i <= t->dim(); ++i) {
      const std::int64_t d = s[s.size() - i], m = t->shape()[t->dim() - i];
      ok = m == 1 || d < 0 || m == d;
    }
    if (!ok) {
      fail(std::string(t == &scale_ ? "scale" : "offset") + " of shape " + shape_to_string(t->shape()) +
           " does not broadcast against the input shape " + shape_to_string(s));
    }
  }
  return s;
}

Config Rescaling::get_config() const {
  Config c = Layer::get_config();
  c.set("scale", scale_config_).set("offset", offset_config_);
  return c;
}

// ~~~ Normalization ~~~

Normalization::Normalization(Options options, std::string name)
    : Layer(std::move(name), "normalization"), options_(std::move(options)) {
  const bool has_mean = !options_.mean.is_null(), has_variance = !options_.variance.is_null();
  FATHOM_CHECK(has_mean == has_variance, ValueError, "Normalization '", this->name(),
               "': when setting values directly, both mean and variance must be set. Received: mean=",
               options_.mean.to_json(), " and variance=", options_.variance.to_json());
  if (!has_mean) return;
  fixed_mean_ = constant_from_config(options_.mean, "Normalization: mean");
  fixed_variance_ = constant_from_config(options_.variance, "Normalization: variance");
  FATHOM_CHECK(fixed_mean_.shape() == fixed_variance_.shape(), ValueError, "Normalization '", this->name(),
               "': mean and variance must have the same shape. Received: mean shape ",
               shape_to_string(fixed_mean_.shape()), " and variance shape ", shape_to_string(fixed_variance_.shape()));
  FATHOM_CHECK(fixed_mean_.dim() <= static_cast<std::int64_t>(options_.axis.size()), ValueError, "Normalization '",
               this->name(), "': the rank of mean must be at most the number of axes (", options_.axis.size(),
               "). Received: mean shape ", shape_to_string(fixed_mean_.shape()));
}

std::unique_ptr<Layer> Normalization::from_config(const Config& c) {
  const BaseLayerArgs base = parse_base_args(c, {"axis", "mean", "variance", "invert"}, "Normalization");
  Options o;
  if (c.has("axis")) {
    const Config& a = c.at("axis");
    if (a.is_null()) {
      o.axis.clear();
    } else if (a.is_list()) {
      o.axis = c.get<Shape>("axis");
    } else {
      o.axis = {c.get<std::int64_t>("axis")};
    }
  }
  o.mean = c.get_or<Config>("mean", Config());
  o.variance = c.get_or<Config>("variance", Config());
  o.invert = c.get_or("invert", false);
  auto layer = std::make_unique<Normalization>(std::move(o), base.name);
  apply_base_args(*layer, base);
  return layer;
}

std::vector<std::int64_t> Normalization::keep_axes(const Shape& s) const {
  const auto rank = static_cast<std::int64_t>(s.size());
  std::vector<std::int64_t> keep;
  for (std::int64_t a : options_.axis) {
    if (a < -rank || a >= rank) {
      fail("all axis values must be in the range [-ndim, ndim). Received inputs with ndim=" + std::to_string(rank) +
           " (shape " + shape_to_string(s) + "), while axis=" + get_config().at("axis").to_json());
    }
    keep.push_back(a < 0 ? a + rank : a);
  }
  std::sort(keep.begin(), keep.end());
  keep.erase(std::unique(keep.begin(), keep.end()), keep.end());
  return keep;
}

void Normalization::build(const Shape& s) {
  keep_ = keep_axes(s);
  reduce_.clear();
  broadcast_shape_.assign(s.size(), 1);
  Shape kept_shape;
  for (std::int64_t d = 0; d < static_cast<std::int64_t>(s.size()); ++d) {
    if (std::find(keep_.begin(), keep_.end(), d) == keep_.end()) {
      reduce_.push_back(d);
      continue;
    }
    if (s[d] < 0) fail("the axes to keep must have a known size; axis " + std::to_string(d) + " of input shape " + shape_to_string(s) + " is unknown");
    broadcast_shape_[d] = s[d];
    kept_shape.push_back(s[d]);
  }
  if (fixed_mean_.defined()) {
    // Align mean's dims with the kept axes from the right, then broadcast (Keras's build).
    Shape expanded(s.size(), 1);
    for (std::int64_t i = 1; i <= fixed_mean_.dim(); ++i) {
      expanded[keep_[keep_.size() - i]] = fixed_mean_.shape()[fixed_mean_.dim() - i];
    }
    const auto place = [&](const Tensor& t) {
      for (std::size_t d = 0; d < s.size(); ++d) {
        if (expanded[d] != 1 && expanded[d] != broadcast_shape_[d]) {
          fail("mean and variance of shape " + shape_to_string(t.shape()) +
               " do not match the kept axes of input shape " + shape_to_string(s));
        }
      }
      return ops::cast(ops::broadcast_to(ops::reshape(t, expanded), broadcast_shape_).contiguous(), DType::kFloat32);
    };
    fixed_mean_ = place(fixed_mean_);
    fixed_variance_ = place(fixed_variance_);
    return;
  }
  mean_ = add_weight("mean", kept_shape, *get_initializer("zeros"), false);
  variance_ = add_weight("variance", kept_shape, *get_initializer("ones"), false);
  count_ = add_weight("count", {}, *get_initializer("zeros"), false, nullptr, nullptr, DType::kInt64);
}

void Normalization::adapt(const Tensor& data) {
  FATHOM_CHECK(!fixed_mean_.defined(), ValueError, "Normalization '", name(),
               "': adapt() is for a layer without a configured mean and variance");
  const Shape& s = data.shape();
  if (!built()) {
    Shape build_shape(s.size(), -1);  // the reduced axes may change size later, as in Keras
    for (std::int64_t d : keep_axes(s)) build_shape[d] = s[d];
    build_from_shapes({build_shape});
  } else {
    const Shape& seen = built_input_shapes().front();
    bool ok = seen.size() == s.size();
    for (std::size_t i = 0; ok && i < keep_.size(); ++i) ok = s[keep_[i]] == seen[keep_[i]];
    FATHOM_CHECK(ok, ValueError, "Normalization '", name(), "': the layer was built with input_shape=",
                 shape_to_string(seen), ", but adapt() is being called with data of an incompatible shape, data.shape=",
                 shape_to_string(s));
  }
  autograd::NoRecordGuard no_record;
  const Tensor x = ops::cast(data, DType::kFloat64);  // statistics in double, stored as float32
  std::int64_t count = 1;
  for (std::int64_t d : reduce_) count *= s[d];
  mean_.assign(ops::cast(reduce_.empty() ? x : ops::mean(x, reduce_), DType::kFloat32));
  variance_.assign(ops::cast(reduce_.empty() ? ops::mul(x, 0.0) : ops::var(x, reduce_), DType::kFloat32));
  count_.assign(Tensor::full({}, static_cast<double>(count), DType::kInt64));
  adapted_ = true;
}

void Normalization::check_adapted() {
  if (adapted_ || fixed_mean_.defined()) return;
  autograd::NoRecordGuard no_record;
  autograd::PauseTracing state_check;  // once adapted, always adapted: a one-time host read
  const double distance = ops::add(ops::sum(ops::abs(mean_)), ops::sum(ops::abs(ops::sub(variance_, 1.0)))).item_as_double();
  FATHOM_CHECK(distance != 0, ValueError, "Normalization '", name(),
               "': the layer has no mean and variance yet. Call adapt(data) first, pass mean and variance in "
               "its config, or load its weights");
  adapted_ = true;  // loaded or assigned weights
}

Tensor Normalization::call(const Tensor& x, bool /*training*/) {
  check_adapted();
  const auto stat = [&](const Tensor& fixed, const Variable& adapted) {
    return norm_detail::as_dtype(fixed.defined() ? fixed : ops::reshape(adapted, broadcast_shape_), x.dtype());
  };
  const Tensor mean = stat(fixed_mean_, mean_);
  const Tensor stddev = ops::maximum(ops::sqrt(stat(fixed_variance_, variance_)), kEpsilon);
  return options_.invert ? ops::add(mean, ops::mul(x, stddev)) : ops::div(ops::sub(x, mean), stddev);
}

Shape Normalization::compute_output_shape(const Shape& s) const {
  keep_axes(s);
  return s;
}

Config Normalization::get_config() const {
  Config c = Layer::get_config();
  Config axis = Config::list();  // Keras writes a tuple; an empty one (axis=None) as null, which it reads back
  for (std::int64_t a : options_.axis) axis.push_back(Config(a));
  if (options_.axis.empty()) axis = Config();
  c.set("axis", axis).set("invert", options_.invert).set("mean", options_.mean).set("variance", options_.variance);
  return c;
}

}  // namespace fathom::layers
