// SPDX-License-Identifier: Apache-2.0
// GRU against Keras 3.15 in both conventions (reset_after true: bias [2, 3u]; false: bias [3u]),
// with go_backwards, masks, initial states, no bias; gradients, configs and errors. Fixtures:
// tests/layers/data/make_rnn_fixtures.py and rnn_test_util.h.
#include "layers/gru.h"

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

Config gru(std::int64_t n, bool reset_after = true, bool return_sequences = true) {
  Config c = units(n);
  c.set("reset_after", reset_after).set("return_sequences", return_sequences);
  return c;
}

TEST(GRUTest, SatisfiesLayerContract) {
  testing::LayerContractOptions o;
  o.weight_names = {"kernel", "recurrent_kernel", "bias"};
  expect_layer_contract(layer_spec("GRU", gru(3, true, false)), {{2, 4, 3}}, {2, 3}, 3, o);
  Config before = gru(2, false);
  before.set("go_backwards", true).set("name", "gru_before");
  expect_layer_contract(layer_spec("GRU", before), {{1, 5, 2}}, {1, 5, 2}, 3, o);
  Config no_bias = gru(2, true, false);
  no_bias.set("use_bias", false);
  o.weight_names = {"kernel", "recurrent_kernel"};
  expect_layer_contract(layer_spec("GRU", no_bias), {{2, 3, 2}}, {2, 2}, 2, o);
}

TEST(GRUTest, BiasShapeFollowsResetAfter) {
  auto after = make_layer("GRU", units(3));  // no reset_after key: true, as Keras 3 and tf.keras 2
  after->build_from_shapes({{-1, 4, 5}});
  EXPECT_EQ(after->weight("bias").shape(), (Shape{2, 9}));
  EXPECT_TRUE(after->get_config().get<bool>("reset_after"));
  auto before = make_layer("GRU", gru(3, false));
  before->build_from_shapes({{-1, 4, 5}});
  EXPECT_EQ(before->weight("bias").shape(), (Shape{9}));
  EXPECT_EQ(before->weight("kernel").shape(), (Shape{5, 9}));
  EXPECT_EQ(before->weight("recurrent_kernel").shape(), (Shape{3, 9}));
}

TEST(GRUTest, MatchesKerasResetAfter) {
  expect_tensor_near((*make("GRU", gru(3), 3))(rnn_test::input()), {2, 4, 3},
                     {0.1922605,   0.41792426, -0.2413889,  0.11413021,  -0.14814816, -0.089273266,
                      0.10636195,  -0.46486786, 0.041206695, 0.12352114,  -0.64043677, 0.12054089,
                      -0.28691858, 0.22258584,  0.34118119,  -0.41099709, 0.45063809,  0.42132217,
                      -0.47815329, 0.61134875,  0.40143222,  -0.51850295, 0.7058146,   0.35653386},
                     kTol);
}

TEST(GRUTest, MatchesKerasResetBefore) {
  expect_tensor_near((*make("GRU", gru(3, false), 3))(rnn_test::input()), {2, 4, 3},
                     {0.25029054,  0.39443767,  -0.25381562, 0.20090207,  -0.09553802, -0.13029248,
                      0.22526184,  -0.40418079, -0.02732731, 0.26638347,  -0.59519887, 0.027167264,
                      -0.29073089, 0.19607681,  0.29361397,  -0.41801327, 0.38829497,  0.34772629,
                      -0.4847734,  0.53493452,  0.31948984,  -0.52051187, 0.63394797,  0.27444419},
                     kTol);
}

TEST(GRUTest, MatchesKerasGoBackwardsAndNoBias) {
  Config back = gru(3);
  back.set("go_backwards", true);
  expect_tensor_near((*make("GRU", back, 3))(rnn_test::input()), {2, 4, 3},
                     {0.098114043, -0.39031506, 0.067500278, 0.086369552, -0.59756136, 0.14086673,
                      0.040805239, -0.70960349, 0.20645806,  0.24242023,  0.16787365,  -0.14157888,
                      -0.25824001, 0.24327841,  0.31846401,  -0.38570312, 0.46170846,  0.3920382,
                      -0.46541488, 0.61588007,  0.41951549,  -0.52232563, 0.71886814,  0.44226915},
                     kTol);
  Config no_bias = gru(3);
  no_bias.set("use_bias", false);
  expect_tensor_near((*make("GRU", no_bias, 3))(rnn_test::input()), {2, 4, 3},
                     {0.22258587,  0.29109952, -0.26648614, 0.20208354,  -0.19320194, -0.06582734,
                      0.22189026,  -0.48854464, 0.06570518, 0.25624931,  -0.66498441, 0.12761247,
                      -0.2585499,  0.14470693,  0.36251628, -0.37793809, 0.32682946,  0.41929626,
                      -0.44418156, 0.47024846,  0.38593385, -0.48294371, 0.56440282,  0.33690074},
                     kTol);
}

