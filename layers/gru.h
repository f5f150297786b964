// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <string>

#include "layers/rnn_base.h"

namespace fathom::layers {

/// Gated recurrent unit (Cho 2014), Keras's gate order z, r, h:
///   z = ra(x_z + h·U_z + b_z), r = ra(x_r + h·U_r + b_r), h_t = z * h + (1 - z) * hh with
///   reset_after (default): hh = act(x_h + r * (h·U_h + b_rec_h)), bias [2, 3u] (row 0 for the
///   input projection, row 1 for the recurrent one);
///   otherwise:             hh = act(x_h + (r * h)·U_h), bias [3u].
/// Input [B, T, in]; output [B, units] or [B, T, units]. Weights: kernel [in, 3u],
/// recurrent_kernel [u, 3u], bias. One state (h).
/// Config: SimpleRNN's keys plus recurrent_activation ("sigmoid") and reset_after (true).
class GRU final : public RNNBase {
 public:
  struct Options {
    RNNOptions rnn = {};
    bool reset_after = true;
  };
  explicit GRU(Options options, std::string name = "");
  static std::unique_ptr<Layer> from_config(const Config& config);
  std::string class_name() const override { return "GRU"; }
  Config get_config() const override;

 protected:
  TensorList step(const Tensor& xp_t, const TensorList& states, const Tensor& rec_mask) override;
  void begin_sequence() override;
  Shape bias_shape() const override;
  Tensor input_bias() const override;

 private:
  bool reset_after_;
  Tensor recurrent_bias_;  // reset_after: bias row 1, per sequence
  Tensor u_zr_, u_h_;      // not reset_after: recurrent_kernel[:, :2u] and [:, 2u:], per sequence
};

}  // namespace fathom::layers
