// SPDX-License-Identifier: Apache-2.0
// UpSampling1D/2D: the layer contract (gradients of nearest and bilinear included), values
// against Keras 3.15 on TensorFlow (tests/layers/data/make_shape_noise_fixtures.py, upsampling()),
// config forms and errors.
#include "layers/upsampling.h"

#include <gtest/gtest.h>

#include "layers/registry.h"
#include "tests/support/layer_contract.h"

namespace fathom::layers {
namespace {

using testing::expect_layer_contract;
using testing::expect_tensor_near;
using testing::expect_throws_with;
using testing::keras_pattern;
using testing::layer_spec;
using testing::parse_json;

Config up2d(const std::string& size_json, const std::string& interpolation = "nearest") {
  Config c = Config::map();
  c.set("size", parse_json(size_json)).set("interpolation", interpolation);
  return c;
}

TEST(UpSamplingTest, SatisfiesLayerContract) {
  Config three = Config::map();
  three.set("size", 3);
  expect_layer_contract(layer_spec("UpSampling1D"), {{2, 3, 2}}, {2, 6, 2}, 0);
  expect_layer_contract(layer_spec("UpSampling1D", three), {{2, 1, 3}}, {2, 3, 3}, 0);
  expect_layer_contract(layer_spec("UpSampling2D"), {{2, 2, 3, 2}}, {2, 4, 6, 2}, 0);
  expect_layer_contract(layer_spec("UpSampling2D", up2d("[2, 3]")), {{1, 3, 2, 2}}, {1, 6, 6, 2}, 0);
  expect_layer_contract(layer_spec("UpSampling2D", up2d("[2, 3]", "bilinear")), {{2, 3, 2, 2}}, {2, 6, 6, 2}, 0);
  expect_layer_contract(layer_spec("UpSampling2D", up2d("[3, 1]", "bilinear")), {{1, 2, 3, 1}}, {1, 6, 3, 1}, 0);
  expect_layer_contract(layer_spec("UpSampling2D", up2d("[1, 1]", "bilinear")), {{1, 1, 1, 2}}, {1, 1, 1, 2}, 0);
}

TEST(UpSamplingTest, NearestMatchesKeras) {
  Config three = Config::map();
  three.set("size", 3);
  expect_tensor_near((*make_layer("UpSampling1D", three))(keras_pattern({1, 2, 2}, 7, 11, 5, 4)), {1, 6, 2},
                     {-1.25, 0.5, -1.25, 0.5, -1.25, 0.5, -0.5, 1.25, -0.5, 1.25, -0.5, 1.25});
  expect_tensor_near((*make_layer("UpSampling2D", up2d("[2, 3]")))(keras_pattern({1, 2, 2, 2}, 7, 11, 5, 4)),
                     {1, 4, 6, 2},
                     {-1.25, 0.5, -1.25, 0.5, -1.25, 0.5, -0.5, 1.25, -0.5, 1.25, -0.5, 1.25, -1.25, 0.5, -1.25, 0.5,
                      -1.25, 0.5, -0.5, 1.25, -0.5, 1.25, -0.5, 1.25, 0.25, -0.75, 0.25, -0.75, 0.25, -0.75, 1, 0,
                      1, 0, 1, 0, 0.25, -0.75, 0.25, -0.75, 0.25, -0.75, 1, 0, 1, 0, 1, 0});
}

TEST(UpSamplingTest, BilinearMatchesKeras) {
  expect_tensor_near(
      (*make_layer("UpSampling2D", up2d("[2, 3]", "bilinear")))(keras_pattern({1, 3, 2, 2}, 7, 11, 5, 4)),
      {1, 6, 6, 2},
      {-1.25,   0.5,      -1.25,       0.5,         -1,       0.75,        -0.74999994, 1,           -0.5,  1.25,
       -0.5,    1.25,     -0.875,      0.1875,      -0.875,   0.1875,      -0.625,      0.4375,      -0.37499994,
       0.6875,  -0.125,   0.9375,      -0.125,      0.9375,   -0.125,      -0.4375,     -0.125,      -0.4375,
       0.125,   -0.1875,  0.37500006,  0.0625,      0.625,    0.3125,      0.625,       0.3125,      -0.0625,
       -0.375,  -0.0625,  -0.375,      0.1875,      -0.354166657, 0.43750006, -0.333333313, 0.6875,  -0.3125,
       0.6875,  -0.3125,  -0.6875,     0.375,       -0.6875,  0.375,       -0.4375,     -0.0625000298, -0.18749994,
       -0.500000119, 0.0625, -0.9375,  0.0625,      -0.9375,  -1,          0.75,        -1,          0.75,
       -0.75,   0.0833332539, -0.49999994, -0.583333492, -0.25, -1.25,     -0.25,       -1.25},
      1e-6);
  expect_tensor_near(
      (*make_layer("UpSampling2D", up2d("[3, 1]", "bilinear")))(keras_pattern({1, 2, 3, 1}, 7, 11, 5, 4)),
      {1, 6, 3, 1},
      {-1.25, 0.5, -0.5, -1.25, 0.5, -0.5, -0.416666567, 0.416666657, -0.583333373, 0.416666865, 0.333333313,
       -0.666666687, 1.25, 0.25, -0.75, 1.25, 0.25, -0.75},
      1e-6);
}

TEST(UpSamplingTest, ConfigFormsAndRoundTrip) {
  const Config c = make_layer("UpSampling2D", up2d("2", "Bilinear"))->get_config();
  EXPECT_EQ(c.at("size").to_json(), "[2, 2]");
  EXPECT_EQ(c.at("interpolation").as_string(), "bilinear") << "lower-cased, as Keras";
  EXPECT_EQ(c.at("data_format").as_string(), "channels_last");
  EXPECT_EQ(make_layer("UpSampling1D", Config::map())->get_config().at("size"), Config(2));
  // Keras 3.15.1's UpSampling2D config (dtype policy shortened).
  const auto layer = make_layer("UpSampling2D", parse_json(R"({"name": "up", "trainable": true, "dtype": "float32",
      "size": [2, 2], "data_format": "channels_last", "interpolation": "nearest"})"));
  EXPECT_EQ(layer->compute_output_shape({-1, 3, -1, 4}), (Shape{-1, 6, -1, 4}));
}

TEST(UpSamplingTest, RejectsBadConfigs) {
  expect_throws_with<ConfigError>([] { make_layer("UpSampling2D", up2d("2", "bicubic")); },
                                  {"UpSampling2D", "interpolation 'bicubic'", "'nearest' and 'bilinear'"});
  Config zero = Config::map();
  zero.set("size", 0);
  expect_throws_with<ValueError>([&] { make_layer("UpSampling1D", zero); }, {"UpSampling1D", "size must be positive"});
  expect_throws_with<ValueError>([] { make_layer("UpSampling2D", up2d("[2, 0]")); }, {"UpSampling2D", "[2, 0]"});
  Config cf = Config::map();
  cf.set("data_format", "channels_first");
  expect_throws_with<ConfigError>([&] { make_layer("UpSampling2D", cf); }, {"UpSampling2D", "channels_first"});
  Config interp = Config::map();
  interp.set("interpolation", "nearest");
  // Keras's UpSampling1D takes no interpolation.
  expect_throws_with<ConfigError>([&] { make_layer("UpSampling1D", interp); }, {"UpSampling1D", "interpolation"});
  auto layer = make_layer("UpSampling1D", Config::map());
  expect_throws_with<ShapeError>([&] { (*layer)(Tensor::ones({2, 3})); }, {"UpSampling1D", "rank 3"});
}

TEST(UpSamplingTest, DropsTheInputMask) {
  auto layer = make_layer("UpSampling1D", Config::map());
  EXPECT_FALSE(layer->supports_masking());
  Tensor mask = Tensor::from_vector(std::vector<bool>{true, false}, {1, 2});
  layer->call_with_mask(Tensor::ones({1, 2, 1}), mask, false, &mask);
  EXPECT_FALSE(mask.defined());
}

}  // namespace
}  // namespace fathom::layers
