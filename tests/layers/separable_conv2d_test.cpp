// SPDX-License-Identifier: Apache-2.0
// SeparableConv2D: the layer contract, forward values against Keras 3.15
// (tests/layers/data/make_conv_fixtures.py), output shapes, configs and errors. Fixture:
// x = pattern([1, 5, 5, 2], 7, 11, 5, 4), depthwise_kernel = pattern([3, 3, 2, 2], 5, 7, 3, 5),
// pointwise_kernel = pattern([1, 1, 4, 3], 3, 5, 2, 4), bias = [0.1, -0.2, 0.3].
#include "layers/separable_conv2d.h"

#include <gtest/gtest.h>

#include "core/ops.h"
#include "layers/registry.h"
#include "tests/support/layer_contract.h"

namespace fathom::layers {
namespace {

using testing::expect_layer_contract;
using testing::expect_tensor_near;
using testing::expect_throws_with;
using testing::keras_pattern;
using testing::layer_spec;

Config sep_config(std::int64_t filters, Shape kernel_size, std::int64_t multiplier, const std::string& padding) {
  Config c = Config::map();
  c.set("filters", filters).set("kernel_size", Config(kernel_size)).set("depth_multiplier", multiplier);
  c.set("padding", padding);
  return c;
}

Tensor keras_separable(Config config) {
  auto layer = make_layer("SeparableConv2D", config);
  layer->build_from_shapes({{-1, 5, 5, 2}});
  layer->weight("depthwise_kernel").assign(keras_pattern({3, 3, 2, 2}, 5, 7, 3, 5));
  layer->weight("pointwise_kernel").assign(keras_pattern({1, 1, 4, 3}, 3, 5, 2, 4));
  layer->weight("bias").assign(Tensor::from_vector(std::vector<float>{0.1f, -0.2f, 0.3f}, {3}));
  return (*layer)(keras_pattern({1, 5, 5, 2}, 7, 11, 5, 4));
}

TEST(SeparableConv2DTest, SatisfiesLayerContract) {
  testing::LayerContractOptions o;
  o.weight_names = {"depthwise_kernel", "pointwise_kernel", "bias"};
  Config same = sep_config(3, {3, 3}, 2, "same");
  same.set("strides", Config(Shape{2, 2})).set("activation", "tanh");
  expect_layer_contract(layer_spec("SeparableConv2D", same), {{2, 5, 4, 2}}, {2, 3, 2, 3}, 3, o);
  Config dilated = sep_config(2, {2, 2}, 1, "valid");
  dilated.set("dilation_rate", Config(Shape{2, 2}))
      .set("pointwise_regularizer", "l2")
      .set("depthwise_regularizer", "l1");
  dilated.set("pointwise_constraint", "non_neg").set("activity_regularizer", "l2");
  expect_layer_contract(layer_spec("SeparableConv2D", dilated), {{1, 4, 3, 3}}, {1, 2, 1, 2}, 3, o);
}

TEST(SeparableConv2DTest, MatchesKeras) {
  Config strided = sep_config(3, {3, 3}, 2, "same");
  strided.set("strides", 2);
  expect_tensor_near(
      keras_separable(strided), {1, 3, 3, 3},
      {0.450000018,  -0.737500012,  0.4375,       0.599999964, -0.12499997,    -0.112500042, -0.11249999,
       -0.412500024, 0.712500036,   -0.112499975, -0.625,      0.725000024,    0.275000006,  -0.650000036,
       -0.275000036, -0.0999999866, 0.012500003,  0.550000012, 0.11249999,     0.37500006,   0.3125,
       0.0624999776, -0.612500012,  0.387500048,  0.575000048, 2.98023224e-08, -0.337500036},
      1e-5);
  Config dilated = sep_config(3, {3, 3}, 2, "valid");
  dilated.set("dilation_rate", 2);
  expect_tensor_near(keras_separable(dilated), {1, 1, 1, 3}, {-1.12500012, -0.6875, 1.36249995}, 1e-5);
  const Tensor same = keras_separable(sep_config(3, {3, 3}, 2, "same"));
  expect_tensor_near(
      ops::slice(same, {{}, {0, 1}}), {1, 1, 5, 3},
      {0.450000018, -0.737500012, 0.4375, 0.237499982, -0.474999964, 0.0500000417, 0.599999964, -0.12499997,
       -0.112500042, 0.550000012, -0.324999988, 0.412499994, -0.11249999, -0.412500024, 0.712500036},
      1e-5);
  expect_tensor_near(
      ops::slice(same, {{}, {4, 5}}), {1, 1, 5, 3},
      {0.11249999, 0.37500006, 0.3125, -0.0749999806, -0.099999994, 0.550000012, 0.0624999776, -0.612500012,
       0.387500048, 0.474999994, -0.712499976, 0.087500006, 0.575000048, 2.98023224e-08, -0.337500036},
      1e-5);
}

TEST(SeparableConv2DTest, ComputeOutputShapeAndConfig) {
  Config c = sep_config(4, {3, 2}, 2, "same");
  c.set("strides", Config(Shape{2, 1}));
  auto layer = make_layer("SeparableConv2D", c);
  EXPECT_EQ(layer->compute_output_shape({-1, 7, 6, 3}), (Shape{-1, 4, 6, 4}));
  EXPECT_EQ((*layer)(Tensor::ones({2, 1, 1, 3})).shape(), (Shape{2, 1, 1, 4})) << "1x1 input, same";
  EXPECT_EQ(layer->weight("pointwise_kernel").shape(), (Shape{1, 1, 6, 4}));
  const Config k3 = testing::parse_json(R"({"name": "separable_conv2d_3", "trainable": true, "dtype": {
      "module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
      "depth_multiplier": 1, "filters": 4, "kernel_size": [3, 3], "strides": [1, 1], "padding": "valid",
      "data_format": "channels_last", "dilation_rate": [1, 1], "activation": "linear", "use_bias": true,
      "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {},
      "registered_name": null}, "depthwise_regularizer": null, "pointwise_regularizer": null,
      "bias_regularizer": null, "activity_regularizer": null, "depthwise_constraint": null,
      "pointwise_constraint": null, "bias_constraint": null})");
  EXPECT_EQ(make_layer("SeparableConv2D", k3)->compute_output_shape({-1, 5, 6, 2}), (Shape{-1, 3, 4, 4}));
  EXPECT_EQ(make_layer("SeparableConvolution2D", k3)->class_name(), "SeparableConv2D");
}

