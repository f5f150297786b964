// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>

#include "core/random.h"
#include "layers/activations.h"
#include "layers/layer.h"

namespace fathom::layers {

/// Applies an activation by its Keras name. Config: activation (required).
class Activation final : public Layer {
 public:
  explicit Activation(std::string activation, std::string name = "");
  static std::unique_ptr<Layer> from_config(const Config& config);
  std::string class_name() const override { return "Activation"; }
  bool supports_masking() const override { return true; }
  Tensor call(const Tensor& x, bool training) override;
  Config get_config() const override;

 private:
  std::string activation_name_;
  ActivationFn fn_;
};

/// Sets a fraction `rate` of the inputs to 0 in training and scales the rest by 1/(1-rate);
/// identity in inference. Config: rate in [0, 1), noise_shape (null: same as the input; 1s
/// broadcast the mask), seed (null: from the global seed). The mask stream advances each call.
class Dropout final : public Layer {
 public:
  struct Options {
    double rate = 0.0;
    Shape noise_shape = {};  // empty: the input's shape
    std::optional<std::uint64_t> seed = std::nullopt;
  };
  explicit Dropout(Options options, std::string name = "");
  static std::unique_ptr<Layer> from_config(const Config& config);
  std::string class_name() const override { return "Dropout"; }
  Config random_state() const override;
  void set_random_state(const Config& state) override;
  bool supports_masking() const override { return true; }
  Tensor call(const Tensor& x, bool training) override;
  Config get_config() const override;

 private:
  Options options_;
  random::Generator stream_{0};  // one draw per training call; a traced call draws when replayed
};

}  // namespace fathom::layers
