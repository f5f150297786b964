// SPDX-License-Identifier: Apache-2.0
// Add/Subtract/Multiply/Average/Maximum/Minimum, Concatenate and Dot: contract, values against
// Keras 3.15.1, errors. Reference numbers: tests/layers/data/make_keras_fixtures.py (merging()).
#include "layers/merging.h"

#include <gtest/gtest.h>

#include <map>

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

Tensor a() { return keras_pattern({2, 3}, 7, 11, 5, 4); }
Tensor b() { return keras_pattern({2, 3}, 5, 9, 4, 4); }
Tensor c() { return keras_pattern({2, 3}, 3, 7, 3, 2); }

Config named(const std::string& name) {
  Config cfg = Config::map();
  cfg.set("name", name);
  return cfg;
}

Config dot_config(Config axes, bool normalize = false) {
  Config cfg = Config::map();
  cfg.set("axes", std::move(axes)).set("normalize", normalize);
  return cfg;
}

Tensor merge(const std::string& class_name, const TensorList& xs, Config config = Config::map()) {
  return (*make_layer(class_name, config))(xs);
}

TEST(MergingTest, SatisfiesLayerContract) {
  for (const char* name : {"Add", "Multiply", "Average", "Maximum", "Minimum"}) {
    expect_layer_contract(layer_spec(name), {{2, 3, 2}, {2, 3, 2}, {2, 3, 2}}, {2, 3, 2}, 0);
  }
  expect_layer_contract(layer_spec("Subtract"), {{2, 4}, {2, 4}}, {2, 4}, 0);
  expect_layer_contract(layer_spec("Add"), {{2, 3}, {2, 1}}, {2, 3},
                        0);  // broadcast inside a sample
}

TEST(MergingTest, TwoInputsMatchKeras) {
  const std::map<std::string, std::vector<double>> keras = {
      {"Add", {-2.25, 0.75, -1.25, 1.75, -0.25, 0}},
      {"Subtract", {-0.25, 0.25, 0.25, 0.75, 0.75, -1.5}},
      {"Multiply", {1.25, 0.125, 0.375, 0.625, -0.125, -0.5625}},
      {"Average", {-1.125, 0.375, -0.625, 0.875, -0.125, 0}},
      {"Maximum", {-1, 0.5, -0.5, 1.25, 0.25, 0.75}},
      {"Minimum", {-1.25, 0.25, -0.75, 0.5, -0.5, -0.75}},
  };
  for (const auto& [name, expected] : keras) {
    SCOPED_TRACE(name);
    expect_tensor_near(merge(name, {a(), b()}), {2, 3}, expected);
  }
}

TEST(MergingTest, ThreeInputsMatchKeras) {
  const std::map<std::string, std::vector<double>> keras = {
      {"Add", {-3.75, 0.75, 0.25, 1.25, 0.75, -1}},
      {"Multiply", {-1.875, 0, 0.5625, -0.3125, -0.125, 0.5625}},
      {"Average", {-1.25, 0.25, 0.0833333358, 0.416666657, 0.25, -0.333333343}},
      {"Maximum", {-1, 0.5, 1.5, 1.25, 1, 0.75}},
      {"Minimum", {-1.5, 0, -0.75, -0.5, -0.5, -1}},
  };
  for (const auto& [name, expected] : keras) {
    SCOPED_TRACE(name);
    expect_tensor_near(merge(name, {a(), b(), c()}), {2, 3}, expected);
  }
}

TEST(MergingTest, BroadcastsWithinSamplesLikeKeras) {
  const Tensor d = Tensor::from_vector(std::vector<float>{0.5f, 1.5f}, {2, 1});
  expect_tensor_near(merge("Add", {a(), d}), {2, 3}, {-0.75, 1, 0, 2.75, 1.75, 0.75});
  auto layer = make_layer("Add", Config::map());
  EXPECT_EQ(layer->compute_output_shape_multi({{-1, 3}, {-1, 1}}), (Shape{-1, 3}));
}

