// SPDX-License-Identifier: Apache-2.0
// DepthwiseConv2D: the layer contract, forward values against Keras 3.15
// (tests/layers/data/make_conv_fixtures.py), output shapes, configs and errors. Fixture:
// x = pattern([1, H, W, 2], 7, 11, 5, 4), depthwise kernel = pattern([kh, kw, 2, M], 5, 7, 3, 5),
// bias = [0.1, -0.2, 0.3, -0.4][:2 * M].
#include "layers/depthwise_conv2d.h"

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

Config dw_config(Shape kernel_size, std::int64_t multiplier, const std::string& padding = "valid") {
  Config c = Config::map();
  c.set("kernel_size", Config(kernel_size)).set("depth_multiplier", multiplier).set("padding", padding);
  return c;
}

Tensor keras_depthwise(const Config& config, const Shape& x_shape) {
  auto layer = make_layer("DepthwiseConv2D", config);
  const Shape k = layer->get_config().at("kernel_size").as_shape();
  const std::int64_t m = layer->get_config().get<std::int64_t>("depth_multiplier");
  layer->build_from_shapes({{-1, x_shape[1], x_shape[2], 2}});
  layer->weight("depthwise_kernel").assign(keras_pattern({k[0], k[1], 2, m}, 5, 7, 3, 5));
  const std::vector<float> bias = {0.1f, -0.2f, 0.3f, -0.4f};
  layer->weight("bias").assign(Tensor::from_vector(std::vector<float>(bias.begin(), bias.begin() + 2 * m), {2 * m}));
  return (*layer)(keras_pattern(x_shape, 7, 11, 5, 4));
}

TEST(DepthwiseConv2DTest, SatisfiesLayerContract) {
  testing::LayerContractOptions o;
  o.weight_names = {"depthwise_kernel", "bias"};
  Config same = dw_config({3, 3}, 2, "same");
  same.set("strides", Config(Shape{2, 2})).set("activation", "tanh");
  expect_layer_contract(layer_spec("DepthwiseConv2D", same), {{2, 5, 4, 3}}, {2, 3, 2, 6}, 2, o);
  Config dilated = dw_config({2, 3}, 1);
  dilated.set("dilation_rate", Config(Shape{2, 2})).set("depthwise_regularizer", "l2").set("bias_regularizer", "l1");
  dilated.set("depthwise_constraint", "max_norm").set("activity_regularizer", "l2");
  expect_layer_contract(layer_spec("DepthwiseConv2D", dilated), {{2, 4, 5, 2}}, {2, 2, 1, 2}, 2, o);
  Config no_bias = dw_config({1, 1}, 3);
  no_bias.set("use_bias", false);
  o.weight_names = {"depthwise_kernel"};
  expect_layer_contract(layer_spec("DepthwiseConv2D", no_bias), {{1, 1, 1, 2}}, {1, 1, 1, 6}, 1, o);
}

TEST(DepthwiseConv2DTest, MatchesKeras) {
  expect_tensor_near(
      keras_depthwise(dw_config({3, 3}, 2), {1, 5, 5, 2}), {1, 3, 3, 4},
      {0.50000006,  -1.85000002,  0.600000024,  -3.30000019, 2.1500001,   -1.4000001,   1.54999995,  -0.75,
       1.05000007,  0.150000021,  0.300000012,  0.700000048, 2.14999986,  -0.150000051, 1.5,         1.20000017,
       0.50000006,  0.850000083,  -0.300000012, 1.00000012,  -2.80000043, 0.200000003,  -1,          -1.95000005,
       -2.80000019, -0.100000009, -2,           0.200000018, 0.50000006,  -1.85000002,  0.600000024, -3.30000019,
       2.1500001,   -1.4000001,   1.54999995,   -0.75},
      1e-5);
  expect_tensor_near(
      keras_depthwise(dw_config({3, 3}, 1, "same"), {1, 5, 5, 2}), {1, 5, 5, 2},
      {-0.0500000045,   0.249999985,  -0.300000042,   -1,           -0.75,        -1.14999998,  1.55000007,
       1.44999993,      -0.649999976, -0.800000012,   -0.950000048, -0.75,        1.64999998,   -1.49011612e-08,
       1.75000012,      2.20000005,   -1.44999993,    -1.6500001,   -0.899999976, -0.950000048, 1.80000007,
       1.29999995,      0.50000006,   4.47034836e-08, -1.05000007,  -1.10000002,  -1.49999988,  -1.64999998,
       1.60000014,      1.39999998,   -0.949999928,   -1.05000007,  -1.20000005,  -1.10000002,  1.64999998,
       -1.49011612e-08, 1.75000012,   2.20000005,     -0.850000024, -1.20000005,  -0.350000024, -0.900000036,
       1.80000007,      1.39999986,   0.550000072,    0.450000048,  -0.699999988, -1.05000007,  -0.449999958,
       -1.25000012},
      1e-5);
}

