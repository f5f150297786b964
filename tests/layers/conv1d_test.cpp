// SPDX-License-Identifier: Apache-2.0
// Conv1D: the layer contract, forward values against Keras 3.15 (keras.layers.Conv1D with
// set_weights; tests/layers/data/make_conv_fixtures.py), Conv1D == Conv2D on [B, 1, L, C],
// output shapes, Keras configs and errors. Fixture: x = pattern([1, L, 2], 7, 11, 5, 4) with
// L = 7 and 6, kernel = pattern([k, 2, 3], 5, 7, 3, 5), bias = [0.1, -0.2, 0.3].
#include "layers/conv1d.h"

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

Config conv1d_config(std::int64_t filters, std::int64_t kernel_size, const std::string& padding = "valid") {
  Config c = Config::map();
  c.set("filters", filters).set("kernel_size", Config(Shape{kernel_size})).set("padding", padding);
  return c;
}

Tensor keras_conv1d(const Config& config, std::int64_t length) {
  auto layer = make_layer("Conv1D", config);
  const std::int64_t k = layer->get_config().at("kernel_size").as_shape()[0];
  layer->build_from_shapes({{-1, length, 2}});
  layer->weight("kernel").assign(keras_pattern({k, 2, 3}, 5, 7, 3, 5));
  layer->weight("bias").assign(Tensor::from_vector(std::vector<float>{0.1f, -0.2f, 0.3f}, {3}));
  return (*layer)(keras_pattern({1, length, 2}, 7, 11, 5, 4));
}

TEST(Conv1DTest, SatisfiesLayerContract) {
  testing::LayerContractOptions o;
  o.weight_names = {"kernel", "bias"};
  Config same = conv1d_config(3, 3, "same");
  same.set("activation", "tanh").set("strides", Config(Shape{2}));
  expect_layer_contract(layer_spec("Conv1D", same), {{2, 7, 2}}, {2, 4, 3}, 2, o);
  Config causal = conv1d_config(2, 2, "causal");
  causal.set("dilation_rate", Config(Shape{2})).set("activation", "sigmoid");
  expect_layer_contract(layer_spec("Conv1D", causal), {{2, 5, 3}}, {2, 5, 2}, 2, o);
  Config valid = conv1d_config(2, 3);
  valid.set("use_bias", false).set("kernel_regularizer", "l2").set("activity_regularizer", "l1");
  o.weight_names = {"kernel"};
  expect_layer_contract(layer_spec("Conv1D", valid), {{2, 6, 2}}, {2, 4, 2}, 1, o);
}

TEST(Conv1DTest, MatchesKerasValidAndDilated) {
  expect_tensor_near(keras_conv1d(conv1d_config(3, 3), 7), {1, 5, 3},
                     {0.50000006, -0.649999976, 1.10000002, 0.0500000194, 0.300000012, -0.400000036, 0.150000006,
                      -0.950000048, 0.850000024, -0.850000024, 0.550000012, 1, 0.349999994, 0.400000036, -0.5},
                     1e-5);
  Config dilated = conv1d_config(3, 3);
  dilated.set("dilation_rate", 2);
  expect_tensor_near(keras_conv1d(dilated, 6), {1, 2, 3},
                     {0.700000048, -0.049999997, 0.350000024, -0.849999964, -0.200000018, 1.5999999}, 1e-5);
  Config dilated_same = conv1d_config(3, 2, "same");
  dilated_same.set("dilation_rate", 2);
  expect_tensor_near(keras_conv1d(dilated_same, 7), {1, 7, 3},
                     {0.200000003,  -0.399999976, 0.850000024, 0.600000024, -0.25,       0.0500000119, -0.299999982,
                      -0.25,        0.949999988,  0.450000018, -0.25,       0.200000018, -0.450000018, 0.850000083,
                      -0.550000012, 0.300000012,  -0.25,       0.350000024, 0.75000006,  -1.05000007,  0.0500000119},
                     1e-5);
}

