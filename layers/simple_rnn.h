// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <string>

#include "layers/rnn_base.h"

namespace fathom::layers {

/// Fully connected recurrence: h_t = activation(x_t · kernel + h_{t-1} · recurrent_kernel + bias).
/// Input [B, T, in]; output [B, units] or [B, T, units] (return_sequences). Weights: kernel
/// [in, units], recurrent_kernel [units, units], bias [units]. One state (h).
/// Config (Keras): units, activation ("tanh"), use_bias, kernel/recurrent/bias initializer
/// ("glorot_uniform", "orthogonal", "zeros"), regularizers, constraints, dropout,
/// recurrent_dropout, seed, return_sequences, return_state, go_backwards, unroll (no effect),
/// zero_output_for_mask; stateful must be false.
class SimpleRNN final : public RNNBase {
 public:
  explicit SimpleRNN(RNNOptions options, std::string name = "");
  static std::unique_ptr<Layer> from_config(const Config& config);
  std::string class_name() const override { return "SimpleRNN"; }
  Config get_config() const override;

 protected:
  TensorList step(const Tensor& xp_t, const TensorList& states, const Tensor& rec_mask) override;
};

}  // namespace fathom::layers
