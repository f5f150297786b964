// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "layers/layer.h"

namespace fathom::layers {

/// MaxPooling1D and AveragePooling1D over [B, L, C] -> [B, OL, C], through the 2-D pooling
/// windows on the view [B, 1, L, C]. No weights.
/// Config: pool_size (2, int or [int]), strides (null = pool_size), padding ("valid" | "same",
/// the odd padded cell after), data_format (channels_last only). With "same", max ignores the
/// padded cells and the average divides by the number of real cells in each window, as Keras.
class Pooling1D final : public Layer {
 public:
  enum class Kind { kMax, kAverage };
  struct Options {
    std::int64_t pool_size = 2;
    std::int64_t strides = 2;
    std::string padding = "valid";
  };

  Pooling1D(Kind kind, Options options, std::string name = "");
  static std::unique_ptr<Layer> from_config(Kind kind, const Config& config);
  std::string class_name() const override { return kind_ == Kind::kMax ? "MaxPooling1D" : "AveragePooling1D"; }

  void build(const Shape& input_shape) override { compute_output_shape(input_shape); }
  Tensor call(const Tensor& x, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) const override;
  Config get_config() const override;

 private:
  Kind kind_;
  Options options_;
};

}  // namespace fathom::layers
