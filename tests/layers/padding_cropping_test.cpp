// SPDX-License-Identifier: Apache-2.0
// ZeroPadding1D/2D and Cropping1D/2D: the layer contract, values against Keras 3.15
// (tests/layers/data/make_shape_noise_fixtures.py, padding_cropping()), the config forms, odd
// shapes and errors.
#include "layers/padding_cropping.h"

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
using testing::parse_json;

Config with(const std::string& key, const std::string& json) {
  Config c = Config::map();
  c.set(key, parse_json(json));
  return c;
}

TEST(ZeroPaddingTest, SatisfiesLayerContract) {
  expect_layer_contract(layer_spec("ZeroPadding1D"), {{2, 3, 2}}, {2, 5, 2}, 0);
  expect_layer_contract(layer_spec("ZeroPadding1D", with("padding", "[0, 2]")), {{2, 1, 3}}, {2, 3, 3}, 0);
  expect_layer_contract(layer_spec("ZeroPadding2D", with("padding", "[[1, 0], [2, 1]]")), {{2, 2, 3, 2}},
                        {2, 3, 6, 2}, 0);
  expect_layer_contract(layer_spec("ZeroPadding2D", with("padding", "[[0, 0], [0, 0]]")), {{1, 1, 1, 2}}, {1, 1, 1, 2}, 0);
}

TEST(CroppingTest, SatisfiesLayerContract) {
  expect_layer_contract(layer_spec("Cropping1D"), {{2, 4, 2}}, {2, 2, 2}, 0);
  expect_layer_contract(layer_spec("Cropping1D", with("cropping", "[0, 2]")), {{2, 3, 2}}, {2, 1, 2}, 0);
  expect_layer_contract(layer_spec("Cropping2D", with("cropping", "[[1, 0], [0, 2]]")), {{2, 4, 5, 2}},
                        {2, 3, 3, 2}, 0);
  expect_layer_contract(layer_spec("Cropping2D"), {{1, 2, 3, 1}}, {1, 2, 3, 1}, 0);
}

TEST(ZeroPaddingTest, MatchesKeras) {
  const Tensor y1 = (*make_layer("ZeroPadding1D", with("padding", "[1, 2]")))(keras_pattern({2, 3, 2}, 7, 11, 5, 4));
  expect_tensor_near(y1, {2, 6, 2}, {0, 0, -1.25, 0.5, -0.5, 1.25, 0.25, -0.75, 0, 0, 0, 0,
                                     0, 0, 1, 0, -1, 0.75, -0.25, -1.25, 0, 0, 0, 0});
  const Tensor y2 =
      (*make_layer("ZeroPadding2D", with("padding", "[[1, 0], [2, 1]]")))(keras_pattern({1, 2, 3, 2}, 7, 11, 5, 4));
  expect_tensor_near(y2, {1, 3, 6, 2},
                     {0, 0, 0, 0, 0,    0,    0,     0,     0,  0, 0, 0,      // the padded top row
                      0, 0, 0, 0, -1.25, 0.5, -0.5,  1.25,  0.25, -0.75, 0, 0,
                      0, 0, 0, 0, 1,    0,    -1,    0.75,  -0.25, -1.25, 0, 0});
}

TEST(CroppingTest, MatchesKeras) {
  const Tensor y1 = (*make_layer("Cropping1D", with("cropping", "[1, 2]")))(keras_pattern({2, 5, 2}, 7, 11, 5, 4));
  expect_tensor_near(y1, {2, 2, 2}, {-0.5, 1.25, 0.25, -0.75, 0.5, -0.5, 1.25, 0.25});
  const Tensor y2 =
      (*make_layer("Cropping2D", with("cropping", "[[1, 0], [0, 2]]")))(keras_pattern({1, 4, 5, 2}, 7, 11, 5, 4));
  expect_tensor_near(y2, {1, 3, 3, 2}, {-0.25, -1.25, 0.5, -0.5, 1.25, 0.25, 0.75, -0.25, -1.25, 0.5, -0.5, 1.25, -1,
                                        0.75, -0.25, -1.25, 0.5, -0.5});
}

