// SPDX-License-Identifier: Apache-2.0
// GlobalAveragePooling1D/2D and GlobalMaxPooling1D/2D: the layer contract, values against Keras
// 3.15 (tests/layers/data/make_conv_fixtures.py), keepdims, GlobalAveragePooling1D's mask, configs
// and errors. Fixture: x1 = pattern([2, 3, 2], 7, 11, 5, 4), x2 = pattern([2, 3, 2, 2], 7, 11, 5, 4).
#include "layers/global_pooling.h"

#include <gtest/gtest.h>

#include <cmath>

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

Config keepdims(bool k) {
  Config c = Config::map();
  c.set("keepdims", k);
  return c;
}

TEST(GlobalPoolingTest, SatisfiesLayerContract) {
  for (bool k : {false, true}) {
    SCOPED_TRACE(k ? "keepdims" : "no keepdims");
    expect_layer_contract(layer_spec("GlobalAveragePooling1D", keepdims(k)), {{2, 4, 3}},
                          k ? Shape{2, 1, 3} : Shape{2, 3}, 0);
    expect_layer_contract(layer_spec("GlobalMaxPooling1D", keepdims(k)), {{2, 4, 3}}, k ? Shape{2, 1, 3} : Shape{2, 3},
                          0);
    expect_layer_contract(layer_spec("GlobalAveragePooling2D", keepdims(k)), {{2, 3, 2, 3}},
                          k ? Shape{2, 1, 1, 3} : Shape{2, 3}, 0);
    expect_layer_contract(layer_spec("GlobalMaxPooling2D", keepdims(k)), {{2, 3, 2, 3}},
                          k ? Shape{2, 1, 1, 3} : Shape{2, 3}, 0);
  }
}

TEST(GlobalPoolingTest, MatchesKeras) {
  const Tensor x1 = keras_pattern({2, 3, 2}, 7, 11, 5, 4);
  const Tensor x2 = keras_pattern({2, 3, 2, 2}, 7, 11, 5, 4);
  expect_tensor_near((*make_layer("GlobalAveragePooling1D", Config::map()))(x1), {2, 2},
                     {-0.5, 0.333333343, -0.0833333358, -0.166666672});
  expect_tensor_near((*make_layer("GlobalMaxPooling1D", Config::map()))(x1), {2, 2}, {0.25, 1.25, 1, 0.75});
  expect_tensor_near((*make_layer("GlobalAveragePooling2D", Config::map()))(x2), {2, 2},
                     {-0.291666657, 0.0833333358, 0.0833333358, 0});
  expect_tensor_near((*make_layer("GlobalMaxPooling2D", Config::map()))(x2), {2, 2}, {1, 1.25, 1.25, 1});
  expect_tensor_near((*make_layer("GlobalMaxPooling2D", keepdims(true)))(x2), {2, 1, 1, 2}, {1, 1.25, 1.25, 1});
}

Tensor mask_of(const std::vector<float>& values, const Shape& shape) {
  const Tensor t = Tensor::from_vector(values, shape);
  return ops::not_equal(t, ops::scalar_like(t, 0.0));
}

TEST(GlobalAveragePooling1DTest, HonoursTheMaskAsKeras3) {
  auto layer = make_layer("GlobalAveragePooling1D", Config::map());
  const Tensor x1 = keras_pattern({2, 3, 2}, 7, 11, 5, 4);
  const Tensor mask = mask_of({1, 0, 1, 0, 1, 1}, {2, 3});
  Tensor out_mask = Tensor::ones({1});
  expect_tensor_near(layer->call_with_mask(x1, mask, false, &out_mask), {2, 2}, {-0.5, -0.125, -0.625, -0.25});
  EXPECT_FALSE(out_mask.defined()) << "the global pooling layers do not pass a mask on";
  EXPECT_TRUE(layer->supports_masking());
  // keepdims, and a float mask (Keras casts it to bool).
  auto kept = make_layer("GlobalAveragePooling1D", keepdims(true));
  const Tensor fmask = Tensor::from_vector(std::vector<float>{1, 0, 1, 0, 1, 1}, {2, 3});
  expect_tensor_near(kept->call_with_mask(x1, fmask, false, nullptr), {2, 1, 2}, {-0.5, -0.125, -0.625, -0.25});
  // The masked steps get no gradient; the kept ones 1 / count.
  const Tensor xd = testing::uniform_f64({2, 3, 2}, -1, 1, 5);
  EXPECT_TRUE(testing::gradients_match(
      [&](const TensorList& in) { return layer->call_with_mask(in[0], mask, false, nullptr); }, {xd}));
  GradientTape tape;
  tape.watch(xd);
  const Tensor g = tape.gradient(ops::sum(layer->call_with_mask(xd, mask, false, nullptr)), {xd})[0];
  expect_tensor_near(g, {2, 3, 2}, {0.5, 0.5, 0, 0, 0.5, 0.5, 0, 0, 0.5, 0.5, 0.5, 0.5});
  // A fully masked row is 0 / 0 = NaN, as Keras.
  const auto nan_row =
      layer->call_with_mask(x1, mask_of({0, 0, 0, 1, 1, 1}, {2, 3}), false, nullptr).to_vector<float>();
  EXPECT_TRUE(std::isnan(nan_row[0]) && std::isnan(nan_row[1]));
  EXPECT_FLOAT_EQ(nan_row[2], -0.0833333358f);
  // Without a mask: the plain mean.
  expect_tensor_near(layer->call_with_mask(x1, Tensor(), false, nullptr), {2, 2},
                     {-0.5, 0.333333343, -0.0833333358, -0.166666672});
}