TEST(Conv1DTest, MatchesKerasSameWithStride2OnOddAndEvenLengths) {
  Config c = conv1d_config(3, 3, "same");
  c.set("strides", 2);
  expect_tensor_near(keras_conv1d(c, 7), {1, 4, 3},
                     {0.75000006, 0.450000048, -0.0999999642, 0.0500000194, 0.300000012, -0.400000036, -0.850000024,
                      0.550000012, 1, 0.650000036, -1.1500001, -0.0500000119},
                     1e-5);
  expect_tensor_near(keras_conv1d(c, 6), {1, 3, 3},
                     {0.50000006, -0.649999976, 1.10000002, 0.150000006, -0.950000048, 0.850000024, 0.450000018,
                      0.50000006, -0.400000036},
                     1e-5);
  // Even kernel: the odd padded cell goes after.
  Config even = conv1d_config(3, 4, "same");
  even.set("strides", 2);
  expect_tensor_near(keras_conv1d(even, 7), {1, 4, 3},
                     {1.35000014, 0.200000033, -0.149999976, -1, 0.400000036, -0.200000048, -0.25000003, 0.450000048,
                      0.900000036, 0.650000036, -1.1500001, -0.0500000119},
                     1e-5);
  expect_tensor_near(
      keras_conv1d(even, 6), {1, 3, 3},
      {1.35000014, 0.200000033, -0.149999976, -1, 0.400000036, -0.200000048, -0.850000024, 0.550000012, 1}, 1e-5);
}

TEST(Conv1DTest, MatchesKerasCausal) {
  Config c = conv1d_config(3, 3, "causal");
  c.set("dilation_rate", 2);
  expect_tensor_near(keras_conv1d(c, 7), {1, 7, 3},
                     {0.0500000045, 0.049999997,  0.850000024,  0.5,          -0.100000001, 0.100000024,  0.100000009,
                      0.300000012,  0.25000003,   0.400000006,  -0.599999964, 0.25,         0.700000048,  -0.049999997,
                      0.350000024,  -0.849999964, -0.200000018, 1.5999999,    0.349999994,  -0.350000024, 0.100000009},
                     1e-5);
  Config strided = conv1d_config(3, 2, "causal");
  strided.set("strides", 2);
  expect_tensor_near(keras_conv1d(strided, 7), {1, 4, 3},
                     {0.349999994, 0.350000024, 0.100000024, -0.149999976, 0.5, 0.199999988, -0.300000042, 0.5,
                      0.350000024, 0.650000036, -1.1500001, -0.0500000119},
                     1e-5);
  expect_tensor_near(
      keras_conv1d(strided, 6), {1, 3, 3},
      {0.349999994, 0.350000024, 0.100000024, -0.149999976, 0.5, 0.199999988, -0.300000042, 0.5, 0.350000024}, 1e-5);
}

TEST(Conv1DTest, CausalOutputIgnoresTheFuture) {
  auto layer = make_layer("Conv1D", conv1d_config(2, 3, "causal"));
  Tensor x = keras_pattern({1, 6, 2}, 7, 11, 5, 4);
  const auto before = (*layer)(x).to_vector<float>();
  x.data<float>()[4 * 2] += 10.0f;  // step 4 changes: outputs 0..3 must not
  const auto after = (*layer)(x).to_vector<float>();
  for (int i = 0; i < 4 * 2; ++i) EXPECT_EQ(before[i], after[i]) << i;
  EXPECT_NE(before[4 * 2], after[4 * 2]);
}

TEST(Conv1DTest, OneStepInputWithSamePadding) {
  auto layer = make_layer("Conv1D", conv1d_config(3, 3, "same"));
  layer->build_from_shapes({{-1, 1, 2}});
  layer->weight("kernel").assign(keras_pattern({3, 2, 3}, 5, 7, 3, 5));
  layer->weight("bias").assign(Tensor::from_vector(std::vector<float>{0.1f, -0.2f, 0.3f}, {3}));
  expect_tensor_near((*layer)(keras_pattern({2, 1, 2}, 7, 11, 5, 4)), {2, 1, 3},
                     {0.349999994, 0.350000024, 0.100000024, 0.200000003, -0.399999976, 0.850000024}, 1e-5);
}

