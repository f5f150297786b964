// SPDX-License-Identifier: Apache-2.0
// GroupNormalization: the layer contract, forward values against Keras 3
// (tests/layers/data/make_normalization_fixtures.py), float64 gradients, configs, errors.
#include "layers/group_normalization.h"

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
Config groups(std::int64_t g) {
  Config c = Config::map();
  c.set("groups", g);
  return c;
}

TEST(GroupNormalizationTest, SatisfiesLayerContract) {
  testing::LayerContractOptions o;
  o.weight_names = {"gamma", "beta"};
  expect_layer_contract(layer_spec("GroupNormalization", groups(2)), {{2, 3, 2, 4}}, {2, 3, 2, 4}, 2, o);
  Config c = groups(3);
  c.set("axis", 1).set("epsilon", 0.01).set("gamma_regularizer", "l1");
  expect_layer_contract(layer_spec("GroupNormalization", c), {{2, 6, 3}}, {2, 6, 3}, 2, o);
  Config inst = groups(-1);
  inst.set("center", false);
  o.weight_names = {"gamma"};
  expect_layer_contract(layer_spec("GroupNormalization", inst), {{2, 5, 3}}, {2, 5, 3}, 1, o);
}

TEST(GroupNormalizationTest, MatchesKeras4D) {
  auto layer = make_layer("GroupNormalization", groups(2));
  layer->build_from_shapes({{-1, 2, 2, 4}});
  layer->weight("gamma").assign(vec({1.0f, 2.0f, -1.0f, 0.5f}));
  layer->weight("beta").assign(vec({0.1f, 0.0f, -0.1f, 0.2f}));
  const Tensor x = keras_pattern({2, 2, 2, 4}, 7, 11, 5, 4);
  expect_tensor_near((*layer)(x), {2, 2, 2, 4},
                     {-1.3617419,  1.89166582,   0.75242269,  0.811520636,  0.701893687, -1.54772651,
                      -1.02654636, 0.0702835172, -1.0178026,  2.57954407,   0.455927819, -0.670953572,
                      1.04583287,  -0.859848142, -1.3230412,  0.218530938,  -1.36174178, 1.89166582,
                      -0.529924095, -0.272916436, 0.701893568, -1.54772663, 1.18977213,  0.758901298,
                      -1.0178026,  2.57954454,   -0.873863339, -0.100946784, 1.04583287, -0.859848142,
                      0.845832884, 0.930870891},
                     1e-5);
  Config inst = groups(-1);
  inst.set("center", false);
  expect_tensor_near((*make_layer("GroupNormalization", inst))(x), {2, 2, 2, 4},
                     {-1.14979887, 0.78350085,  -1.14979887, 1.33269846,  0.82128489,  -1.17525125, 0.82128489,
                      -0.0701420233, -0.82128489, 1.17525125, -0.82128489, -1.47298253, 1.14979887, -0.78350085,
                      1.14979887,  0.210426062, -1.14979875, 0.78350085,  0.78350085,  -1.14979887, 0.821284831,
                      -1.17525125, -1.17525125, 0.82128489,  -0.82128489, 1.17525125,  1.17525125,  -0.821284831,
                      1.14979887,  -0.78350085, -0.78350085, 1.14979875},
                     1e-5);
}