TEST(ZeroPaddingTest, ParsesEveryKerasForm) {
  const auto padding_of = [](const std::string& cls, const std::string& json) {
    return make_layer(cls, with("padding", json))->get_config().at("padding").to_json();
  };
  EXPECT_EQ(padding_of("ZeroPadding1D", "3"), "[3, 3]");
  EXPECT_EQ(padding_of("ZeroPadding1D", "[0, 2]"), "[0, 2]");
  EXPECT_EQ(padding_of("ZeroPadding2D", "2"), "[[2, 2], [2, 2]]");
  EXPECT_EQ(padding_of("ZeroPadding2D", "[1, 2]"), "[[1, 1], [2, 2]]") << "(symmetric height, symmetric width)";
  EXPECT_EQ(padding_of("ZeroPadding2D", "[[1, 2], [3, 4]]"), "[[1, 2], [3, 4]]");
  EXPECT_EQ(padding_of("ZeroPadding2D", "[1, [2, 3]]"), "[[1, 1], [2, 3]]") << "Keras standardizes each entry";
  EXPECT_EQ(make_layer("ZeroPadding2D", Config::map())->get_config().at("padding").to_json(), "[[1, 1], [1, 1]]");
  EXPECT_EQ(make_layer("Cropping2D", with("cropping", "[[0, 1], 2]"))->get_config().at("cropping").to_json(),
            "[[0, 1], [2, 2]]");
}

TEST(ZeroPaddingTest, LoadsKerasConfigs) {
  // Keras 3.15.1 get_config() verbatim (dtype policy shortened to its name), and Keras 2's forms.
  const auto layer = make_layer("ZeroPadding2D", parse_json(R"({"name": "zp", "trainable": true, "dtype": "float32",
      "padding": [[1, 2], [3, 4]], "data_format": "channels_last"})"));
  EXPECT_EQ(layer->compute_output_shape({-1, 2, 2, 3}), (Shape{-1, 5, 9, 3}));
  EXPECT_EQ(make_layer("ZeroPadding1D", parse_json(R"({"name": "z1", "padding": [1, 1]})"))->name(), "z1");
  EXPECT_EQ(make_layer("Cropping1D", parse_json(R"({"name": "c1", "trainable": true, "cropping": [1, 1]})"))
                ->compute_output_shape({2, 5, 3}),
            (Shape{2, 3, 3}));
  const auto crop = make_layer("Cropping2D", parse_json(R"({"name": "c2", "cropping": [[0, 0], [0, 0]],
      "data_format": "channels_last"})"));
  EXPECT_EQ(crop->get_config().at("data_format").as_string(), "channels_last");
}

TEST(CroppingTest, CroppingAWholeAxisIsAnError) {
  Config c = with("cropping", "[1, 2]");
  c.set("name", "crop");
  auto layer = make_layer("Cropping1D", c);
  expect_throws_with<ShapeError>([&] { (*layer)(Tensor::ones({2, 3, 4})); },
                                 {"Cropping1D 'crop'", "(1, 2)", "length 3", "[None, 3, 4]"});
  expect_throws_with<ShapeError>([&] { layer->compute_output_shape({-1, 2, 4}); }, {"Cropping1D 'crop'", "[None, 2, 4]"});
  EXPECT_EQ(layer->compute_output_shape({-1, -1, 4}), (Shape{-1, -1, 4})) << "an unknown length stays unknown";
  EXPECT_EQ((*layer)(Tensor::ones({2, 4, 4})).shape(), (Shape{2, 1, 4})) << "one step left is fine";
  auto c2 = make_layer("Cropping2D", with("cropping", "[[0, 0], [2, 2]]"));
  expect_throws_with<ShapeError>([&] { (*c2)(Tensor::ones({1, 5, 4, 1})); }, {"Cropping2D", "axis 2", "length 4"});
}

