// SPDX-License-Identifier: Apache-2.0
// UnitNormalization: the layer contract, values against Keras 3 (including Keras's 1e-12 floor
// on the norm), float64 gradients, errors.
#include "layers/unit_normalization.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/ops.h"
#include "layers/registry.h"
#include "tests/support/gradcheck.h"
#include "tests/support/layer_contract.h"

namespace fathom::layers {
namespace {

using testing::expect_layer_contract;
using testing::expect_tensor_near;
using testing::expect_throws_with;
using testing::keras_pattern;
using testing::layer_spec;

Config axis_config(Config axis) {
  Config c = Config::map();
  c.set("axis", std::move(axis));
  return c;
}

TEST(UnitNormalizationTest, SatisfiesLayerContract) {
  expect_layer_contract(layer_spec("UnitNormalization"), {{2, 3, 5}}, {2, 3, 5}, 0);
  expect_layer_contract(layer_spec("UnitNormalization", axis_config(Config(std::vector<Config>{1, 2}))), {{2, 3, 2}},
                        {2, 3, 2}, 0);
}

TEST(UnitNormalizationTest, MatchesKeras) {
  const Tensor x = keras_pattern({2, 3, 4}, 5, 9, 4, 3);
  expect_tensor_near((*make_layer("UnitNormalization", Config::map()))(x), {2, 3, 4},
                     {-0.730296791, 0.182574198, -0.547722578, 0.365148395, -0.365148395, 0.547722578,
                      -0.182574198, 0.730296791, 0,            -0.784464538, 0.196116135, -0.588348389,
                      0.471404523,  -0.471404523, 0.707106769, -0.235702261, 0.696310639, 0,
                      -0.696310639, 0.17407766,  -0.588348389, 0.392232269, -0.392232269, 0.588348389},
                     1e-6);
  expect_tensor_near((*make_layer("UnitNormalization", axis_config(Config(std::vector<Config>{1, 2}))))(x), {2, 3, 4},
                     {-0.431331098, 0.107832775, -0.323498309, 0.215665549, -0.215665549, 0.323498309,
                      -0.107832775, 0.431331098, 0,            -0.431331098, 0.107832775, -0.323498309,
                      0.227921173,  -0.227921173, 0.341881752, -0.113960586, 0.455842346, 0,
                      -0.455842346, 0.113960586, -0.341881752, 0.227921173, -0.227921173, 0.341881752},
                     1e-6);
}

TEST(UnitNormalizationTest, FloorsTheNormAt1e12LikeKeras) {
  // Rows: zero (stays zero), norm 1e-13 (below the floor: x * 1e12), norm 5.
  const Tensor x = Tensor::from_vector(std::vector<float>{0, 0, 0, 1e-13f, 0, 0, 3, 4, 0}, {3, 3});
  expect_tensor_near((*make_layer("UnitNormalization", Config::map()))(x), {3, 3},
                     {0, 0, 0, 0.100000001, 0, 0, 0.600000024, 0.800000012, 0}, 1e-6);
  // The gradient at the zero row is finite (the floored branch is constant).
  GradientTape tape;
  tape.watch(x);
  const Tensor g = tape.gradient(ops::sum((*make_layer("UnitNormalization", Config::map()))(x)), TensorList{x})[0];
  for (float v : g.to_vector<float>()) EXPECT_TRUE(std::isfinite(v));
}

TEST(UnitNormalizationTest, Float64Gradients) {
  auto layer = make_layer("UnitNormalization", axis_config(-2));
  EXPECT_TRUE(testing::gradients_match([&](const TensorList& in) { return (*layer)(in[0]); },
                                       {testing::uniform_f64({2, 3, 2}, -1, 1, 11)}));
}

TEST(UnitNormalizationTest, RejectsBadAxes) {
  Config c = axis_config(2);
  c.set("name", "un");
  auto layer = make_layer("UnitNormalization", c);
  EXPECT_EQ(layer->compute_output_shape({-1, 3, 5}), (Shape{-1, 3, 5}));
  expect_throws_with<ShapeError>([&] { (*layer)(Tensor::ones({2, 3})); },
                                 {"UnitNormalization 'un'", "axis 2", "[2, 3]"});
  expect_throws_with<ConfigError>([] { make_layer("UnitNormalization", axis_config("x")); }, {"UnitNormalization", "axis"});
  expect_throws_with<ConfigError>([] { make_layer("UnitNormalization", axis_config(Config::list())); }, {"non-empty"});
}

}  // namespace
}  // namespace fathom::layers