// Conv1D on [B, L, C] equals Conv2D with kernel (1, k) on [B, 1, L, C], for every padding but causal.
TEST(Conv1DTest, EqualsConv2DOnARowImage) {
  struct Case {
    std::int64_t k, stride, dilation;
    const char* padding;
  };
  for (const Case& t : {Case{3, 1, 1, "valid"}, Case{3, 2, 1, "same"}, Case{4, 2, 1, "same"}, Case{2, 1, 3, "same"},
                        Case{3, 1, 2, "valid"}}) {
    SCOPED_TRACE(std::string(t.padding) + " k=" + std::to_string(t.k) + " s=" + std::to_string(t.stride) +
                 " d=" + std::to_string(t.dilation));
    Config c1 = conv1d_config(4, t.k, t.padding);
    c1.set("strides", t.stride).set("dilation_rate", t.dilation);
    Config c2 = Config::map();
    c2.set("filters", 4).set("kernel_size", Config(Shape{1, t.k})).set("padding", t.padding);
    c2.set("strides", Config(Shape{1, t.stride})).set("dilation_rate", Config(Shape{1, t.dilation}));
    auto conv1 = make_layer("Conv1D", c1);
    auto conv2 = make_layer("Conv2D", c2);
    conv1->build_from_shapes({{-1, 9, 3}});  // random kernel
    conv1->weight("bias").assign(ops::cast(testing::uniform_f64({4}, -1, 1, 8), DType::kFloat32));
    conv2->build_from_shapes({{-1, 1, 9, 3}});
    conv2->weight("kernel").assign(ops::reshape(conv1->weight("kernel"), {1, t.k, 3, 4}));
    conv2->weight("bias").assign(conv1->weight("bias"));
    const Tensor x = ops::cast(testing::uniform_f64({3, 9, 3}, -1, 1, 7), DType::kFloat32);
    const Tensor y1 = (*conv1)(x);
    const Tensor y2 = (*conv2)(ops::reshape(x, {3, 1, 9, 3}));
    ASSERT_EQ(y2.shape(), (Shape{3, 1, y1.shape()[1], 4}));
    expect_tensor_near(y1, y1.shape(), ops::cast(ops::reshape(y2, y1.shape()), DType::kFloat64).to_vector<double>(),
                       1e-6);
  }
}

TEST(Conv1DTest, ComputeOutputShape) {
  Config c = conv1d_config(4, 3, "same");
  c.set("strides", 2);
  auto same = make_layer("Conv1D", c);
  EXPECT_EQ(same->compute_output_shape({-1, 7, 3}), (Shape{-1, 4, 4}));
  EXPECT_EQ(same->compute_output_shape({-1, 6, 3}), (Shape{-1, 3, 4}));
  EXPECT_EQ(same->compute_output_shape({2, -1, 3}), (Shape{2, -1, 4})) << "unknown steps stay unknown";
  Config causal = conv1d_config(4, 5, "causal");
  causal.set("strides", 3);
  EXPECT_EQ(make_layer("Conv1D", causal)->compute_output_shape({2, 7, 3}), (Shape{2, 3, 4}));
  EXPECT_EQ((*make_layer("Conv1D", causal))(Tensor::ones({2, 7, 3})).shape(), (Shape{2, 3, 4}));
  EXPECT_EQ((*make_layer("Conv1D", conv1d_config(2, 1)))(Tensor::ones({2, 1, 3})).shape(), (Shape{2, 1, 2}));
}