TEST(GlobalPoolingTest, OtherGlobalLayersIgnoreAndDropTheMask) {
  auto layer = make_layer("GlobalMaxPooling1D", Config::map());
  const Tensor x1 = keras_pattern({2, 3, 2}, 7, 11, 5, 4);
  Tensor out_mask = Tensor::ones({1});
  expect_tensor_near(layer->call_with_mask(x1, mask_of({1, 0, 1, 0, 1, 1}, {2, 3}), false, &out_mask), {2, 2},
                     {0.25, 1.25, 1, 0.75});
  EXPECT_FALSE(out_mask.defined());
  EXPECT_FALSE(layer->supports_masking());
}

TEST(GlobalPoolingTest, ConfigsAndAliases) {
  const Config k3 = testing::parse_json(R"({"name": "global_max_pooling2d_1", "trainable": true, "dtype": {
      "module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
      "data_format": "channels_last", "keepdims": true})");
  auto layer = make_layer("GlobalMaxPooling2D", k3);
  EXPECT_EQ(layer->name(), "global_max_pooling2d_1");
  EXPECT_EQ(layer->compute_output_shape({-1, 5, 4, 3}), (Shape{-1, 1, 1, 3}));
  EXPECT_EQ(layer->get_config(), make_layer("GlobalMaxPooling2D", layer->get_config())->get_config());
  // Keras 2 configs: data_format only.
  Config k2 = Config::map();
  k2.set("data_format", "channels_last").set("name", "gap");
  EXPECT_EQ(make_layer("GlobalAveragePooling1D", k2)->compute_output_shape({-1, 5, 3}), (Shape{-1, 3}));
  const std::vector<std::pair<std::string, std::string>> aliases = {{"GlobalAvgPool1D", "GlobalAveragePooling1D"},
                                                                    {"GlobalAvgPool2D", "GlobalAveragePooling2D"},
                                                                    {"GlobalMaxPool1D", "GlobalMaxPooling1D"},
                                                                    {"GlobalMaxPool2D", "GlobalMaxPooling2D"}};
  for (const auto& [alias, name] : aliases) EXPECT_EQ(make_layer(alias, Config::map())->class_name(), name);
  EXPECT_EQ(make_layer("GlobalAveragePooling2D", Config::map())->name().rfind("global_average_pooling2d", 0), 0u);
}

TEST(GlobalPoolingTest, Errors) {
  Config cf = Config::map();
  cf.set("data_format", "channels_first");
  expect_throws_with<ConfigError>([&] { make_layer("GlobalAveragePooling2D", cf); },
                                  {"GlobalAveragePooling2D", "channels_first"});
  Config named = Config::map();
  named.set("name", "g");
  auto layer = make_layer("GlobalAveragePooling1D", named);
  expect_throws_with<ShapeError>(
      [&] {
        (*layer)(Tensor::ones({2, 3, 4, 5}));
      },
      {"GlobalAveragePooling1D 'g'", "rank 3", "[None, 3, 4, 5]"});
  expect_throws_with<ShapeError>(
      [&] {
        make_layer("GlobalMaxPooling2D", Config::map())->compute_output_shape({2, 3});
      },
      {"GlobalMaxPooling2D", "rank 4"});
  auto fresh = make_layer("GlobalAveragePooling1D", named);
  expect_throws_with<ShapeError>(
      [&] {
        fresh->call_with_mask(Tensor::ones({2, 3, 4}), mask_of({1, 1, 1, 1}, {2, 2}), false, nullptr);
      },
      {"GlobalAveragePooling1D 'g'", "mask", "[2, 2]", "[2, 3]"});
  Config bad = Config::map();
  bad.set("keepdim", true);
  expect_throws_with<ConfigError>([&] { make_layer("GlobalMaxPooling1D", bad); }, {"GlobalMaxPooling1D", "keepdim"});
}

}  // namespace
}  // namespace fathom::layers
