// SPDX-License-Identifier: Apache-2.0
// The merging family (keras/src/layers/merging): layers that combine several inputs.
#pragma once
#include <memory>
#include <vector>

#include "layers/layer.h"

namespace fathom::layers {

/// Elementwise merges of two or more inputs of the same shape (with NumPy broadcasting):
/// Add, Subtract (exactly two), Multiply, Average, Maximum, Minimum. Config: none of their own.
class ElementwiseMerge final : public Layer {
 public:
  enum class Kind { kAdd, kSubtract, kMultiply, kAverage, kMaximum, kMinimum };
  explicit ElementwiseMerge(Kind kind, std::string name = "");
  static std::unique_ptr<Layer> from_config(Kind kind, const Config& config);
  std::string class_name() const override;
  int num_inputs() const override { return 0; }
  void build_multi(const std::vector<Shape>& input_shapes) override;
  Tensor call_multi(const TensorList& inputs, bool training) override;
  Shape compute_output_shape_multi(const std::vector<Shape>& input_shapes) const override;

 private:
  Kind kind_;
};

/// Concatenates inputs along `axis` (default -1); the other dims must agree. Config: axis.
class Concatenate final : public Layer {
 public:
  explicit Concatenate(std::int64_t axis = -1, std::string name = "");
  static std::unique_ptr<Layer> from_config(const Config& config);
  std::string class_name() const override { return "Concatenate"; }
  int num_inputs() const override { return 0; }
  void build_multi(const std::vector<Shape>& input_shapes) override;
  Tensor call_multi(const TensorList& inputs, bool training) override;
  Shape compute_output_shape_multi(const std::vector<Shape>& input_shapes) const override;
  Config get_config() const override;

 private:
  std::int64_t axis_;
};

/// Dot product of two inputs along `axes` (one axis for both, or one per input; batch excluded),
/// optionally L2-normalised first (cosine proximity). Config: axes, normalize.
class Dot final : public Layer {
 public:
  Dot(std::vector<std::int64_t> axes, bool normalize, std::string name = "");
  static std::unique_ptr<Layer> from_config(const Config& config);
  std::string class_name() const override { return "Dot"; }
  int num_inputs() const override { return 2; }
  void build_multi(const std::vector<Shape>& input_shapes) override;
  Tensor call_multi(const TensorList& inputs, bool training) override;
  Shape compute_output_shape_multi(const std::vector<Shape>& input_shapes) const override;
  Config get_config() const override;

 private:
  std::pair<std::int64_t, std::int64_t> resolved_axes(std::int64_t rank_a, std::int64_t rank_b) const;
  std::vector<std::int64_t> axes_;
  bool normalize_;
};

}  // namespace fathom::layers
