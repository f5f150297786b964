// SPDX-License-Identifier: Apache-2.0
// LSTM against Keras 3.15 (tests/layers/data/make_rnn_fixtures.py; fixtures in rnn_test_util.h):
// values with return_sequences, go_backwards, masks, initial states and both hard sigmoids, the
// unit_forget_bias initializer, gradients, Keras 2/3 configs and errors.
#include "layers/lstm.h"

#include <gtest/gtest.h>

#include "models/sequential.h"
#include "tests/layers/rnn_test_util.h"

namespace fathom::layers {
namespace {

using rnn_test::make;
using rnn_test::units;
using testing::expect_layer_contract;
using testing::expect_tensor_near;
using testing::expect_throws_with;
using testing::layer_spec;

constexpr double kTol = 2e-6;

Config seq(std::int64_t n) {
  Config c = units(n);
  c.set("return_sequences", true);
  return c;
}

Tensor h0() { return testing::keras_pattern({2, 2}, 3, 5, 2, 4); }
Tensor c0() { return testing::keras_pattern({2, 2}, 2, 5, 1, 4); }

TEST(LSTMTest, SatisfiesLayerContract) {
  testing::LayerContractOptions o;
  o.weight_names = {"kernel", "recurrent_kernel", "bias"};
  expect_layer_contract(layer_spec("LSTM", units(3)), {{2, 4, 3}}, {2, 3}, 3, o);
  Config c = seq(2);
  c.set("go_backwards", true).set("unit_forget_bias", false).set("recurrent_regularizer", "l2");
  c.set("bias_initializer", "ones").set("name", "backwards");
  expect_layer_contract(layer_spec("LSTM", c), {{1, 5, 2}}, {1, 5, 2}, 3, o);
}

TEST(LSTMTest, MatchesKeras) {
  expect_tensor_near((*make("LSTM", units(2), 4))(rnn_test::input()), {2, 2},
                     {0.10251543, 0.21591336, -0.13572721, -0.10146894}, kTol);
  expect_tensor_near((*make("LSTM", seq(2), 4))(rnn_test::input()), {2, 4, 2},
                     {-0.12213155, -0.078876108, 0.043441884, 0.10661065, 0.088982321, 0.17337899, 0.10251543,
                      0.21591336, 0.011075403, -0.11230327, -0.0033504453, -0.13881406, -0.052405037, -0.12970373,
                      -0.13572721, -0.10146894},
                     kTol);
  Config back = seq(2);
  back.set("go_backwards", true);
  expect_tensor_near((*make("LSTM", back, 4))(rnn_test::input()), {2, 4, 2},
                     {0.075883828, 0.17038865, 0.094985075, 0.19085869, 0.10250782, 0.17305598, -0.061379634,
                      0.15749164, -0.10097474, -0.057052966, -0.13945878, -0.096834809, -0.12957171, -0.13011774,
                      -0.083614506, -0.15766387},
                     kTol);
}

TEST(LSTMTest, MatchesKerasWithMask) {
  expect_tensor_near(make("LSTM", seq(2), 4)->call_masked(rnn_test::input(), rnn_test::mask(), false), {2, 4, 2},
                     {-0.12213155, -0.078876108, -0.12213155, -0.078876108, 0.042809073, 0.13960031, 0.084542245,
                      0.20830065, 0, 0, -0.023577647, -0.098356031, -0.073968984, -0.11482277, -0.073968984,
                      -0.11482277},
                     kTol);
  Config back = seq(2);
  back.set("go_backwards", true);  // the mask is reversed with the sequence
  expect_tensor_near(make("LSTM", back, 4)->call_masked(rnn_test::input(), rnn_test::mask(), false), {2, 4, 2},
                     {0.075883828, 0.17038865, 0.094985075, 0.19085869, 0.094985075, 0.19085869, -0.072361797,
                      0.17710154, 0, 0, -0.061545584, -0.079966411, -0.067605689, -0.12559597, -0.067605689,
                      -0.12559597},
                     kTol);
}

TEST(LSTMTest, MatchesKerasWithInitialStates) {
  Config c = units(2);
  c.set("return_state", true);
  auto layer = make("LSTM", c, 4);
  EXPECT_EQ(layer->num_states(), 2);
  const TensorList out = layer->call_with_states(rnn_test::input(), Tensor(), {h0(), c0()}, false);
  ASSERT_EQ(out.size(), 3u);
  expect_tensor_near(out[0], {2, 2}, {0.094571762, 0.22606987, 0.070947818, -0.11085524}, kTol);
  expect_tensor_near(out[1], {2, 2}, {0.094571762, 0.22606987, 0.070947818, -0.11085524}, kTol);
  expect_tensor_near(out[2], {2, 2}, {0.27433988, 0.63441002, 0.094506145, -0.25986838}, kTol);
  // Masked, with initial states: a masked first step outputs zeros but keeps h0 and c0.
  Config s = seq(2);
  s.set("return_state", true);
  const TensorList m = make("LSTM", s, 4)->call_with_states(rnn_test::input(), rnn_test::mask(), {h0(), c0()}, false);
  expect_tensor_near(m[0], {2, 4, 2},
                     {-0.19072962, 0.13835013, -0.19072962, 0.13835013, 0.0038879074, 0.19496721, 0.066728897,
                      0.23024037, 0, 0, 0.2225322, -0.089171678, 0.18115546, -0.11181795, 0.18115546, -0.11181795},
                     kTol);
  expect_tensor_near(m[1], {2, 2}, {0.066728897, 0.23024037, 0.18115546, -0.11181795}, kTol);
  expect_tensor_near(m[2], {2, 2}, {0.19265151, 0.62953234, 0.25320771, -0.27460164}, kTol);
}

TEST(LSTMTest, HardSigmoidIsKeras3sAndKeras2sHasItsOwnName) {
  Config k3 = seq(2);
  k3.set("recurrent_activation", "hard_sigmoid");  // relu6(x + 3) / 6
  expect_tensor_near((*make("LSTM", k3, 4))(rnn_test::input()), {2, 4, 2},
                     {-0.11813116, -0.075923763, 0.06625399, 0.10134249, 0.1252005, 0.17450918, 0.14235878,
                      0.22113462, 0.011808163, -0.12522613, -0.002871742, -0.15903793, -0.051312581, -0.15223624,
                      -0.13037361, -0.12221394},
                     kTol);
  Config k2 = seq(2);
  k2.set("recurrent_activation", "hard_sigmoid_keras2");  // clip(0.2 x + 0.5, 0, 1)
  auto layer = make("LSTM", k2, 4);
  expect_tensor_near((*layer)(rnn_test::input()), {2, 4, 2},
                     {-0.12040222, -0.07836476, 0.055062909, 0.10428461, 0.10764694, 0.17524199, 0.12321009,
                      0.22026284, 0.011509173, -0.11986054, -0.0029816746, -0.15045512, -0.052208047, -0.14240907,
                      -0.13463897, -0.11282898},
                     kTol);
  const Config back = make_layer("LSTM", layer->get_config())->get_config();
  EXPECT_EQ(back.get<std::string>("recurrent_activation"), "hard_sigmoid_keras2") << "the name round-trips";
}

TEST(LSTMTest, UnitForgetBiasStartsTheForgetBlockAtOne) {
  auto layer = make_layer("LSTM", units(3));
  layer->build_from_shapes({{-1, 4, 3}});
  // Keras: LSTM(3).build((None, 4, 3)).get_weights()[2].
  EXPECT_EQ(layer->weight("bias").value().to_vector<float>(),
            (std::vector<float>{0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0}));
  Config plain = units(2);
  plain.set("unit_forget_bias", false);
  auto zeros = make_layer("LSTM", plain);
  zeros->build_from_shapes({{-1, 4, 3}});
  EXPECT_EQ(zeros->weight("bias").value().to_vector<float>(), std::vector<float>(8, 0.0f));
  Config constant = units(1);
  constant.set("bias_initializer", testing::parse_json(R"({"class_name": "Constant", "config": {"value": 0.5}})"));
  auto c = make_layer("LSTM", constant);
  c->build_from_shapes({{-1, 4, 3}});
  EXPECT_EQ(c->weight("bias").value().to_vector<float>(), (std::vector<float>{0.5f, 1.0f, 0.5f, 0.5f}));
  EXPECT_EQ(c->get_config().at("bias_initializer").get<std::string>("class_name"), "Constant");
  // The recurrent kernel is orthogonal: its rows [u, 4u] are orthonormal.
  const auto u = layer->weight("recurrent_kernel").value().to_vector<float>();
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      double dot = 0;
      for (int k = 0; k < 12; ++k) dot += u[i * 12 + k] * u[j * 12 + k];
      EXPECT_NEAR(dot, i == j ? 1.0 : 0.0, 1e-5);
    }
  }
}

