// SPDX-License-Identifier: Apache-2.0
// The Activation and Dropout layers (layers/activation.cpp).
#include "layers/activation.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/ops.h"
#include "layers/registry.h"
#include "tests/support/layer_contract.h"

namespace fathom::layers {
namespace {

using testing::expect_layer_contract;
using testing::expect_throws_with;
using testing::layer_spec;

Config activation_config(const std::string& name) {
  Config c = Config::map();
  c.set("activation", name);
  return c;
}

Config dropout_config(double rate, std::optional<std::int64_t> seed = std::nullopt) {
  Config c = Config::map();
  c.set("rate", rate);
  if (seed) c.set("seed", *seed);
  return c;
}

TEST(ActivationLayerTest, SatisfiesLayerContractForEveryActivation) {
  testing::LayerContractOptions o;
  o.kinks = {0.0};  // relu, leaky_relu, selu, relu6 at 0
  for (const std::string& name : registered_activations()) {
    expect_layer_contract(layer_spec("Activation", activation_config(name)), {{2, 3, 4}}, {2, 3, 4},
                          0, o);
  }
}

TEST(ActivationLayerTest, AppliesItsActivation) {
  auto layer = make_layer("Activation", activation_config("relu6"));
  const Tensor x = Tensor::from_vector(std::vector<float>{-1, 3, 8}, {1, 3});
  EXPECT_EQ((*layer)(x).to_vector<float>(), (std::vector<float>{0, 3, 6}));
}

TEST(ActivationLayerTest, RejectsUnknownActivationWithSuggestion) {
  expect_throws_with<ConfigError>([] { make_layer("Activation", activation_config("tahn")); },
                                  {"unknown activation 'tahn'", "Did you mean 'tanh'?"});
  expect_throws_with<ConfigError>([] { make_layer("Activation", Config::map()); }, {"activation"});
}

TEST(DropoutTest, InferenceIsIdentity) {
  auto layer = make_layer("Dropout", dropout_config(0.5));
  const Tensor x = testing::keras_pattern({4, 6}, 7, 11, 5, 4);
  EXPECT_EQ((*layer)(x, false).to_vector<float>(), x.to_vector<float>());
  EXPECT_EQ((*layer)(x).to_vector<float>(), x.to_vector<float>()) << "training defaults to false";
}

TEST(DropoutTest, RateZeroIsIdentityInTraining) {
  auto layer = make_layer("Dropout", dropout_config(0.0));
  const Tensor x = testing::keras_pattern({4, 6}, 7, 11, 5, 4);
  EXPECT_EQ((*layer)(x, true).to_vector<float>(), x.to_vector<float>());
}

TEST(DropoutTest, TrainingZeroesAboutRateAndScalesTheRest) {
  for (double rate : {0.1, 0.3, 0.75}) {
    auto layer = make_layer("Dropout", dropout_config(rate, 5));
    const auto y = (*layer)(Tensor::ones({64, 64}), true).to_vector<float>();
    int zeros = 0;
    for (float v : y) {
      if (v == 0.0f) {
        ++zeros;
      } else {
        EXPECT_NEAR(v, 1.0 / (1.0 - rate), 1e-6) << "kept entries are scaled by 1/(1-rate)";
      }
    }
    // 4096 Bernoulli draws: the zero fraction's std is sqrt(rate(1-rate)/4096) < 0.008; allow 5
    // sigma.
    const double fraction = zeros / 4096.0;
    EXPECT_NEAR(fraction, rate, 5 * std::sqrt(rate * (1 - rate) / 4096)) << "rate " << rate;
  }
}

TEST(DropoutTest, ExpectationIsPreserved) {
  auto layer = make_layer("Dropout", dropout_config(0.4, 9));
  const double mean = ops::mean((*layer)(Tensor::ones({128, 128}), true)).item_as_double();
  EXPECT_NEAR(mean, 1.0, 0.03);  // std of the mean: sqrt(0.4/0.6/16384) ~ 0.0064
}

TEST(DropoutTest, MasksDifferBetweenCalls) {
  auto layer = make_layer("Dropout", dropout_config(0.5, 1));
  const Tensor x = Tensor::ones({8, 8});
  const auto a = (*layer)(x, true).to_vector<float>();
  const auto b = (*layer)(x, true).to_vector<float>();
  EXPECT_NE(a, b) << "the mask stream advances on each call";
}

TEST(DropoutTest, SameSeedGivesSameMasks) {
  auto a = make_layer("Dropout", dropout_config(0.5, 42));
  auto b = make_layer("Dropout", dropout_config(0.5, 42));
  auto c = make_layer("Dropout", dropout_config(0.5, 43));
  const Tensor x = Tensor::ones({8, 8});
  const auto a1 = (*a)(x, true).to_vector<float>(), a2 = (*a)(x, true).to_vector<float>();
  EXPECT_EQ(a1, (*b)(x, true).to_vector<float>());
  EXPECT_EQ(a2, (*b)(x, true).to_vector<float>()) << "the second masks match too";
  EXPECT_NE(a1, (*c)(x, true).to_vector<float>());
}

TEST(DropoutTest, GlobalSeedRepeatsUnseededLayers) {
  const Tensor x = Tensor::ones({8, 8});
  random::set_global_seed(7);
  auto a = make_layer("Dropout", dropout_config(0.5));
  random::set_global_seed(7);
  auto b = make_layer("Dropout", dropout_config(0.5));
  EXPECT_EQ((*a)(x, true).to_vector<float>(), (*b)(x, true).to_vector<float>());
}

TEST(DropoutTest, NoiseShapeBroadcastsTheMask) {
  Config c = dropout_config(0.5, 3);
  c.set("noise_shape", Shape{-1, 1, 6});  // Keras: (None, 1, 6), one mask per (batch, feature)
  auto layer = make_layer("Dropout", c);
  const Tensor y = (*layer)(Tensor::ones({4, 5, 6}), true);
  const auto v = y.to_vector<float>();
  int zeros = 0;
  for (int b = 0; b < 4; ++b) {
    for (int k = 0; k < 6; ++k) {
      const float first = v[(b * 5) * 6 + k];
      zeros += first == 0.0f;
      for (int t = 1; t < 5; ++t)
        EXPECT_EQ(v[(b * 5 + t) * 6 + k], first) << "b=" << b << " t=" << t << " k=" << k;
    }
  }
  EXPECT_GT(zeros, 0);
  EXPECT_LT(zeros, 24);
  EXPECT_EQ(layer->get_config().at("noise_shape"), Config(Shape{-1, 1, 6}));
}

TEST(DropoutTest, NoiseShapeOfTheWrongRankNamesTheLayer) {
  Config c = dropout_config(0.5);
  c.set("noise_shape", Shape{-1, 6}).set("name", "drop");
  auto layer = make_layer("Dropout", c);
  expect_throws_with<ShapeError>(
      [&] {
        (*layer)(Tensor::ones({4, 5, 6}), true);
      },
      {"Dropout 'drop'", "noise_shape"});
}

TEST(DropoutTest, GradientIsTheScaledMask) {
  auto layer = make_layer("Dropout", dropout_config(0.25, 11));
  const Tensor x = Tensor::ones({6, 6});
  GradientTape tape;
  tape.watch(x);
  const Tensor y = (*layer)(x, true);
  const TensorList g = tape.gradient(ops::sum(y), TensorList{x});
  // With x = 1, y is the scaled mask itself: d sum(y) / dx = mask / (1 - rate) = y.
  EXPECT_EQ(g[0].to_vector<float>(), y.to_vector<float>());
}

TEST(DropoutTest, RejectsRateOutsideZeroOne) {
  for (double rate : {1.0, -0.1, 1.5}) {
    Config c = dropout_config(rate);
    c.set("name", "drop");
    expect_throws_with<ValueError>([&] { make_layer("Dropout", c); },
                                   {"Dropout 'drop'", "rate must be in [0, 1)"});
  }
  expect_throws_with<ConfigError>([] { make_layer("Dropout", Config::map()); }, {"rate"});
}

}  // namespace
}  // namespace fathom::layers
