// SPDX-License-Identifier: Apache-2.0
// LayerNormalization: the layer contract, forward values against Keras 3
// (tests/layers/data/make_normalization_fixtures.py), float64 gradients, configs, errors.
#include "layers/layer_normalization.h"

#include <gtest/gtest.h>

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

Tensor vec(std::vector<float> v) { return Tensor::from_vector(v, {static_cast<std::int64_t>(v.size())}); }
Config axes(std::vector<std::int64_t> a) {
  Config l = Config::list();
  for (auto x : a) l.push_back(Config(x));
  return l;
}

TEST(LayerNormalizationTest, SatisfiesLayerContract) {
  testing::LayerContractOptions o;
  o.weight_names = {"gamma", "beta"};
  expect_layer_contract(layer_spec("LayerNormalization"), {{2, 3, 5}}, {2, 3, 5}, 2, o);
  Config c = Config::map();
  c.set("axis", axes({1, 2})).set("epsilon", 0.01).set("beta_regularizer", "l2").set("gamma_constraint", "non_neg");
  expect_layer_contract(layer_spec("LayerNormalization", c), {{2, 3, 4}}, {2, 3, 4}, 2, o);
  Config rms = Config::map();
  rms.set("rms_scaling", true).set("name", "rms");
  o.weight_names = {"gamma"};
  expect_layer_contract(layer_spec("LayerNormalization", rms), {{3, 4}}, {3, 4}, 1, o);
}

TEST(LayerNormalizationTest, MatchesKerasLastAxis) {
  auto layer = make_layer("LayerNormalization", Config::map());
  layer->build_from_shapes({{-1, 3, 4}});
  layer->weight("gamma").assign(vec({1.0f, 2.0f, -1.0f, 0.5f}));
  layer->weight("beta").assign(vec({0.1f, 0.0f, -0.1f, 0.2f}));
  expect_tensor_near((*layer)(keras_pattern({2, 3, 4}, 5, 9, 4, 3)), {2, 3, 4},
                     {-1.07588315, 1.56784415, 0.683922052, 0.787941575, -1.07588315, 1.56784403,
                      0.683922052, 0.787941575, 0.826837718, -2.42279243, -1.31139612, -0.163418829,
                      0.826837718, -2.4227922,  -1.31139612, -0.163418829, 1.40983641,  -0.174644858,
                      1.38448131,  0.330983639, -1.07588303, 1.56784415,  0.683922052, 0.787941515},
                     1e-5);
}

TEST(LayerNormalizationTest, MatchesKerasTwoAxesWithoutCenter) {
  Config c = Config::map();
  c.set("axis", axes({2, 1})).set("center", false).set("epsilon", 0.01);
  auto layer = make_layer("LayerNormalization", c);
  layer->build_from_shapes({{-1, 3, 4}});
  ASSERT_EQ(layer->weights().size(), 1u);
  EXPECT_EQ(layer->weight("gamma").shape(), (Shape{3, 4}));
  layer->weight("gamma").assign(keras_pattern({3, 4}, 3, 7, 2, 2));
  expect_tensor_near((*layer)(keras_pattern({2, 3, 4}, 5, 9, 4, 3)), {2, 3, 4},
                     {1.32224607,   0.283338428, -1.88892281, 0,           -0.850015283, -0.661122978,
                      -0.18889229,  -1.70003057, 0.094446145, -2.64449215, 0,            -1.41669214,
                      -0.689373672, -0.443168789, 2.16660309, 0,           2.21584392,   0.0492409728,
                      -1.67419314,  -0.295445859, -0.640132666, 1.37874734, 0,           1.6249522},
                     1e-5);
}

TEST(LayerNormalizationTest, MatchesKerasRmsScalingAndAxis1) {
  Config rms = Config::map();
  rms.set("rms_scaling", true);
  auto layer = make_layer("LayerNormalization", rms);
  layer->build_from_shapes({{-1, 3, 4}});
  layer->weight("gamma").assign(vec({1.0f, 2.0f, -1.0f, 0.5f}));
  const Tensor x = keras_pattern({2, 3, 4}, 5, 9, 4, 3);
  expect_tensor_near((*layer)(x), {2, 3, 4},
                     {-1.56784415, 0.783922076, 1.17588305,  0.391961038, -0.783922076, 2.35176611,
                      0.391961038, 0.783922076, 0,           -3.8764677,  -0.484558463, -0.726837695,
                      0.969116926, -1.93823385, -1.45367539, -0.242279232, 1.39715886,  0,
                      1.39715886,  0.174644858, -1.17588305, 1.56784415,  0.783922076, 0.587941527},
                     1e-5);
  Config axis1 = Config::map();
  axis1.set("axis", 1).set("scale", false);
  auto ln = make_layer("LayerNormalization", axis1);
  ln->build_from_shapes({{-1, 3, 4}});
  ln->weight("beta").assign(vec({0.5f, -0.5f, 0.0f}));
  expect_tensor_near((*ln)(x), {2, 3, 4},
                     {-0.722683311, 0.839506865, -0.72268343, 0.839506865, -0.5,        0.518520594,
                      -0.5,         0.518520594, 1.22268331,  -1.35802746, 1.22268343,  -1.35802746,
                      0.839506865,  -0.722683311, 1.85802746, -0.72268343, 0.518520594, -0.5,
                      -1.51852059,  -0.5,         -1.35802746, 1.22268331, -0.339506865, 1.22268343},
                     1e-5);
}

TEST(LayerNormalizationTest, Float64InputGradients) {
  Config c = Config::map();
  c.set("axis", axes({1, 2}));
  auto layer = make_layer("LayerNormalization", c);
  layer->build_from_shapes({{-1, 2, 3}});
  layer->weight("gamma").assign(keras_pattern({2, 3}, 3, 7, 2, 2));
  EXPECT_TRUE(testing::gradients_match([&](const TensorList& in) { return (*layer)(in[0]); },
                                       {testing::uniform_f64({2, 2, 3}, -1, 1, 3)}));
}

TEST(LayerNormalizationTest, ComputeOutputShapeAndErrors) {
  Config c = Config::map();
  c.set("axis", -3).set("name", "ln");
  auto layer = make_layer("LayerNormalization", c);
  EXPECT_EQ(layer->compute_output_shape({-1, 7, 5}), (Shape{-1, 7, 5}));
  expect_throws_with<ShapeError>([&] { layer->compute_output_shape({-1, 7}); },
                                 {"LayerNormalization 'ln'", "axis -3", "[None, 7]", "Received: axis=-3"});
  Config dup = Config::map();
  dup.set("axis", axes({-1, 2}));
  auto twice = make_layer("LayerNormalization", dup);
  expect_throws_with<ShapeError>([&] { (*twice)(Tensor::ones({2, 3, 4})); }, {"same dimension twice", "[-1, 2]"});
  Config bad = Config::map();
  bad.set("axis", 1.5);
  expect_throws_with<ConfigError>([&] { make_layer("LayerNormalization", bad); }, {"LayerNormalization", "axis=1.5"});
  Config unknown = Config::map();
  unknown.set("epsilom", 0.1);
  expect_throws_with<ConfigError>([&] { make_layer("LayerNormalization", unknown); }, {"epsilom"});
  Config neg = Config::map();
  neg.set("epsilon", -1.0);
  expect_throws_with<ValueError>([&] { make_layer("LayerNormalization", neg); }, {"epsilon=-1"});
}

}  // namespace
}  // namespace fathom::layers
