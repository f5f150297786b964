// SPDX-License-Identifier: Apache-2.0
// Conv2DTranspose: the layer contract, forward values against Keras 3.15 (tensorflow backend,
// tests/layers/data/make_conv_fixtures.py), output shapes (Keras's deconv_output_length),
// configs and errors. Fixture: x = pattern([1, H, W, 2], 7, 11, 5, 4), kernel =
// pattern([kh, kw, 2, 2], 5, 7, 3, 5) (Keras order [kh, kw, filters, in]), bias = [0.1, -0.2].
#include "layers/conv2d_transpose.h"

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

Config deconv_config(Shape kernel_size, Shape strides, const std::string& padding) {
  Config c = Config::map();
  c.set("filters", 2).set("kernel_size", Config(kernel_size)).set("strides", Config(strides)).set("padding", padding);
  return c;
}

Tensor keras_deconv(const Config& config, const Shape& x_shape) {
  auto layer = make_layer("Conv2DTranspose", config);
  const Shape k = layer->get_config().at("kernel_size").as_shape();
  layer->build_from_shapes({{-1, x_shape[1], x_shape[2], 2}});
  layer->weight("kernel").assign(keras_pattern({k[0], k[1], 2, 2}, 5, 7, 3, 5));
  layer->weight("bias").assign(Tensor::from_vector(std::vector<float>{0.1f, -0.2f}, {2}));
  return (*layer)(keras_pattern(x_shape, 7, 11, 5, 4));
}

TEST(Conv2DTransposeTest, SatisfiesLayerContract) {
  testing::LayerContractOptions o;
  o.weight_names = {"kernel", "bias"};
  Config same = deconv_config({3, 3}, {2, 2}, "same");
  same.set("activation", "tanh");
  expect_layer_contract(layer_spec("Conv2DTranspose", same), {{2, 3, 2, 2}}, {2, 6, 4, 2}, 2, o);
  Config valid = deconv_config({2, 3}, {2, 1}, "valid");
  valid.set("output_padding", Config(Shape{1, 0})).set("filters", 3);
  expect_layer_contract(layer_spec("Conv2DTranspose", valid), {{1, 2, 3, 2}}, {1, 5, 5, 3}, 2, o);
  Config dilated = deconv_config({2, 2}, {1, 1}, "same");
  dilated.set("dilation_rate", Config(Shape{2, 2})).set("use_bias", false).set("kernel_regularizer", "l2");
  o.weight_names = {"kernel"};
  expect_layer_contract(layer_spec("Conv2DTranspose", dilated), {{2, 3, 3, 1}}, {2, 3, 3, 2}, 1, o);
}

