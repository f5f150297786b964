// SPDX-License-Identifier: Apache-2.0
// MaxPooling1D and AveragePooling1D: the layer contract, forward values against Keras 3.15
// (tests/layers/data/make_conv_fixtures.py), output shapes, configs and errors.
// Fixture: x = pattern([1, L, 2], 7, 11, 5, 4) with L = 7 and 6.
#include "layers/pooling1d.h"

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

Config pool_config(std::int64_t pool_size, const std::string& padding = "valid", std::int64_t strides = 0) {
  Config c = Config::map();
  c.set("pool_size", Config(Shape{pool_size})).set("padding", padding);
  if (strides > 0) c.set("strides", Config(Shape{strides}));
  return c;
}

Tensor pooled(const std::string& cls, const Config& c, std::int64_t length) {
  return (*make_layer(cls, c))(keras_pattern({1, length, 2}, 7, 11, 5, 4));
}

TEST(Pooling1DTest, SatisfiesLayerContract) {
  for (const char* cls : {"MaxPooling1D", "AveragePooling1D"}) {
    SCOPED_TRACE(cls);
    expect_layer_contract(layer_spec(cls, pool_config(2)), {{2, 5, 3}}, {2, 2, 3}, 0);
    expect_layer_contract(layer_spec(cls, pool_config(3, "same", 2)), {{2, 6, 2}}, {2, 3, 2}, 0);
    expect_layer_contract(layer_spec(cls, pool_config(3, "same", 1)), {{1, 4, 2}}, {1, 4, 2}, 0);
  }
}

TEST(MaxPooling1DTest, MatchesKeras) {
  expect_tensor_near(pooled("MaxPooling1D", pool_config(2), 7), {1, 3, 2}, {-0.5, 1.25, 1, 0, -0.25, 0.75});
  expect_tensor_near(pooled("MaxPooling1D", pool_config(2, "same"), 7), {1, 4, 2},
                     {-0.5, 1.25, 1, 0, -0.25, 0.75, 0.5, -0.5});
  expect_tensor_near(pooled("MaxPooling1D", pool_config(2, "same"), 6), {1, 3, 2}, {-0.5, 1.25, 1, 0, -0.25, 0.75});
  expect_tensor_near(pooled("MaxPooling1D", pool_config(3, "same", 2), 7), {1, 4, 2},
                     {-0.5, 1.25, 1, 1.25, 1, 0.75, 0.5, -0.5});
  expect_tensor_near(pooled("MaxPooling1D", pool_config(3, "same", 2), 6), {1, 3, 2},
                     {0.25, 1.25, 1, 0.75, -0.25, 0.75});
  expect_tensor_near(pooled("MaxPooling1D", pool_config(3, "same", 1), 7), {1, 7, 2},
                     {-0.5, 1.25, 0.25, 1.25, 1, 1.25, 1, 0.75, 1, 0.75, 0.5, 0.75, 0.5, -0.5});
  expect_tensor_near(pooled("MaxPooling1D", pool_config(3, "valid", 2), 7), {1, 3, 2},
                     {0.25, 1.25, 1, 0.75, 0.5, 0.75});
  expect_tensor_near(pooled("MaxPooling1D", pool_config(3, "valid", 2), 6), {1, 2, 2}, {0.25, 1.25, 1, 0.75});
}

TEST(AveragePooling1DTest, MatchesKeras) {
  expect_tensor_near(pooled("AveragePooling1D", pool_config(2), 7), {1, 3, 2},
                     {-0.875, 0.875, 0.625, -0.375, -0.625, -0.25});
  // Same padding: the padded cells are not counted.
  expect_tensor_near(pooled("AveragePooling1D", pool_config(2, "same"), 7), {1, 4, 2},
                     {-0.875, 0.875, 0.625, -0.375, -0.625, -0.25, 0.5, -0.5});
  expect_tensor_near(pooled("AveragePooling1D", pool_config(3, "same", 2), 7), {1, 4, 2},
                     {-0.875, 0.875, 0.25, 0.166666672, -0.0833333358, -0.166666672, 0.125, -0.875});
  expect_tensor_near(pooled("AveragePooling1D", pool_config(3, "same", 2), 6), {1, 3, 2},
                     {-0.5, 0.333333343, 0.0833333358, 0, -0.625, -0.25});
  expect_tensor_near(pooled("AveragePooling1D", pool_config(3, "same", 1), 6), {1, 6, 2},
                     {-0.875, 0.875, -0.5, 0.333333343, 0.25, 0.166666672, 0.0833333358, 0, -0.0833333358, -0.166666672,
                      -0.625, -0.25});
  expect_tensor_near(pooled("AveragePooling1D", pool_config(3, "valid", 2), 7), {1, 3, 2},
                     {-0.5, 0.333333343, 0.0833333358, 0, -0.25, -0.333333343});
}

