// SPDX-License-Identifier: Apache-2.0
// ZeroPadding1D/2D and Cropping1D/2D (keras/src/layers/reshaping), channels_last only. One class
// per operation; the spatial rank (1 or 2) is the number of (before, after) pairs it holds.
// As in Keras 3, none of them supports masking: an input mask is dropped.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "layers/layer.h"

namespace fathom::layers {

/// (before, after) per spatial axis: [(left, right)] for 1D, [(top, bottom), (left, right)] for 2D.
using SpatialAmounts = std::vector<std::pair<std::int64_t, std::int64_t>>;

/// ZeroPadding1D / ZeroPadding2D: zeros before and after each spatial axis.
/// Input [B, steps, C] or [B, H, W, C]; each spatial axis grows by before + after.
/// Config: padding (1D: int or (before, after), default 1; 2D: int, (sym_h, sym_w) or
/// ((top, bottom), (left, right)), default 1), data_format (channels_last only).
class ZeroPadding final : public Layer {
 public:
  explicit ZeroPadding(SpatialAmounts padding, std::string name = "");
  static std::unique_ptr<Layer> from_config(int rank, const Config& config);
  std::string class_name() const override;
  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) const override;
  Config get_config() const override;

 private:
  SpatialAmounts padding_;
};

/// Cropping1D / Cropping2D: removes `before` and `after` elements of each spatial axis; cropping a
/// whole axis away is a ShapeError. Input [B, steps, C] or [B, H, W, C].
/// Config: cropping (1D: int or (before, after), default (1, 1); 2D: as ZeroPadding2D's padding,
/// default 0), data_format (2D only, channels_last only).
class Cropping final : public Layer {
 public:
  explicit Cropping(SpatialAmounts cropping, std::string name = "");
  static std::unique_ptr<Layer> from_config(int rank, const Config& config);
  std::string class_name() const override;
  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) const override;
  Config get_config() const override;

 private:
  SpatialAmounts cropping_;
};

namespace spatial_detail {
/// Keras's int-or-tuple forms for `rank` spatial axes (see ZeroPadding); missing or null gives
/// `fallback`. ConfigError naming `owner` and `key` for any other form.
SpatialAmounts parse_amounts(const Config& c, const std::string& key, std::size_t rank, SpatialAmounts fallback,
                             const std::string& owner);
/// [before, after] for one axis, [[top, bottom], [left, right]] for two (Keras 3's get_config).
Config amounts_config(const SpatialAmounts& amounts);
std::string amounts_to_string(const SpatialAmounts& amounts);
/// channels_last or null; anything else is a ConfigError naming `owner`.
void check_channels_last(const Config& c, const std::string& owner);
/// ShapeError (via Layer::fail) unless the input has rank spatial_rank + 2.
void check_rank(const Layer& layer, const Shape& s, std::size_t spatial_rank);
}  // namespace spatial_detail

}  // namespace fathom::layers