TEST(Conv2DTransposeTest, MatchesKerasStride2Same) {
  expect_tensor_near(keras_deconv(deconv_config({3, 3}, {2, 2}, "same"), {1, 3, 3, 2}), {1, 6, 6, 2},
                     {1.04999995,
                      -0.400000006,
                      -0.549999952,
                      -0.25,
                      0.400000006,
                      0.100000009,
                      0.0499999933,
                      -0.850000024,
                      -0.550000012,
                      1.04999995,
                      0.100000009,
                      0.200000003,
                      -0.25,
                      0.75,
                      -0.100000001,
                      -0.849999964,
                      -0.300000012,
                      0.100000009,
                      -0.400000006,
                      -0.25,
                      -0.350000024,
                      -0.850000024,
                      0.400000006,
                      -0.200000003,
                      0.299999982,
                      -0.550000012,
                      1.6500001,
                      -0.600000024,
                      1.70000029,
                      -1.30000019,
                      0.449999988,
                      -0.949999988,
                      -1.25000012,
                      0.699999988,
                      -0.75,
                      0.900000036,
                      0.300000012,
                      -0.800000012,
                      0.100000001,
                      0.400000036,
                      -0.450000018,
                      1.10000002,
                      -0.200000018,
                      -0.650000036,
                      0.0499999896,
                      -0.949999988,
                      0.600000024,
                      -0.600000024,
                      -0.799999952,
                      0.200000003,
                      -0.300000012,
                      1.49011612e-08,
                      1.10000002,
                      -1.35000002,
                      1.80000007,
                      -0.899999976,
                      0.350000024,
                      -1.00000012,
                      -0.5,
                      -0.150000006,
                      0.300000012,
                      -0.699999988,
                      0.300000012,
                      1.49011612e-08,
                      0.5,
                      -0.649999976,
                      0,
                      0.600000024,
                      -0.649999976,
                      1.14999998,
                      -0.300000012,
                      -0.449999988},
                     1e-5);
  // Even kernel: the forward conv's odd padded cell is after, so the transposed one crops before.
  expect_tensor_near(keras_deconv(deconv_config({4, 4}, {2, 2}, "same"), {1, 3, 3, 2}), {1, 6, 6, 2},
                     {0.0499999896,
                      -0.699999988,
                      0.400000006,
                      -0.600000024,
                      0.400000006,
                      -0.600000024,
                      1.35000002,
                      -0.550000012,
                      1.30000007,
                      -0.600000024,
                      -0.450000018,
                      0,
                      0.200000018,
                      0.400000036,
                      1,
                      -0.600000024,
                      -0.549999952,
                      -0.75,
                      -1,
                      2.35000014,
                      -1.04999995,
                      0.900000036,
                      0.200000003,
                      -1.30000007,
                      0.700000048,
                      -0.150000006,
                      -0.300000042,
                      -0.849999964,
                      -0.450000018,
                      -1,
                      2.6500001,
                      -1.35000002,
                      1.20000005,
                      -1.05000007,
                      -1,
                      0.300000012,
                      0.700000048,
                      -0.399999976,
                      -0.599999964,
                      -1.6500001,
                      0.700000048,
                      0.350000083,
                      0.700000107,
                      0.750000119,
                      -0.350000024,
                      -2.39999986,
                      -2.23517418e-08,
                      0.350000083,
                      -0.0999999866,
                      0.200000003,
                      -1.35000002,
                      0.400000036,
                      0.650000095,
                      -0.0500000119,
                      1.05000007,
                      -0.650000036,
                      -2.0999999,
                      -0.650000036,
                      0.650000095,
                      -0.0500000268,
                      0.300000012,
                      -0.699999988,
                      1.10000002,
                      -1.10000002,
                      0.800000012,
                      -0.349999964,
                      0.0500000045,
                      -1.30000007,
                      -0.300000012,
                      1.5,
                      -0.25000003,
                      0.650000036},
                     1e-5);
  expect_tensor_near(
      keras_deconv(deconv_config({2, 3}, {2, 1}, "same"), {1, 2, 3, 2}), {1, 4, 3, 2},
      {0.25000003,   -0.75,       -0.899999976, 0.249999985,  -0.100000001, 1.14999998,   -0.450000018, -0.0499999672,
       -0.25000003,  -1.20000005, -0.25000003,  -0.400000006, 1.60000002,   -0.699999988, -0.300000012, -0.350000024,
       -0.699999988, 1.45000005,  -0.25,        1.29999995,   -0.200000018, -0.600000024, 0.349999994,  -1},
      1e-5);
}

