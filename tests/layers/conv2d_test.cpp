// SPDX-License-Identifier: Apache-2.0
// Conv2D: the layer contract, forward values against Keras 3 (keras.layers.Conv2D with
// set_weights), output shapes, errors. Fixture: x = pattern([1, 5, 5, 2], 7, 11, 5, 4),
// kernel = pattern([kh, kw, 2, 2], 5, 7, 3, 5), bias = [0.1, -0.2].
#include "layers/conv2d.h"

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

Config conv_config(std::int64_t filters, Shape kernel_size, const std::string& padding = "valid") {
  Config c = Config::map();
  c.set("filters", filters).set("kernel_size", Config(kernel_size)).set("padding", padding);
  return c;
}

Tensor keras_conv(Config config, std::int64_t kh, std::int64_t kw) {
  auto layer = make_layer("Conv2D", config);
  layer->build_from_shapes({{-1, 5, 5, 2}});
  layer->weight("kernel").assign(keras_pattern({kh, kw, 2, 2}, 5, 7, 3, 5));
  layer->weight("bias").assign(Tensor::from_vector(std::vector<float>{0.1f, -0.2f}, {2}));
  return (*layer)(keras_pattern({1, 5, 5, 2}, 7, 11, 5, 4));
}

TEST(Conv2DTest, SatisfiesLayerContract) {
  testing::LayerContractOptions o;
  o.weight_names = {"kernel", "bias"};
  Config c = conv_config(3, {3, 3}, "same");
  c.set("activation", "tanh");
  expect_layer_contract(layer_spec("Conv2D", c), {{2, 5, 4, 2}}, {2, 5, 4, 3}, 2, o);
  Config strided = conv_config(2, {2, 3});
  strided.set("strides", Config(Shape{2, 1})).set("activation", "sigmoid");
  expect_layer_contract(layer_spec("Conv2D", strided), {{2, 5, 5, 3}}, {2, 2, 3, 2}, 2, o);
  Config dilated = conv_config(2, {2, 2}, "same");
  dilated.set("dilation_rate", Config(Shape{2, 2})).set("use_bias", false).set("name", "dil");
  o.weight_names = {"kernel"};
  expect_layer_contract(layer_spec("Conv2D", dilated), {{1, 4, 5, 2}}, {1, 4, 5, 2}, 1, o);
}

TEST(Conv2DTest, ContractWithRegularizersAndConstraints) {
  Config c = conv_config(2, {3, 3}, "same");
  c.set("strides", Config(Shape{2, 2})).set("activation", "tanh");
  c.set("kernel_regularizer", "l2").set("bias_regularizer", "l1").set("kernel_constraint", "max_norm");
  expect_layer_contract(layer_spec("Conv2D", c), {{2, 5, 5, 2}}, {2, 3, 3, 2}, 2);
}

TEST(Conv2DTest, MatchesKerasValid) {
  expect_tensor_near(keras_conv(conv_config(2, {3, 3}), 3, 3), {1, 3, 3, 2},
                     {0.800000012, -4.75, 3.4000001, -1.75000024, 1.05000007, 1.25000012, 3.35000014, 1.45000005,
                      -0.100000001, 2.25000024, -4.0999999, -1.35000014, -5.10000038, 0.5, 0.800000012, -4.75,
                      3.4000001, -1.75000024},
                     1e-5);
}

TEST(Conv2DTest, MatchesKerasSameWithStride2OnOddSize) {
  Config c = conv_config(2, {3, 3}, "same");
  c.set("strides", 2);
  expect_tensor_near(keras_conv(c, 3, 3), {1, 3, 3, 2},
                     {1.55000019, 1.5, -3.10000038, -0.400000095, 1.25000012, -0.100000009, 1.60000014,
                      0.600000083, -0.100000001, 2.25000024, 1.25000012, -1.05000007, -1.10000002, -2.25000024,
                      2.25, 1.4000001, -2.60000038, -0.200000033},
                     1e-5);
}

