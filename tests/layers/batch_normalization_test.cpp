// SPDX-License-Identifier: Apache-2.0
// BatchNormalization: forward values (inference and training) and the moving statistics after one
// training call against Keras 3 (tests/layers/data/make_normalization_fixtures.py), frozen layers,
// masks, gradients, Keras 2 and Keras 3 configs, errors.
#include "layers/batch_normalization.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/ops.h"
#include "layers/normalization_utils.h"
#include "layers/registry.h"
#include "tests/support/gradcheck.h"
#include "tests/support/layer_contract.h"

namespace fathom::layers {
namespace {

using testing::expect_tensor_near;
using testing::expect_throws_with;
using testing::keras_pattern;
using testing::parse_json;

Tensor vec(std::vector<float> v) { return Tensor::from_vector(v, {static_cast<std::int64_t>(v.size())}); }

Config bn_config(double momentum = 0.99) {
  Config c = Config::map();
  c.set("momentum", momentum);
  return c;
}

/// BatchNormalization(momentum=0.9) on [2, 3, 3, 2] with the fixture's weights.
std::unique_ptr<Layer> nhwc_layer() {
  auto layer = make_layer("BatchNormalization", bn_config(0.9));
  layer->build_from_shapes({{-1, 3, 3, 2}});
  layer->weight("gamma").assign(vec({1.5f, -0.5f}));
  layer->weight("beta").assign(vec({0.1f, -0.2f}));
  layer->weight("moving_mean").assign(vec({0.2f, -0.1f}));
  layer->weight("moving_variance").assign(vec({0.5f, 2.0f}));
  return layer;
}

const std::vector<double> kNhwcInference = {
    -2.97284293, -0.412079036, -1.38344145, -0.677177846, 0.205960095, 0.0297522694, 1.79536176, -0.235346511,
    -2.44304252, -0.500445306, -0.853640974, 0.20648481,  0.735760629, -0.0586139858, 2.32516217, -0.323712766,
    -1.9132421,  -0.588811576, -0.323840439, 0.118118539, 1.2655611,   -0.146980256, -2.97284293, -0.412079036,
    -1.38344145, -0.677177846, 0.205960095,  0.0297522694, 1.79536176, -0.235346511, -2.44304252, -0.500445306,
    -0.853640974, 0.20648481,  0.735760629,  -0.0586139858};

TEST(BatchNormalizationTest, WeightsInKerasOrder) {
  auto layer = make_layer("BatchNormalization", Config::map());
  layer->build_from_shapes({{-1, 4, 3}});
  const auto w = layer->weights();
  ASSERT_EQ(w.size(), 4u);
  const std::vector<std::string> names = {"gamma", "beta", "moving_mean", "moving_variance"};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(w[i].name(), layer->name() + "/" + names[i]);
    EXPECT_EQ(w[i].shape(), (Shape{3}));
  }
  EXPECT_EQ(layer->trainable_weights().size(), 2u);
  EXPECT_EQ(layer->non_trainable_weights().size(), 2u);
  EXPECT_EQ(w[0].value().to_vector<float>(), (std::vector<float>{1, 1, 1}));
  EXPECT_EQ(w[3].value().to_vector<float>(), (std::vector<float>{1, 1, 1}));
  layer->set_trainable(false);
  layer->set_trainable(true);
  EXPECT_EQ(layer->non_trainable_weights().size(), 2u) << "unfreezing keeps the moving statistics non-trainable";
  Config c = Config::map();
  c.set("center", false).set("scale", false);
  auto bare = make_layer("BatchNormalization", c);
  bare->build_from_shapes({{-1, 5}});
  ASSERT_EQ(bare->weights().size(), 2u);
  EXPECT_EQ(bare->weights()[0].name(), bare->name() + "/moving_mean");
}

TEST(BatchNormalizationTest, MatchesKerasInference4D) {
  auto layer = nhwc_layer();
  const Tensor x = keras_pattern({2, 3, 3, 2}, 7, 11, 5, 4);
  expect_tensor_near((*layer)(x, false), {2, 3, 3, 2}, kNhwcInference, 1e-5);
  EXPECT_EQ(layer->weight("moving_mean").value().to_vector<float>(), (std::vector<float>{0.2f, -0.1f}))
      << "inference leaves the moving statistics alone";
}

TEST(BatchNormalizationTest, MatchesKerasTraining4DAndUpdatesMovingStatistics) {
  auto layer = nhwc_layer();
  const Tensor x = keras_pattern({2, 3, 3, 2}, 7, 11, 5, 4);
  expect_tensor_near(
      (*layer)(x, true), {2, 3, 3, 2},
      {-2.16590691, -0.510844946, -0.726389647, -0.977112353, 0.713127792, 0.266267419, 2.15264511, -0.200000003,
       -1.68606794, -0.666267455, -0.2465505,   0.577112377,  1.19296694,  0.110844955, 2.63248444, -0.355422497,
       -1.20622885, -0.821689904, 0.233288646,  0.421689928,  1.67280614,  -0.0445775241, -2.16590691, -0.510844946,
       -0.726389647, -0.977112353, 0.713127792, 0.266267419,  2.15264511,  -0.200000003, -1.68606794, -0.666267455,
       -0.2465505,  0.577112377,  1.19296694,   0.110844955},
      1e-5);
  expect_tensor_near(layer->weight("moving_mean"), {2}, {0.173055544, -0.0899999961}, 1e-6);
  expect_tensor_near(layer->weight("moving_variance"), {2}, {0.510976076, 1.86458325}, 1e-6);
}

TEST(BatchNormalizationTest, MatchesKerasTraining3DCenterFalse) {
  Config c = Config::map();
  c.set("center", false);
  auto layer = make_layer("BatchNormalization", c);
  expect_tensor_near((*layer)(keras_pattern({2, 3, 4}, 5, 9, 4, 3), true), {2, 3, 4},
                     {-1.24322629, 0.41975081, -0.839501619, 0.41975081, -0.532811284, 1.25925243, 0, 1.25925243,
                      0.177603722, -1.67900324, 0.839501619, -1.67900324, 0.888018727, -0.839501619, 1.67900324,
                      -0.839501619, 1.59843373, 0, -1.25925243, 0, -0.888018727, 0.839501619, -0.41975081,
                      0.839501619},
                     1e-5);
  expect_tensor_near(layer->weight("moving_mean"), {4}, {-0.00166666636, 0, -0.00333333341, 0.00333333341}, 1e-7);
  expect_tensor_near(layer->weight("moving_variance"), {4}, {0.998796284, 0.996296287, 0.996296287, 0.996296287},
                     1e-6);
}

TEST(BatchNormalizationTest, MatchesKerasTrainingOnAxis1) {
  Config c = bn_config(0.5);
  c.set("axis", 1).set("epsilon", 0.01);
  auto layer = make_layer("BatchNormalization", c);
  layer->build_from_shapes({{-1, 3, 4}});
  layer->weight("gamma").assign(vec({2.0f, 1.0f, 0.5f}));
  layer->weight("beta").assign(vec({0.0f, 1.0f, -1.0f}));
  expect_tensor_near((*layer)(keras_pattern({2, 3, 4}, 5, 9, 4, 3), true), {2, 3, 4},
                     {-3.05486965, 1.0182898,   -2.24023771, 1.83292174,  0.0462030172, 1.86295915,
                      0.409554243, 2.22631025,  -0.847256541, -1.66188836, -0.643598557, -1.4582305,
                      1.83292174,  -1.42560577, 2.64755344,  -0.610973954, 2.22631025,  0.772905469,
                      -0.680499434, 1.13625669, -1.4582305,  -0.439940602, -1.25457251, -0.236282647},
                     1e-5);
  expect_tensor_near(layer->weight("moving_mean"), {3}, {-0.0416666642, 0.104166672, -0.125}, 1e-6);
  expect_tensor_near(layer->weight("moving_variance"), {3}, {0.829861164, 0.915798604, 0.829861104}, 1e-6);
}

TEST(BatchNormalizationTest, MaskWeightsTheBatchMoments) {
  auto layer = make_layer("BatchNormalization", bn_config(0.5));
  const Tensor mask = Tensor::from_vector(std::vector<bool>{true, true, false, true, false, false}, {2, 3});
  Tensor out_mask;
  const Tensor y = layer->call_with_mask(keras_pattern({2, 3, 4}, 5, 9, 4, 3), mask, true, &out_mask);
  expect_tensor_near(y, {2, 3, 4},
                     {-1.06827283, 0.162048817, -1.06827271, 0.162048876, -0.267068267, 1.1343416,
                      -0.267068177, 1.13434172, 0.534136295, -2.2686832,  0.534136415,  -2.2686832,
                      1.33534086,  -1.29639041, 1.33534086,  -1.29639041, 2.13654542,  -0.324097604,
                      -1.46887505, -0.324097544, -0.667670488, 0.648195267, -0.667670488, 0.648195267},
                     1e-5);
  expect_tensor_near(layer->weight("moving_mean"), {4}, {-0.222222209, 0.111111112, -0.0555555634, 0.277777761}, 1e-6);
  expect_tensor_near(layer->weight("moving_variance"), {4}, {0.845679045, 0.734567881, 0.845679045, 0.734567881},
                     1e-6);
  EXPECT_EQ(out_mask.to_vector<bool>(), mask.to_vector<bool>()) << "the mask is passed on";
  expect_throws_with<ShapeError>([&] { layer->call_with_mask(Tensor::ones({2, 3, 4}), Tensor::ones({2}, DType::kBool), true, nullptr); },
                                 {"BatchNormalization", "one dimension less", "mask.shape=[2]"});
}

TEST(BatchNormalizationTest, Keras2ListAxisNormalizesOverTheOtherAxes) {
  Config c = Config::map();
  c.set("axis", Config(std::vector<Config>{Config(1), Config(3)}));
  auto layer = make_layer("BatchNormalization", c);
  const Tensor y = (*layer)(keras_pattern({2, 3, 3, 2}, 7, 11, 5, 4), true);
  EXPECT_EQ(layer->weight("gamma").shape(), (Shape{3, 2}));
  expect_tensor_near(
      y, {2, 3, 3, 2},
      {-1.22873199, 0.584993899, -0.223405808, 1.54225659,  0.781920433, -1.01044405, 1.22873211,  0,
       -1.45213807, 0.89050442,  -0.446811706, -1.48417401, 0.584993899, -0.584993899, 1.54225659, 0.372268826,
       -1.01044405, 1.32953155,  0.446811646,  -1.32953155, 1.45213795,  -0.372268826, -1.22873199, 0.584993899,
       -0.781920433, 1.48417401, 0.223405823,  -0.89050442, 1.22873211,  0,            -1.32953155, 1.01044405,
       -0.372268826, -1.54225659, 0.584993899, -0.584993899},
      1e-5);
  EXPECT_EQ(layer->get_config().at("axis").to_json(), "[1, 3]") << "the list form is kept";
}

TEST(BatchNormalizationTest, FrozenLayerRunsInInferenceModeWhenTraining) {
  auto layer = nhwc_layer();
  layer->set_trainable(false);
  const Tensor x = keras_pattern({2, 3, 3, 2}, 7, 11, 5, 4);
  expect_tensor_near((*layer)(x, true), {2, 3, 3, 2}, kNhwcInference, 1e-5);
  EXPECT_EQ(layer->weight("moving_mean").value().to_vector<float>(), (std::vector<float>{0.2f, -0.1f}));
  EXPECT_EQ(layer->weight("moving_variance").value().to_vector<float>(), (std::vector<float>{0.5f, 2.0f}));
  Config c = bn_config();
  c.set("trainable", false);
  auto frozen = make_layer("BatchNormalization", c);
  const Tensor y = (*frozen)(x, true);  // moving 0/1, gamma 1, beta 0: x / sqrt(1 + 1e-3)
  expect_tensor_near(y, {2, 3, 3, 2}, ops::div(ops::cast(x, DType::kFloat64), std::sqrt(1.001)).to_vector<double>(),
                     1e-6);
}

TEST(BatchNormalizationTest, GradientsInTrainingAndInference) {
  using testing::gradients_match;
  using testing::uniform_f64;
  // The functional form, float64: d/d(x, gamma, beta) with batch moments.
  const std::vector<std::int64_t> reduce = {0, 1};
  const auto bn_train = [&](const TensorList& in) {
    const auto m = norm_detail::moments(in[0], reduce);
    return norm_detail::normalize(in[0], m.mean, m.variance, in[1], in[2], 1e-3);
  };
  const Tensor x = uniform_f64({3, 2, 4}, -1, 1, 7), gamma = uniform_f64({4}, 0.5, 1.5, 8),
               beta = uniform_f64({4}, -1, 1, 9);
  EXPECT_TRUE(gradients_match(bn_train, {x, gamma, beta}));
  // The layer computes in the input's dtype: float64 input gradients, both modes.
  auto layer = make_layer("BatchNormalization", Config::map());
  layer->build_from_shapes({{-1, 2, 4}});
  layer->weight("moving_mean").assign(vec({0.1f, -0.2f, 0.3f, 0.0f}));
  EXPECT_TRUE(gradients_match([&](const TensorList& in) { return (*layer)(in[0], true); }, {x}));
  EXPECT_TRUE(gradients_match([&](const TensorList& in) { return (*layer)(in[0], false); }, {x}));
  // The layer's gamma/beta gradients (float32 weights) equal the functional ones.
  layer->weight("gamma").assign(ops::cast(gamma, DType::kFloat32));
  layer->weight("beta").assign(ops::cast(beta, DType::kFloat32));
  const Tensor r = uniform_f64({3, 2, 4}, 0.5, 1.5, 10);
  TensorList expected;
  {
    GradientTape tape;
    tape.watch(gamma);
    tape.watch(beta);
    expected = tape.gradient(ops::sum(ops::mul(bn_train({x, gamma, beta}), r)), TensorList{gamma, beta});
  }
  GradientTape tape;
  const Tensor loss = ops::sum(ops::mul((*layer)(x, true), r));
  const TensorList got = tape.gradient(loss, layer->trainable_weights());
  ASSERT_EQ(got.size(), 2u);
  expect_tensor_near(got[0], {4}, expected[0].to_vector<double>(), 1e-5, 1e-5);
  expect_tensor_near(got[1], {4}, expected[1].to_vector<double>(), 1e-5, 1e-5);
}

TEST(BatchNormalizationTest, LoadsKeras2Config) {
  const Config keras213 = parse_json(
      R"({"name":"batch_normalization_1","trainable":true,"axis":-1,"momentum":0.99,"epsilon":0.001,)"
      R"("center":true,"scale":true,"beta_initializer":{"class_name":"Zeros","config":{}},)"
      R"("gamma_initializer":{"class_name":"Ones","config":{}},)"
      R"("moving_mean_initializer":{"class_name":"Zeros","config":{}},)"
      R"("moving_variance_initializer":{"class_name":"Ones","config":{}},"beta_regularizer":null,)"
      R"("gamma_regularizer":null,"beta_constraint":null,"gamma_constraint":null})");
  auto layer = make_layer("BatchNormalization", keras213);
  EXPECT_EQ(layer->name(), "batch_normalization_1");
  EXPECT_EQ((*layer)(Tensor::ones({2, 3, 3, 5})).shape(), (Shape{2, 3, 3, 5}));
  EXPECT_EQ(layer->weights().size(), 4u);
  const Config c = layer->get_config();
  EXPECT_EQ(make_layer("BatchNormalization", c)->get_config(), c);
  EXPECT_EQ(c.at("momentum").as_double(), 0.99);
  // tf.keras 2.x: list axis, fused, renorm keys.
  const Config tf2 = parse_json(
      R"({"name":"bn","trainable":false,"dtype":"float32","axis":[3],"momentum":0.9,"epsilon":1e-05,)"
      R"("center":true,"scale":false,"renorm":false,"renorm_clipping":null,"renorm_momentum":0.99,)"
      R"("fused":null,"virtual_batch_size":null,"adjustment":null})");
  auto bn = make_layer("BatchNormalization", tf2);
  bn->build_from_shapes({{-1, 4, 4, 6}});
  EXPECT_FALSE(bn->trainable());
  EXPECT_EQ(bn->weights().size(), 3u) << "beta, moving_mean, moving_variance";
  EXPECT_EQ(bn->get_config().at("axis").to_json(), "[3]");
  EXPECT_EQ(bn->get_config().at("epsilon").as_double(), 1e-5);
}

TEST(BatchNormalizationTest, ConfigRoundTripKeras3) {
  Config c = bn_config(0.9);
  c.set("epsilon", 0.01).set("gamma_regularizer", "l2").set("beta_constraint", "non_neg").set("synchronized", false);
  auto layer = make_layer("BatchNormalization", c);
  const Config got = layer->get_config();
  for (const char* k : {"axis", "momentum", "epsilon", "center", "scale", "beta_initializer", "gamma_initializer",
                        "moving_mean_initializer", "moving_variance_initializer", "beta_regularizer",
                        "gamma_regularizer", "beta_constraint", "gamma_constraint", "synchronized", "renorm",
                        "renorm_clipping", "renorm_momentum"}) {
    EXPECT_TRUE(got.has(k)) << k;
  }
  EXPECT_EQ(make_layer("BatchNormalization", got)->get_config(), got);
  EXPECT_EQ(layer_from_config(serialize_layer(*layer))->get_config(), got);
  EXPECT_TRUE(got.at("gamma_regularizer").is_map());
  // The regularizer adds a loss term.
  (*layer)(Tensor::ones({2, 3}), true);
  EXPECT_EQ(layer->losses().size(), 1u);
}

TEST(BatchNormalizationTest, ComputeOutputShapeOnOddSizes) {
  auto layer = make_layer("BatchNormalization", Config::map());
  EXPECT_EQ(layer->compute_output_shape({-1, 7, 5, 3}), (Shape{-1, 7, 5, 3}));
  EXPECT_EQ((*layer)(Tensor::ones({1, 7, 5, 3}), true).shape(), (Shape{1, 7, 5, 3}));
  EXPECT_EQ((*layer)(Tensor::ones({3, 7, 5, 3}), false).shape(), (Shape{3, 7, 5, 3}));
}

TEST(BatchNormalizationTest, RejectsUnsupportedAndBadConfigs) {
  const auto with = [](const char* key, Config v) {
    Config c = Config::map();
    c.set(key, std::move(v));
    return c;
  };
  expect_throws_with<ConfigError>([&] { make_layer("BatchNormalization", with("renorm", true)); },
                                  {"BatchNormalization", "renorm=True", "not supported"});
  expect_throws_with<ConfigError>([&] { make_layer("BatchNormalization", with("virtual_batch_size", 4)); },
                                  {"BatchNormalization", "virtual_batch_size", "Received: virtual_batch_size=4"});
  expect_throws_with<ConfigError>([&] { make_layer("BatchNormalization", with("adjustment", "f")); },
                                  {"BatchNormalization", "adjustment"});
  expect_throws_with<ConfigError>([&] { make_layer("BatchNormalization", with("momentumm", 0.9)); },
                                  {"BatchNormalization", "momentumm"});
  expect_throws_with<ConfigError>([&] { make_layer("BatchNormalization", with("axis", "last")); },
                                  {"BatchNormalization", "axis", "\"last\""});
  expect_throws_with<ValueError>([&] { make_layer("BatchNormalization", with("epsilon", -0.5)); },
                                 {"BatchNormalization", "epsilon=-0.5"});
  expect_throws_with<ConfigError>([&] { make_layer("BatchNormalization", with("gamma_initializer", "onez")); },
                                  {"onez"});
  Config named = with("axis", 3);
  named.set("name", "bn1");
  auto layer = make_layer("BatchNormalization", named);
  expect_throws_with<ShapeError>([&] { (*layer)(Tensor::ones({2, 3})); },
                                 {"BatchNormalization 'bn1'", "axis 3", "[None, 3]", "Received: axis=3"});
  auto batch_axis = make_layer("BatchNormalization", with("axis", 0));
  expect_throws_with<ShapeError>([&] { (*batch_axis)(Tensor::ones({2, 3})); }, {"axis 0", "known size"});
}

}  // namespace
}  // namespace fathom::layers