TEST(Conv2DTransposeTest, MatchesKerasStride2Valid) {
  expect_tensor_near(keras_deconv(deconv_config({3, 3}, {2, 2}, "valid"), {1, 3, 3, 2}), {1, 7, 7, 2},
                     {1.04999995,
                      -0.400000006,
                      -0.549999952,
                      -0.25,
                      0.400000006,
                      0.100000009,
                      0.0499999933,
                      -0.850000024,
                      -0.550000012,
                      1.04999995,
                      0.100000009,
                      0.200000003,
                      0.200000003,
                      -0.75,
                      -0.25,
                      0.75,
                      -0.100000001,
                      -0.849999964,
                      -0.300000012,
                      0.100000009,
                      -0.400000006,
                      -0.25,
                      -0.350000024,
                      -0.850000024,
                      0.400000006,
                      -0.200000003,
                      0.5,
                      -0.100000001,
                      0.299999982,
                      -0.550000012,
                      1.6500001,
                      -0.600000024,
                      1.70000029,
                      -1.30000019,
                      0.449999988,
                      -0.949999988,
                      -1.25000012,
                      0.699999988,
                      -0.75,
                      0.900000036,
                      7.4505806e-09,
                      -0.450000048,
                      0.300000012,
                      -0.800000012,
                      0.100000001,
                      0.400000036,
                      -0.450000018,
                      1.10000002,
                      -0.200000018,
                      -0.650000036,
                      0.0499999896,
                      -0.949999988,
                      0.600000024,
                      -0.600000024,
                      0.900000036,
                      -0.300000012,
                      -0.799999952,
                      0.200000003,
                      -0.300000012,
                      1.49011612e-08,
                      1.10000002,
                      -1.35000002,
                      1.80000007,
                      -0.899999976,
                      0.350000024,
                      -1.00000012,
                      -0.5,
                      -0.150000006,
                      -0.600000024,
                      1.5,
                      0.300000012,
                      -0.699999988,
                      0.300000012,
                      1.49011612e-08,
                      0.5,
                      -0.649999976,
                      0,
                      0.600000024,
                      -0.649999976,
                      1.14999998,
                      -0.300000012,
                      -0.449999988,
                      -0.350000024,
                      -0.5,
                      -0.400000006,
                      0,
                      -0.400000006,
                      0,
                      -0.0499999747,
                      0.200000003,
                      -0.549999952,
                      -0.300000012,
                      1.80000007,
                      -0.949999988,
                      0.950000048,
                      -0.600000024,
                      -0.150000006,
                      -0.650000036},
                     1e-5);
  // Kernel smaller than the stride: output (in - 1) * s + max(k, s), the gaps hold the bias.
  const Tensor gaps = keras_deconv(deconv_config({2, 2}, {3, 3}, "valid"), {1, 3, 3, 2});
  ASSERT_EQ(gaps.shape(), (Shape{1, 9, 9, 2}));
  const auto g = gaps.to_vector<float>();
  const std::vector<double> first_row = {1.04999995,   -0.400000006, -0.549999952, -0.25,        0.100000001,
                                         -0.200000003, 0.900000036,  -0.699999988, 0.0499999933, -0.850000024,
                                         0.100000001,  -0.200000003, -0.350000024, 0.100000009,  0.100000009,
                                         0.200000003,  0.100000001,  -0.200000003};
  for (std::size_t i = 0; i < first_row.size(); ++i) EXPECT_NEAR(g[i], first_row[i], 1e-5) << i;
  for (std::size_t i = 2 * 18; i < 3 * 18; i += 2) {  // row 2 is all gap: bias only
    EXPECT_NEAR(g[i], 0.1, 1e-6);
    EXPECT_NEAR(g[i + 1], -0.2, 1e-6);
  }
  EXPECT_NEAR(g[8 * 18 + 16], 0.1, 1e-6);
  EXPECT_NEAR(g[7 * 18 + 14], -0.25000003, 1e-5);
}

