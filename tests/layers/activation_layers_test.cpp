// SPDX-License-Identifier: Apache-2.0
// ReLU, LeakyReLU, PReLU, ELU, Softmax, ThresholdedReLU: the layer contract, values against
// Keras 3 (tests/layers/data/make_normalization_fixtures.py; ThresholdedReLU, gone from Keras 3,
// against NumPy), masks, Keras 2 configs, errors.
#include "layers/activation_layers.h"

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

Config cfg(std::initializer_list<std::pair<const char*, Config>> entries) {
  Config c = Config::map();
  for (const auto& [k, v] : entries) c.set(k, v);
  return c;
}

Tensor fixture_x() {
  return Tensor::from_vector(std::vector<float>{-7, -3, -1.5f, -0.5f, 0, 0.25f, 1, 2.5f, 4, 7}, {2, 5});
}

Tensor apply(const std::string& cls, const Config& c) { return (*make_layer(cls, c))(fixture_x()); }

TEST(ActivationLayersTest, SatisfyLayerContract) {
  testing::LayerContractOptions kinks;
  kinks.kinks = {0, 0.5};
  kinks.input_low = -2;
  kinks.input_high = 2;
  const Shape s = {2, 3, 4};
  expect_layer_contract(layer_spec("ReLU"), {s}, s, 0, kinks);
  expect_layer_contract(layer_spec("ReLU", cfg({{"max_value", 1.5}, {"negative_slope", 0.1}, {"threshold", 0.5}})),
                        {s}, s, 0, [&] { auto o = kinks; o.kinks = {0.5, 1.5}; return o; }());
  expect_layer_contract(layer_spec("LeakyReLU", cfg({{"negative_slope", 0.2}})), {s}, s, 0, kinks);
  expect_layer_contract(layer_spec("ELU", cfg({{"alpha", 0.5}})), {s}, s, 0, kinks);
  expect_layer_contract(layer_spec("Softmax"), {s}, s, 0);
  expect_layer_contract(layer_spec("Softmax", cfg({{"axis", Config(std::vector<Config>{1, 2})}})), {s}, s, 0);
  expect_layer_contract(layer_spec("ThresholdedReLU", cfg({{"theta", 0.5}})), {s}, s, 0, kinks);
  testing::LayerContractOptions prelu = kinks;
  prelu.weight_names = {"alpha"};
  expect_layer_contract(layer_spec("PReLU", cfg({{"alpha_initializer", "random_uniform"}})), {s}, s, 1, prelu);
  expect_layer_contract(layer_spec("PReLU", cfg({{"shared_axes", Config(std::vector<Config>{1, 2})},
                                                 {"alpha_regularizer", "l2"}, {"alpha_constraint", "non_neg"}})),
                        {s}, s, 1, prelu);
}

TEST(ActivationLayersTest, ReLUMatchesKeras) {
  expect_tensor_near(apply("ReLU", Config::map()), {2, 5}, {0, 0, 0, 0, 0, 0.25, 1, 2.5, 4, 7});
  expect_tensor_near(apply("ReLU", cfg({{"max_value", 6}, {"negative_slope", 0.1}, {"threshold", 0.5}})), {2, 5},
                     {-0.75, -0.349999994, -0.200000003, -0.100000001, -0.0500000007, -0.0250000004, 1, 2.5, 4, 6});
  expect_tensor_near(apply("ReLU", cfg({{"negative_slope", 0.2}})), {2, 5},
                     {-1.39999998, -0.600000024, -0.300000012, -0.100000001, 0, 0.25, 1, 2.5, 4, 7});
  expect_tensor_near(apply("ReLU", cfg({{"threshold", 1.0}})), {2, 5}, {0, 0, 0, 0, 0, 0, 0, 2.5, 4, 7});
  expect_tensor_near(apply("ReLU", cfg({{"max_value", 2.5}, {"negative_slope", 0.5}})), {2, 5},
                     {-3.5, -1.5, -0.75, -0.25, 0, 0.25, 1, 2.5, 2.5, 2.5});
}