/// Outputs its input with the mask of rnn_test::mask() (as Masking or Embedding(mask_zero) would).
class FixtureMask final : public Layer {
 public:
  FixtureMask() : Layer("fixture_mask", "fixture_mask") {}
  std::string class_name() const override { return "FixtureMask"; }
  Tensor call(const Tensor& x, bool) override { return x; }
  Tensor compute_mask(const Tensor&, const Tensor&) const override { return rnn_test::mask(); }
};

TEST(LSTMTest, TakesTheMaskOfThePreviousLayerInASequential) {
  std::shared_ptr<RNNBase> lstm = make("LSTM", seq(2), 4);
  models::Sequential model({std::make_shared<FixtureMask>(), lstm});
  expect_tensor_near(model.predict(rnn_test::input()), {2, 4, 2},
                     {-0.12213155, -0.078876108, -0.12213155, -0.078876108, 0.042809073, 0.13960031, 0.084542245,
                      0.20830065, 0, 0, -0.023577647, -0.098356031, -0.073968984, -0.11482277, -0.073968984,
                      -0.11482277},
                     kTol);
}

TEST(LSTMTest, RegularizerLossesMatchKeras) {
  // Activity terms for the output and both states (return_state), each over the batch size,
  // then kernel l1 and recurrent_kernel l2.
  Config c = units(2);
  c.set("kernel_regularizer", "l1").set("recurrent_regularizer", "l2").set("activity_regularizer", "l2");
  c.set("return_state", true);
  auto layer = make("LSTM", c, 4);
  layer->call_with_states(rnn_test::input(), Tensor(), {}, false);
  TensorList losses = layer->losses();
  std::vector<double> values;
  for (const Tensor& l : losses) values.push_back(l.item_as_double());
  const std::vector<double> keras = {0.00042922903, 0.00042922903, 0.002662953, 0.081999995, 0.026000001};
  ASSERT_EQ(values.size(), keras.size());
  for (std::size_t i = 0; i < keras.size(); ++i) EXPECT_NEAR(values[i], keras[i], 1e-7) << i;
  (*layer)(rnn_test::input());
  EXPECT_EQ(layer->losses().size(), 5u) << "a plain call gives the same terms, not more";
}