// KNOWN DISCREPANCY (reported): for inputs of different ranks Keras expands the smaller one at
// axis 1 (keeps the batch axis first, then broadcasts the rest): [2, 3, 4] x [2, 4] -> [2, 3, 4].
// ElementwiseMerge broadcasts the full shapes NumPy-style, aligning [2, 4] with [3, 4], so it
// throws "incompatible shapes [None, 3, 4] and [None, 4]".
TEST(MergingTest, DifferentRanksBroadcastLikeKeras) {
  const Tensor x3 = keras_pattern({2, 3, 4}, 7, 11, 5, 4);
  const Tensor y2 = keras_pattern({2, 4}, 5, 9, 4, 4);
  try {
    expect_tensor_near(
        merge("Multiply", {x3, y2}), {2, 3, 4},
        {1.25,  0.125,  0.375,   0.625, -0.25, -0.1875, -0.75, 0,  1,      0.1875,  0.1875, -0.625,
         -0.25, -0.375, -0.3125, 0.25,  0.375, 0.75,    -0,    -1, -0.375, -0.1875, 0.3125, 0.5});
  } catch (const std::exception& e) {
    ADD_FAILURE() << "Keras merges [2, 3, 4] and [2, 4]; Fathom threw: " << e.what();
  }
}

TEST(MergingTest, GradientsOfMaximumGoToTheLargerInput) {
  auto layer = make_layer("Maximum", Config::map());
  const Tensor x = a(), y = b();
  GradientTape tape;
  tape.watch(x);
  tape.watch(y);
  const TensorList g = tape.gradient((*layer)({x, y}), TensorList{x, y});
  const auto xv = x.to_vector<float>(), yv = y.to_vector<float>();
  const auto gx = g[0].to_vector<float>(), gy = g[1].to_vector<float>();
  for (std::size_t i = 0; i < xv.size(); ++i) {
    EXPECT_EQ(gx[i] + gy[i], 1.0f) << i;
    EXPECT_EQ(gx[i], xv[i] > yv[i] ? 1.0f : 0.0f) << i;
  }
}

TEST(MergingTest, RejectsASingleInput) {
  for (const char* name :
       {"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate"}) {
    auto layer = make_layer(name, named("merge_" + std::string(name)));
    const std::string who = std::string(name) + " 'merge_" + name + "'";
    expect_throws_with<ShapeError>([&] { (*layer)(TensorList{a()}); },
                                   {who, "2 inputs", "received 1"});
    auto plain = make_layer(name, Config::map());
    EXPECT_THROW((*plain)(a()), ShapeError) << name << " called with one tensor";
  }
  auto dot = make_layer("Dot", dot_config(1));
  expect_throws_with<ShapeError>([&] { (*dot)(TensorList{a()}); }, {"Dot", "2 input"});
}

TEST(MergingTest, SubtractTakesExactlyTwoInputs) {
  auto layer = make_layer("Subtract", named("sub"));
  expect_throws_with<ShapeError>(
      [&] {
        (*layer)({a(), b(), c()});
      },
      {"Subtract 'sub'", "exactly 2 inputs"});
}

TEST(MergingTest, RejectsIncompatibleShapes) {
  auto layer = make_layer("Add", named("sum"));
  expect_throws_with<ShapeError>(
      [&] {
        (*layer)({a(), Tensor::ones({2, 4})});
      },
      {"Add 'sum'", "incompatible"});
}

TEST(ConcatenateTest, SatisfiesLayerContract) {
  Config axis1 = Config::map();
  axis1.set("axis", 1);
  expect_layer_contract(layer_spec("Concatenate", axis1), {{2, 2, 3}, {2, 1, 3}}, {2, 3, 3}, 0);
  expect_layer_contract(layer_spec("Concatenate"), {{2, 3}, {2, 2}, {2, 1}}, {2, 6}, 0);
}

TEST(ConcatenateTest, MatchesKerasOnAxisOne) {
  Config cfg = Config::map();
  cfg.set("axis", 1);
  const Tensor s = keras_pattern({2, 2, 3}, 5, 9, 4, 4), t = keras_pattern({2, 1, 3}, 3, 7, 3, 2);
  expect_tensor_near(
      merge("Concatenate", {s, t}, cfg), {2, 3, 3},
      {-1, 0.25, -0.75, 0.5, -0.5, 0.75, -1.5, 0, 1.5, -0.25, 1, 0, -1, 0.25, -0.75, -0.5, 1, -1});
}

