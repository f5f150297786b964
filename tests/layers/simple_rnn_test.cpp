// SPDX-License-Identifier: Apache-2.0
// SimpleRNN against Keras 3.15 (tests/layers/data/make_rnn_fixtures.py: x, mask and weights are
// the patterns of tests/layers/rnn_test_util.h), plus the shared RNN machinery: the layer
// contract, masks, go_backwards, states, dropout, variable lengths and errors.
#include "layers/simple_rnn.h"

#include <gtest/gtest.h>

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

TEST(SimpleRNNTest, SatisfiesLayerContract) {
  testing::LayerContractOptions o;
  o.weight_names = {"kernel", "recurrent_kernel", "bias"};
  expect_layer_contract(layer_spec("SimpleRNN", units(3)), {{2, 4, 3}}, {2, 3}, 3, o);
  Config seq = units(2);
  seq.set("return_sequences", true).set("go_backwards", true).set("name", "seq");
  expect_layer_contract(layer_spec("SimpleRNN", seq), {{2, 5, 3}}, {2, 5, 2}, 3, o);
  Config no_bias = units(4);
  no_bias.set("use_bias", false).set("activation", "sigmoid").set("kernel_regularizer", "l2");
  o.weight_names = {"kernel", "recurrent_kernel"};
  expect_layer_contract(layer_spec("SimpleRNN", no_bias), {{1, 2, 5}}, {1, 4}, 2, o);
}

TEST(SimpleRNNTest, MatchesKeras) {
  expect_tensor_near((*make("SimpleRNN", units(3), 1))(rnn_test::input()), {2, 3},
                     {-0.44825432, 0.93477899, -0.67742825, 0.52925378, -0.95895505, 0.54109281}, kTol);
  Config seq = units(3);
  seq.set("return_sequences", true);
  expect_tensor_near((*make("SimpleRNN", seq, 1))(rnn_test::input()), {2, 4, 3},
                     {0.42189905,  0.099668026, 0.099668004, -0.81879151, 0.79322368,  0.16183671,
                      -0.23076987, 0.83970946,  -0.76516759, -0.44825432, 0.93477899,  -0.67742825,
                      -0.50052023, -0.69106948, 0.53704959,  0.2875891,   -0.91356379, 0.40206999,
                      0.13965459,  -0.92976683, 0.68473715,  0.52925378,  -0.95895505, 0.54109281},
                     kTol);
}

TEST(SimpleRNNTest, GoBackwardsReturnsOutputsInProcessingOrder) {
  Config c = units(3);
  c.set("return_sequences", true).set("go_backwards", true);
  expect_tensor_near((*make("SimpleRNN", c, 1))(rnn_test::input()), {2, 4, 3},
                     {-0.29131263, 0.71629792,  -0.33637556, -0.56199688, 0.90301973,  -0.57923239,
                      -0.69587225, 0.94770426,  -0.63419706, 0.50137657,  0.69605148,  -0.60220844,
                      0.33637556,  -0.81775409, 0.14888504,  0.041478667, -0.89889473, 0.67989945,
                      0.040848903, -0.93756104, 0.68285561,  -0.24531908, -0.92673331, 0.76139826},
                     kTol);
}

TEST(SimpleRNNTest, MaskedStepsRepeatThePreviousOutputAsKeras) {
  // Keras 3: a masked step keeps the state and outputs the previous output (zeros before the
  // first unmasked step); the last output of sample 1 is that of step 2.
  Config c = units(3);
  c.set("return_sequences", true);
  auto layer = make("SimpleRNN", c, 1);
  Tensor out_mask;
  const Tensor y = layer->call_with_mask(rnn_test::input(), rnn_test::mask(), false, &out_mask);
  expect_tensor_near(y, {2, 4, 3},
                     {0.42189905,  0.099668026, 0.099668004, 0.42189905,  0.099668026, 0.099668004,
                      -0.69270605, 0.75309467,  0.013271445, -0.03232976, 0.83159184,  -0.7882759,
                      0,           0,           0,           -0.24491866, -0.73978305, 0.42189899,
                      0.40472582,  -0.9215259,  0.42104542,  0.40472582,  -0.9215259,  0.42104542},
                     kTol);
  EXPECT_EQ(out_mask.to_vector<bool>(), rnn_test::mask().to_vector<bool>()) << "return_sequences keeps the mask";
  auto last = make("SimpleRNN", units(3), 1);
  const Tensor y_last = last->call_with_mask(rnn_test::input(), rnn_test::mask(), false, &out_mask);
  expect_tensor_near(y_last, {2, 3}, {-0.03232976, 0.83159184, -0.7882759, 0.40472582, -0.9215259, 0.42104542}, kTol);
  EXPECT_FALSE(out_mask.defined()) << "the last output has no mask";
  // A float mask (1/0) works as a bool one.
  expect_tensor_near(last->call_masked(rnn_test::input(), ops::cast(rnn_test::mask(), DType::kFloat32), false),
                     {2, 3}, {-0.03232976, 0.83159184, -0.7882759, 0.40472582, -0.9215259, 0.42104542}, kTol);
}