TEST(Conv2DTransposeTest, MatchesKerasOutputPadding) {
  Config same0 = deconv_config({3, 3}, {2, 2}, "same");
  same0.set("output_padding", 0);
  expect_tensor_near(keras_deconv(same0, {1, 3, 3, 2}), {1, 5, 5, 2},
                     {-0.100000001, -0.849999964,   -0.300000012, 0.100000009,  -0.400000006,
                      -0.25,        -0.350000024,   -0.850000024, 0.400000006,  -0.200000003,
                      1.6500001,    -0.600000024,   1.70000029,   -1.30000019,  0.449999988,
                      -0.949999988, -1.25000012,    0.699999988,  -0.75,        0.900000036,
                      0.100000001,  0.400000036,    -0.450000018, 1.10000002,   -0.200000018,
                      -0.650000036, 0.0499999896,   -0.949999988, 0.600000024,  -0.600000024,
                      -0.300000012, 1.49011612e-08, 1.10000002,   -1.35000002,  1.80000007,
                      -0.899999976, 0.350000024,    -1.00000012,  -0.5,         -0.150000006,
                      0.300000012,  1.49011612e-08, 0.5,          -0.649999976, 0,
                      0.600000024,  -0.649999976,   1.14999998,   -0.300000012, -0.449999988},
                     1e-5);
  Config same1 = deconv_config({3, 3}, {2, 2}, "same");
  same1.set("output_padding", 1);
  const Tensor a = keras_deconv(same1, {1, 3, 3, 2});
  const Tensor b = keras_deconv(deconv_config({3, 3}, {2, 2}, "same"), {1, 3, 3, 2});
  EXPECT_EQ(a.to_vector<float>(), b.to_vector<float>()) << "odd kernel, stride 2: output_padding 1 is the default";
  Config valid1 = deconv_config({2, 2}, {2, 2}, "valid");
  valid1.set("output_padding", 1);
  expect_tensor_near(keras_deconv(valid1, {1, 3, 3, 2}), {1, 7, 7, 2},
                     {1.04999995,
                      -0.400000006,
                      -0.549999952,
                      -0.25,
                      0.900000036,
                      -0.699999988,
                      0.0499999933,
                      -0.850000024,
                      -0.350000024,
                      0.100000009,
                      0.100000009,
                      0.200000003,
                      0.100000001,
                      -0.200000003,
                      -0.400000006,
                      0.600000024,
                      -0.25,
                      0.75,
                      -0.100000001,
                      0.75000006,
                      -0.25,
                      0.600000024,
                      0.200000003,
                      -0.75,
                      0.300000012,
                      -0.650000036,
                      0.100000001,
                      -0.200000003,
                      -0.5,
                      -0.200000003,
                      0.700000048,
                      -0.400000006,
                      1,
                      -0.5,
                      -0.350000024,
                      -0.449999988,
                      -0.25,
                      0.300000012,
                      -0.300000012,
                      0.600000024,
                      0.100000001,
                      -0.200000003,
                      0.5,
                      -0.600000024,
                      0.300000012,
                      -0.800000012,
                      -0.300000012,
                      0.650000036,
                      -0.25,
                      0.700000048,
                      0,
                      -0.850000024,
                      0.300000012,
                      -0.550000012,
                      0.100000001,
                      -0.200000003,
                      -0.400000006,
                      0,
                      0.300000012,
                      1.49011612e-08,
                      -0.549999952,
                      -0.300000012,
                      0.900000036,
                      -0.600000024,
                      0.950000048,
                      -0.600000024,
                      -0.150000006,
                      -0.650000036,
                      0.100000001,
                      -0.200000003,
                      0.300000012,
                      -0.699999988,
                      0.300000012,
                      -0.699999988,
                      0.600000024,
                      -0.550000012,
                      0.300000012,
                      -0.849999964,
                      -0.200000018,
                      0.700000048,
                      -0.25000003,
                      0.650000036,
                      0.100000001,
                      -0.200000003,
                      0.100000001,
                      -0.200000003,
                      0.100000001,
                      -0.200000003,
                      0.100000001,
                      -0.200000003,
                      0.100000001,
                      -0.200000003,
                      0.100000001,
                      -0.200000003,
                      0.100000001,
                      -0.200000003,
                      0.100000001,
                      -0.200000003},
                     1e-5);
}

