// SPDX-License-Identifier: Apache-2.0
// Masking: output and mask against Keras 3.15 (make_shape_noise_fixtures.py, masking()), the
// gradient (1 on kept steps, 0 on masked ones), mask_value forms (number, Keras 3's serialized
// tensor, per-feature list), configs and errors.
#include "layers/masking.h"

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
using testing::layer_spec;
using testing::parse_json;

Config masking_config(const std::string& mask_value_json) {
  Config c = Config::map();
  c.set("mask_value", parse_json(mask_value_json));
  return c;
}

/// Keras's fixture: pattern([2, 3, 2], 7, 11, 5, 4) with rows [0, 1] and [1, 2] zeroed and
/// x[1, 1, 0] = 0 (a zero in a row that stays).
Tensor fixture_x() {
  return Tensor::from_vector(std::vector<float>{-1.25, 0.5, 0, 0, 0.25, -0.75, 1, 0, 0, 0.75, 0, 0}, {2, 3, 2});
}

std::vector<bool> mask_of(Layer& layer, const Tensor& x) {
  Tensor mask;
  (void)layer.call_with_mask(x, Tensor(), false, &mask);
  EXPECT_EQ(mask.dtype(), DType::kBool);
  return mask.to_vector<bool>();
}

TEST(MaskingTest, SatisfiesLayerContract) {
  expect_layer_contract(layer_spec("Masking"), {{2, 3, 4}}, {2, 3, 4}, 0);
  expect_layer_contract(layer_spec("Masking", masking_config("0.5")), {{2, 5}}, {2, 5}, 0);
}

TEST(MaskingTest, MatchesKeras) {
  auto layer = make_layer("Masking", Config::map());
  const Tensor x = fixture_x();
  expect_tensor_near((*layer)(x), {2, 3, 2}, {-1.25, 0.5, 0, 0, 0.25, -0.75, 1, 0, 0, 0.75, 0, 0});
  EXPECT_EQ(mask_of(*layer, x), (std::vector<bool>{true, false, true, true, true, false}));
  // Masking(0.5) on pattern([1, 3, 2], 3, 7, 3, 2) with x[0, 1] = (0.5, 0.5), x[0, 2, 0] = 0.5.
  auto half = make_layer("Masking", masking_config("0.5"));
  const Tensor x2 = Tensor::from_vector(std::vector<float>{-1.5, 0, 0.5, 0.5, 0.5, -1}, {1, 3, 2});
  expect_tensor_near((*half)(x2), {1, 3, 2}, {-1.5, 0, 0, 0, 0.5, -1});
  EXPECT_EQ(mask_of(*half, x2), (std::vector<bool>{true, false, true}));
}

TEST(MaskingTest, GradientPassesKeptStepsOnly) {
  auto layer = make_layer("Masking", Config::map());
  const Tensor x = fixture_x();
  GradientTape tape;
  tape.watch(x);
  const Tensor g = tape.gradient(ops::sum((*layer)(x)), TensorList{x})[0];
  EXPECT_EQ(g.to_vector<float>(), (std::vector<float>{1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0}));
  // Away from the masked steps the layer is the identity: finite differences agree (float64).
  auto fresh = make_layer("Masking", Config::map());
  const Tensor smooth = testing::uniform_f64({2, 3, 4}, 0.5, 1.5, 3);
  EXPECT_TRUE(testing::gradients_match([&](const TensorList& in) { return (*fresh)(in[0]); }, {smooth}));
}

TEST(MaskingTest, ReplacesTheInputMask) {
  auto layer = make_layer("Masking", Config::map());
  EXPECT_TRUE(layer->supports_masking());
  Tensor mask = Tensor::from_vector(std::vector<bool>{false, false, false, true, true, true}, {2, 3});
  layer->call_with_mask(fixture_x(), mask, false, &mask);
  EXPECT_EQ(mask.to_vector<bool>(), (std::vector<bool>{true, false, true, true, true, false}));
  // Rank 2 [B, F]: one mask entry per sample.
  const Tensor flat = Tensor::from_vector(std::vector<float>{0, 0, 1, 0}, {2, 2});
  EXPECT_EQ(layer->compute_mask(flat, Tensor()).to_vector<bool>(), (std::vector<bool>{false, true}));
}

TEST(MaskingTest, AcceptsKeras3SerializedTensors) {
  // What Keras 3.15 writes for Masking(mask_value=tf.constant(0.5)) and for a NumPy array.
  auto tensor = make_layer("Masking", masking_config(R"({"class_name": "__tensor__",
      "config": {"value": 0.5, "dtype": "float32"}})"));
  const Tensor x2 = Tensor::from_vector(std::vector<float>{-1.5, 0, 0.5, 0.5, 0.5, -1}, {1, 3, 2});
  EXPECT_EQ(mask_of(*tensor, x2), (std::vector<bool>{true, false, true}));
  EXPECT_EQ(tensor->get_config().at("mask_value"), Config(0.5)) << "a scalar is written back as a float";
  auto array = make_layer("Masking", masking_config(R"({"class_name": "__numpy__",
      "config": {"value": [0.5, -1.0], "dtype": "float32"}})"));
  // Per feature: only the step equal to (0.5, -1) is masked.
  const Tensor x3 = Tensor::from_vector(std::vector<float>{0.5, -1, 0.5, 0.5, -1, -1}, {1, 3, 2});
  EXPECT_EQ(mask_of(*array, x3), (std::vector<bool>{false, true, true}));
  expect_tensor_near((*array)(x3), {1, 3, 2}, {0, 0, 0.5, 0.5, -1, -1});
  const Config written = array->get_config().at("mask_value");
  EXPECT_EQ(written.to_json(), R"({"class_name": "__numpy__", "config": {"value": [0.5, -1.0], "dtype": "float32"}})");
  EXPECT_EQ(make_layer("Masking", array->get_config())->get_config(), array->get_config());
  // Keras 3.15.1's plain form.
  auto plain = make_layer("Masking", parse_json(R"({"name": "masking", "trainable": true, "dtype": {"module": "keras",
      "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "mask_value": 0.0})"));
  EXPECT_EQ(plain->get_config().at("mask_value"), Config(0.0));
}

TEST(MaskingTest, RejectsBadMaskValues) {
  expect_throws_with<ConfigError>([] { make_layer("Masking", masking_config(R"("zero")")); },
                                  {"Masking", "mask_value", "\"zero\""});
  expect_throws_with<ConfigError>(
      [] { make_layer("Masking", masking_config(R"({"class_name": "Zeros", "config": {}})")); },
      {"Masking", "mask_value"});
  expect_throws_with<ConfigError>(
      [] { make_layer("Masking", masking_config(R"({"class_name": "__numpy__", "config": {"value": [[1, 2]]}})")); },
      {"Masking", "mask_value"});
  Config c = masking_config("[0.5, 1.0]");
  c.set("name", "m");
  auto layer = make_layer("Masking", c);
  expect_throws_with<ShapeError>([&] { (*layer)(Tensor::ones({2, 3, 4})); },
                                 {"Masking 'm'", "2 values", "[None, 3, 4]"});
}

}  // namespace
}  // namespace fathom::layers