TEST(DepthwiseConv2DTest, MatchesKerasStride2SameOnOddAndEvenSizes) {
  Config c = dw_config({3, 3}, 2, "same");
  c.set("strides", 2);
  expect_tensor_near(
      keras_depthwise(c, {1, 5, 5, 2}), {1, 3, 3, 4},
      {0.650000036, 0.600000024,  1.20000005,    0.5,           -1.60000002, -0.150000021, -1.20000005, -0.650000036,
       0.600000024, -0.449999988, 0.950000048,   -0.0499999821, 0.850000024, -0.24999997,  1.04999995,  0.450000018,
       0.50000006,  0.850000083,  -0.300000012,  1.00000012,    0.550000012, -0.5,         1,           -0.950000048,
       -0.75,       -0.850000024, -0.0500000119, -1.80000007,   1.30000007,  0.449999988,  1.25,        0.550000072,
       -1.20000005, 0.149999991,  -1.10000014,   -0.75000006},
      1e-5);
  expect_tensor_near(
      keras_depthwise(c, {1, 4, 4, 2}), {1, 2, 2, 4},
      {1.10000002, -1.10000014, -0.800000131, -1.40000021, 1.10000002, -0.549999952, 0.700000048, -0.400000006,
       0.550000012, -1.10000002, -0.600000024, 0, -0.899999976, 0.049999997, 0.650000036, -0.450000018},
      1e-5);
}

TEST(DepthwiseConv2DTest, MatchesKerasDilation2) {
  Config c = dw_config({2, 3}, 2);
  c.set("dilation_rate", 2);
  expect_tensor_near(keras_depthwise(c, {1, 5, 5, 2}), {1, 3, 1, 4},
                     {0.550000012, -1.20000005, 1.04999995, 0.450000018, 0.950000048, 0.400000036, 0.299999982,
                      -0.450000048, -0.300000012, 0.350000083, 0.650000036, -1.35000002},
                     1e-5);
}

TEST(DepthwiseConv2DTest, ComputeOutputShape) {
  Config c = dw_config({3, 3}, 3, "same");
  c.set("strides", 2);
  auto layer = make_layer("DepthwiseConv2D", c);
  EXPECT_EQ(layer->compute_output_shape({-1, 7, 6, 2}), (Shape{-1, 4, 3, 6}));
  EXPECT_EQ(layer->compute_output_shape({2, 1, 1, 2}), (Shape{2, 1, 1, 6})) << "1x1 input, same";
  EXPECT_EQ((*layer)(Tensor::ones({2, 1, 1, 2})).shape(), (Shape{2, 1, 1, 6}));
  EXPECT_EQ(make_layer("DepthwiseConv2D", dw_config({2, 2}, 1))->compute_output_shape({2, 4, 3, 5}),
            (Shape{2, 3, 2, 5}));
}

