// SPDX-License-Identifier: Apache-2.0
// Keras's numeric preprocessing layers: Rescaling and Normalization.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "layers/layer.h"

namespace fathom::layers {

/// y = x * scale + offset. scale and offset are numbers or lists (NumPy arrays in Keras 3 files,
/// {"class_name": "__numpy__", ...}) that broadcast against the input's trailing axes.
/// Config: scale (required), offset (0.0).
class Rescaling final : public Layer {
 public:
  explicit Rescaling(Config scale, Config offset = 0.0, std::string name = "");
  static std::unique_ptr<Layer> from_config(const Config& config);
  std::string class_name() const override { return "Rescaling"; }
  bool supports_masking() const override { return true; }
  Tensor call(const Tensor& x, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) const override;
  Config get_config() const override;

 private:
  Config scale_config_, offset_config_;
  Tensor scale_, offset_;  // float64 constants
};

/// Feature-wise standardization, as Keras's Normalization: y = (x - mean) / max(sqrt(variance),
/// 1e-7), or x * max(sqrt(variance), 1e-7) + mean with invert. mean and variance are kept per
/// position along `axis` (the other axes are reduced) and come either from the config or from
/// adapt(data). Output shape = input shape.
/// Weights (only without a configured mean): mean, variance (shape [input dims at axis]) and
/// count (int64 scalar: the number of values adapt() reduced over), all non-trainable.
/// Config: axis (-1; an int, a list, or null for one mean over everything), mean and variance
/// (null, a number or a (nested) list aligned with the kept axes from the right), invert (false).
/// Calling the layer before adapt() without a configured mean is a ValueError; weights loaded
/// from a file count as adapted (the layer only refuses its untouched initial values 0 and 1).
class Normalization final : public Layer {
 public:
  struct Options {
    std::vector<std::int64_t> axis{-1};
    Config mean, variance;  // null: adapt() provides them
    bool invert = false;
  };
  explicit Normalization(Options options, std::string name = "");
  static std::unique_ptr<Layer> from_config(const Config& config);
  std::string class_name() const override { return "Normalization"; }
  bool supports_masking() const override { return true; }

  /// Computes the mean and population variance of `data` over every axis except `axis` (batch
  /// included) and stores them; builds the layer from data's shape on first use.
  void adapt(const Tensor& data);

  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) const override;
  Config get_config() const override;

 private:
  std::vector<std::int64_t> keep_axes(const Shape& input_shape) const;
  void check_adapted();

  Options options_;
  std::vector<std::int64_t> keep_, reduce_;
  Shape broadcast_shape_;
  Tensor fixed_mean_, fixed_variance_;         // from the config, broadcast_shape_
  Variable mean_, variance_, count_;           // adapt() state
  bool adapted_ = false;
};

}  // namespace fathom::layers