TEST(SimpleRNNTest, ReturnsStatesAndTakesInitialStates) {
  Config c = units(3);
  c.set("activation", "relu").set("use_bias", false).set("return_state", true);
  auto layer = make("SimpleRNN", c, 1);
  EXPECT_EQ(layer->num_states(), 1);
  const TensorList out = layer->call_with_states(rnn_test::input(), Tensor(), {}, false);
  ASSERT_EQ(out.size(), 2u);
  expect_tensor_near(out[0], {2, 3}, {0, 1.4584, 0, 0.40439999, 0, 0.11920001}, kTol);
  expect_tensor_near(out[1], {2, 3}, {0, 1.4584, 0, 0.40439999, 0, 0.11920001}, kTol);
  // Explicit zero states equal the default; another state changes the result.
  const TensorList zeros = layer->call_with_states(rnn_test::input(), Tensor(), {Tensor::zeros({2, 3})}, false);
  EXPECT_EQ(zeros[0].to_vector<float>(), out[0].to_vector<float>());
  const TensorList ones = layer->call_with_states(rnn_test::input(), Tensor(), {Tensor::ones({2, 3})}, false);
  EXPECT_NE(ones[0].to_vector<float>(), out[0].to_vector<float>());
}

TEST(SimpleRNNTest, GradientsThroughMasksStatesAndGoBackwards) {
  Config c = units(2);
  c.set("return_sequences", true).set("go_backwards", true);
  auto layer = make("SimpleRNN", c, 1);
  const Tensor x = rnn_test::input();
  const Tensor h0 = testing::keras_pattern({2, 2}, 3, 5, 2, 4);
  TensorList targets = rnn_test::input_and_weights(x, *layer);
  targets.push_back(h0);
  EXPECT_TRUE(rnn_test::float32_gradients_match(
      [&] { return layer->call_with_states(x, rnn_test::mask(), {h0}, false)[0]; }, targets));
}

TEST(SimpleRNNTest, CallMaskedBuildsOnFirstUse) {
  auto layer = make_layer("SimpleRNN", units(2));
  EXPECT_EQ(layer->call_masked(Tensor::ones({2, 4, 3}), rnn_test::mask(), false).shape(), (Shape{2, 2}));
  EXPECT_EQ(layer->weight("kernel").shape(), (Shape{3, 2}));
}

TEST(SimpleRNNTest, AcceptsOtherSequenceLengthsAfterBuilding) {
  auto layer = make("SimpleRNN", units(3), 1);
  EXPECT_EQ((*layer)(Tensor::ones({2, 4, 3})).shape(), (Shape{2, 3}));
  EXPECT_EQ((*layer)(Tensor::ones({1, 7, 3})).shape(), (Shape{1, 3}));
  EXPECT_EQ((*layer)(Tensor::ones({3, 1, 3})).shape(), (Shape{3, 3}));
  expect_throws_with<ShapeError>([&] { (*layer)(Tensor::ones({2, 4, 5})); }, {"SimpleRNN", "[None, None, 3]"});
  Config seq = units(2);
  seq.set("return_sequences", true);
  EXPECT_EQ(make_layer("SimpleRNN", seq)->compute_output_shape({-1, -1, 5}), (Shape{-1, -1, 2}));
}

TEST(SimpleRNNTest, DropoutMasksAreFixedOverTheSequence) {
  // kernel = I, recurrent kernel = 0, linear: every step outputs the dropped input, so with a
  // constant sequence all steps are equal only if the input mask is the same at every step.
  Config c = units(4);
  c.set("return_sequences", true).set("activation", "linear").set("use_bias", false).set("dropout", 0.5);
  c.set("seed", 7);
  auto layer = make_layer("SimpleRNN", c);
  layer->build_from_shapes({{-1, 5, 4}});
  Tensor eye = Tensor::zeros({4, 4});
  for (int i = 0; i < 4; ++i) eye.data<float>()[i * 5] = 1;
  layer->weight("kernel").assign(eye);
  layer->weight("recurrent_kernel").assign(Tensor::zeros({4, 4}));
  const Tensor x = Tensor::ones({8, 5, 4});
  const auto y = (*layer)(x, true).to_vector<float>();
  int dropped = 0;
  for (int b = 0; b < 8; ++b) {
    for (int j = 0; j < 4; ++j) {
      const float first = y[(b * 5) * 4 + j];
      EXPECT_TRUE(first == 0.0f || first == 2.0f) << first;
      dropped += first == 0.0f;
      for (int t = 1; t < 5; ++t) EXPECT_EQ(y[(b * 5 + t) * 4 + j], first) << "sample " << b << " step " << t;
    }
  }
  EXPECT_GT(dropped, 4);
  EXPECT_LT(dropped, 28);
  EXPECT_EQ((*layer)(x, false).to_vector<float>(), Tensor::ones({8, 5, 4}).to_vector<float>()) << "no dropout in inference";
  EXPECT_NE((*layer)(x, true).to_vector<float>(), y) << "a new mask on every call";
}

