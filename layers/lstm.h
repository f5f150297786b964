// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <string>

#include "layers/rnn_base.h"

namespace fathom::layers {

/// Long short-term memory (Hochreiter 1997), Keras's gate order i, f, c, o:
///   z = x_t · kernel + h · recurrent_kernel + bias;  i, f, o = recurrent_activation(z_i, z_f, z_o)
///   c_t = f * c + i * activation(z_c);  h_t = o * activation(c_t).
/// Input [B, T, in]; output [B, units] or [B, T, units]. Weights: kernel [in, 4u],
/// recurrent_kernel [u, 4u], bias [4u]. Two states (h, c).
/// Config: SimpleRNN's keys plus recurrent_activation ("sigmoid"; "hard_sigmoid" is Keras 3's,
/// "hard_sigmoid_keras2" Keras 2's) and unit_forget_bias (true: the f block of the bias starts at 1).
/// With the default activations (tanh, sigmoid) the gates run as one fused op, ops::lstm_cell.
class LSTM final : public RNNBase {
 public:
  struct Options {
    RNNOptions rnn = {};
    bool unit_forget_bias = true;
  };
  explicit LSTM(Options options, std::string name = "");
  static std::unique_ptr<Layer> from_config(const Config& config);
  std::string class_name() const override { return "LSTM"; }
  Config get_config() const override;

 protected:
  TensorList step(const Tensor& xp_t, const TensorList& states, const Tensor& rec_mask) override;
  std::shared_ptr<Initializer> bias_initializer() const override;

 private:
  bool unit_forget_bias_;
  bool fused_cell_;  // Keras's default activations (tanh, sigmoid): ops::lstm_cell
};

}  // namespace fathom::layers