TEST(ConcatenateTest, RejectsMismatchedShapes) {
  Config cfg = named("cat");
  cfg.set("axis", 1);
  auto layer = make_layer("Concatenate", cfg);
  expect_throws_with<ShapeError>(
      [&] {
        (*layer)({Tensor::ones({2, 2, 3}), Tensor::ones({2, 2, 4})});
      },
      {"Concatenate 'cat'", "must match except along axis 1", "[None, 2, 3]", "[None, 2, 4]"});
  auto ranks = make_layer("Concatenate", named("cat2"));
  expect_throws_with<ShapeError>(
      [&] {
        (*ranks)({Tensor::ones({2, 3}), Tensor::ones({2, 1, 3})});
      },
      {"Concatenate 'cat2'"});
  cfg = named("cat3");
  cfg.set("axis", 3);
  auto out_of_range = make_layer("Concatenate", cfg);
  expect_throws_with<ShapeError>(
      [&] {
        (*out_of_range)({Tensor::ones({2, 3}), Tensor::ones({2, 3})});
      },
      {"Concatenate 'cat3'", "axis"});
}

TEST(DotTest, SatisfiesLayerContract) {
  expect_layer_contract(layer_spec("Dot", dot_config(1)), {{2, 3}, {2, 3}}, {2, 1}, 0);
  expect_layer_contract(layer_spec("Dot", dot_config(-1, true)), {{2, 3}, {2, 3}}, {2, 1}, 0);
}

// KNOWN BUG (reported): Dot::call_multi moves the contracted axis with ops::transpose and then
// calls Tensor::contiguous(), a data copy that the tape does not record. Whenever the transpose
// is not the identity (3-D inputs: axes (1, 2); or axes=2 on the second input), the gradient of
// that input is silently zero. The forward values are right (MatchesKeras3D* pass).
TEST(DotTest, SatisfiesLayerContractOn3DInputs) {
  expect_layer_contract(layer_spec("Dot", dot_config(Shape{1, 2})), {{2, 3, 4}, {2, 2, 3}},
                        {2, 4, 2}, 0);
  expect_layer_contract(layer_spec("Dot", dot_config(2, true)), {{2, 3, 4}, {2, 2, 4}}, {2, 3, 2},
                        0);
}

TEST(DotTest, MatchesKeras2D) {
  expect_tensor_near(merge("Dot", {a(), b()}, dot_config(1)), {2, 1}, {1.75, -0.0625});
  expect_tensor_near(merge("Dot", {a(), b()}, dot_config(-1, true)), {2, 1},
                     {0.955904186, -0.0409959927});
}

TEST(DotTest, MatchesKeras3DWithAxesPair) {
  const Tensor p = keras_pattern({2, 3, 4}, 7, 11, 5, 4), q = keras_pattern({2, 2, 3}, 5, 9, 4, 4);
  expect_tensor_near(merge("Dot", {p, q}, dot_config(Shape{1, 2})), {2, 4, 2},
                     {2.0625, -1.5, -1.25, 1.1875, 0.9375, -0.9375, -0.3125, -0.3125, -0.875, -1.25,
                      1.125, 0.9375, -0.3125, -0.3125, -1.0625, -0.875});
}

TEST(DotTest, MatchesKeras3DNormalized) {
  const Tensor p = keras_pattern({2, 3, 4}, 7, 11, 5, 4), r = keras_pattern({2, 2, 4}, 3, 7, 3, 2);
  expect_tensor_near(
      merge("Dot", {p, r}, dot_config(2, true)), {2, 3, 2},
      {0.120495021, -0.959425867, 0.404929131, 0.554700255, 0.449744821, -8.36693914e-09,
       -0.412514329, -0.962533474, 0.166956738, 0.417391956, 0.256776303, 0.342368394});
}

TEST(DotTest, RejectsAxesOutOfRange) {
  for (const Config& axes : {Config(2), Config(0), Config(Shape{1, 3}), Config(-3)}) {
    Config cfg = dot_config(axes);
    cfg.set("name", "dp");
    auto layer = make_layer("Dot", cfg);
    expect_throws_with<ShapeError>([&] { (*layer)({a(), b()}); }, {"Dot 'dp'", "out of range"});
  }
  Config cfg = dot_config(1);
  cfg.set("name", "dq");
  auto mismatch = make_layer("Dot", cfg);
  expect_throws_with<ShapeError>(
      [&] {
        (*mismatch)({a(), Tensor::ones({2, 4})});
      },
      {"Dot 'dq'", "differ"});
  expect_throws_with<ValueError>(
      [] {
        make_layer("Dot", dot_config(Shape{1, 1, 1}));
      },
      {"Dot", "axes"});
}

}  // namespace
}  // namespace fathom::layers
