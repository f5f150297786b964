// SPDX-License-Identifier: Apache-2.0
#include "layers/gru.h"

#include "core/ops.h"

namespace fathom::layers {

GRU::GRU(Options options, std::string name)
    : RNNBase(std::move(options.rnn), std::move(name), "GRU", "gru", /*gates=*/3, /*num_states=*/1),
      reset_after_(options.reset_after) {}

std::unique_ptr<Layer> GRU::from_config(const Config& c) {
  BaseLayerArgs base;
  Options o;
  o.rnn = parse_options(c, {"recurrent_activation", "reset_after"}, "GRU", base);
  // No reset_after key (Keras 2.x before 2.3 and tf.keras configs without it): Keras 3's default.
  o.reset_after = c.get_or("reset_after", true);
  auto layer = std::make_unique<GRU>(std::move(o), base.name);
  apply_base_args(*layer, base);
  return layer;
}

Shape GRU::bias_shape() const {
  if (reset_after_) return {2, 3 * rnn_.units};
  return {3 * rnn_.units};
}

Tensor GRU::input_bias() const {
  return reset_after_ ? ops::reshape(ops::slice_axis(bias_, 0, 0, 1), {3 * rnn_.units}) : Tensor(bias_);
}

void GRU::begin_sequence() {
  const std::int64_t u = rnn_.units;
  if (reset_after_) {
    recurrent_bias_ = rnn_.use_bias ? ops::reshape(ops::slice_axis(bias_, 0, 1, 2), {3 * u}) : Tensor();
  } else {
    u_zr_ = ops::slice_axis(recurrent_kernel_, 1, 0, 2 * u);
    u_h_ = ops::slice_axis(recurrent_kernel_, 1, 2 * u, 3 * u);
  }
}

TensorList GRU::step(const Tensor& xp_t, const TensorList& states, const Tensor& rec_mask) {
  const Tensor& h = states[0];
  const TensorList x = ops::split(xp_t, 3, 1);  // x_z, x_r, x_h: [B, u] each
  Tensor hh;
  Tensor z;
  if (reset_after_) {
    Tensor inner = recurrent_matmul(h, recurrent_kernel_, rec_mask);  // [B, 3u]
    if (recurrent_bias_.defined()) inner = ops::add(inner, recurrent_bias_);
    const TensorList rec = ops::split(inner, 3, 1);
    z = recurrent_activation_(ops::add(x[0], rec[0]));
    const Tensor r = recurrent_activation_(ops::add(x[1], rec[1]));
    hh = activation_(ops::add(x[2], ops::mul(r, rec[2])));
  } else {
    const TensorList rec = ops::split(recurrent_matmul(h, u_zr_, rec_mask), 2, 1);
    z = recurrent_activation_(ops::add(x[0], rec[0]));
    const Tensor r = recurrent_activation_(ops::add(x[1], rec[1]));
    const Tensor h_dropped = rec_mask.defined() ? ops::mul(h, rec_mask) : h;
    hh = activation_(ops::add(x[2], ops::matmul(ops::mul(r, h_dropped), u_h_)));
  }
  // z * h + (1 - z) * hh, written as hh + z * (h - hh).
  return {ops::add(hh, ops::mul(z, ops::sub(h, hh)))};
}

Config GRU::get_config() const {
  Config c = Layer::get_config();
  Config after_dropout = Config::map();
  after_dropout.set("reset_after", reset_after_);
  add_config(c, /*with_recurrent_activation=*/true, Config::map(), after_dropout);
  return c;
}

}  // namespace fathom::layers
