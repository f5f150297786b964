// SPDX-License-Identifier: Apache-2.0
// The Keras activation layers: ReLU, LeakyReLU, PReLU, ELU, Softmax, ThresholdedReLU. All keep
// the input's shape and pass its mask on.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "layers/layer.h"

namespace fathom::layers {

/// Keras's ReLU layer: y = x above `threshold` (capped at max_value), negative_slope * (x -
/// threshold) below it. Config: max_value (null or >= 0), negative_slope (0, >= 0), threshold
/// (0, >= 0).
class ReLU final : public Layer {
 public:
  struct Options {
    std::optional<double> max_value;
    double negative_slope = 0.0;
    double threshold = 0.0;
  };
  explicit ReLU(Options options, std::string name = "");
  static std::unique_ptr<Layer> from_config(const Config& config);
  std::string class_name() const override { return "ReLU"; }
  bool supports_masking() const override { return true; }
  Tensor call(const Tensor& x, bool training) override;
  Config get_config() const override;

 private:
  Options options_;
};

/// y = x if x >= 0 else negative_slope * x. Config: negative_slope (0.3, >= 0); Keras 2 files
/// name it alpha (accepted; get_config writes negative_slope).
class LeakyReLU final : public Layer {
 public:
  explicit LeakyReLU(double negative_slope = 0.3, std::string name = "");
  static std::unique_ptr<Layer> from_config(const Config& config);
  std::string class_name() const override { return "LeakyReLU"; }
  bool supports_masking() const override { return true; }
  Tensor call(const Tensor& x, bool training) override;
  Config get_config() const override;

 private:
  double negative_slope_;
};

/// Parametric ReLU: y = relu(x) - alpha * relu(-x) with a learned alpha of shape input_shape[1:],
/// size 1 along `shared_axes`. Config: alpha_initializer ("zeros"), alpha_regularizer,
/// alpha_constraint (null), shared_axes (null, an int or a list of axes >= 1).
class PReLU final : public Layer {
 public:
  struct Options {
    Config alpha_initializer = "zeros";
    Config alpha_regularizer, alpha_constraint;
    std::optional<std::vector<std::int64_t>> shared_axes;
  };
  explicit PReLU(Options options, std::string name = "");
  static std::unique_ptr<Layer> from_config(const Config& config);
  std::string class_name() const override { return "PReLU"; }
  bool supports_masking() const override { return true; }
  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  Config get_config() const override;

 private:
  Options options_;
  std::shared_ptr<Initializer> initializer_;
  std::shared_ptr<Regularizer> regularizer_;
  std::shared_ptr<Constraint> constraint_;
  Variable alpha_;
};

/// y = x if x > 0 else alpha * (exp(x) - 1). Config: alpha (1.0).
class ELU final : public Layer {
 public:
  explicit ELU(double alpha = 1.0, std::string name = "");
  static std::unique_ptr<Layer> from_config(const Config& config);
  std::string class_name() const override { return "ELU"; }
  bool supports_masking() const override { return true; }
  Tensor call(const Tensor& x, bool training) override;
  Config get_config() const override;

 private:
  double alpha_;
};

/// Softmax over `axis` (-1; an int or a list, the latter normalizing over all listed axes
/// jointly). With a mask (bool, or > 0.5, broadcastable to the input), masked positions get
/// probability 0, as Keras 3. Config: axis.
class Softmax final : public Layer {
 public:
  explicit Softmax(std::vector<std::int64_t> axis = {-1}, bool axis_is_list = false, std::string name = "");
  static std::unique_ptr<Layer> from_config(const Config& config);
  std::string class_name() const override { return "Softmax"; }
  bool supports_masking() const override { return true; }
  Tensor call(const Tensor& x, bool training) override;
  Tensor call_masked(const Tensor& x, const Tensor& mask, bool training) override;
  Config get_config() const override;

 private:
  std::vector<std::int64_t> axis_;
  bool axis_is_list_;
};

/// Keras 2's ThresholdedReLU: y = x if x > theta else 0. Config: theta (1.0, >= 0).
class ThresholdedReLU final : public Layer {
 public:
  explicit ThresholdedReLU(double theta = 1.0, std::string name = "");
  static std::unique_ptr<Layer> from_config(const Config& config);
  std::string class_name() const override { return "ThresholdedReLU"; }
  bool supports_masking() const override { return true; }
  Tensor call(const Tensor& x, bool training) override;
  Config get_config() const override;

 private:
  double theta_;
};

}  // namespace fathom::layers
