// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <string>

#include "layers/conv2d.h"
#include "layers/layer.h"

namespace fathom::layers {

/// MaxPooling2D and AveragePooling2D, NHWC: windows from extract_patches reduced by max or mean.
/// Input [B, H, W, C]; output [B, OH, OW, C]. No weights.
/// Config: pool_size (2, int or pair), strides (null = pool_size), padding ("valid" | "same"),
/// data_format (channels_last only). With "same", max ignores the padded cells (they hold a
/// large negative value) and the average divides by the number of real cells in each window,
/// as Keras does.
class Pooling2D final : public Layer {
 public:
  enum class Kind { kMax, kAverage };
  struct Options {
    conv_detail::Pair pool_size{2, 2};
    conv_detail::Pair strides{2, 2};
    std::string padding = "valid";
  };

  Pooling2D(Kind kind, Options options, std::string name = "");
  static std::unique_ptr<Layer> from_config(Kind kind, const Config& config);
  std::string class_name() const override { return kind_ == Kind::kMax ? "MaxPooling2D" : "AveragePooling2D"; }

  Tensor call(const Tensor& x, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) const override;
  Config get_config() const override;

 private:
  Kind kind_;
  Options options_;
};

}  // namespace fathom::layers
