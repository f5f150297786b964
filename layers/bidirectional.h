// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "layers/rnn_base.h"

namespace fathom::layers {

/// Runs a recurrent layer forwards and a copy backwards over the sequence and merges the two
/// outputs (Keras's Bidirectional). The copies are made from the given layer's config (fresh
/// weights, as Keras) and named forward_<name> / backward_<name> in the config (the backward one
/// with go_backwards=true), or from backward_layer's config when given. Their Layer::name() is
/// prefixed with this layer's ("bi/forward_lstm") so that their weights are named as Keras's
/// paths ("bi/forward_lstm/kernel"). With return_sequences the backward outputs are flipped back
/// to input order, and masked steps output zeros (Keras forces zero_output_for_mask there).
/// Input [B, T, in]; output: concat -> [..., 2u]; sum, mul, ave -> [..., u]; None -> two
/// outputs (call_with_states only). Weights: the forward layer's, then the backward layer's.
/// Config: layer ({class_name, config}, Keras 2 or 3 form), merge_mode ("concat" | "sum" | "mul" |
/// "ave" | null), backward_layer (optional).
class Bidirectional final : public Layer {
 public:
  struct Options {
    std::optional<std::string> merge_mode = "concat";  // nullopt: Keras's None
  };
  /// `layer` and `backward_layer` are templates (SimpleRNN, LSTM or GRU), copied through their configs.
  Bidirectional(const Layer& layer, Options options, std::string name = "", const Layer* backward_layer = nullptr);
  static std::unique_ptr<Layer> from_config(const Config& config);
  std::string class_name() const override { return "Bidirectional"; }

  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  Tensor call_masked(const Tensor& x, const Tensor& mask, bool training) override;
  /// The merged output (two outputs for merge_mode None), then the forward layer's states, then
  /// the backward layer's. `initial_states`: empty, or the forward ones followed by the backward ones.
  TensorList call_with_states(const Tensor& x, const Tensor& mask, const TensorList& initial_states,
                              bool training);
  int num_states() const { return 2 * forward_->num_states(); }
  int num_outputs() const { return options_.merge_mode ? 1 : 2; }
  /// As a graph node: inputs [x, forward states..., backward states...]; outputs the merged
  /// output (two with merge_mode None), then the states when the wrapped layer has return_state.
  std::vector<std::string> node_kwargs() const override { return {"initial_state"}; }
  void build_node(const std::vector<Shape>& input_shapes, const NodeArgs& call) override;
  std::vector<Shape> node_output_shapes(const std::vector<Shape>& input_shapes, const NodeArgs& call) const override;
  TensorList call_node(const TensorList& inputs, const Tensor& mask, const NodeArgs& call, bool training,
                       Tensor* out_mask) override;
  /// With merge_mode None: the shape of each of the two outputs.
  Shape compute_output_shape(const Shape& input_shape) const override;
  bool supports_masking() const override { return true; }
  Tensor compute_mask(const Tensor& x, const Tensor& mask) const override;
  Config get_config() const override;

  std::vector<Variable> weights() const override;
  void apply_constraints() override;
  Config random_state() const override;
  void set_random_state(const Config& state) override;
  void set_trainable(bool trainable) override;
  TensorList losses() const override;
  std::vector<Layer*> sublayers() const override;
  RNNBase& forward_layer() const { return *forward_; }
  RNNBase& backward_layer() const { return *backward_; }

 private:
  Options options_;
  std::unique_ptr<RNNBase> forward_, backward_;
};

}  // namespace fathom::layers
