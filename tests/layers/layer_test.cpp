// SPDX-License-Identifier: Apache-2.0
// The Layer base (layers/layer.cpp) and the common config keys (layers/layer_config.cpp):
// automatic names, build-once, input checks, weight lookup, trainable, base keys.
#include "layers/layer.h"

#include <gtest/gtest.h>

#include "core/ops.h"
#include "layers/dense.h"
#include "layers/registry.h"
#include "tests/support/layer_contract.h"

namespace fathom::layers {
namespace {

using testing::expect_throws_with;

Config units(std::int64_t n) {
  Config c = Config::map();
  c.set("units", n);
  return c;
}

TEST(LayerTest, AutomaticNamesFollowKeras) {
  reset_layer_names();
  EXPECT_EQ(make_layer("Dense", units(2))->name(), "dense");
  EXPECT_EQ(make_layer("Dense", units(2))->name(), "dense_1");
  EXPECT_EQ(make_layer("Add", Config::map())->name(), "add");
  EXPECT_EQ(make_layer("RepeatVector",
                       [] {
                         Config c = Config::map();
                         c.set("n", 2);
                         return c;
                       }())
                ->name(),
            "repeat_vector");
  Config named = units(2);
  named.set("name", "logits");
  EXPECT_EQ(make_layer("Dense", named)->name(), "logits");
  EXPECT_EQ(make_layer("Dense", units(2))->name(), "dense_2") << "an explicit name takes no number";
  reset_layer_names();
  EXPECT_EQ(make_layer("Dense", units(2))->name(), "dense");
}

TEST(LayerTest, BuildsOnceOnFirstCall) {
  auto layer = make_layer("Dense", units(3));
  EXPECT_FALSE(layer->built());
  (*layer)(Tensor::ones({2, 4}));
  ASSERT_TRUE(layer->built());
  EXPECT_EQ(layer->built_input_shapes(), (std::vector<Shape>{{-1, 4}}))
      << "the batch dimension is free";
  const Variable kernel = layer->weight("kernel");
  (*layer)(Tensor::ones({5, 4}));
  EXPECT_TRUE(layer->weight("kernel").is(kernel)) << "a second call does not rebuild";
  EXPECT_EQ(layer->weights().size(), 2u);
}

TEST(LayerTest, BuildFromShapesCreatesWeightsWithoutData) {
  auto layer = make_layer("Dense", units(3));
  layer->build_from_shapes({{-1, 6}});
  EXPECT_TRUE(layer->built());
  EXPECT_EQ(layer->weight("kernel").shape(), (Shape{6, 3}));
  EXPECT_EQ(layer->count_params(), 6 * 3 + 3);
  expect_throws_with<ShapeError>(
      [&] {
        (*layer)(Tensor::ones({2, 5}));
      },
      {"expected shape [None, 6]"});
}

TEST(LayerTest, WeightLookupListsTheNames) {
  Config c = units(3);
  c.set("name", "fc");
  auto layer = make_layer("Dense", c);
  expect_throws_with<ValueError>([&] { layer->weight("kernel"); }, {"Dense 'fc'", "not built"});
  (*layer)(Tensor::ones({1, 2}));
  EXPECT_EQ(layer->weight("kernel").name(), "fc/kernel");
  EXPECT_EQ(layer->weight("bias").name(), "fc/bias");
  expect_throws_with<ValueError>([&] { layer->weight("kernal"); },
                                 {"no weight 'kernal'", "kernel, bias"});
}

TEST(LayerTest, SingleInputLayersRejectSeveralInputs) {
  Config c = units(3);
  c.set("name", "fc");
  auto layer = make_layer("Dense", c);
  expect_throws_with<ShapeError>(
      [&] {
        (*layer)(TensorList{Tensor::ones({2, 3}), Tensor::ones({2, 3})});
      },
      {"Dense 'fc'", "expected 1 input, received 2"});
  auto add = make_layer("Add", Config::map());
  (*add)({Tensor::ones({2, 3}), Tensor::ones({2, 3})});
  expect_throws_with<ShapeError>(
      [&] {
        (*add)({Tensor::ones({2, 3}), Tensor::ones({2, 3}), Tensor::ones({2, 3})});
      },
      {"expected 2 input(s), received 3"});
}

TEST(LayerTest, RejectsUndefinedInputs) {
  auto layer = make_layer("Flatten", Config::map());
  expect_throws_with<ValueError>([&] { (*layer)(Tensor()); }, {"Flatten", "undefined"});
}

TEST(LayerTest, TrainableFlagFreezesWeightsAndRoundTrips) {
  Config c = units(2);
  c.set("trainable", false);
  auto layer = make_layer("Dense", c);
  (*layer)(Tensor::ones({1, 3}));
  EXPECT_FALSE(layer->trainable());
  EXPECT_TRUE(layer->trainable_weights().empty());
  EXPECT_EQ(layer->non_trainable_weights().size(), 2u);
  EXPECT_FALSE(layer->get_config().get<bool>("trainable"));
  // A frozen weight is not watched by a tape: its gradient is unconnected.
  GradientTape tape;
  const Tensor y = ops::sum((*layer)(Tensor::ones({1, 3})));
  const TensorList g = tape.gradient(y, layer->weights());
  EXPECT_FALSE(g[0].defined());
  layer->set_trainable(true);
  EXPECT_EQ(layer->trainable_weights().size(), 2u);
}

TEST(LayerTest, BaseConfigKeys) {
  Config c = units(2);
  c.set("input_shape", Shape{5});
  auto layer = make_layer("Dense", c);
  EXPECT_EQ(layer->declared_input_shape(), (std::optional<Shape>{Shape{-1, 5}}));
  c = units(2);
  c.set("batch_input_shape", Shape{8, 5});
  EXPECT_EQ(make_layer("Dense", c)->declared_input_shape(), (std::optional<Shape>{Shape{8, 5}}));
  c = units(2);
  c.set("dtype",
        testing::parse_json(
            R"({"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}})"));
  EXPECT_NO_THROW(make_layer("Dense", c)) << "Keras 3's DTypePolicy mapping";
  const Config base = make_layer("Dense", units(2))->get_config();
  EXPECT_EQ(base.keys().at(0), "name");
  EXPECT_EQ(base.get<std::string>("dtype"), "float32");
}

TEST(LayerTest, RejectsOtherDTypesNamingTheClass) {
  Config c = units(2);
  c.set("dtype", "float64");
  expect_throws_with<ConfigError>([&] { make_layer("Dense", c); },
                                  {"Dense", "dtype 'float64'", "float32"});
  c.set("dtype", testing::parse_json(
                     R"({"class_name": "DTypePolicy", "config": {"name": "mixed_float16"}})"));
  expect_throws_with<ConfigError>([&] { make_layer("Dense", c); }, {"Dense", "mixed_float16"});
}

TEST(LayerTest, ParseJsonReadsKerasConfigs) {
  const Config c = testing::parse_json(
      R"( {"a": [1, -2.5, null, true, false], "b": {"c": "x\"y"}, "e": 1e-3} )");
  EXPECT_EQ(c.at("a").items().size(), 5u);
  EXPECT_EQ(c.at("a").items()[0].kind(), Config::Kind::kInt);
  EXPECT_EQ(c.at("a").items()[1].as_double(), -2.5);
  EXPECT_TRUE(c.at("a").items()[2].is_null());
  EXPECT_EQ(c.at("b").get<std::string>("c"), "x\"y");
  EXPECT_EQ(c.get<double>("e"), 1e-3);
  EXPECT_THROW(testing::parse_json("{\"a\": }"), ConfigError);
  EXPECT_THROW(testing::parse_json("[1, 2"), ConfigError);
}