TEST(Conv2DTransposeTest, MatchesKerasDilation2) {
  Config valid = deconv_config({2, 2}, {1, 1}, "valid");
  valid.set("dilation_rate", 2);
  expect_tensor_near(keras_deconv(valid, {1, 3, 3, 2}), {1, 5, 5, 2},
                     {1.04999995,
                      -0.400000006,
                      0.900000036,
                      -0.699999988,
                      -1,
                      0.049999997,
                      0.0499999933,
                      -0.850000024,
                      0.100000009,
                      0.200000003,
                      -0.5,
                      -0.200000003,
                      1,
                      -0.5,
                      0.350000024,
                      0.100000009,
                      -0.350000024,
                      -0.449999988,
                      -0.300000012,
                      0.600000024,
                      -0.899999976,
                      0.800000012,
                      -0.75,
                      0.650000036,
                      0.900000095,
                      -7.4505806e-08,
                      0.550000072,
                      0.200000003,
                      0.0500000045,
                      -1.10000002,
                      0.5,
                      -0.600000024,
                      -0.300000012,
                      0.650000036,
                      0.200000003,
                      -1.45000005,
                      -0.25,
                      0.700000048,
                      0.300000012,
                      -0.550000012,
                      0.300000012,
                      -0.699999988,
                      0.600000024,
                      -0.550000012,
                      -7.4505806e-09,
                      0.200000033,
                      0.300000012,
                      -0.849999964,
                      -0.25000003,
                      0.650000036},
                     1e-5);
  Config same = deconv_config({2, 2}, {1, 1}, "same");
  same.set("dilation_rate", 2);
  expect_tensor_near(
      keras_deconv(same, {1, 3, 3, 2}), {1, 3, 3, 2},
      {1, -0.5, 0.349999994, 0.100000009, -0.350000024, -0.449999988, -0.75, 0.650000036, 0.900000095, -4.47034836e-08,
       0.550000072, 0.200000003, -0.300000012, 0.650000036, 0.200000003, -1.45000005, -0.25, 0.700000048},
      1e-5);
}

TEST(Conv2DTransposeTest, MatchesKerasOnOneByOneInput) {
  expect_tensor_near(keras_deconv(deconv_config({3, 3}, {2, 2}, "same"), {1, 1, 1, 2}), {1, 2, 2, 2},
                     {1.04999995, -0.400000006, -0.549999952, -0.25, -0.25, 0.75, -0.100000001, -0.849999964}, 1e-5);
  expect_tensor_near(keras_deconv(deconv_config({3, 3}, {2, 2}, "valid"), {1, 1, 1, 2}), {1, 3, 3, 2},
                     {1.04999995, -0.400000006, -0.549999952, -0.25, -0.400000006, 0.600000024, -0.25, 0.75,
                      -0.100000001, -0.849999964, 0.0499999896, -0.699999988, 0.900000036, -0.550000012, 1.04999995,
                      -0.400000006, -0.549999952, -0.25},
                     1e-5);
}

TEST(Conv2DTransposeTest, ComputeOutputShape) {
  const auto shape = [](Config c, const Shape& in) {
    return make_layer("Conv2DTranspose", c)->compute_output_shape(in);
  };
  EXPECT_EQ(shape(deconv_config({3, 3}, {2, 2}, "same"), {-1, 4, 5, 1}), (Shape{-1, 8, 10, 2}));
  EXPECT_EQ(shape(deconv_config({3, 3}, {2, 2}, "valid"), {-1, 4, 5, 1}), (Shape{-1, 9, 11, 2}));
  EXPECT_EQ(shape(deconv_config({2, 2}, {3, 3}, "valid"), {2, 4, 5, 1}), (Shape{2, 12, 15, 2}));
  EXPECT_EQ(shape(deconv_config({3, 3}, {2, 2}, "same"), {2, -1, 5, 1}), (Shape{2, -1, 10, 2}));
  Config op = deconv_config({3, 4}, {3, 3}, "same");
  op.set("output_padding", Config(Shape{2, 1}));
  EXPECT_EQ(shape(op, {2, 4, 5, 1}), (Shape{2, 12, 13, 2})) << "(in - 1) * s + k % 2 + output_padding";
  EXPECT_EQ((*make_layer("Conv2DTranspose", op))(Tensor::ones({2, 4, 5, 1})).shape(), (Shape{2, 12, 13, 2}));
  Config op_valid = deconv_config({3, 2}, {2, 3}, "valid");
  op_valid.set("output_padding", Config(Shape{1, 2}));
  EXPECT_EQ(shape(op_valid, {2, 4, 5, 1}), (Shape{2, 10, 16, 2}));
  EXPECT_EQ((*make_layer("Conv2DTranspose", op_valid))(Tensor::ones({2, 4, 5, 1})).shape(), (Shape{2, 10, 16, 2}));
}