TEST(LSTMTest, GradientsThroughMaskAndInitialStates) {
  Config c = seq(2);
  c.set("go_backwards", true);
  auto layer = make("LSTM", c, 4);
  const Tensor x = rnn_test::input(), h = h0(), cc = c0();
  TensorList targets = rnn_test::input_and_weights(x, *layer);
  targets.push_back(h);
  targets.push_back(cc);
  EXPECT_TRUE(rnn_test::float32_gradients_match(
      [&] {
        const TensorList out = layer->call_with_states(x, rnn_test::mask(), {h, cc}, false);
        return ops::concat({ops::reshape(out[0], {2, 8}), out[1], out[2]}, 1);  // output and both states
      },
      targets));
}

TEST(LSTMTest, LoadsKeras3AndKeras2Configs) {
  const Config k3 = testing::parse_json(R"({"name": "lstm", "trainable": true, "dtype": {"module": "keras",
      "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
      "return_sequences": false, "return_state": false, "go_backwards": false, "stateful": false,
      "unroll": false, "zero_output_for_mask": false, "units": 3, "activation": "tanh",
      "recurrent_activation": "sigmoid", "use_bias": true, "kernel_initializer": {"module":
      "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null},
      "recurrent_initializer": {"module": "keras.initializers", "class_name": "Orthogonal", "config":
      {"seed": null, "gain": 1.0}, "registered_name": null}, "bias_initializer": {"module":
      "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
      "unit_forget_bias": true, "kernel_regularizer": null, "recurrent_regularizer": null,
      "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null,
      "recurrent_constraint": null, "bias_constraint": null, "dropout": 0.0, "recurrent_dropout": 0.0,
      "seed": null})");
  auto layer = make_layer("LSTM", k3);
  EXPECT_EQ((*layer)(Tensor::ones({2, 4, 5})).shape(), (Shape{2, 3}));
  for (const auto& [key, value] : k3.entries()) EXPECT_TRUE(layer->get_config().has(key)) << key;
  // tf.keras 2.x: implementation, time_major, and "hard_sigmoid" (which means Keras 3's here).
  const Config k2 = testing::parse_json(R"({"name": "lstm_1", "trainable": true, "batch_input_shape":
      [null, 4, 3], "dtype": "float32", "return_sequences": true, "return_state": false, "go_backwards":
      false, "stateful": false, "unroll": false, "time_major": false, "units": 2, "activation": "tanh",
      "recurrent_activation": "hard_sigmoid", "use_bias": true, "unit_forget_bias": true, "dropout": 0.0,
      "recurrent_dropout": 0.0, "implementation": 2})");
  auto old = make_layer("LSTM", k2);
  old->build_from_shapes({{-1, 4, 3}});
  rnn_test::set_weights(*old, 4, 2);
  expect_tensor_near((*old)(rnn_test::input()), {2, 4, 2},
                     {-0.11813116, -0.075923763, 0.06625399, 0.10134249, 0.1252005, 0.17450918, 0.14235878,
                      0.22113462, 0.011808163, -0.12522613, -0.002871742, -0.15903793, -0.051312581, -0.15223624,
                      -0.13037361, -0.12221394},
                     kTol);
  Config cudnn = units(2);
  cudnn.set("use_cudnn", "auto");
  EXPECT_NO_THROW(make_layer("LSTM", cudnn));
  cudnn.set("use_cudnn", "always");
  expect_throws_with<ConfigError>([&] { make_layer("LSTM", cudnn); }, {"LSTM", "use_cudnn", "always"});
}

TEST(LSTMTest, RejectsBadConfigsAndInputs) {
  expect_throws_with<ValueError>([] { make_layer("LSTM", units(0)); }, {"LSTM", "units=0"});
  Config stateful = units(2);
  stateful.set("stateful", true);
  expect_throws_with<ConfigError>([&] { make_layer("LSTM", stateful); }, {"LSTM", "stateful=True", "not supported"});
  Config ra = units(2);
  ra.set("recurrent_activation", "sigmoidd");
  expect_throws_with<ConfigError>([&] { make_layer("LSTM", ra); }, {"sigmoidd"});
  auto layer = make("LSTM", units(2), 4);
  expect_throws_with<ShapeError>([&] { (*layer)(Tensor::ones({4, 3})); }, {"LSTM", "[None, 4, 3]", "[None, 3]"});
  expect_throws_with<ShapeError>([&] { layer->call_with_states(rnn_test::input(), Tensor(), {h0()}, false); },
                                 {"LSTM", "expected 2 initial state(s), received 1"});
}

}  // namespace
}  // namespace fathom::layers
