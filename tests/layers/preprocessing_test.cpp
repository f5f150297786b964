// SPDX-License-Identifier: Apache-2.0
// Rescaling and Normalization: the layer contract, values against Keras 3
// (tests/layers/data/make_normalization_fixtures.py), adapt(), configs and errors.
#include "layers/preprocessing.h"

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
Config list(std::vector<double> v) {
  Config l = Config::list();
  for (double x : v) l.push_back(Config(x));
  return l;
}
Normalization& as_normalization(Layer& layer) { return dynamic_cast<Normalization&>(layer); }

TEST(PreprocessingTest, SatisfyLayerContract) {
  expect_layer_contract(layer_spec("Rescaling", cfg({{"scale", 1.0 / 255}, {"offset", -0.5}})), {{2, 3, 4}}, {2, 3, 4}, 0);
  expect_layer_contract(layer_spec("Rescaling", cfg({{"scale", list({1, 2, 3})}})), {{2, 3}}, {2, 3}, 0);
  expect_layer_contract(layer_spec("Normalization", cfg({{"mean", list({1, 2, 3})}, {"variance", list({4, 1, 0.25})}})),
                        {{2, 4, 3}}, {2, 4, 3}, 0);
  expect_layer_contract(
      layer_spec("Normalization", cfg({{"mean", 0.5}, {"variance", 2.0}, {"invert", true}, {"axis", Config()}})),
      {{2, 3}}, {2, 3}, 0);
}

TEST(PreprocessingTest, RescalingMatchesKeras) {
  const Tensor x = keras_pattern({2, 3}, 5, 9, 4, 3);
  expect_tensor_near((*make_layer("Rescaling", cfg({{"scale", 0.5}, {"offset", -1.0}})))(x), {2, 3},
                     {-1.66666675, -0.833333313, -1.5, -0.666666627, -1.33333337, -0.5});
  // Keras 3 writes NumPy arrays as __numpy__ objects.
  const Config numpy_scale = testing::parse_json(
      R"({"class_name":"__numpy__","config":{"value":[1.0,2.0,3.0],"dtype":"float32"}})");
  auto layer = make_layer("Rescaling", cfg({{"scale", numpy_scale}, {"offset", list({0, 0.5, 1})}}));
  expect_tensor_near((*layer)(x), {2, 3}, {-1.33333337, 1.16666675, -2, 0.666666687, -0.833333373, 4});
  EXPECT_EQ(layer->get_config().at("scale"), numpy_scale);
}

TEST(PreprocessingTest, NormalizationAdaptMatchesKeras) {
  auto layer = make_layer("Normalization", Config::map());
  auto& norm = as_normalization(*layer);
  const Tensor d = keras_pattern({4, 3}, 7, 11, 5, 4);
  norm.adapt(d);
  expect_tensor_near(layer->weight("mean"), {3}, {0.4375, 0.125, -0.875});
  expect_tensor_near(layer->weight("variance"), {3}, {0.98046875, 0.078125, 0.078125});
  EXPECT_EQ(layer->weight("count").value().item<std::int64_t>(), 4);
  EXPECT_EQ(layer->weights().size(), 3u);
  EXPECT_TRUE(layer->trainable_weights().empty()) << "mean, variance and count are non-trainable";
  expect_tensor_near((*layer)(d), {4, 3},
                     {-1.70422494, 1.34164071, 1.34164071, 0.820552707, 0.44721359, 0.44721359, 0.568074942,
                      -0.44721359, -0.44721359, 0.315597206, -1.34164071, -1.34164071},
                     1e-5);
  auto all = make_layer("Normalization", cfg({{"axis", Config()}}));
  as_normalization(*all).adapt(d);
  EXPECT_EQ(all->weight("mean").shape(), Shape{});
  expect_tensor_near((*all)(d), {4, 3},
                     {-1.37715352, 0.726135492, -0.475743949, 1.627545, 0.425665617, -0.776213765, 1.32707512,
                      0.125195771, -1.07668364, 1.02660537, -0.175274089, -1.37715352},
                     1e-5);
}

TEST(PreprocessingTest, NormalizationAdaptOnTwoKeptAxes) {
  auto layer = make_layer("Normalization", cfg({{"axis", Config(std::vector<Config>{1, 2})}}));
  const Tensor d = keras_pattern({3, 2, 2}, 7, 11, 5, 4);
  as_normalization(*layer).adapt(d);
  expect_tensor_near(layer->weight("mean"), {2, 2}, {-0.666666687, 0.166666672, 0.0833333358, 0}, 1e-6);
  expect_tensor_near((*layer)(d), {3, 2, 2},
                     {-0.889000833, 0.508000493, -0.889000833, 1.22474492, 1.39700139, -1.39700139, 1.39700139, 0,
                      -0.508000493, 0.889000833, -0.508000493, -1.22474492},
                     1e-5);
  // adapt() again with data of another batch size replaces the statistics.
  as_normalization(*layer).adapt(ops::mul(d, 2.0));
  expect_tensor_near(layer->weight("mean"), {2, 2}, {-1.33333337, 0.333333343, 0.166666672, 0}, 1e-6);
  expect_throws_with<ValueError>([&] { as_normalization(*layer).adapt(Tensor::ones({3, 2, 5})); },
                                 {"Normalization", "incompatible shape", "data.shape=[3, 2, 5]"});
}

