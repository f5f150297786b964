// SPDX-License-Identifier: Apache-2.0
// MaxPooling2D and AveragePooling2D: the layer contract, forward values against Keras 3, output
// shapes, errors. Fixture: x = pattern([1, 5, 5, 2], 7, 11, 5, 4).
#include "layers/pooling2d.h"

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

Config pool_config(Shape pool_size, const std::string& padding = "valid", Shape strides = {}) {
  Config c = Config::map();
  c.set("pool_size", Config(pool_size)).set("padding", padding);
  if (!strides.empty()) c.set("strides", Config(strides));
  return c;
}

Tensor pooled(const std::string& cls, const Config& c) {
  return (*make_layer(cls, c))(keras_pattern({1, 5, 5, 2}, 7, 11, 5, 4));
}

TEST(Pooling2DTest, SatisfiesLayerContract) {
  for (const char* cls : {"MaxPooling2D", "AveragePooling2D"}) {
    SCOPED_TRACE(cls);
    expect_layer_contract(layer_spec(cls, pool_config({2, 2})), {{2, 4, 5, 3}}, {2, 2, 2, 3}, 0);
    expect_layer_contract(layer_spec(cls, pool_config({3, 3}, "same", {2, 2})), {{2, 5, 5, 2}}, {2, 3, 3, 2}, 0);
    expect_layer_contract(layer_spec(cls, pool_config({2, 3}, "same", {1, 2})), {{1, 3, 4, 2}}, {1, 3, 2, 2}, 0);
  }
}

TEST(MaxPooling2DTest, MatchesKeras) {
  expect_tensor_near(pooled("MaxPooling2D", pool_config({2, 2})), {1, 2, 2, 2},
                     {0.5, 1.25, 1.25, 1, 0.75, 0.75, 1.25, 1.25});
  expect_tensor_near(pooled("MaxPooling2D", pool_config({2, 2}, "same")), {1, 3, 3, 2},
                     {0.5, 1.25, 1.25, 1, 0, 0.75, 0.75, 0.75, 1.25, 1.25, 1, 1, 0.75, -0.25, -0.5, 1.25, 0.25, -0.75});
  expect_tensor_near(pooled("MaxPooling2D", pool_config({3, 3}, "same", {2, 2})), {1, 3, 3, 2},
                     {0.5, 1.25, 1.25, 1.25, 1, 1, 0.75, 0.75, 1.25, 1.25, 1.25, 1, 0.75, 0.75, 1.25, 1.25, 1.25,
                      1.25});
  expect_tensor_near(pooled("MaxPooling2D", pool_config({2, 3}, "valid", {1, 2})), {1, 4, 2, 2},
                     {1.25, 1.25, 1.25, 1, 1.25, 1.25, 1.25, 1.25, 0.75, 1.25, 1.25, 1.25, 0.75, 0.75, 1.25, 1.25});
}

TEST(AveragePooling2DTest, MatchesKeras) {
  expect_tensor_near(pooled("AveragePooling2D", pool_config({2, 2})), {1, 2, 2, 2},
                     {-0.375, 0, 0.4375, 0.125, -0.4375, -0.0625, 0.375, 0.0625});
  // Same padding: the padded cells are not counted.
  expect_tensor_near(pooled("AveragePooling2D", pool_config({2, 2}, "same")), {1, 3, 3, 2},
                     {-0.375, 0, 0.4375, 0.125, -0.5, -0.125, -0.4375, -0.0625, 0.375, 0.0625, 0.125, 0.5, 0.375,
                      -0.625, -0.875, 0.875, 0.25, -0.75});
  expect_tensor_near(pooled("AveragePooling2D", pool_config({3, 3}, "same", {2, 2})), {1, 3, 3, 2},
                     {-0.375, 0, 0.291666657, 0.208333328, -0.1875, 0.1875, -0.25, -0.333333343, 0.111111112,
                      0.027777778, 0.166666672, 0.0833333358, -0.125, -0.4375, 0.0833333358, 0, 0.0625, 0.4375});
  expect_tensor_near(pooled("AveragePooling2D", pool_config({2, 3}, "valid", {1, 2})), {1, 4, 2, 2},
                     {0, -0.0833333358, 0.125, 0.0416666679, 0.0833333358, 0, 0.208333328, 0.125, -0.291666657,
                      0.0833333358, 0.291666657, 0.208333328, -0.208333328, -0.291666657, -0.0833333358,
                      0.291666657});
}

