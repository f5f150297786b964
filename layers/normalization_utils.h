// SPDX-License-Identifier: Apache-2.0
// Pieces shared by the normalization layers (BatchNormalization, LayerNormalization,
// GroupNormalization, UnitNormalization) and Normalization: axis arguments, parameter shapes,
// moments and the normalize formula, and the gamma/beta weight options.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/tensor.h"

namespace fathom::layers {

class Initializer;
class Regularizer;
class Constraint;

namespace norm_detail {

/// An `axis` argument as Keras writes it: an int (Keras 3) or a list of ints (Keras 2 files
/// write BatchNormalization's axis as [3]). The form is kept for get_config.
struct AxisArg {
  std::vector<std::int64_t> axes{-1};
  bool is_list = false;
  /// Reads `key` (missing or null: `fallback`); ConfigError naming `owner` for anything else.
  static AxisArg from_config(const Config& c, const std::string& key, AxisArg fallback, const std::string& owner);
  Config to_config() const;
  /// "-1" or "[1, 2]", for error messages.
  std::string to_string() const;
};

/// `axes` mapped into [0, rank), sorted; ShapeError "<owner>: axis ... out of bounds" naming the
/// input shape for out-of-range or repeated axes.
std::vector<std::int64_t> resolve_axes(const std::vector<std::int64_t>& axes, const Shape& input_shape,
                                       const std::string& owner, const std::string& axis_text);
/// The axes of [0, rank) not in `axes` (sorted).
std::vector<std::int64_t> other_axes(const std::vector<std::int64_t>& axes, std::int64_t rank);
/// The input's dims at `axes` (a parameter's shape); ShapeError naming `owner` if one is unknown.
Shape param_shape(const Shape& input_shape, const std::vector<std::int64_t>& axes, const std::string& owner);
/// The input's dims at `axes` and 1 elsewhere: what a parameter is reshaped to before it broadcasts.
Shape broadcast_shape(const Shape& input_shape, const std::vector<std::int64_t>& axes);

/// `t` cast to `dtype` when it differs (weights are float32; a float64 input computes in float64,
/// as Keras casts gamma and beta to the input's dtype).
Tensor as_dtype(const Tensor& t, DType dtype);

/// Keras's normalize step (tf.nn.batch_normalization, ops.layer_normalization):
/// inv = rsqrt(variance + epsilon) [* gamma]; y = x * inv + ([beta] - mean * inv).
/// All arguments broadcast against x; gamma and beta may be undefined (scale/center off).
Tensor normalize(const Tensor& x, const Tensor& mean, const Tensor& variance, const Tensor& gamma,
                 const Tensor& beta, double epsilon);

struct Moments {
  Tensor mean, variance;  // keepdims: broadcastable against x
};
/// Mean and biased (population) variance over `axes`, kept as size-1 dims. With a mask (rank of
/// x minus 1, expanded over x's last axis), each element is weighted by it and the sums are
/// divided by (sum of weights + 1e-7), as Keras 3's BatchNormalization._moments.
Moments moments(const Tensor& x, const std::vector<std::int64_t>& axes, const Tensor& mask = {});

/// The gamma/beta arguments BatchNormalization, LayerNormalization and GroupNormalization share:
/// gamma_initializer ("ones"), beta_initializer ("zeros"), gamma/beta_regularizer and
/// gamma/beta_constraint (null).
struct ScaleOffsetOptions {
  Config gamma_initializer = "ones";
  Config beta_initializer = "zeros";
  Config gamma_regularizer = {}, beta_regularizer = {};
  Config gamma_constraint = {}, beta_constraint = {};

  static const std::vector<std::string>& keys();
  static ScaleOffsetOptions from_config(const Config& c);
};

/// The same resolved to objects once, at construction.
struct ResolvedScaleOffset {
  explicit ResolvedScaleOffset(const ScaleOffsetOptions& options);
  /// beta_initializer, gamma_initializer (Keras's order).
  void add_initializers(Config& c) const;
  /// beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint (Keras's order).
  void add_regularizers_and_constraints(Config& c) const;

  std::shared_ptr<Initializer> gamma_initializer, beta_initializer;
  std::shared_ptr<Regularizer> gamma_regularizer, beta_regularizer;
  std::shared_ptr<Constraint> gamma_constraint, beta_constraint;
};

}  // namespace norm_detail
}  // namespace fathom::layers
