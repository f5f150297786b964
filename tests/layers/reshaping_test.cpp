// SPDX-License-Identifier: Apache-2.0
// Flatten, Reshape, Permute, RepeatVector: contract, values against Keras 3.15.1, errors.
// Reference numbers: tests/layers/data/make_keras_fixtures.py (reshaping()).
#include "layers/reshaping.h"

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

Config one(const char* key, Config value) {
  Config c = Config::map();
  c.set(key, std::move(value));
  return c;
}

// x = pattern([2, 3, 4], 7, 11, 5, 4): the Keras outputs of Flatten and Reshape are its values in
// order.
const std::vector<double> kX = {-1.25, 0.5,  -0.5,  1.25,  0.25, -0.75, 1,     0,
                                -1,    0.75, -0.25, -1.25, 0.5,  -0.5,  1.25,  0.25,
                                -0.75, 1,    0,     -1,    0.75, -0.25, -1.25, 0.5};

TEST(FlattenTest, SatisfiesLayerContract) {
  expect_layer_contract(layer_spec("Flatten"), {{2, 3, 4}}, {2, 12}, 0);
  expect_layer_contract(layer_spec("Flatten"), {{3, 2, 2, 2}}, {3, 8}, 0);
  expect_layer_contract(layer_spec("Flatten", one("data_format", "channels_last")), {{2, 5}},
                        {2, 5}, 0);
}

TEST(FlattenTest, MatchesKeras) {
  auto layer = make_layer("Flatten", Config::map());
  expect_tensor_near((*layer)(keras_pattern({2, 3, 4}, 7, 11, 5, 4)), {2, 12}, kX, 0, 0);
  EXPECT_EQ(layer->compute_output_shape({-1, 3, -1}), (Shape{-1, -1}))
      << "unknown dims stay unknown";
}

TEST(FlattenTest, RejectsChannelsFirst) {
  expect_throws_with<ConfigError>(
      [] { make_layer("Flatten", one("data_format", "channels_first")); },
      {"Flatten", "channels_first"});
}

TEST(ReshapeTest, SatisfiesLayerContract) {
  expect_layer_contract(layer_spec("Reshape", one("target_shape", Shape{-1})), {{2, 3, 4}}, {2, 12},
                        0);
  expect_layer_contract(layer_spec("Reshape", one("target_shape", Shape{4, 3})), {{2, 3, 4}},
                        {2, 4, 3}, 0);
  expect_layer_contract(layer_spec("Reshape", one("target_shape", Shape{2, -1, 3})), {{2, 12}},
                        {2, 2, 2, 3}, 0);
}

TEST(ReshapeTest, MatchesKerasWithInferredDim) {
  const Tensor x = keras_pattern({2, 3, 4}, 7, 11, 5, 4);
  // keras.layers.Reshape((-1,)) and Reshape((-1, 2)).
  expect_tensor_near((*make_layer("Reshape", one("target_shape", Shape{-1})))(x), {2, 12}, kX, 0,
                     0);
  expect_tensor_near((*make_layer("Reshape", one("target_shape", Shape{-1, 2})))(x), {2, 6, 2}, kX,
                     0, 0);
  auto layer = make_layer("Reshape", one("target_shape", Shape{-1, 2}));
  EXPECT_EQ(layer->compute_output_shape({-1, 3, 4}), (Shape{-1, 6, 2}));
}

TEST(ReshapeTest, RejectsImpossibleTarget) {
  Config c = one("target_shape", Shape{5});
  c.set("name", "rs");
  auto layer = make_layer("Reshape", c);
  expect_throws_with<ShapeError>(
      [&] {
        (*layer)(Tensor::ones({2, 3, 4}));
      },
      {"Reshape 'rs'", "cannot reshape", "[5]"});
  auto inferred = make_layer("Reshape", one("target_shape", Shape{5, -1}));
  expect_throws_with<ShapeError>(
      [&] {
        (*inferred)(Tensor::ones({2, 3, 4}));
      },
      {"Reshape", "cannot reshape"});
  expect_throws_with<ValueError>(
      [] {
        make_layer("Reshape", one("target_shape", Shape{-1, -1}));
      },
      {"Reshape", "at most one -1"});
}

TEST(PermuteTest, SatisfiesLayerContract) {
  expect_layer_contract(layer_spec("Permute", one("dims", Shape{2, 1})), {{2, 3, 4}}, {2, 4, 3}, 0);
  expect_layer_contract(layer_spec("Permute", one("dims", Shape{3, 1, 2})), {{2, 2, 3, 4}},
                        {2, 4, 2, 3}, 0);
}

TEST(PermuteTest, MatchesKeras) {
  expect_tensor_near(
      (*make_layer("Permute", one("dims", Shape{2, 1})))(keras_pattern({2, 3, 4}, 7, 11, 5, 4)),
      {2, 4, 3}, {-1.25, 0.25,  -1,   0.5,  -0.75, 0.75,  -0.5, 1, -0.25, 1.25, 0,  -1.25,
                  0.5,   -0.75, 0.75, -0.5, 1,     -0.25, 1.25, 0, -1.25, 0.25, -1, 0.5},
      0, 0);
  expect_tensor_near((*make_layer("Permute", one("dims", Shape{3, 1, 2})))(
                         keras_pattern({1, 2, 3, 2}, 5, 13, 6, 4)),
                     {1, 2, 2, 3},
                     {-1.5, 1, 0.25, -0.5, -1.25, 1.25, -0.25, -1, 1.5, 0.75, 0, -0.75}, 0, 0);
}

TEST(PermuteTest, RejectsBadDimsAndRank) {
  expect_throws_with<ValueError>(
      [] {
        make_layer("Permute", one("dims", Shape{1, 3}));
      },
      {"Permute", "permutation"});
  expect_throws_with<ValueError>(
      [] {
        make_layer("Permute", one("dims", Shape{0, 1}));
      },
      {"Permute"});
  Config c = one("dims", Shape{2, 1});
  c.set("name", "perm");
  auto layer = make_layer("Permute", c);
  expect_throws_with<ShapeError>(
      [&] {
        (*layer)(Tensor::ones({2, 3}));
      },
      {"Permute 'perm'", "rank 3"});
}

TEST(RepeatVectorTest, SatisfiesLayerContract) {
  expect_layer_contract(layer_spec("RepeatVector", one("n", 3)), {{2, 4}}, {2, 3, 4}, 0);
  expect_layer_contract(layer_spec("RepeatVector", one("n", 1)), {{3, 2}}, {3, 1, 2}, 0);
}

TEST(RepeatVectorTest, MatchesKeras) {
  expect_tensor_near(
      (*make_layer("RepeatVector", one("n", 3)))(keras_pattern({2, 2}, 3, 5, 2, 4)), {2, 3, 2},
      {-0.5, 0.25, -0.5, 0.25, -0.5, 0.25, -0.25, 0.5, -0.25, 0.5, -0.25, 0.5}, 0, 0);
}

TEST(RepeatVectorTest, RejectsInputNotOfRankTwo) {
  Config c = one("n", 3);
  c.set("name", "rep");
  for (const Shape& s : {Shape{2, 3, 4}, Shape{4}}) {
    auto layer = make_layer("RepeatVector", c);
    expect_throws_with<ShapeError>([&] { (*layer)(Tensor::ones(s)); },
                                   {"RepeatVector 'rep'", "rank 2"});
  }
  expect_throws_with<ValueError>([] { make_layer("RepeatVector", one("n", 0)); },
                                 {"RepeatVector", "n=0"});
}

}  // namespace
}  // namespace fathom::layers
