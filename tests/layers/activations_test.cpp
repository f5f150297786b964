// SPDX-License-Identifier: Apache-2.0
// Every activation by name against keras.activations.get(name) (Keras 3.15.1), with float64
// gradient checks. Reference numbers: tests/layers/data/make_keras_fixtures.py (activations()).
#include "layers/activations.h"

#include <gtest/gtest.h>

#include <map>

#include "core/ops.h"
#include "tests/support/gradcheck.h"
#include "tests/support/layer_contract.h"

namespace fathom::layers {
namespace {

const Tensor& keras_input() {
  static const Tensor x = Tensor::from_vector(
      std::vector<float>{-7, -3, -1.5f, -0.5f, 0, 0.25f, 1, 2.5f, 4, 7}, {2, 5});
  return x;
}

/// keras.activations.get(name)(keras_input()) in float32.
const std::map<std::string, std::vector<double>>& keras_outputs() {
  static const std::map<std::string, std::vector<double>> table = {
      {"linear", {-7, -3, -1.5, -0.5, 0, 0.25, 1, 2.5, 4, 7}},
      {"relu", {0, 0, 0, 0, 0, 0.25, 1, 2.5, 4, 7}},
      {"relu6", {0, 0, 0, 0, 0, 0.25, 1, 2.5, 4, 6}},
      {"leaky_relu",
       {-1.39999998, -0.600000024, -0.300000012, -0.100000001, 0, 0.25, 1, 2.5, 4, 7}},
      {"elu", {-0.999088109, -0.950212955, -0.776869833, -0.393469334, 0, 0.25, 1, 2.5, 4, 7}},
      {"selu",
       {-1.75649607, -1.6705687, -1.36581433, -0.691758156, 0, 0.262675256, 1.05070102, 2.62675261,
        4.20280409, 7.35490704}},
      {"gelu",
       {-8.95867928e-12, -0.00404969556, -0.100210831, -0.154268771, 0, 0.149676576, 0.841344714,
        2.48447585, 3.9998734, 7}},
      {"sigmoid",
       {0.000911051233, 0.0474258661, 0.182425529, 0.377540678, 0.5, 0.562176526, 0.731058538,
        0.924141824, 0.982013762, 0.999088943}},
      {"hard_sigmoid", {0, 0, 0.25, 0.416666657, 0.5, 0.541666687, 0.666666687, 0.916666687, 1, 1}},
      // Keras 2's clip(0.2x + 0.5, 0, 1), by hand.
      {"hard_sigmoid_keras2", {0, 0, 0.2, 0.4, 0.5, 0.55, 0.7, 1, 1, 1}},
      {"hard_silu", {-0, -0, -0.375, -0.208333328, 0, 0.135416672, 0.666666687, 2.29166675, 4, 7}},
      {"hard_swish", {-0, -0, -0.375, -0.208333328, 0, 0.135416672, 0.666666687, 2.29166675, 4, 7}},
      {"tanh",
       {-0.999998331, -0.995054722, -0.905148327, -0.462117136, 0, 0.244918659, 0.761594176,
        0.986614347, 0.999329269, 0.999998331}},
      {"softmax",
       {0.000484950811, 0.026477417, 0.118663549, 0.322560936, 0.531813145, 0.00109988672,
        0.00232846034, 0.0104354341, 0.046768371, 0.93936789}},
      {"log_softmax",
       {-7.63146305, -3.63146305, -2.13146305, -1.13146305, -0.63146311, -6.81254816, -6.06254816,
        -4.56254816, -3.06254816, -0.0625480711}},
      {"softplus",
       {0.00091146637, 0.0485873558, 0.201413259, 0.474076986, 0.693147182, 0.825939417, 1.31326163,
        2.57888985, 4.01814985, 7.00091171}},
      {"softsign",
       {-0.875, -0.75, -0.600000024, -0.333333343, 0, 0.200000003, 0.5, 0.714285731, 0.800000012,
        0.875}},
      {"swish",
       {-0.00637735846, -0.142277598, -0.273638308, -0.188770339, 0, 0.140544131, 0.731058538,
        2.31035447, 3.92805505, 6.99362278}},
      {"silu",
       {-0.00637735846, -0.142277598, -0.273638308, -0.188770339, 0, 0.140544131, 0.731058538,
        2.31035447, 3.92805505, 6.99362278}},
      {"exponential",
       {0.000911881973, 0.0497870706, 0.223130167, 0.606530666, 1, 1.28402543, 2.71828175,
        12.1824942, 54.5981483, 1096.63318}},
      {"mish",
       {-0.00638026278, -0.145647481, -0.298099726, -0.220743775, 0, 0.169572413, 0.865098417,
        2.47139239, 3.99741244, 6.99998903}},
  };
  return table;
}

TEST(ActivationsTest, EveryRegisteredNameHasKerasReference) {
  for (const std::string& name : registered_activations()) {
    EXPECT_TRUE(keras_outputs().count(name))
        << "activation '" << name << "' has no Keras reference values; "
        << "add them with tests/layers/data/make_keras_fixtures.py";
  }
}

TEST(ActivationsTest, MatchKerasForward) {
  for (const auto& [name, expected] : keras_outputs()) {
    SCOPED_TRACE("activation " + name);
    testing::expect_tensor_near(activation_fn(name)(keras_input()), {2, 5}, expected, 1e-6, 1e-5);
  }
}

TEST(ActivationsTest, EmptyAndNoneMeanLinear) {
  for (const char* name : {"", "None"}) {
    EXPECT_EQ(activation_fn(name)(keras_input()).to_vector<float>(),
              keras_input().to_vector<float>())
        << name;
  }
}

TEST(ActivationsTest, GradientsMatchFiniteDifferencesInFloat64) {
  // [-8, 8) covers the saturated parts (relu6, hard_sigmoid); inputs keep 0.05 from every kink.
  const Tensor x = testing::away_from(testing::uniform_f64({3, 7}, -8, 8, 11), {-3, 0, 3, 6});
  for (const std::string& name : registered_activations()) {
    const ActivationFn f = activation_fn(name);
    EXPECT_TRUE(testing::gradients_match([&](const TensorList& in) { return f(in[0]); }, {x}))
        << name;
  }
}

TEST(ActivationsTest, SoftmaxRowsSumToOneAlongTheLastAxis) {
  const Tensor y = activation_fn("softmax")(testing::keras_pattern({2, 3, 4}, 7, 11, 5, 4));
  const auto sums = ops::sum(y, {-1}).to_vector<float>();
  for (float s : sums) EXPECT_NEAR(s, 1.0f, 1e-6f);
}

TEST(ActivationsTest, UnknownNameSuggestsTheClosest) {
  testing::expect_throws_with<ConfigError>(
      [] { activation_fn("sigmoud"); },
      {"unknown activation 'sigmoud'", "Did you mean 'sigmoid'?"});
  testing::expect_throws_with<ConfigError>([] { activation_fn("lekay_relu"); },
                                           {"Did you mean 'leaky_relu'?"});
}

}  // namespace
}  // namespace fathom::layers
