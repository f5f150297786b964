// SPDX-License-Identifier: Apache-2.0
// InputLayer: the shape keys Keras 2 and 3 write, pass-through, and shape errors.
#include "layers/input_layer.h"

#include <gtest/gtest.h>

#include "layers/registry.h"
#include "tests/support/layer_contract.h"

namespace fathom::layers {
namespace {

using testing::expect_layer_contract;
using testing::expect_throws_with;
using testing::layer_spec;

Config shape_config(const char* key, const Shape& shape) {
  Config c = Config::map();
  c.set(key, shape);
  return c;
}

TEST(InputLayerTest, SatisfiesLayerContract) {
  expect_layer_contract(layer_spec("InputLayer", shape_config("batch_shape", {-1, 3, 2})),
                        {{2, 3, 2}}, {2, 3, 2}, 0);
  // (shape and batch_input_shape are aliases that get_config writes as batch_shape, as Keras 3.)
}

TEST(InputLayerTest, AcceptsEveryShapeKey) {
  auto keras3 = make_layer("InputLayer", shape_config("batch_shape", {-1, 3}));
  auto keras2 = make_layer("InputLayer", shape_config("batch_input_shape", {-1, 3}));
  Config shape = shape_config("shape", {3});
  shape.set("batch_size", 8);
  auto with_batch = make_layer("InputLayer", shape);
  EXPECT_EQ(dynamic_cast<InputLayer&>(*keras3).batch_shape(), (Shape{-1, 3}));
  EXPECT_EQ(dynamic_cast<InputLayer&>(*keras2).batch_shape(), (Shape{-1, 3}));
  EXPECT_EQ(dynamic_cast<InputLayer&>(*with_batch).batch_shape(), (Shape{8, 3}));
  EXPECT_EQ(keras3->declared_input_shape(), (std::optional<Shape>{Shape{-1, 3}}));
  EXPECT_EQ(keras3->get_config().at("batch_shape"), Config(Shape{-1, 3}));
}

TEST(InputLayerTest, PassesItsInputThrough) {
  auto layer = make_layer("InputLayer", shape_config("batch_shape", {-1, 2}));
  const Tensor x = testing::keras_pattern({3, 2}, 7, 11, 5, 4);
  EXPECT_EQ((*layer)(x).to_vector<float>(), x.to_vector<float>());
}

TEST(InputLayerTest, RejectsAnInputOfAnotherShape) {
  Config c = shape_config("batch_shape", {-1, 3});
  c.set("name", "pixels");
  auto layer = make_layer("InputLayer", c);
  expect_throws_with<ShapeError>(
      [&] {
        (*layer)(Tensor::ones({2, 4}));
      },
      {"InputLayer 'pixels'", "[None, 3]"});
  Config fixed = shape_config("batch_shape", {4, 3});
  fixed.set("name", "fixed");
  auto batch = make_layer("InputLayer", fixed);
  expect_throws_with<ShapeError>(
      [&] {
        (*batch)(Tensor::ones({2, 3}));
      },
      {"InputLayer 'fixed'", "[4, 3]", "[2, 3]"});
}

TEST(InputLayerTest, RejectsMissingShapeAndUnsupportedInputs) {
  expect_throws_with<ConfigError>([] { make_layer("InputLayer", Config::map()); },
                                  {"InputLayer", "batch_shape"});
  Config sparse = shape_config("batch_shape", {-1, 3});
  sparse.set("sparse", true);
  expect_throws_with<ConfigError>([&] { make_layer("InputLayer", sparse); },
                                  {"InputLayer", "sparse"});
  Config typo = shape_config("batch_shape", {-1, 3});
  typo.set("batch_shap", Shape{-1, 3});
  expect_throws_with<ConfigError>([&] { make_layer("InputLayer", typo); },
                                  {"InputLayer", "unknown key 'batch_shap'"});
}

}  // namespace
}  // namespace fathom::layers