TEST(LayerTest, OnlyTheRankAndTheFeatureDimensionArePinnedAfterTheFirstCall) {
  // As Keras's input specs: a convolution built on 8x8 images takes 12x12 ones, an embedding
  // built on length-5 sequences takes length 7; the feature dimension stays fixed.
  auto conv = layer_from_config(testing::layer_spec("Conv2D", testing::parse_json(R"({"filters": 2, "kernel_size": 3})")));
  EXPECT_EQ((*conv)(Tensor::ones({1, 8, 8, 3})).shape(), (Shape{1, 6, 6, 2}));
  EXPECT_EQ((*conv)(Tensor::ones({1, 12, 10, 3})).shape(), (Shape{1, 10, 8, 2}));
  EXPECT_THROW((*conv)(Tensor::ones({1, 8, 8, 4})), ShapeError) << "4 channels, built for 3";
  EXPECT_THROW((*conv)(Tensor::ones({8, 8, 3})), ShapeError) << "rank 3, built for rank 4";
  auto embedding = layer_from_config(
      testing::layer_spec("Embedding", testing::parse_json(R"({"input_dim": 10, "output_dim": 3})")));
  EXPECT_EQ((*embedding)(Tensor::zeros({2, 5})).shape(), (Shape{2, 5, 3}));
  EXPECT_EQ((*embedding)(Tensor::zeros({2, 7})).shape(), (Shape{2, 7, 3}));
}

TEST(LayerTest, AnErrorInsideACallNamesTheLayerAndTheInputShape) {
  auto reshape = layer_from_config(
      testing::layer_spec("Reshape", testing::parse_json(R"({"name": "to_six", "target_shape": [6]})")));
  (*reshape)(Tensor::ones({2, 2, 3}));
  try {
    (*reshape)(Tensor::ones({2, 4, 3}));  // 12 values per sample do not make 6
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("Reshape 'to_six'"), std::string::npos) << what;
    EXPECT_NE(what.find("[2, 4, 3]"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace fathom::layers