TEST(ActivationLayersTest, LeakyReLUELUThresholdedMatchKeras) {
  expect_tensor_near(apply("LeakyReLU", Config::map()), {2, 5},
                     {-2.10000014, -0.900000036, -0.450000018, -0.150000006, 0, 0.25, 1, 2.5, 4, 7});
  const std::vector<double> slope01 = {-0.699999988, -0.300000012, -0.150000006, -0.0500000007, 0, 0.25, 1, 2.5, 4, 7};
  expect_tensor_near(apply("LeakyReLU", cfg({{"negative_slope", 0.1}})), {2, 5}, slope01);
  expect_tensor_near(apply("LeakyReLU", cfg({{"alpha", 0.1}})), {2, 5}, slope01);  // Keras 2 key
  EXPECT_EQ(make_layer("LeakyReLU", cfg({{"alpha", 0.1}}))->get_config().at("negative_slope").as_double(), 0.1);
  expect_tensor_near(apply("ELU", cfg({{"alpha", 0.5}})), {2, 5},
                     {-0.499544054, -0.475106478, -0.388434917, -0.196734667, 0, 0.25, 1, 2.5, 4, 7});
  expect_tensor_near(apply("ThresholdedReLU", Config::map()), {2, 5}, {0, 0, 0, 0, 0, 0, 0, 2.5, 4, 7});
}

TEST(ActivationLayersTest, PReLUMatchesKerasWithSharedAxes) {
  auto layer = make_layer("PReLU", cfg({{"shared_axes", 1}}));
  layer->build_from_shapes({{-1, 3, 4}});
  ASSERT_EQ(layer->weight("alpha").shape(), (Shape{1, 4}));
  layer->weight("alpha").assign(Tensor::from_vector(std::vector<float>{0.1f, 0.2f, -0.3f, 0.5f}, {1, 4}));
  expect_tensor_near((*layer)(keras_pattern({2, 3, 4}, 5, 9, 4, 3)), {2, 3, 4},
                     {-0.13333334, 0.333333343, 0.300000012, 0.666666687, -0.0666666701, 1,
                      0.100000009, 1.33333337,  0,           -0.266666681, 0.333333343, -0.5,
                      0.666666687, -0.13333334, 1,           -0.166666672, 1.33333337,  0,
                      0.400000036, 0.333333343, -0.100000001, 0.666666687, 0.200000018, 1},
                     1e-6);
  EXPECT_EQ(layer->get_config().at("shared_axes").to_json(), "[1]");
  auto full = make_layer("PReLU", Config::map());
  full->build_from_shapes({{-1, 3, 4}});
  EXPECT_EQ(full->weight("alpha").shape(), (Shape{3, 4}));
  EXPECT_TRUE(full->get_config().at("shared_axes").is_null());
}

TEST(ActivationLayersTest, PReLUAlphaGradientFloat64Form) {
  // The PReLU formula in float64 with alpha as an input: d/d(x, alpha).
  const auto f = [](const TensorList& in) {
    return ops::sub(ops::relu(in[0]), ops::mul(in[1], ops::relu(ops::neg(in[0]))));
  };
  const Tensor x = testing::away_from(testing::uniform_f64({2, 3, 4}, -1, 1, 4), {0});
  EXPECT_TRUE(testing::gradients_match(f, {x, testing::uniform_f64({1, 4}, -0.5, 0.5, 5)}));
}

TEST(ActivationLayersTest, SoftmaxMatchesKerasAxesAndMasks) {
  expect_tensor_near(apply("Softmax", Config::map()), {2, 5},
                     {0.000484950811, 0.026477417, 0.118663549, 0.322560936, 0.531813145, 0.00109988672,
                      0.00232846034, 0.0104354341, 0.046768371, 0.93936789},
                     1e-7, 1e-5);
  expect_tensor_near(apply("Softmax", cfg({{"axis", 0}})), {2, 5},
                     {0.000709670479, 0.0179862082, 0.0179862082, 0.0109869428, 0.000911051233, 0.999290347,
                      0.982013762, 0.982013762, 0.989013076, 0.999089003},
                     1e-7, 1e-5);
  expect_tensor_near(apply("Softmax", cfg({{"axis", Config(std::vector<Config>{0, 1})}})), {2, 5},
                     {7.7985527e-07, 4.25786566e-05, 0.000190824299, 0.000518714194, 0.000855215185, 0.00109811802,
                      0.00232471572, 0.0104186535, 0.0466931649, 0.93785727},
                     1e-8, 1e-5);
  auto layer = make_layer("Softmax", Config::map());
  const Tensor mask =
      Tensor::from_vector(std::vector<bool>{true, false, true, true, false, false, false, false, false, false}, {2, 5});
  Tensor out_mask;
  expect_tensor_near(layer->call_with_mask(fixture_x(), mask, false, &out_mask), {2, 5},
                     {0.00109789544, 0, 0.268646181, 0.730255961, 0, 0, 0, 0, 0, 0}, 1e-7, 1e-5);
  EXPECT_EQ(out_mask.to_vector<bool>(), mask.to_vector<bool>());
  const Tensor row_mask = Tensor::from_vector(std::vector<bool>{true, false, true, true, false}, {5});
  expect_tensor_near(layer->call_with_mask(fixture_x(), row_mask, false, nullptr), {2, 5},
                     {0.00109789544, 0, 0.268646181, 0.730255961, 0, 0.0188647881, 0, 0.178984106, 0.802151144, 0},
                     1e-7, 1e-5);
  // A [batch, timesteps] mask against [batch, timesteps, features] does not broadcast (Keras 3 too).
  expect_throws_with<ShapeError>(
      [&] { make_layer("Softmax", Config::map())->call_with_mask(Tensor::ones({2, 5, 3}), mask, false, nullptr); },
      {"Softmax", "broadcastable", "inputs.shape=[2, 5, 3]", "mask.shape=[2, 5]"});
}

