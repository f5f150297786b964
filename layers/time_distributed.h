// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>

#include "layers/layer.h"

namespace fathom::layers {

/// Applies one layer to every timestep (Keras's TimeDistributed): input [B, T, ...] is viewed as
/// [B*T, ...], the wrapped layer runs once on it (same weights for every step), and its output
/// [B*T, out...] comes back as [B, T, out...]. The wrapped layer is a copy made from the given
/// layer's config (fresh weights, as Bidirectional does) named "<this name>/<its name>", so its
/// weights are named as Keras 3's paths ("time_distributed/dense/kernel"); get_config strips the
/// prefix. Weights, losses and random state are the wrapped layer's. A mask [B, T, ...] is passed
/// to the wrapped layer as [B*T, ...] and passed on unchanged (Keras 3's supports_masking).
/// Config: layer ({class_name, config}, Keras 2 or 3 form).
class TimeDistributed final : public Layer {
 public:
  /// `layer` (one input) is a template, copied through its config and the layer registry.
  explicit TimeDistributed(const Layer& layer, std::string name = "");
  static std::unique_ptr<Layer> from_config(const Config& config);
  std::string class_name() const override { return "TimeDistributed"; }

  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  Tensor call_masked(const Tensor& x, const Tensor& mask, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) const override;
  bool supports_masking() const override { return true; }
  Config get_config() const override;

  std::vector<Variable> weights() const override;
  void apply_constraints() override { inner_->apply_constraints(); }
  void set_trainable(bool trainable) override;
  TensorList losses() const override;
  Config random_state() const override { return inner_->random_state(); }
  void set_random_state(const Config& state) override { inner_->set_random_state(state); }
  Layer& layer() const { return *inner_; }
  std::vector<Layer*> sublayers() const override { return {inner_.get()}; }

 private:
  std::unique_ptr<Layer> inner_;
};

}  // namespace fathom::layers
