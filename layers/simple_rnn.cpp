// SPDX-License-Identifier: Apache-2.0
#include "layers/simple_rnn.h"

#include "core/ops.h"

namespace fathom::layers {

SimpleRNN::SimpleRNN(RNNOptions options, std::string name)
    : RNNBase(std::move(options), std::move(name), "SimpleRNN", "simple_rnn", /*gates=*/1, /*num_states=*/1) {}

std::unique_ptr<Layer> SimpleRNN::from_config(const Config& c) {
  BaseLayerArgs base;
  RNNOptions o = parse_options(c, {}, "SimpleRNN", base);
  auto layer = std::make_unique<SimpleRNN>(std::move(o), base.name);
  apply_base_args(*layer, base);
  return layer;
}

TensorList SimpleRNN::step(const Tensor& xp_t, const TensorList& states, const Tensor& rec_mask) {
  return {activation_(ops::add(xp_t, recurrent_matmul(states[0], recurrent_kernel_, rec_mask)))};
}

Config SimpleRNN::get_config() const {
  Config c = Layer::get_config();
  add_config(c, /*with_recurrent_activation=*/false, Config::map(), Config::map());
  return c;
}

}  // namespace fathom::layers