TEST(SimpleRNNTest, RecurrentDropoutMaskIsFixedOverTheSequence) {
  // kernel = 0, recurrent kernel = I, bias = 1, linear: h_t = 1 + m * h_{t-1} with one m in
  // {0, 2} per unit, fixed for the whole sequence.
  Config c = units(3);
  c.set("return_sequences", true).set("activation", "linear").set("recurrent_dropout", 0.5).set("seed", 3);
  auto layer = make_layer("SimpleRNN", c);
  layer->build_from_shapes({{-1, 4, 2}});
  Tensor eye = Tensor::zeros({3, 3});
  for (int i = 0; i < 3; ++i) eye.data<float>()[i * 4] = 1;
  layer->weight("kernel").assign(Tensor::zeros({2, 3}));
  layer->weight("recurrent_kernel").assign(eye);
  layer->weight("bias").assign(Tensor::ones({3}));
  const auto y = (*layer)(Tensor::ones({6, 4, 2}), true).to_vector<float>();
  for (int b = 0; b < 6; ++b) {
    for (int j = 0; j < 3; ++j) {
      const float h2 = y[(b * 4 + 1) * 3 + j];
      ASSERT_TRUE(h2 == 1.0f || h2 == 3.0f) << h2;
      const float m = h2 - 1.0f;  // 0 or 2
      EXPECT_EQ(y[(b * 4 + 2) * 3 + j], 1 + m * h2);
      EXPECT_EQ(y[(b * 4 + 3) * 3 + j], 1 + m * (1 + m * h2));
    }
  }
}

TEST(SimpleRNNTest, AcceptsKeras2ConfigKeys) {
  // tf.keras 2.x SimpleRNN config keys (time_major, unroll, implementation are accepted).
  const Config c = testing::parse_json(R"({"name": "simple_rnn", "trainable": true, "dtype": "float32",
      "return_sequences": false, "return_state": false, "go_backwards": false, "stateful": false,
      "unroll": false, "time_major": false, "units": 3, "activation": "tanh", "use_bias": true,
      "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}},
      "recurrent_initializer": {"class_name": "Orthogonal", "config": {"gain": 1.0, "seed": null}},
      "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": null,
      "recurrent_regularizer": null, "bias_regularizer": null, "activity_regularizer": null,
      "kernel_constraint": null, "recurrent_constraint": null, "bias_constraint": null,
      "dropout": 0.0, "recurrent_dropout": 0.0})");
  auto layer = make_layer("SimpleRNN", c);
  EXPECT_EQ((*layer)(Tensor::ones({2, 4, 3})).shape(), (Shape{2, 3}));
  EXPECT_EQ(layer->get_config().at("recurrent_initializer").get<std::string>("class_name"), "Orthogonal");
}

TEST(SimpleRNNTest, RejectsBadConfigs) {
  expect_throws_with<ValueError>([] { make_layer("SimpleRNN", units(0)); }, {"SimpleRNN", "units=0"});
  Config stateful = units(2);
  stateful.set("stateful", true);
  expect_throws_with<ConfigError>([&] { make_layer("SimpleRNN", stateful); }, {"SimpleRNN", "stateful=True"});
  Config time_major = units(2);
  time_major.set("time_major", true);
  expect_throws_with<ConfigError>([&] { make_layer("SimpleRNN", time_major); }, {"SimpleRNN", "time_major"});
  Config typo = units(2);
  typo.set("return_sequence", true);
  expect_throws_with<ConfigError>([&] { make_layer("SimpleRNN", typo); }, {"SimpleRNN", "return_sequence"});
  Config drop = units(2);
  drop.set("dropout", 1.5);
  expect_throws_with<ValueError>([&] { make_layer("SimpleRNN", drop); }, {"SimpleRNN", "dropout=1.5"});
  Config act = units(2);
  act.set("activation", "tanhh");
  expect_throws_with<ConfigError>([&] { make_layer("SimpleRNN", act); }, {"tanhh"});
}

TEST(SimpleRNNTest, RejectsBadInputs) {
  Config c = units(3);
  c.set("name", "rnn");
  auto layer = make_layer("SimpleRNN", c);
  expect_throws_with<ShapeError>([&] { (*layer)(Tensor::ones({2, 3})); }, {"SimpleRNN 'rnn'", "rank 3", "[None, 3]"});
  expect_throws_with<ShapeError>([&] { layer->compute_output_shape({2, 3}); }, {"SimpleRNN 'rnn'", "rank 3"});
  auto built = make("SimpleRNN", c, 1);
  expect_throws_with<ShapeError>([&] { built->call_masked(rnn_test::input(), Tensor::ones({2, 3}, DType::kBool), false); },
                                 {"mask", "[2, 4]", "[2, 3]"});
  expect_throws_with<ShapeError>(
      [&] { built->call_with_states(rnn_test::input(), Tensor(), {Tensor::zeros({2, 2})}, false); },
      {"initial state 0", "[2, 3]", "[2, 2]"});
  expect_throws_with<ShapeError>(
      [&] { built->call_with_states(rnn_test::input(), Tensor(), {Tensor::zeros({2, 3}), Tensor::zeros({2, 3})}, false); },
      {"expected 1 initial state", "received 2"});
}

}  // namespace
}  // namespace fathom::layers