TEST(CroppingTest, BuiltWithUnknownLengthStillChecksAtCall) {
  auto layer = make_layer("Cropping1D", with("cropping", "[2, 2]"));
  layer->build_from_shapes({{-1, -1, 2}});
  EXPECT_EQ((*layer)(Tensor::ones({1, 5, 2})).shape(), (Shape{1, 1, 2}));
  expect_throws_with<ShapeError>([&] { (*layer)(Tensor::ones({1, 4, 2})); }, {"Cropping1D", "length 4"});
}

TEST(ZeroPaddingTest, RejectsBadConfigs) {
  expect_throws_with<ValueError>([] { make_layer("ZeroPadding1D", with("padding", "[-1, 2]")); },
                                 {"ZeroPadding1D", "non-negative", "(-1, 2)"});
  expect_throws_with<ValueError>([] { make_layer("Cropping2D", with("cropping", "[[0, -3], [0, 0]]")); },
                                 {"Cropping2D", "non-negative", "((0, -3), (0, 0))"});
  expect_throws_with<ConfigError>([] { make_layer("ZeroPadding1D", with("padding", "[1, 2, 3]")); },
                                  {"ZeroPadding1D", "padding", "[1, 2, 3]"});
  expect_throws_with<ConfigError>([] { make_layer("ZeroPadding2D", with("padding", "[[1, 2, 3], [0, 0]]")); },
                                  {"ZeroPadding2D", "((top, bottom), (left, right))"});
  expect_throws_with<ConfigError>([] { make_layer("ZeroPadding2D", with("padding", "\"same\"")); },
                                  {"ZeroPadding2D", "padding"});
  expect_throws_with<ConfigError>([] { make_layer("ZeroPadding2D", with("data_format", "\"channels_first\"")); },
                                  {"ZeroPadding2D", "channels_first", "only channels_last"});
  expect_throws_with<ConfigError>([] { make_layer("Cropping2D", with("data_format", "\"channels_first\"")); },
                                  {"Cropping2D", "channels_first"});
  // Keras's Cropping1D takes no data_format.
  expect_throws_with<ConfigError>([] { make_layer("Cropping1D", with("data_format", "\"channels_last\"")); },
                                  {"Cropping1D", "data_format"});
}

TEST(ZeroPaddingTest, RejectsWrongRank) {
  auto z1 = make_layer("ZeroPadding1D", Config::map());
  expect_throws_with<ShapeError>([&] { (*z1)(Tensor::ones({2, 3, 4, 1})); },
                                 {"ZeroPadding1D", "rank 3", "[None, 3, 4, 1]"});
  auto z2 = make_layer("ZeroPadding2D", Config::map());
  expect_throws_with<ShapeError>([&] { z2->compute_output_shape({2, 3}); }, {"ZeroPadding2D", "rank 4"});
  auto c2 = make_layer("Cropping2D", Config::map());
  expect_throws_with<ShapeError>([&] { (*c2)(Tensor::ones({2, 3, 4})); }, {"Cropping2D", "rank 4"});
}

TEST(ZeroPaddingTest, DropsTheInputMask) {
  // Keras 3: supports_masking is False for padding and cropping, so no mask comes out.
  const Tensor mask = Tensor::from_vector(std::vector<bool>{true, false, true}, {1, 3});
  for (const char* cls : {"ZeroPadding1D", "Cropping1D"}) {
    auto layer = make_layer(cls, Config::map());
    EXPECT_FALSE(layer->supports_masking()) << cls;
    Tensor out_mask = mask;
    layer->call_with_mask(Tensor::ones({1, 3, 2}), mask, false, &out_mask);
    EXPECT_FALSE(out_mask.defined()) << cls;
  }
}

TEST(ZeroPaddingTest, AutomaticNamesFollowKeras) {
  reset_layer_names();
  EXPECT_EQ(make_layer("ZeroPadding1D", Config::map())->name(), "zero_padding1d");
  EXPECT_EQ(make_layer("ZeroPadding2D", Config::map())->name(), "zero_padding2d");
  EXPECT_EQ(make_layer("Cropping2D", Config::map())->name(), "cropping2d");
  EXPECT_EQ(make_layer("Cropping2D", Config::map())->name(), "cropping2d_1");
}

}  // namespace
}  // namespace fathom::layers
