// SPDX-License-Identifier: Apache-2.0
// The `preprocessing` mapping of a data source: flatten, scale, normalize, one_hot.
#include <cmath>
#include <sstream>

#include "core/ops/elementwise.h"
#include "core/ops/indexing.h"
#include "core/ops/shape_ops.h"
#include "io/data_sources/source.h"

namespace fathom::io::detail {
namespace {

/// A number or a non-empty list of numbers, each finite (and > 0 when `positive`).
std::vector<double> numbers(const SourceContext& ctx, const Config& value, const std::string& key, bool positive) {
  std::vector<const Config*> items;
  if (value.is_list()) {
    if (value.items().empty()) ctx.fail(value, "'" + key + "': the list is empty; give a number or one per feature.");
    for (const Config& item : value.items()) items.push_back(&item);
  } else {
    items.push_back(&value);
  }
  std::vector<double> out;
  for (const Config* item : items) {
    const double v = ctx.as_number(*item, key);
    if (!std::isfinite(v) || (positive && v <= 0)) {
      std::ostringstream os;
      os << "'" << key << "' must be " << (positive ? "positive and finite" : "finite") << ". Received: " << v << ".";
      ctx.fail(*item, os.str());
    }
    out.push_back(v);
  }
  return out;
}

Preprocessing::Normalize parse_normalize(const SourceContext& ctx, const Config& value) {
  if (!value.is_map()) {
    ctx.fail(value, std::string("'preprocessing.normalize': expected a mapping {mean, std}, received ") +
                        Config::kind_name(value.kind()) + ".");
  }
  value.reject_unknown_keys({"mean", "std"}, ctx.owner() + " preprocessing.normalize");
  Preprocessing::Normalize n;
  for (const char* key : {"mean", "std"}) {
    if (!value.has(key) || value.at(key).is_null()) {
      ctx.fail(value, std::string("'preprocessing.normalize' needs both 'mean' and 'std'; '") + key + "' is missing.");
    }
  }
  n.mean_at = &value.at("mean");
  n.std_at = &value.at("std");
  n.mean = numbers(ctx, *n.mean_at, "preprocessing.normalize.mean", false);
  n.std = numbers(ctx, *n.std_at, "preprocessing.normalize.std", true);
  if (n.mean.size() > 1 && n.std.size() > 1 && n.mean.size() != n.std.size()) {
    ctx.fail(*n.std_at, "'preprocessing.normalize': mean has " + std::to_string(n.mean.size()) +
                            " values but std has " + std::to_string(n.std.size()) + ".");
  }
  return n;
}

Tensor as_float(const Tensor& t) { return t.dtype() == DType::kFloat32 ? t : ops::cast(t, DType::kFloat32); }

/// `values` as a float32 tensor that broadcasts against x: [] for one value, [F] per feature.
Tensor per_feature(const SourceContext& ctx, const std::vector<double>& values, const Config& at,
                   const std::string& key, const SourceArray& x) {
  if (values.size() == 1) return Tensor::scalar(values[0]);
  const auto f = static_cast<std::int64_t>(values.size());
  if (x.data.dim() < 2 || x.data.shape().back() != f) {
    ctx.fail(at, "'" + key + "' has " + std::to_string(f) + " values but x " + x.name + " has shape " +
                     shape_to_string(x.data.shape()) + "; give one value, or one per feature (the last axis" +
                     (x.data.dim() < 2 ? ", which a rank-1 x does not have" : "") + ").");
  }
  return Tensor::from_vector(std::vector<float>(values.begin(), values.end()));
}

Tensor one_hot(const SourceContext& ctx, const Preprocessing& p, const SourceArray& y) {
  Tensor labels = y.data;
  if (labels.dim() == 2 && labels.shape()[1] == 1) labels = ops::reshape(labels, {labels.shape()[0]});
  if (labels.dtype() != DType::kInt64) {
    ctx.fail(*p.one_hot_at, "'preprocessing.one_hot' needs integer class labels, but y " + y.name + " holds " +
                                dtype_name(y.data.dtype()) + " values.");
  }
  const std::vector<std::int64_t> values = labels.to_vector<std::int64_t>();
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i] < 0 || values[i] >= p.one_hot) {
      ctx.fail(*p.one_hot_at, "'preprocessing.one_hot': label " + std::to_string(values[i]) + " (element " +
                                  std::to_string(i) + " of y " + y.name + ") is outside [0, " +
                                  std::to_string(p.one_hot) + "); one_hot needs depth > the largest label.");
    }
  }
  return ops::one_hot(labels, p.one_hot);
}

}  // namespace

Preprocessing parse_preprocessing(const SourceContext& ctx, const Config& value) {
  if (!value.is_map()) {
    ctx.fail(value, std::string("'preprocessing': expected a mapping {flatten, scale, normalize, one_hot}, received ") +
                        Config::kind_name(value.kind()) + ".");
  }
  value.reject_unknown_keys({"flatten", "scale", "normalize", "one_hot"}, ctx.owner() + " preprocessing");
  Preprocessing p;
  auto find = [&](const char* key) { return value.has(key) && !value.at(key).is_null() ? &value.at(key) : nullptr; };
  if (const Config* v = find("flatten")) p.flatten = ctx.as_bool(*v, "preprocessing.flatten");
  if (const Config* v = find("scale")) {
    if (v->is_list()) ctx.fail(*v, "'preprocessing.scale': expected a number, received a list.");
    p.scale = numbers(ctx, *v, "preprocessing.scale", false).at(0);
  }
  if (const Config* v = find("normalize")) p.normalize = parse_normalize(ctx, *v);
  if (const Config* v = find("one_hot")) {
    p.one_hot_at = v;
    p.one_hot = ctx.as_int(*v, "preprocessing.one_hot");
    if (p.one_hot <= 0) {
      ctx.fail(*v, "'preprocessing.one_hot' (the number of classes) must be a positive integer. Received: " +
                       std::to_string(p.one_hot) + ".");
    }
  }
  return p;
}

void apply_preprocessing(const SourceContext& ctx, const Preprocessing& p, std::vector<SourceArray>& x,
                         std::vector<SourceArray>& y) {
  for (SourceArray& a : x) {
    if (p.flatten) {
      // [N, d1, d2, ...] -> [N, d1 * d2 * ...]; a rank-1 x becomes [N, 1].
      std::int64_t features = 1;
      for (std::size_t i = 1; i < a.data.shape().size(); ++i) features *= a.data.shape()[i];
      a.data = ops::reshape(a.data, {a.data.shape()[0], features});
    }
    if (p.scale) a.data = ops::mul(as_float(a.data), *p.scale);
    if (p.normalize) {
      const auto& n = *p.normalize;
      const Tensor mean = per_feature(ctx, n.mean, *n.mean_at, "preprocessing.normalize.mean", a);
      const Tensor std = per_feature(ctx, n.std, *n.std_at, "preprocessing.normalize.std", a);
      a.data = ops::div(ops::sub(as_float(a.data), mean), std);
    }
  }
  if (p.one_hot > 0) {
    for (SourceArray& a : y) a.data = one_hot(ctx, p, a);
  }
}

std::string describe(const Preprocessing& p) {
  std::ostringstream os;
  auto item = [&, first = true]() mutable -> std::ostringstream& {
    if (!first) os << ", ";
    first = false;
    return os;
  };
  if (p.flatten) item() << "flatten";
  if (p.scale) item() << "scale " << *p.scale;
  if (p.normalize) item() << "normalize";
  if (p.one_hot > 0) item() << "one_hot " << p.one_hot;
  return os.str();
}

}  // namespace fathom::io::detail