TEST(Pooling2DTest, StridesDefaultToPoolSizeAndIntArgumentsWork) {
  Config c = Config::map();
  c.set("pool_size", 3);
  auto layer = make_layer("MaxPooling2D", c);
  EXPECT_EQ(layer->get_config().at("strides").as_shape(), (Shape{3, 3}));
  EXPECT_EQ(layer->get_config().at("pool_size").as_shape(), (Shape{3, 3}));
  EXPECT_EQ(layer->name().rfind("max_pooling2d", 0), 0u) << layer->name();
  EXPECT_EQ(make_layer("AveragePooling2D", Config::map())->compute_output_shape({-1, 5, 4, 3}), (Shape{-1, 2, 2, 3}));
}

TEST(Pooling2DTest, ComputeOutputShape) {
  for (const char* cls : {"MaxPooling2D", "AveragePooling2D"}) {
    SCOPED_TRACE(cls);
    auto same = make_layer(cls, pool_config({2, 2}, "same"));
    EXPECT_EQ(same->compute_output_shape({-1, 5, 7, 3}), (Shape{-1, 3, 4, 3}));
    EXPECT_EQ(same->compute_output_shape({2, 1, 1, 3}), (Shape{2, 1, 1, 3})) << "1x1 input, same";
    EXPECT_EQ((*same)(Tensor::ones({2, 1, 1, 3})).shape(), (Shape{2, 1, 1, 3}));
    auto valid = make_layer(cls, pool_config({3, 2}, "valid", {2, 1}));
    EXPECT_EQ(valid->compute_output_shape({2, 7, 4, 1}), (Shape{2, 3, 3, 1}));
    EXPECT_EQ((*valid)(Tensor::ones({2, 7, 4, 1})).shape(), (Shape{2, 3, 3, 1}));
    auto one = make_layer(cls, pool_config({1, 1}));
    EXPECT_EQ((*one)(Tensor::ones({2, 1, 1, 3})).shape(), (Shape{2, 1, 1, 3})) << "1x1 input, 1x1 pool";
  }
}

TEST(Pooling2DTest, SamePaddingAverageOfOnesIsOne) {
  const Tensor y = (*make_layer("AveragePooling2D", pool_config({3, 3}, "same", {2, 2})))(Tensor::ones({1, 4, 5, 2}));
  for (float v : y.to_vector<float>()) EXPECT_FLOAT_EQ(v, 1.0f);
  const Tensor m = (*make_layer("MaxPooling2D", pool_config({3, 3}, "same", {1, 1})))(Tensor::full({1, 2, 2, 1}, -5.0));
  for (float v : m.to_vector<float>()) EXPECT_FLOAT_EQ(v, -5.0f) << "padding never wins the max";
}

TEST(Pooling2DTest, Errors) {
  Config cf = pool_config({2, 2});
  cf.set("data_format", "channels_first");
  expect_throws_with<ConfigError>([&] { make_layer("MaxPooling2D", cf); }, {"MaxPooling2D", "channels_first"});
  expect_throws_with<ConfigError>([&] { make_layer("AveragePooling2D", cf); }, {"AveragePooling2D", "channels_first"});
  Config named = pool_config({3, 3});
  named.set("name", "pool");
  auto layer = make_layer("AveragePooling2D", named);
  expect_throws_with<ShapeError>([&] { (*layer)(Tensor::ones({1, 2, 4, 1})); },
                                 {"AveragePooling2D 'pool'", "(3, 3)", "[1, 2, 4, 1]", "valid"});
  expect_throws_with<ValueError>([] { make_layer("MaxPooling2D", pool_config({0, 2})); }, {"MaxPooling2D", "pool_size"});
  expect_throws_with<ConfigError>([] { make_layer("MaxPooling2D", pool_config({2, 2}, "full")); },
                                  {"MaxPooling2D", "padding", "full"});
}

}  // namespace
}  // namespace fathom::layers
