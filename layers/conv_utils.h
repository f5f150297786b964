// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/tensor.h"
#include "layers/conv2d.h"

namespace fathom::layers {

class Initializer;
class Regularizer;
class Constraint;

/// Config parsing and the composed conv/pool computations shared by Conv1D, Conv2DTranspose,
/// DepthwiseConv2D, SeparableConv2D and the 1-D pooling layers (NHWC; 1-D layers view
/// [B, L, C] as [B, 1, L, C]).
namespace conv_detail {

/// An int or a list of one int (Keras writes 1-D sizes as [3]); `owner` names the layer in errors.
std::int64_t parse_single(const Config& c, const std::string& key, std::int64_t fallback, const std::string& owner);
/// "valid" | "same" | "causal" (only if `allow_causal`), case-insensitive, as Keras.
std::string parse_padding_1d(const Config& c, const std::string& owner, bool allow_causal);
/// "groups" absent, null or 1 (Keras 2 writes "groups": 1 into every conv config); else ConfigError.
void check_groups(const Config& c, const std::string& owner);
/// Positive kernel, strides and dilation, and not strides > 1 together with dilation > 1
/// (Keras's rule); ValueError "<who>: ..." otherwise.
void check_geometry(const std::string& who, Pair kernel, Pair strides, Pair dilation);
/// The spatial output [OH, OW] of a conv/pool over NHWC shape `s`; "" or an error message
/// (window larger than a VALID input) in `*error`.
Pair output_hw(const Shape& s, Pair kernel, Pair strides, Pair dilation, bool same, std::string* error);

/// Pads (positive) or crops (negative) the two spatial axes of NHWC `x`: {{top, bottom}, {left, right}}.
Tensor pad_or_crop(const Tensor& x, Pair h, Pair w, double value = 0.0);
/// Pads the spatial axes of NHWC `x` as TF's "same" (the odd cell goes after).
Tensor pad_same(const Tensor& x, Pair kernel, Pair strides, Pair dilation, double value = 0.0);
/// im2col convolution of an NHWC input padded beforehand (VALID):
/// x [B, H, W, Cin], kernel [kh, kw, Cin, F] -> [B, OH, OW, F].
Tensor conv2d_valid(const Tensor& x, const Tensor& kernel, Pair strides, Pair dilation);
/// Depthwise VALID convolution: kernel [kh, kw, C, M] -> [B, OH, OW, C*M], output channel c*M + m
/// (TF's order), as one batched matmul over the channels.
Tensor depthwise_conv2d_valid(const Tensor& x, const Tensor& kernel, Pair strides, Pair dilation);
/// Max or mean pooling of NHWC `x` with Keras's rules: with "same", padded cells never win a max
/// and are not counted in a mean.
Tensor pool2d(const Tensor& x, bool max, Pair pool, Pair strides, bool same);

/// The initializer, regularizer and constraint of one weight, resolved from their configs once.
struct WeightSlot {
  WeightSlot(const Config& initializer, const Config& regularizer, const Config& constraint);
  std::shared_ptr<Initializer> initializer;
  std::shared_ptr<Regularizer> regularizer;
  std::shared_ptr<Constraint> constraint;
};

}  // namespace conv_detail
}  // namespace fathom::layers
