// SPDX-License-Identifier: Apache-2.0
#include "io/data_source.h"

#include <algorithm>
#include <sstream>

#include "core/ops/elementwise.h"
#include "core/ops/shape_ops.h"
#include "io/data_sources/source.h"
#include "io/datasets/idx.h"

namespace fathom::io {
namespace {

using detail::SourceArray;
using detail::SourceArrays;
using detail::SourceContext;

/// The registry of sources: class_name, its own config keys, its reader (STYLE.md 2.4).
struct SourceKind {
  const char* name;
  std::vector<std::string> keys;  // besides take and preprocessing
  SourceArrays (*load)(const SourceContext&);
};

const std::vector<SourceKind>& source_kinds() {
  static const std::vector<SourceKind> kinds = {
      {"CSV", {"path", "label_column", "header", "delimiter"}, &detail::load_csv_source},
      {"FashionMNIST", {"path", "split"}, &detail::load_fashion_mnist_source},
      {"HDF5", {"path", "x", "y"}, &detail::load_hdf5_source},
      {"MNIST", {"path", "split"}, &detail::load_mnist_source},
      {"NPY", {"x", "y"}, &detail::load_npy_source},
  };
  return kinds;
}

std::string joined(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

const SourceKind& find_kind(const Config& spec, const std::string& owner) {
  const auto names = data_source_names();
  if (!spec.has("class_name")) {
    throw ConfigError(spec.where() + owner + ": missing required key 'class_name' (one of " + joined(names) + ").");
  }
  const Config& value = spec.at("class_name");
  if (!value.is_string()) {
    throw ConfigError((value.location().empty() ? spec.where() : value.where()) + owner +
                      ": 'class_name': expected a string, received " + Config::kind_name(value.kind()) + ".");
  }
  const std::string& name = value.as_string();
  for (const SourceKind& k : source_kinds()) {
    if (name == k.name) return k;
  }
  throw ConfigError((value.location().empty() ? spec.where() : value.where()) + owner + ": unknown data source '" +
                    name + "'." + did_you_mean(name, names) + " Known sources: " + joined(names) + ".");
}

/// Every array has a sample axis, and all have the same number of samples (before take).
void check_samples(const SourceContext& ctx, const SourceArrays& a) {
  std::vector<std::pair<const SourceArray*, const char*>> all;
  for (const auto& x : a.x) all.emplace_back(&x, "x");
  for (const auto& y : a.y) all.emplace_back(&y, "y");
  for (const auto& [array, role] : all) {
    if (array->samples < 0) {
      ctx.fail(*array->origin,
               std::string(role) + " " + array->name + " is a scalar (rank 0); data needs a leading sample axis.");
    }
    if (array->samples == 0) {
      ctx.fail(*array->origin, std::string(role) + " " + array->name + " holds no samples (shape " +
                                   shape_to_string(array->data.shape()) + ").");
    }
  }
  const auto& [first, first_role] = all.front();
  for (const auto& [array, role] : all) {
    if (array->samples == first->samples) continue;
    ctx.fail(*array->origin, std::string(first_role) + " " + first->name + " has " + std::to_string(first->samples) +
                                 " samples but " + role + " " + array->name + " has " + std::to_string(array->samples) +
                                 "; x and y must have the same number of samples.");
  }
}

/// float64 -> float32 and int32 -> int64: the dtypes every source gives (bool stays).
Tensor standard_dtype(const Tensor& t) {
  if (t.dtype() == DType::kFloat64) return ops::cast(t, DType::kFloat32);
  if (t.dtype() == DType::kInt32) return ops::cast(t, DType::kInt64);
  return t;
}

/// Keeps the first `n` rows (a copy, so that the rest of a large array is freed).
void keep_rows(std::vector<SourceArray>& arrays, std::int64_t n) {
  for (SourceArray& a : arrays) {
    if (a.data.shape()[0] > n) a.data = ops::slice_axis(a.data, 0, 0, n).clone();
    a.data = standard_dtype(a.data);
  }
}

std::string describe(const SourceArrays& a, std::int64_t take, const std::string& preprocessing) {
  std::ostringstream os;
  const std::int64_t total = a.x.front().samples;
  const std::int64_t kept = a.x.front().data.shape()[0];
  os << a.description << ": " << kept << " samples";
  if (take > 0) {
    os << " (take " << take;
    if (take >= total)
      os << ": all " << total;
    else
      os << " of " << total;
    os << ")";
  }
  for (const auto& [arrays, role] : {std::pair{&a.x, "x"}, std::pair{&a.y, "y"}}) {
    for (const SourceArray& s : *arrays) {
      os << ", " << role << " " << shape_to_string(s.data.shape()) << " " << dtype_name(s.data.dtype());
    }
  }
  if (!preprocessing.empty()) os << "; preprocessing: " << preprocessing;
  return os.str();
}

}  // namespace

std::vector<std::string> data_source_names() {
  std::vector<std::string> names;
  for (const SourceKind& k : source_kinds()) names.emplace_back(k.name);
  std::sort(names.begin(), names.end());
  return names;
}

Config resolved_data_source(const Config& spec, const std::string& role) {
  if (!spec.is_map() || !spec.has("class_name") || !spec.at("class_name").is_string()) return spec;
  const std::string kind = spec.get<std::string>("class_name");
  Config config = spec.has("config") && spec.at("config").is_map() ? spec.at("config") : Config::map();
  auto fill = [&](const std::string& key, Config value) {
    if (!config.has(key)) config.set(key, std::move(value));
  };
  const std::string split = role == "test" ? "test" : "train";
  if (kind == "FashionMNIST") {
    fill("path", kFashionMnistDir);
    fill("split", split);
  } else if (kind == "MNIST") {
    fill("split", split);
  } else if (kind == "CSV") {
    fill("header", true);
    fill("delimiter", ",");
  } else if (kind != "NPY" && kind != "HDF5") {
    return spec;
  }
  fill("take", Config());
  Config out = spec;
  out.set("config", config);
  return out;
}

LoadedData load_data_source(const Config& spec, const std::string& role) {
  FATHOM_CHECK(role == "train" || role == "validation" || role == "test", ValueError,
               "load_data_source: role must be 'train', 'validation' or 'test'. Received: '", role, "'");
  const std::string section = "data." + role;
  if (!spec.is_map()) {
    throw ConfigError(spec.where() + section + ": expected a mapping {class_name, config}, received " +
                      Config::kind_name(spec.kind()) + ".");
  }
  spec.reject_unknown_keys({"class_name", "config"}, section);
  const SourceKind& kind = find_kind(spec, section);
  const std::string owner = section + " (" + kind.name + ")";

  static const Config kEmpty = Config::map();
  const Config& config = spec.has("config") && !spec.at("config").is_null() ? spec.at("config") : kEmpty;
  if (!config.is_map()) {
    throw ConfigError((config.location().empty() ? spec.where() : config.where()) + owner +
                      ": 'config': expected a mapping, received " + Config::kind_name(config.kind()) + ".");
  }
  std::vector<std::string> keys = kind.keys;
  keys.insert(keys.end(), {"take", "preprocessing"});
  config.reject_unknown_keys(keys, owner);

  std::int64_t take = -1;
  if (const SourceContext check(spec, config, owner, role, -1); const Config* t = check.find("take")) {
    take = check.as_int(*t, "take");
    if (take <= 0) {
      check.fail(*t, "'take' must be a positive integer (the number of samples to keep). Received: " +
                         std::to_string(take) + ".");
    }
  }
  const SourceContext ctx(spec, config, owner, role, take);
  detail::Preprocessing preprocessing;
  if (const Config* p = ctx.find("preprocessing")) preprocessing = detail::parse_preprocessing(ctx, *p);

  try {
    SourceArrays arrays = kind.load(ctx);
    check_samples(ctx, arrays);
    const std::int64_t n = take > 0 ? std::min(take, arrays.x.front().samples) : arrays.x.front().samples;
    keep_rows(arrays.x, n);
    keep_rows(arrays.y, n);
    detail::apply_preprocessing(ctx, preprocessing, arrays.x, arrays.y);
    LoadedData out;
    for (auto& a : arrays.x) out.x.push_back(a.data);
    for (auto& a : arrays.y) out.y.push_back(a.data);
    out.description = describe(arrays, take, detail::describe(preprocessing));
    return out;
  } catch (const ConfigError&) {
    throw;  // already says where
  } catch (Error& e) {
    e.add_context("while loading " + owner);
    throw;
  }
}

}  // namespace fathom::io
