// SPDX-License-Identifier: Apache-2.0
#include "layers/lstm.h"

#include "core/ops.h"
#include "layers/initializers.h"

namespace fathom::layers {
namespace {

/// Keras's unit_forget_bias: [base(u), ones(u), base(2u)] for the gate blocks i, f, (c, o).
class UnitForgetBias final : public Initializer {
 public:
  explicit UnitForgetBias(std::shared_ptr<Initializer> base) : base_(std::move(base)) {}
  std::string class_name() const override { return base_->class_name(); }
  Tensor operator()(const Shape& shape, DType dtype) const override {
    const std::int64_t u = shape[0] / 4;
    return ops::concat({(*base_)({u}, dtype), Tensor::ones({u}, dtype), (*base_)({2 * u}, dtype)}, 0);
  }
  Config get_config() const override { return base_->get_config(); }

 private:
  std::shared_ptr<Initializer> base_;
};

}  // namespace

LSTM::LSTM(Options options, std::string name)
    : RNNBase(std::move(options.rnn), std::move(name), "LSTM", "lstm", /*gates=*/4, /*num_states=*/2),
      unit_forget_bias_(options.unit_forget_bias),
      fused_cell_(rnn_.activation == "tanh" && rnn_.recurrent_activation == "sigmoid") {}

std::unique_ptr<Layer> LSTM::from_config(const Config& c) {
  BaseLayerArgs base;
  Options o;
  o.rnn = parse_options(c, {"recurrent_activation", "unit_forget_bias"}, "LSTM", base);
  o.unit_forget_bias = c.get_or("unit_forget_bias", true);
  auto layer = std::make_unique<LSTM>(std::move(o), base.name);
  apply_base_args(*layer, base);
  return layer;
}

std::shared_ptr<Initializer> LSTM::bias_initializer() const {
  if (!unit_forget_bias_) return resolved_.bias_initializer;
  return std::make_shared<UnitForgetBias>(resolved_.bias_initializer);
}

TensorList LSTM::step(const Tensor& xp_t, const TensorList& states, const Tensor& rec_mask) {
  const Tensor z = ops::add(xp_t, recurrent_matmul(states[0], recurrent_kernel_, rec_mask));  // [B, 4u]
  if (fused_cell_) {
    // One kernel for the gates and states, forward and backward: [B, 2u] = (h, c), sliced as views.
    const Tensor hc = ops::lstm_cell(z, states[1]);
    const std::int64_t u = rnn_.units;
    return {ops::slice_axis(hc, 1, 0, u), ops::slice_axis(hc, 1, u, 2 * u)};
  }
  const TensorList g = ops::split(z, 4, 1);
  const Tensor i = recurrent_activation_(g[0]);
  const Tensor f = recurrent_activation_(g[1]);
  const Tensor o = recurrent_activation_(g[3]);
  const Tensor c = ops::add(ops::mul(f, states[1]), ops::mul(i, activation_(g[2])));
  return {ops::mul(o, activation_(c)), c};
}

Config LSTM::get_config() const {
  Config c = Layer::get_config();
  Config after_bias = Config::map();
  after_bias.set("unit_forget_bias", unit_forget_bias_);
  add_config(c, /*with_recurrent_activation=*/true, after_bias, Config::map());
  return c;
}

}  // namespace fathom::layers