TEST(GRUTest, MatchesKerasWithMask) {
  expect_tensor_near(make("GRU", gru(3), 3)->call_masked(rnn_test::input(), rnn_test::mask(), false), {2, 4, 3},
                     {0.1922605,  0.41792426, -0.2413889,   0.1922605,   0.41792426, -0.2413889,
                      0.148249,   -0.16315214, -0.093717061, 0.15069568, -0.48102233, 0.028722093,
                      0,          0,           0,            -0.27774385, 0.2294182,  0.33642879,
                      -0.3985855, 0.4558827,   0.39751196,   -0.3985855, 0.4558827,  0.39751196},
                     kTol);
  expect_tensor_near(make("GRU", gru(3, false, false), 3)->call_masked(rnn_test::input(), rnn_test::mask(), false),
                     {2, 3}, {0.27758142, -0.42589766, -0.044438187, -0.40075275, 0.39795533, 0.31844589}, kTol);
}

TEST(GRUTest, MatchesKerasWithInitialState) {
  Config c = gru(3, true, false);
  c.set("return_state", true);
  const Tensor h0 = testing::keras_pattern({2, 3}, 3, 5, 2, 4);
  const TensorList out = make("GRU", c, 3)->call_with_states(rnn_test::input(), Tensor(), {h0}, false);
  ASSERT_EQ(out.size(), 2u);
  const std::vector<double> expected = {0.12058968, -0.60511184, 0.096022859, -0.48417377, 0.65031433, 0.36220101};
  expect_tensor_near(out[0], {2, 3}, expected, kTol);
  expect_tensor_near(out[1], {2, 3}, expected, kTol);
}

TEST(GRUTest, GradientsInBothConventions) {
  for (bool reset_after : {true, false}) {
    SCOPED_TRACE(reset_after ? "reset_after" : "reset_before");
    auto layer = make("GRU", gru(3, reset_after), 3);
    const Tensor x = rnn_test::input();
    const Tensor h0 = testing::keras_pattern({2, 3}, 3, 5, 2, 4);
    TensorList targets = rnn_test::input_and_weights(x, *layer);
    targets.push_back(h0);
    EXPECT_TRUE(rnn_test::float32_gradients_match(
        [&] { return layer->call_with_states(x, rnn_test::mask(), {h0}, false)[0]; }, targets));
  }
}

TEST(GRUTest, RecurrentDropoutTrainsAndInferenceIgnoresIt) {
  Config c = gru(3, false);
  c.set("dropout", 0.3).set("recurrent_dropout", 0.3).set("seed", 11);
  auto layer = make("GRU", c, 3);
  const Tensor plain = (*make("GRU", gru(3, false), 3))(rnn_test::input());
  EXPECT_EQ((*layer)(rnn_test::input(), false).to_vector<float>(), plain.to_vector<float>());
  EXPECT_NE((*layer)(rnn_test::input(), true).to_vector<float>(), plain.to_vector<float>());
  auto twin = make("GRU", c, 3);  // same seed, same masks
  EXPECT_EQ((*twin)(rnn_test::input(), true).to_vector<float>(), (*make("GRU", c, 3))(rnn_test::input(), true).to_vector<float>());
  const Tensor x = rnn_test::input();
  EXPECT_TRUE(rnn_test::float32_gradients_match([&] { return (*make("GRU", c, 3))(x, true); }, {x}))
      << "a fresh layer with the same seed draws the same masks, so the loss is a function of x";
}

TEST(GRUTest, RejectsBadConfigsAndInputs) {
  expect_throws_with<ValueError>([] { make_layer("GRU", units(-1)); }, {"GRU", "units=-1"});
  Config stateful = units(2);
  stateful.set("stateful", true);
  expect_throws_with<ConfigError>([&] { make_layer("GRU", stateful); }, {"GRU", "stateful=True"});
  Config extra = units(2);
  extra.set("unit_forget_bias", true);  // an LSTM key
  expect_throws_with<ConfigError>([&] { make_layer("GRU", extra); }, {"GRU", "unit_forget_bias"});
  auto layer = make_layer("GRU", units(2));
  expect_throws_with<ShapeError>([&] { (*layer)(Tensor::ones({2, 3, 4, 5})); }, {"GRU", "rank 3"});
}

}  // namespace
}  // namespace fathom::layers
