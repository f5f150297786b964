// SPDX-License-Identifier: Apache-2.0
#include "layers/padding_cropping.h"

#include <optional>

#include "core/ops.h"
#include "layers/layer_config.h"

namespace fathom::layers {
namespace spatial_detail {
namespace {

using Amount = std::pair<std::int64_t, std::int64_t>;

/// An int n (-> (n, n)) or a list of two ints; nullopt for anything else.
std::optional<Amount> parse_one(const Config& v) {
  if (v.kind() == Config::Kind::kInt) return Amount{v.as_int(), v.as_int()};
  if (v.is_list() && v.items().size() == 2 && v.items()[0].kind() == Config::Kind::kInt &&
      v.items()[1].kind() == Config::Kind::kInt) {
    return Amount{v.items()[0].as_int(), v.items()[1].as_int()};
  }
  return std::nullopt;
}

}  // namespace

SpatialAmounts parse_amounts(const Config& c, const std::string& key, std::size_t rank, SpatialAmounts fallback,
                             const std::string& owner) {
  if (!c.has(key) || c.at(key).is_null()) return fallback;
  const Config& v = c.at(key);
  SpatialAmounts out;
  if (v.kind() == Config::Kind::kInt) {
    out.assign(rank, Amount{v.as_int(), v.as_int()});
  } else if (rank == 1) {
    if (auto a = parse_one(v); a && v.is_list()) out.push_back(*a);
  } else if (v.is_list() && v.items().size() == rank) {
    for (const Config& axis : v.items()) {
      if (auto a = parse_one(axis)) out.push_back(*a);
    }
  }
  FATHOM_CHECK(out.size() == rank, ConfigError, c.where_of(key), owner, ": ", key, " must be ",
               rank == 1 ? "an int or a list of 2 ints (before, after)"
                         : "an int, a list of 2 ints (symmetric height, width) or a list of 2 pairs of ints "
                           "((top, bottom), (left, right))",
               ". Received: ", key, "=", v.to_json());
  return out;
}

Config amounts_config(const SpatialAmounts& amounts) {
  if (amounts.size() == 1) return Config(Shape{amounts[0].first, amounts[0].second});
  Config list = Config::list();
  for (const auto& [a, b] : amounts) list.push_back(Config(Shape{a, b}));
  return list;
}

std::string amounts_to_string(const SpatialAmounts& amounts) {
  std::string s;
  for (const auto& [a, b] : amounts) {
    s += (s.empty() ? "" : ", ") + std::string("(") + std::to_string(a) + ", " + std::to_string(b) + ")";
  }
  return amounts.size() == 1 ? s : "(" + s + ")";
}

void check_channels_last(const Config& c, const std::string& owner) {
  const std::string format = c.get_or<std::string>("data_format", "channels_last");
  FATHOM_CHECK(format == "channels_last", ConfigError, c.where_of("data_format"), owner, ": data_format '", format,
               "' is not supported; only channels_last (channels on the last axis)");
}

void check_rank(const Layer& layer, const Shape& s, std::size_t spatial_rank) {
  const char* layout = spatial_rank == 1 ? " [batch, steps, channels]" : " [batch, height, width, channels]";
  FATHOM_CHECK(s.size() == spatial_rank + 2, ShapeError, layer.class_name(), " '", layer.name(),
               "': expected an input of rank ", spatial_rank + 2, layout, ", received shape ", shape_to_string(s));
}

}  // namespace spatial_detail

using namespace spatial_detail;  // NOLINT(google-build-using-namespace): this file's own helpers

namespace {

void check_amounts(const Layer& layer, const SpatialAmounts& amounts, const char* key) {
  FATHOM_CHECK(amounts.size() == 1 || amounts.size() == 2, ValueError, layer.class_name(), " '", layer.name(),
               "': ", key, " needs 1 or 2 spatial axes, received ", amounts.size());
  for (const auto& [a, b] : amounts) {
    FATHOM_CHECK(a >= 0 && b >= 0, ValueError, layer.class_name(), " '", layer.name(), "': ", key,
                 " must be non-negative. Received: ", key, "=", amounts_to_string(amounts));
  }
}

std::string rank_suffix(std::size_t rank) { return std::to_string(rank) + "D"; }

}  // namespace

ZeroPadding::ZeroPadding(SpatialAmounts padding, std::string name)
    : Layer(std::move(name), "zero_padding" + std::to_string(padding.size()) + "d"), padding_(std::move(padding)) {
  check_amounts(*this, padding_, "padding");
}

std::string ZeroPadding::class_name() const { return "ZeroPadding" + rank_suffix(padding_.size()); }

std::unique_ptr<Layer> ZeroPadding::from_config(int rank, const Config& c) {
  const std::string owner = "ZeroPadding" + rank_suffix(rank);
  const BaseLayerArgs base = parse_base_args(c, {"padding", "data_format"}, owner);
  check_channels_last(c, owner);
  auto layer = std::make_unique<ZeroPadding>(parse_amounts(c, "padding", rank, SpatialAmounts(rank, {1, 1}), owner),
                                             base.name);
  apply_base_args(*layer, base);
  return layer;
}

void ZeroPadding::build(const Shape& s) { check_rank(*this, s, padding_.size()); }

Tensor ZeroPadding::call(const Tensor& x, bool /*training*/) {
  check_rank(*this, x.shape(), padding_.size());
  std::vector<std::pair<std::int64_t, std::int64_t>> pads = {{0, 0}};
  pads.insert(pads.end(), padding_.begin(), padding_.end());
  pads.emplace_back(0, 0);
  return ops::pad(x, pads);
}

Shape ZeroPadding::compute_output_shape(const Shape& s) const {
  check_rank(*this, s, padding_.size());
  Shape out = s;
  for (std::size_t i = 0; i < padding_.size(); ++i) {
    if (out[i + 1] >= 0) out[i + 1] += padding_[i].first + padding_[i].second;
  }
  return out;
}

Config ZeroPadding::get_config() const {
  Config c = Layer::get_config();
  c.set("padding", amounts_config(padding_)).set("data_format", "channels_last");
  return c;
}

Cropping::Cropping(SpatialAmounts cropping, std::string name)
    : Layer(std::move(name), "cropping" + std::to_string(cropping.size()) + "d"), cropping_(std::move(cropping)) {
  check_amounts(*this, cropping_, "cropping");
}

std::string Cropping::class_name() const { return "Cropping" + rank_suffix(cropping_.size()); }

std::unique_ptr<Layer> Cropping::from_config(int rank, const Config& c) {
  const std::string owner = "Cropping" + rank_suffix(rank);
  // Keras's Cropping1D has no data_format argument.
  std::vector<std::string> keys = {"cropping"};
  if (rank == 2) keys.emplace_back("data_format");
  const BaseLayerArgs base = parse_base_args(c, keys, owner);
  check_channels_last(c, owner);
  const SpatialAmounts fallback(rank, rank == 1 ? std::pair<std::int64_t, std::int64_t>{1, 1}
                                                : std::pair<std::int64_t, std::int64_t>{0, 0});
  auto layer = std::make_unique<Cropping>(parse_amounts(c, "cropping", rank, fallback, owner), base.name);
  apply_base_args(*layer, base);
  return layer;
}

void Cropping::build(const Shape& s) { compute_output_shape(s); }

Tensor Cropping::call(const Tensor& x, bool /*training*/) {
  compute_output_shape(x.shape());  // checks the rank and that something is left
  std::vector<ops::Slice> slices = {ops::Slice{}};
  for (std::size_t i = 0; i < cropping_.size(); ++i) {
    slices.push_back(ops::Slice{cropping_[i].first, x.shape()[i + 1] - cropping_[i].second});
  }
  return ops::slice(x, slices);
}

Shape Cropping::compute_output_shape(const Shape& s) const {
  check_rank(*this, s, cropping_.size());
  Shape out = s;
  for (std::size_t i = 0; i < cropping_.size(); ++i) {
    if (s[i + 1] < 0) continue;
    out[i + 1] = s[i + 1] - cropping_[i].first - cropping_[i].second;
    if (out[i + 1] <= 0) {
      fail("cropping " + amounts_to_string(cropping_) + " must leave something of each spatial axis; axis " +
           std::to_string(i + 1) + " has length " + std::to_string(s[i + 1]) + ". Received: input_shape=" +
           shape_to_string(s));
    }
  }
  return out;
}

Config Cropping::get_config() const {
  Config c = Layer::get_config();
  c.set("cropping", amounts_config(cropping_));
  if (cropping_.size() == 2) c.set("data_format", "channels_last");
  return c;
}

}  // namespace fathom::layers