TEST(Pooling1DTest, DefaultsShapesAndConfigs) {
  auto layer = make_layer("MaxPooling1D", Config::map());
  EXPECT_EQ(layer->get_config().at("pool_size").as_shape(), (Shape{2}));
  EXPECT_EQ(layer->get_config().at("strides").as_shape(), (Shape{2})) << "strides default to pool_size";
  EXPECT_EQ(layer->name().rfind("max_pooling1d", 0), 0u) << layer->name();
  EXPECT_EQ(layer->compute_output_shape({-1, 7, 3}), (Shape{-1, 3, 3}));
  EXPECT_EQ(layer->compute_output_shape({4, -1, 3}), (Shape{4, -1, 3}));
  auto same = make_layer("AveragePooling1D", pool_config(3, "same"));
  EXPECT_EQ((*same)(Tensor::ones({2, 1, 3})).shape(), (Shape{2, 1, 3})) << "one step, same";
  EXPECT_EQ((*same)(Tensor::ones({2, 1, 3})).to_vector<float>(), std::vector<float>(6, 1.0f));
  // Keras 3 writes [n]; Keras 2 too; a bare int and the aliases load as well.
  const Config k3 = testing::parse_json(R"({"name": "average_pooling1d_10", "trainable": true, "dtype": {
      "module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
      "pool_size": [3], "padding": "same", "strides": [3], "data_format": "channels_last"})");
  EXPECT_EQ(make_layer("AveragePooling1D", k3)->compute_output_shape({-1, 7, 2}), (Shape{-1, 3, 2}));
  Config k2 = pool_config(2, "valid", 1);
  k2.set("data_format", Config()).set("dtype", "float32");
  EXPECT_EQ(make_layer("MaxPool1D", k2)->class_name(), "MaxPooling1D");
  EXPECT_EQ(make_layer("AvgPool1D", k2)->compute_output_shape({1, 5, 2}), (Shape{1, 4, 2}));
}

TEST(Pooling1DTest, Errors) {
  Config cf = pool_config(2);
  cf.set("data_format", "channels_first");
  expect_throws_with<ConfigError>([&] { make_layer("MaxPooling1D", cf); }, {"MaxPooling1D", "channels_first"});
  expect_throws_with<ConfigError>([] { make_layer("AveragePooling1D", pool_config(2, "causal")); },
                                  {"AveragePooling1D", "padding='causal'"});
  expect_throws_with<ValueError>([] { make_layer("MaxPooling1D", pool_config(0)); }, {"MaxPooling1D", "pool_size=0"});
  Config pair = Config::map();
  pair.set("pool_size", Config(Shape{2, 2}));
  expect_throws_with<ConfigError>([&] { make_layer("MaxPooling1D", pair); }, {"MaxPooling1D", "pool_size", "[2, 2]"});
  Config named = pool_config(4);
  named.set("name", "p");
  auto layer = make_layer("AveragePooling1D", named);
  expect_throws_with<ShapeError>(
      [&] {
        (*layer)(Tensor::ones({1, 3, 2}));
      },
      {"AveragePooling1D 'p'", "pool_size 4", "[None, 3, 2]", "valid"});
  expect_throws_with<ShapeError>([&] { (*layer)(Tensor::ones({1, 3, 2, 2})); }, {"AveragePooling1D 'p'", "rank 3"});
}

}  // namespace
}  // namespace fathom::layers