TEST(SeparableConv2DTest, RejectsBadConfigsAndInputs) {
  expect_throws_with<ValueError>(
      [] {
        make_layer("SeparableConv2D", sep_config(0, {3, 3}, 1, "same"));
      },
      {"SeparableConv2D", "filters=0"});
  expect_throws_with<ValueError>(
      [] {
        make_layer("SeparableConv2D", sep_config(2, {3, 3}, -1, "same"));
      },
      {"SeparableConv2D", "depth_multiplier=-1"});
  expect_throws_with<ConfigError>(
      [] {
        make_layer("SeparableConv2D", sep_config(2, {3, 3}, 1, "causal"));
      },
      {"SeparableConv2D", "padding='causal'"});
  Config cf = sep_config(2, {3, 3}, 1, "same");
  cf.set("data_format", "channels_first");
  expect_throws_with<ConfigError>([&] { make_layer("SeparableConv2D", cf); }, {"SeparableConv2D", "channels_first"});
  Config named = sep_config(2, {3, 3}, 1, "valid");
  named.set("name", "sep");
  auto layer = make_layer("SeparableConv2D", named);
  expect_throws_with<ShapeError>(
      [&] {
        (*layer)(Tensor::ones({1, 5, 2, 2}));
      },
      {"SeparableConv2D 'sep'", "(3, 3)", "[None, 5, 2, 2]", "valid"});
}

}  // namespace
}  // namespace fathom::layers