TEST(Conv2DTransposeTest, LoadsKerasConfigs) {
  const Config k3 = testing::parse_json(R"({"name": "conv2d_transpose_12", "trainable": true, "dtype": {
      "module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
      "filters": 4, "kernel_size": [3, 3], "strides": [2, 2], "padding": "valid", "output_padding": [1, 1],
      "data_format": "channels_last", "dilation_rate": [1, 1], "activation": "linear", "use_bias": true,
      "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null,
      "bias_constraint": null})");
  auto layer = make_layer("Conv2DTranspose", k3);
  EXPECT_EQ(layer->get_config().at("output_padding").as_shape(), (Shape{1, 1}));
  EXPECT_EQ(layer->compute_output_shape({-1, 3, 3, 5}), (Shape{-1, 8, 8, 4}));
  EXPECT_TRUE(make_layer("Conv2DTranspose", deconv_config({2, 2}, {1, 1}, "same"))
                  ->get_config()
                  .at("output_padding")
                  .is_null());
  // Keras 2 configs carry "groups": 1; the keras.layers alias makes the same class.
  Config k2 = deconv_config({3, 3}, {2, 2}, "same");
  k2.set("groups", 1).set("data_format", Config());
  EXPECT_EQ(make_layer("Convolution2DTranspose", k2)->class_name(), "Conv2DTranspose");
}

TEST(Conv2DTransposeTest, RejectsBadConfigsAndInputs) {
  Config op = deconv_config({3, 3}, {2, 2}, "same");
  op.set("output_padding", 2);
  expect_throws_with<ValueError>([&] { make_layer("Conv2DTranspose", op); },
                                 {"Conv2DTranspose", "output_padding=(2, 2)", "strides=(2, 2)", "strictly less"});
  Config cf = deconv_config({3, 3}, {2, 2}, "same");
  cf.set("data_format", "channels_first");
  expect_throws_with<ConfigError>([&] { make_layer("Conv2DTranspose", cf); }, {"Conv2DTranspose", "channels_first"});
  Config groups = deconv_config({3, 3}, {1, 1}, "same");
  groups.set("groups", 2);
  expect_throws_with<ConfigError>([&] { make_layer("Conv2DTranspose", groups); }, {"Conv2DTranspose", "groups=2"});
  expect_throws_with<ConfigError>(
      [] {
        make_layer("Conv2DTranspose", deconv_config({3, 3}, {1, 1}, "causal"));
      },
      {"Conv2DTranspose", "padding='causal'"});
  Config both = deconv_config({3, 3}, {2, 2}, "same");
  both.set("dilation_rate", 2);
  expect_throws_with<ValueError>([&] { make_layer("Conv2DTranspose", both); },
                                 {"Conv2DTranspose", "dilation_rate > 1"});
  Config zero = deconv_config({3, 3}, {1, 1}, "same");
  zero.set("filters", 0);
  expect_throws_with<ValueError>([&] { make_layer("Conv2DTranspose", zero); }, {"Conv2DTranspose", "filters=0"});
  auto layer = make_layer("Conv2DTranspose", deconv_config({3, 3}, {1, 1}, "same"));
  expect_throws_with<ShapeError>(
      [&] {
        (*layer)(Tensor::ones({2, 3, 4}));
      },
      {"Conv2DTranspose", "rank 4", "[None, 3, 4]"});
}

}  // namespace
}  // namespace fathom::layers