TEST(PreprocessingTest, NormalizationWithConfiguredStatisticsMatchesKeras) {
  const Config c = cfg({{"mean", list({1, 2, 3})}, {"variance", list({4, 0, 0.25})}});
  const Tensor d = keras_pattern({4, 3}, 7, 11, 5, 4);
  auto layer = make_layer("Normalization", c);
  expect_tensor_near((*layer)(d), {4, 3},
                     {-1.125, -15000000, -7, 0.125, -17500000, -7.5, 0, -20000000, -8, -0.125, -22500000, -8.5}, 1e-6,
                     1e-6);
  EXPECT_TRUE(layer->weights().empty());
  Config inv = c;
  inv.set("invert", true);
  expect_tensor_near((*make_layer("Normalization", inv))(d), {4, 3},
                     {-1.5, 2, 2.75, 3.5, 2, 2.625, 3, 2, 2.5, 2.5, 2, 2.375}, 1e-6);
  // A 2-D mean lines up with two kept axes: (1 - mean) / sqrt(variance).
  const Config two = cfg({{"axis", Config(std::vector<Config>{1, 2})},
                          {"mean", Config(std::vector<Config>{list({0, 1}), list({2, 3})})},
                          {"variance", Config(std::vector<Config>{list({1, 1}), list({4, 4})})}});
  expect_tensor_near((*make_layer("Normalization", two))(Tensor::ones({1, 2, 2})), {1, 2, 2}, {1, 0, -0.5, -1});
  const Config got = layer->get_config();
  EXPECT_EQ(got.at("axis").to_json(), "[-1]");
  EXPECT_EQ(got.at("mean"), c.at("mean"));
  EXPECT_EQ(make_layer("Normalization", got)->get_config(), got);
}

TEST(PreprocessingTest, NormalizationBeforeAdaptIsAClearError) {
  auto layer = make_layer("Normalization", cfg({{"name", "norm"}}));
  expect_throws_with<ValueError>([&] { (*layer)(Tensor::ones({2, 3})); },
                                 {"Normalization 'norm'", "no mean and variance", "adapt"});
  // Weights set from outside (a loaded file) count as adapted.
  layer->weight("mean").assign(Tensor::from_vector(std::vector<float>{1, 2, 3}, {3}));
  expect_tensor_near((*layer)(Tensor::ones({1, 3})), {1, 3}, {0, -1, -2});
}

TEST(PreprocessingTest, RejectBadConfigs) {
  expect_throws_with<ValueError>([] { make_layer("Normalization", cfg({{"mean", 1.0}})); },
                                 {"Normalization", "both mean and variance"});
  expect_throws_with<ValueError>(
      [] { make_layer("Normalization", cfg({{"mean", list({1, 2})}, {"variance", list({1, 2, 3})}})); },
      {"same shape", "[2]", "[3]"});
  expect_throws_with<ConfigError>([] { make_layer("Normalization", cfg({{"mean", "a"}, {"variance", 1.0}})); },
                                  {"Normalization: mean"});
  const Config ragged = Config(std::vector<Config>{list({1, 2}), list({3})});
  expect_throws_with<ConfigError>([&] { make_layer("Normalization", cfg({{"mean", ragged}, {"variance", ragged}})); },
                                  {"Normalization: mean", "rectangular"});
  auto layer = make_layer("Normalization", cfg({{"mean", list({1, 2})}, {"variance", list({1, 2})}}));
  expect_throws_with<ShapeError>([&] { (*layer)(Tensor::ones({2, 3})); }, {"Normalization", "[2]", "[None, 3]"});
  auto axis5 = make_layer("Normalization", cfg({{"axis", 5}}));
  expect_throws_with<ShapeError>([&] { as_normalization(*axis5).adapt(Tensor::ones({2, 3})); }, {"ndim=2", "axis=[5]"});
  auto fixed = make_layer("Normalization", cfg({{"mean", 0.0}, {"variance", 1.0}}));
  expect_throws_with<ValueError>([&] { as_normalization(*fixed).adapt(Tensor::ones({2, 3})); }, {"adapt()"});
  expect_throws_with<ConfigError>([] { make_layer("Rescaling", Config::map()); }, {"Rescaling", "scale is required"});
  auto bad_scale = make_layer("Rescaling", cfg({{"scale", list({1, 2})}}));
  expect_throws_with<ShapeError>([&] { (*bad_scale)(Tensor::ones({2, 3})); }, {"Rescaling", "scale of shape [2]"});
  expect_throws_with<ConfigError>([] { make_layer("Rescaling", cfg({{"scale", 1.0}, {"offest", 1.0}})); }, {"offest"});
}

}  // namespace
}  // namespace fathom::layers
