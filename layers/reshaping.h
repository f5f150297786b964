// SPDX-License-Identifier: Apache-2.0
// The reshaping family (keras/src/layers/reshaping): stateless, one-line computations.
#pragma once
#include <memory>
#include <vector>

#include "layers/layer.h"

namespace fathom::layers {

/// [B, d1, d2, ...] -> [B, d1*d2*...]. Config: data_format ("channels_last" only).
class Flatten final : public Layer {
 public:
  explicit Flatten(std::string name = "");
  static std::unique_ptr<Layer> from_config(const Config& config);
  std::string class_name() const override { return "Flatten"; }
  Tensor call(const Tensor& x, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) const override;
  Config get_config() const override;
};

/// [B, ...] -> [B, target_shape...]; one -1 is inferred. Config: target_shape.
class Reshape final : public Layer {
 public:
  explicit Reshape(Shape target_shape, std::string name = "");
  static std::unique_ptr<Layer> from_config(const Config& config);
  std::string class_name() const override { return "Reshape"; }
  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) const override;
  Config get_config() const override;

 private:
  Shape target_;
};

/// Permutes the non-batch axes; dims are 1-based as in Keras ((2, 1) swaps the two). Config: dims.
class Permute final : public Layer {
 public:
  explicit Permute(std::vector<std::int64_t> dims, std::string name = "");
  static std::unique_ptr<Layer> from_config(const Config& config);
  std::string class_name() const override { return "Permute"; }
  Tensor call(const Tensor& x, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) const override;
  Config get_config() const override;

 private:
  std::vector<std::int64_t> dims_;
};

/// [B, F] -> [B, n, F]. Config: n.
class RepeatVector final : public Layer {
 public:
  explicit RepeatVector(std::int64_t n, std::string name = "");
  static std::unique_ptr<Layer> from_config(const Config& config);
  std::string class_name() const override { return "RepeatVector"; }
  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) const override;
  Config get_config() const override;

 private:
  std::int64_t n_;
};

}  // namespace fathom::layers