TEST(DepthwiseConv2DTest, LoadsKerasConfigs) {
  const Config k3 = testing::parse_json(R"({"name": "depthwise_conv2d_5", "trainable": true, "dtype": {
      "module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
      "depth_multiplier": 2, "kernel_size": [3, 3], "strides": [1, 1], "padding": "valid",
      "data_format": "channels_last", "dilation_rate": [1, 1], "activation": "linear", "use_bias": true,
      "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {},
      "registered_name": null}, "depthwise_regularizer": null, "bias_regularizer": null, "activity_regularizer": null,
      "depthwise_constraint": null, "bias_constraint": null})");
  auto layer = make_layer("DepthwiseConv2D", k3);
  EXPECT_EQ(layer->name(), "depthwise_conv2d_5");
  EXPECT_EQ(layer->compute_output_shape({-1, 5, 5, 3}), (Shape{-1, 3, 3, 6}));
  // tf.keras 2.x writes "groups": 1 into DepthwiseConv2D configs (Keras 3 rejects it; Fathom loads it).
  const Config k2 = testing::parse_json(R"({"name": "depthwise_conv2d", "trainable": true, "dtype": "float32",
      "kernel_size": [3, 3], "strides": [1, 1], "padding": "same", "data_format": "channels_last",
      "dilation_rate": [1, 1], "groups": 1, "activation": "linear", "use_bias": false, "bias_initializer":
      {"class_name": "Zeros", "config": {}}, "bias_regularizer": null, "activity_regularizer": null,
      "bias_constraint": null, "depth_multiplier": 1, "depthwise_initializer": {"class_name": "GlorotUniform",
      "config": {"seed": null}}, "depthwise_regularizer": null, "depthwise_constraint": null})");
  auto layer2 = make_layer("DepthwiseConv2D", k2);
  (*layer2)(Tensor::ones({1, 4, 4, 3}));
  EXPECT_EQ(layer2->weights().size(), 1u);
  EXPECT_EQ(layer2->weight("depthwise_kernel").shape(), (Shape{3, 3, 3, 1}));
}

TEST(DepthwiseConv2DTest, RejectsBadConfigsAndInputs) {
  expect_throws_with<ValueError>(
      [] {
        make_layer("DepthwiseConv2D", dw_config({3, 3}, 0));
      },
      {"DepthwiseConv2D", "depth_multiplier=0"});
  Config cf = dw_config({3, 3}, 1);
  cf.set("data_format", "channels_first");
  expect_throws_with<ConfigError>([&] { make_layer("DepthwiseConv2D", cf); }, {"DepthwiseConv2D", "channels_first"});
  Config groups = dw_config({3, 3}, 1);
  groups.set("groups", 3);
  expect_throws_with<ConfigError>([&] { make_layer("DepthwiseConv2D", groups); }, {"DepthwiseConv2D", "groups=3"});
  Config kernel = dw_config({3, 3}, 1);
  kernel.set("kernel_initializer", "ones");
  expect_throws_with<ConfigError>([&] { make_layer("DepthwiseConv2D", kernel); },
                                  {"DepthwiseConv2D", "kernel_initializer"});
  Config both = dw_config({3, 3}, 1);
  both.set("strides", 2).set("dilation_rate", 2);
  expect_throws_with<ValueError>([&] { make_layer("DepthwiseConv2D", both); },
                                 {"DepthwiseConv2D", "dilation_rate > 1"});
  Config named = dw_config({3, 3}, 1);
  named.set("name", "dw");
  auto layer = make_layer("DepthwiseConv2D", named);
  expect_throws_with<ShapeError>(
      [&] {
        (*layer)(Tensor::ones({1, 2, 5, 2}));
      },
      {"DepthwiseConv2D 'dw'", "(3, 3)", "[None, 2, 5, 2]", "valid"});
  expect_throws_with<ShapeError>([&] { (*layer)(Tensor::ones({1, 5, 2})); }, {"DepthwiseConv2D 'dw'", "rank 4"});
}

}  // namespace
}  // namespace fathom::layers