TEST(Conv2DTest, MatchesKerasDilation2) {
  Config c = conv_config(2, {3, 3});
  c.set("dilation_rate", 2);
  expect_tensor_near(keras_conv(c, 3, 3), {1, 1, 1, 2}, {2.14999986, -0.349999964}, 1e-5);
  // keras.layers.Conv2D(2, (2, 3), padding="same", dilation_rate=2): uneven same padding.
  Config same = conv_config(2, {2, 3}, "same");
  same.set("dilation_rate", Config(Shape{2, 2}));
  expect_tensor_near(
      keras_conv(same, 2, 3), {1, 5, 5, 2},
      {-0.799999952, -1.10000002, 0.349999994, -0.049999997, 0.550000012, -1.10000002, 1.10000002, -1.49011612e-08,
       -0.400000006, -0.550000012, 0.100000009, -1.25, -0.0999999866, -0.600000024, 1.29999995, -0.349999964,
       7.4505806e-09, -0.5, -1.64999998, -0.25, 0.75000006, 0.899999917, -1.10000002, -0.100000009, 0.949999928,
       0.350000024, 3.7252903e-08, -1.45000017, 0.550000012, 1, -0.25000003, 1.4000001, 0.100000009, -1.25,
       0.049999997, -0.600000024, 2.19999981, -0.199999958, 7.4505806e-09, -0.5, -0.25000003, -1.1500001,
       0.600000024, 0.650000036, 0.399999976, 0.100000069, 0.950000048, 0.300000012, -0.849999964, -0.550000012},
      1e-5);
}

TEST(Conv2DTest, ComputeOutputShape) {
  Config c = conv_config(4, {3, 3}, "same");
  c.set("strides", 2);
  auto same = make_layer("Conv2D", c);
  EXPECT_EQ(same->compute_output_shape({-1, 7, 6, 3}), (Shape{-1, 4, 3, 4}));
  EXPECT_EQ(same->compute_output_shape({2, 1, 1, 3}), (Shape{2, 1, 1, 4})) << "1x1 input, same";
  EXPECT_EQ(same->compute_output_shape({2, -1, 5, 3}), (Shape{2, -1, 3, 4})) << "unknown dims stay unknown";
  auto valid = make_layer("Conv2D", conv_config(4, {1, 1}));
  EXPECT_EQ(valid->compute_output_shape({2, 1, 1, 3}), (Shape{2, 1, 1, 4})) << "1x1 input, 1x1 kernel";
  Config dil = conv_config(4, {3, 2});
  dil.set("dilation_rate", 2);
  EXPECT_EQ(make_layer("Conv2D", dil)->compute_output_shape({2, 7, 6, 3}), (Shape{2, 3, 4, 4}));
  // And the actual outputs agree, 1x1 input with same padding included.
  EXPECT_EQ((*same)(Tensor::ones({2, 1, 1, 3})).shape(), (Shape{2, 1, 1, 4}));
  EXPECT_EQ((*make_layer("Conv2D", dil))(Tensor::ones({2, 7, 6, 3})).shape(), (Shape{2, 3, 4, 4}));
}

TEST(Conv2DTest, RejectsChannelsFirst) {
  Config c = conv_config(2, {3, 3});
  c.set("data_format", "channels_first");
  expect_throws_with<ConfigError>([&] { make_layer("Conv2D", c); }, {"Conv2D", "channels_first"});
}

TEST(Conv2DTest, RejectsGroups) {
  Config c = conv_config(2, {3, 3});
  c.set("groups", 2);
  expect_throws_with<ConfigError>([&] { make_layer("Conv2D", c); }, {"Conv2D", "groups=2", "not supported yet"});
}

TEST(Conv2DTest, RejectsZeroFilters) {
  expect_throws_with<ValueError>([] { make_layer("Conv2D", conv_config(0, {3, 3})); }, {"Conv2D", "filters=0"});
}

TEST(Conv2DTest, RejectsKernelLargerThanValidInput) {
  Config c = conv_config(2, {3, 3});
  c.set("name", "c1");
  auto layer = make_layer("Conv2D", c);
  expect_throws_with<ShapeError>([&] { (*layer)(Tensor::ones({1, 2, 5, 2})); },
                                 {"Conv2D 'c1'", "(3, 3)", "[None, 2, 5, 2]", "valid"});
  expect_throws_with<ShapeError>([&] { layer->compute_output_shape({-1, 5, 2, 2}); }, {"Conv2D 'c1'", "[None, 5, 2, 2]"});
}

TEST(Conv2DTest, RejectsBadPaddingAndRank) {
  expect_throws_with<ConfigError>([] { make_layer("Conv2D", conv_config(2, {3, 3}, "causal")); },
                                  {"Conv2D", "padding", "causal"});
  auto layer = make_layer("Conv2D", conv_config(2, {1, 1}));
  expect_throws_with<ShapeError>([&] { (*layer)(Tensor::ones({2, 3, 4})); }, {"Conv2D", "rank 4", "[None, 3, 4]"});
}

}  // namespace
}  // namespace fathom::layers
