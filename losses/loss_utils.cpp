// SPDX-License-Identifier: Apache-2.0
#include "losses/loss_utils.h"

#include "core/dtype.h"
#include "core/ops.h"

namespace fathom::losses::detail {

std::pair<Tensor, Tensor> squeeze_or_expand_to_same_rank(const Tensor& x1_in, const Tensor& x2_in,
                                                         bool expand_rank_1) {
  Tensor x1 = x1_in, x2 = x2_in;
  const std::int64_t r1 = x1.dim(), r2 = x2.dim();
  if (r1 == r2) return {x1, x2};
  if (r1 == r2 + 1 && x1.shape().back() == 1) {
    if (r2 == 1 && expand_rank_1) {
      x2 = ops::expand_dims(x2, -1);
    } else {
      x1 = ops::squeeze(x1, {-1});
    }
  }
  if (r2 == r1 + 1 && x2.shape().back() == 1) {
    if (r1 == 1 && expand_rank_1) {
      x1 = ops::expand_dims(x1, -1);
    } else {
      x2 = ops::squeeze(x2, {-1});
    }
  }
  return {x1, x2};
}

std::string owner(const Loss& loss) { return loss.class_name() + " '" + loss.name() + "'"; }

void shape_mismatch(const std::string& loss, const Tensor& y_true, const Tensor& y_pred, const std::string& detail) {
  throw ShapeError(loss + ": y_true " + shape_to_string(y_true.shape()) + " and y_pred " +
                   shape_to_string(y_pred.shape()) + " are incompatible" + (detail.empty() ? "" : ": " + detail) + ".");
}

std::pair<Tensor, Tensor> prepare(const std::string& loss, const Tensor& y_true, const Tensor& y_pred, bool same_shape) {
  FATHOM_CHECK(y_true.defined() && y_pred.defined(), ValueError, loss, ": y_true and y_pred must be defined tensors");
  FATHOM_CHECK(is_floating(y_pred.dtype()), ValueError, loss, ": y_pred must be float32 or float64, received ",
               dtype_name(y_pred.dtype()), " of shape ", shape_to_string(y_pred.shape()));
  Tensor t = y_true.dtype() == y_pred.dtype() ? y_true : ops::cast(y_true, y_pred.dtype());
  if (t.device() != y_pred.device()) t = t.to(y_pred.device());
  auto [a, b] = squeeze_or_expand_to_same_rank(t, y_pred);
  if (same_shape && a.shape() != b.shape()) shape_mismatch(loss, y_true, y_pred, "expected the same shape");
  return {a, b};
}

BaseArgs parse_base(const Config& c, const std::string& class_name, const std::string& default_name,
                    const std::vector<std::string>& own_keys) {
  FATHOM_CHECK(c.is_map() || c.is_null(), ConfigError, c.where(), class_name, ": the config must be a mapping, received ",
               Config::kind_name(c.kind()));
  BaseArgs out;
  out.name = default_name;
  if (c.is_null()) return out;
  std::vector<std::string> known = {"name", "reduction", "dtype"};
  known.insert(known.end(), own_keys.begin(), own_keys.end());
  c.reject_unknown_keys(known, class_name);
  out.name = c.get_or<std::string>("name", default_name);
  // Keras's reduction=None means "none".
  if (c.has("reduction")) {
    const Config& r = c.at("reduction");
    try {
      out.reduction = r.is_null() ? Reduction::kNone : parse_reduction(r.as_string());
    } catch (const ConfigError& e) {
      throw ConfigError(r.where() + class_name + ": " + e.message());
    }
  }
  // dtype: Keras's computation dtype. Fathom computes in y_pred's dtype; the key is accepted
  // (and checked) so that Keras configs load.
  if (c.has("dtype") && !c.at("dtype").is_null()) {
    const Config& d = c.at("dtype");
    try {
      dtype_from_name(d.as_string());
    } catch (const Error& e) {
      throw ConfigError(d.where() + class_name + ": " + e.message());
    }
  }
  return out;
}

std::optional<std::int64_t> optional_int(const Config& c, const std::string& key) {
  if (!c.is_map() || !c.has(key) || c.at(key).is_null()) return std::nullopt;
  return c.get<std::int64_t>(key);
}

Config optional_to_config(const std::optional<std::int64_t>& v) { return v ? Config(*v) : Config(); }

std::int64_t loss_axis(const std::string& loss, std::int64_t axis, std::int64_t rank) {
  FATHOM_CHECK(axis >= -rank && axis < rank, ShapeError, loss, ": axis ", axis, " is out of range for inputs of rank ",
               rank);
  return axis < 0 ? axis + rank : axis;
}

std::vector<double> host_values(const Tensor& t) {
  if (t.dtype() == DType::kBool) return ops::cast(t, DType::kFloat64).to_vector<double>();
  return t.to_vector<double>();
}

}  // namespace fathom::losses::detail