TEST(Conv1DTest, LoadsKerasConfigs) {
  // Keras 3.15's get_config (minus kernel_initializer, see RegistryTest.LoadsDenseConfigWrittenByKeras315).
  const Config k3 = testing::parse_json(R"({"name": "conv1d_15", "trainable": true, "dtype": {"module": "keras",
      "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "filters": 4,
      "kernel_size": [3], "strides": [1], "padding": "causal", "data_format": "channels_last", "dilation_rate": [1],
      "groups": 1, "activation": "linear", "use_bias": true, "bias_initializer": {"module": "keras.initializers",
      "class_name": "Zeros", "config": {}, "registered_name": null}, "kernel_regularizer": null,
      "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null})");
  auto layer = make_layer("Conv1D", k3);
  EXPECT_EQ(layer->name(), "conv1d_15");
  EXPECT_EQ(layer->get_config().get<std::string>("padding"), "causal");
  EXPECT_EQ(layer->get_config().at("kernel_size").as_shape(), (Shape{3}));
  // Keras 2 (tf.keras 2.x): dtype as a string, batch_input_shape, initializers without module.
  const Config k2 = testing::parse_json(R"({"name": "conv1d", "trainable": true, "batch_input_shape": [null, 10, 2],
      "dtype": "float32", "filters": 4, "kernel_size": [3], "strides": [2], "padding": "same",
      "data_format": "channels_last", "dilation_rate": [1], "groups": 1, "activation": "relu", "use_bias": true,
      "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}},
      "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": null,
      "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null})");
  auto layer2 = make_layer("Conv1D", k2);
  EXPECT_EQ(layer2->declared_input_shape().value(), (Shape{-1, 10, 2}));
  EXPECT_EQ(layer2->compute_output_shape({-1, 10, 2}), (Shape{-1, 5, 4}));
  // The keras.layers alias makes the same layer.
  EXPECT_EQ(make_layer("Convolution1D", conv1d_config(2, 3))->class_name(), "Conv1D");
}

TEST(Conv1DTest, RejectsBadConfigs) {
  Config groups = conv1d_config(4, 3);
  groups.set("groups", 2);
  expect_throws_with<ConfigError>([&] { make_layer("Conv1D", groups); }, {"Conv1D", "groups=2", "only groups=1"});
  Config cf = conv1d_config(4, 3);
  cf.set("data_format", "channels_first");
  expect_throws_with<ConfigError>([&] { make_layer("Conv1D", cf); }, {"Conv1D", "channels_first"});
  expect_throws_with<ConfigError>([] { make_layer("Conv1D", conv1d_config(4, 3, "full")); },
                                  {"Conv1D", "'valid', 'same' or 'causal'", "padding='full'"});
  Config pair = conv1d_config(4, 3);
  pair.set("kernel_size", Config(Shape{3, 3}));
  expect_throws_with<ConfigError>([&] { make_layer("Conv1D", pair); }, {"Conv1D", "kernel_size", "[3, 3]"});
  expect_throws_with<ValueError>([] { make_layer("Conv1D", conv1d_config(0, 3)); }, {"Conv1D", "filters=0"});
  expect_throws_with<ValueError>([] { make_layer("Conv1D", conv1d_config(2, 0)); }, {"Conv1D", "kernel_size"});
  Config both = conv1d_config(4, 3);
  both.set("strides", 2).set("dilation_rate", 2);
  expect_throws_with<ValueError>([&] { make_layer("Conv1D", both); }, {"Conv1D", "strides > 1", "dilation_rate > 1"});
  expect_throws_with<ConfigError>([] { make_layer("Conv1D", Config::map().set("filters", 2)); },
                                  {"Conv1D", "kernel_size is required"});
}

TEST(Conv1DTest, RejectsBadInputs) {
  Config c = conv1d_config(2, 4);
  c.set("name", "c1").set("dilation_rate", 2);
  auto layer = make_layer("Conv1D", c);
  expect_throws_with<ShapeError>(
      [&] {
        (*layer)(Tensor::ones({1, 6, 2}));
      },
      {"Conv1D 'c1'", "kernel_size 4", "dilation_rate 2", "[None, 6, 2]", "valid"});
  expect_throws_with<ShapeError>(
      [&] {
        (*layer)(Tensor::ones({1, 1, 8, 2}));
      },
      {"Conv1D 'c1'", "rank 3", "[None, 1, 8, 2]"});
  auto ok = make_layer("Conv1D", conv1d_config(2, 1));
  (*ok)(Tensor::ones({1, 4, 2}));
  expect_throws_with<ShapeError>([&] { (*ok)(Tensor::ones({1, 4, 3})); }, {"conv1d"});
}

}  // namespace
}  // namespace fathom::layers