TEST(ActivationLayersTest, MaskIsPassedOn) {
  const Tensor mask = Tensor::from_vector(std::vector<bool>{true, false}, {2});
  for (const char* cls : {"ReLU", "LeakyReLU", "ELU", "ThresholdedReLU", "PReLU"}) {
    Tensor out_mask;
    make_layer(cls, Config::map())->call_with_mask(fixture_x(), mask, false, &out_mask);
    ASSERT_TRUE(out_mask.defined()) << cls;
    EXPECT_EQ(out_mask.to_vector<bool>(), mask.to_vector<bool>()) << cls;
  }
}

TEST(ActivationLayersTest, KerasConfigsRoundTrip) {
  const Config relu = testing::parse_json(
      R"({"name":"re_lu_1","trainable":true,"dtype":"float32","max_value":6.0,"negative_slope":0.0,"threshold":0.0})");
  auto layer = make_layer("ReLU", relu);
  EXPECT_EQ(layer->get_config(), make_layer("ReLU", layer->get_config())->get_config());
  EXPECT_EQ(layer->get_config().at("max_value").as_double(), 6.0);
  EXPECT_TRUE(make_layer("ReLU", Config::map())->get_config().at("max_value").is_null());
  const Config elu = testing::parse_json(R"({"name":"elu","trainable":true})");  // Keras 3 writes no alpha
  EXPECT_EQ(make_layer("ELU", elu)->get_config().at("alpha").as_double(), 1.0);
  const Config thr = testing::parse_json(R"({"name":"thresholded_re_lu_1","trainable":true,"theta":0.5})");
  EXPECT_EQ(make_layer("ThresholdedReLU", thr)->get_config().at("theta").as_double(), 0.5);
  auto softmax = make_layer("Softmax", cfg({{"axis", 1}}));
  EXPECT_EQ(softmax->get_config().at("axis").as_int(), 1);
}

TEST(ActivationLayersTest, RejectBadArguments) {
  expect_throws_with<ValueError>([] { make_layer("ReLU", cfg({{"max_value", -1.0}})); }, {"ReLU", "max_value=-1"});
  expect_throws_with<ValueError>([] { make_layer("ReLU", cfg({{"negative_slope", -0.5}})); },
                                 {"ReLU", "negative_slope=-0.5"});
  expect_throws_with<ValueError>([] { make_layer("ReLU", cfg({{"threshold", -2.0}})); }, {"threshold=-2"});
  expect_throws_with<ValueError>([] { make_layer("LeakyReLU", cfg({{"alpha", -0.1}})); }, {"negative_slope=-0.1"});
  expect_throws_with<ValueError>([] { make_layer("ThresholdedReLU", cfg({{"theta", -1.0}})); }, {"theta=-1"});
  expect_throws_with<ValueError>([] { make_layer("ThresholdedReLU", cfg({{"theta", Config()}})); }, {"theta=None"});
  expect_throws_with<ConfigError>([] { make_layer("ReLU", cfg({{"max_val", 1.0}})); }, {"ReLU", "max_val"});
  expect_throws_with<ConfigError>([] { make_layer("Softmax", cfg({{"axis", "last"}})); }, {"Softmax", "axis"});
  auto prelu = make_layer("PReLU", cfg({{"shared_axes", 3}, {"name", "pr"}}));
  expect_throws_with<ShapeError>([&] { (*prelu)(Tensor::ones({2, 3, 4})); },
                                 {"PReLU 'pr'", "shared_axes", "[None, 3, 4]", "3"});
  auto softmax = make_layer("Softmax", cfg({{"axis", 2}}));
  expect_throws_with<ShapeError>([&] { (*softmax)(Tensor::ones({2, 3})); }, {"Softmax", "axis 2", "[2, 3]"});
}

}  // namespace
}  // namespace fathom::layers