TEST(GroupNormalizationTest, MatchesKeras3DAndAxis1) {
  Config c = groups(3);
  c.set("epsilon", 0.01);
  expect_tensor_near(
      (*make_layer("GroupNormalization", c))(keras_pattern({2, 5, 6}, 5, 9, 4, 3)), {2, 5, 6},
      {-1.44243693, 0.360609233, -0.879999936, 1.11999989,  -0.880000114, 1.12,        -0.360609233, 1.44243693,
       0.319999993, -1.27999997, 0.320000023,  -1.28000009, 0.721218467,  -0.721218467, 1.51999998, -0.0799999833,
       1.5200001,   -0.0800000131, -1.44243693, 0.360609233, -0.879999936, 1.11999989,  -0.880000114, 1.12,
       -0.360609233, 1.44243693, 0.319999993,  -1.27999997, 0.320000023,  -1.28000009, 0.888567507, -0.656767309,
       1.28000009,  -0.320000023, 1.27999997,  -0.319999993, -1.42943466, 0.502233803, -1.12,        0.880000055,
       -1.11999989, 0.879999936, -0.270433605, 1.66123497,  0.0800000057, -1.5200001,  0.0799999833, -1.51999998,
       0.888567507, -0.656767309, 1.28000009,  -0.320000023, 1.27999997,  -0.319999993, -1.42943466, 0.502233803,
       -1.12,       0.880000055, -1.11999989,  0.879999936},
      1e-5);
  Config a1 = groups(2);
  a1.set("axis", 1);
  auto layer = make_layer("GroupNormalization", a1);
  layer->build_from_shapes({{-1, 4, 3}});
  layer->weight("gamma").assign(vec({1.0f, 2.0f, -1.0f, 0.5f}));
  layer->weight("beta").assign(vec({0.1f, 0.0f, -0.1f, 0.2f}));
  expect_tensor_near((*layer)(keras_pattern({2, 4, 3}, 5, 9, 4, 3)), {2, 4, 3},
                     {-1.22995579, 0.669981003, -0.849968433, 1.8999368,   -1.13996208, 2.65991163,
                      0.0899937153, -1.80994356, -0.289993733, -0.464978039, 0.484990597, -0.2749843,
                      0.562464356, -1.28739297, 1.02492869,  -1.84985733, 2.774786,    -0.924928665,
                      1.22995579,  -0.669981003, 0.849968433, 0.674984217, -0.0849905014, 0.864977896},
                     1e-5);
}

TEST(GroupNormalizationTest, Float64InputGradients) {
  auto layer = make_layer("GroupNormalization", groups(2));
  layer->build_from_shapes({{-1, 3, 4}});
  layer->weight("gamma").assign(vec({1.0f, 2.0f, -1.0f, 0.5f}));
  EXPECT_TRUE(testing::gradients_match([&](const TensorList& in) { return (*layer)(in[0]); },
                                       {testing::uniform_f64({2, 3, 4}, -1, 1, 5)}));
}

TEST(GroupNormalizationTest, ConfigRoundTripKeepsGroupsAsGiven) {
  auto layer = make_layer("GroupNormalization", groups(-1));
  (*layer)(Tensor::ones({1, 2, 6}));
  const Config c = layer->get_config();
  EXPECT_EQ(c.at("groups").as_int(), -1);
  EXPECT_EQ(make_layer("GroupNormalization", c)->get_config(), c);
  EXPECT_EQ(layer->weight("gamma").shape(), (Shape{6}));
}

TEST(GroupNormalizationTest, RejectsBadGroups) {
  Config c = groups(4);
  c.set("name", "gn");
  auto layer = make_layer("GroupNormalization", c);
  expect_throws_with<ConfigError>([&] { (*layer)(Tensor::ones({2, 3, 6})); },
                                  {"GroupNormalization 'gn'", "channels (6)", "multiple", "groups=4"});
  auto more = make_layer("GroupNormalization", groups(8));
  expect_throws_with<ConfigError>([&] { (*more)(Tensor::ones({2, 6})); }, {"groups (8)", "more than", "channels (6)"});
  expect_throws_with<ValueError>([] { make_layer("GroupNormalization", groups(0)); }, {"groups=0"});
  Config axis3 = groups(1);
  axis3.set("axis", 3);
  expect_throws_with<ShapeError>([&] { make_layer("GroupNormalization", axis3)->compute_output_shape({-1, 4}); },
                                 {"GroupNormalization", "axis 3", "[None, 4]"});
  Config unknown = groups(1);
  unknown.set("group", 2);
  expect_throws_with<ConfigError>([&] { make_layer("GroupNormalization", unknown); }, {"group"});
}

}  // namespace
}  // namespace fathom::layers
