// SPDX-License-Identifier: Apache-2.0
// Embedding: the layer contract, lookups against Keras 3.15 (make_shape_noise_fixtures.py,
// embedding(): embeddings = pattern([5, 3], 5, 7, 3, 5)), masks, the gradient to the table
// (scatter-add over repeated ids), out-of-range ids, input_length, configs and regularizers.
#include "layers/embedding.h"

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
using testing::parse_json;

Config embedding_config(std::int64_t input_dim, std::int64_t output_dim, bool mask_zero = false) {
  Config c = Config::map();
  c.set("input_dim", input_dim).set("output_dim", output_dim).set("mask_zero", mask_zero).set("name", "emb");
  return c;
}

/// Embedding(5, 3) with Keras's fixture table.
std::unique_ptr<Layer> fixture_layer(bool mask_zero = true) {
  auto layer = make_layer("Embedding", embedding_config(5, 3, mask_zero));
  layer->build_from_shapes({{-1, -1}});
  layer->weight("embeddings").assign(keras_pattern({5, 3}, 5, 7, 3, 5));
  return layer;
}

const std::vector<double> kKerasLookup = {-0.6, 0.4, 0,   0.2,  -0.2, -0.6, -0.2, -0.6, 0.4,
                                          -0.4, 0.6, 0.2, -0.4, 0.6,  0.2,  0,    -0.4, 0.6};

TEST(EmbeddingTest, SatisfiesLayerContract) {
  // Float inputs in [0, 4), kept 0.05 from the integers, so that the float32 gradcheck's 0.01 steps
  // never change an id: the input gradient is 0 both ways, the table's is checked numerically.
  testing::LayerContractOptions o;
  o.input_low = 0;
  o.input_high = 4;
  o.kinks = {1, 2, 3, 4};
  o.weight_names = {"embeddings"};
  expect_layer_contract(layer_spec("Embedding", embedding_config(5, 3)), {{2, 4}}, {2, 4, 3}, 1, o);
  Config reg = embedding_config(5, 2, true);
  reg.set("embeddings_regularizer", "l2").set("embeddings_constraint", "non_neg");
  expect_layer_contract(layer_spec("Embedding", reg), {{2, 2, 3}}, {2, 2, 3, 2}, 1, o);
}

TEST(EmbeddingTest, MatchesKerasForIntAndFloatIds) {
  auto layer = fixture_layer();
  const std::vector<std::int32_t> ids = {0, 4, 2, 1, 1, 3};
  expect_tensor_near((*layer)(Tensor::from_vector(ids, {2, 3})), {2, 3, 3}, kKerasLookup);
  const std::vector<std::int64_t> ids64(ids.begin(), ids.end());
  expect_tensor_near((*layer)(Tensor::from_vector(ids64, {2, 3})), {2, 3, 3}, kKerasLookup);
  // Keras casts float ids to int32: 3.7 -> 3, -0.5 -> 0.
  const Tensor float_ids = Tensor::from_vector(std::vector<float>{0.0f, 3.7f, -0.5f, 2.0f}, {2, 2});
  auto other = fixture_layer();
  expect_tensor_near((*other)(float_ids), {2, 2, 3}, {-0.6, 0.4, 0, 0, -0.4, 0.6, -0.6, 0.4, 0, -0.2, -0.6, 0.4});
}

TEST(EmbeddingTest, AcceptsIdsOfAnyRank) {
  auto layer = make_layer("Embedding", embedding_config(5, 3));
  layer->build_from_shapes({{-1}});
  layer->weight("embeddings").assign(keras_pattern({5, 3}, 5, 7, 3, 5));
  const Tensor y1 = (*layer)(Tensor::from_vector(std::vector<std::int32_t>{4, 0}, {2}));
  expect_tensor_near(y1, {2, 3}, {0.2, -0.2, -0.6, -0.6, 0.4, 0});
  auto rank3 = make_layer("Embedding", embedding_config(5, 3));
  EXPECT_EQ((*rank3)(Tensor::zeros({2, 3, 4}, DType::kInt32)).shape(), (Shape{2, 3, 4, 3}));
  EXPECT_EQ(rank3->compute_output_shape({-1, 3, 4}), (Shape{-1, 3, 4, 3}));
}

TEST(EmbeddingTest, MaskZero) {
  auto layer = fixture_layer(true);
  const Tensor ids = Tensor::from_vector(std::vector<std::int32_t>{0, 4, 2, 1, 1, 3}, {2, 3});
  EXPECT_TRUE(layer->supports_masking());
  Tensor mask;
  (void)layer->call_with_mask(ids, Tensor(), false, &mask);
  ASSERT_TRUE(mask.defined());
  EXPECT_EQ(mask.dtype(), DType::kBool);
  EXPECT_EQ(mask.shape(), (Shape{2, 3}));
  EXPECT_EQ(mask.to_vector<bool>(), (std::vector<bool>{false, true, true, true, true, true}));  // Keras's mask
  auto no_mask = fixture_layer(false);
  EXPECT_FALSE(no_mask->supports_masking());
  EXPECT_FALSE(no_mask->compute_mask(ids, Tensor()).defined());
}

TEST(EmbeddingTest, GradientScatterAddsIntoTheTable) {
  auto layer = fixture_layer();
  const Tensor ids = Tensor::from_vector(std::vector<std::int32_t>{0, 4, 2, 1, 1, 3, 4, 1}, {2, 4});
  const Tensor r = keras_pattern({2, 4, 3}, 3, 7, 3, 2);
  const Variable table = layer->weight("embeddings");
  GradientTape tape;
  const Tensor loss = ops::sum(ops::mul((*layer)(ids), r));
  const auto g = tape.gradient(loss, TensorList{table})[0].to_vector<float>();
  const auto rv = r.to_vector<float>();
  const auto idv = ids.to_vector<std::int32_t>();
  std::vector<float> expected(15, 0.0f);  // row id accumulates r at every position holding id
  for (std::size_t p = 0; p < idv.size(); ++p) {
    for (int j = 0; j < 3; ++j) expected[idv[p] * 3 + j] += rv[p * 3 + j];
  }
  EXPECT_EQ(g, expected) << "id 1 appears three times and id 4 twice: their rows accumulate";
}

TEST(EmbeddingTest, OutOfRangeIdsAreValueErrors) {
  auto layer = fixture_layer();
  expect_throws_with<ValueError>(
      [&] { (*layer)(Tensor::from_vector(std::vector<std::int32_t>{0, 1, 2, 3, 4, 5}, {2, 3})); },
      {"Embedding 'emb'", "input id 5", "position [1, 2]", "[0, input_dim=5)"});
  expect_throws_with<ValueError>(
      [&] { (*layer)(Tensor::from_vector(std::vector<std::int64_t>{-1, 0, 0, 0, 0, 0}, {2, 3})); },
      {"input id -1", "position [0, 0]"});
  expect_throws_with<ValueError>([&] { (*layer)(Tensor::full({2, 3}, 7.5)); }, {"input id 7"});
}

TEST(EmbeddingTest, InputLength) {
  Config c = embedding_config(5, 3);
  c.set("input_length", 3);
  auto layer = make_layer("Embedding", c);
  EXPECT_EQ(layer->compute_output_shape({-1, -1}), (Shape{-1, 3, 3})) << "Keras 2 fills in the length";
  EXPECT_EQ((*layer)(Tensor::zeros({2, 3}, DType::kInt32)).shape(), (Shape{2, 3, 3}));
  EXPECT_EQ(layer->get_config().at("input_length"), Config(3));
  auto fresh = make_layer("Embedding", c);
  expect_throws_with<ShapeError>([&] { (*fresh)(Tensor::zeros({2, 4}, DType::kInt32)); },
                                 {"Embedding 'emb'", "input_length is [3]", "[None, 4]"});
  c.set("input_length", parse_json("[2, null]"));
  auto list = make_layer("Embedding", c);
  EXPECT_EQ((*list)(Tensor::zeros({1, 2, 7}, DType::kInt32)).shape(), (Shape{1, 2, 7, 3}));
  EXPECT_EQ(list->get_config().at("input_length").to_json(), "[2, null]");
}

TEST(EmbeddingTest, DefaultInitializerIsKerasUniform) {
  auto layer = make_layer("Embedding", embedding_config(50, 8));
  layer->build_from_shapes({{-1, 4}});
  const auto w = layer->weight("embeddings").value().to_vector<float>();
  EXPECT_EQ(layer->weight("embeddings").shape(), (Shape{50, 8}));
  float lo = 1, hi = -1;
  for (float v : w) lo = std::min(lo, v), hi = std::max(hi, v);
  EXPECT_GE(lo, -0.05f);
  EXPECT_LE(hi, 0.05f);
  EXPECT_LT(lo, -0.04f) << "spread over the interval";
  EXPECT_GT(hi, 0.04f);
  const Config init = layer->get_config().at("embeddings_initializer");
  EXPECT_EQ(init.get<std::string>("class_name"), "RandomUniform");
  EXPECT_DOUBLE_EQ(init.at("config").get<double>("minval"), -0.05);
  Config normal = embedding_config(5, 3);
  normal.set("embeddings_initializer", "normal");
  EXPECT_EQ(make_layer("Embedding", normal)->get_config().at("embeddings_initializer").get<std::string>("class_name"),
            "RandomNormal");
}

TEST(EmbeddingTest, RegularizersAddLosses) {
  Config c = embedding_config(5, 3);
  c.set("embeddings_regularizer", "l2").set("activity_regularizer", "l1");
  auto layer = make_layer("Embedding", c);
  layer->build_from_shapes({{-1, -1}});
  layer->weight("embeddings").assign(keras_pattern({5, 3}, 5, 7, 3, 5));
  const Tensor y = (*layer)(Tensor::from_vector(std::vector<std::int32_t>{0, 4, 2, 1, 1, 3}, {2, 3}));
  const TensorList losses = layer->losses();
  ASSERT_EQ(losses.size(), 2u);
  double sum_abs_y = 0, sum_sq_w = 0;
  for (double v : kKerasLookup) sum_abs_y += std::abs(v);
  for (float v : keras_pattern({5, 3}, 5, 7, 3, 5).to_vector<float>()) sum_sq_w += double(v) * v;
  // Activity: l1 * sum|y| / batch (Keras 3 divides by the batch size); weight: l2 * sum w^2.
  double activity = losses[0].item_as_double(), weight = losses[1].item_as_double();
  if (std::abs(activity - 0.01 * sum_abs_y / 2) > 1e-6) std::swap(activity, weight);
  EXPECT_NEAR(activity, 0.01 * sum_abs_y / 2, 1e-6);
  EXPECT_NEAR(weight, 0.01 * sum_sq_w, 1e-6);
  (void)y;
}

TEST(EmbeddingTest, LoadsKeras3AndKeras2Configs) {
  // Keras 3.15.1 get_config() verbatim.
  const auto k3 = make_layer("Embedding", parse_json(R"({"name": "embedding", "trainable": true, "dtype": {"module":
      "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "input_dim": 10,
      "output_dim": 3, "embeddings_initializer": {"module": "keras.initializers", "class_name": "RandomUniform",
      "config": {"seed": null, "minval": -0.05, "maxval": 0.05}, "registered_name": null},
      "embeddings_regularizer": null, "activity_regularizer": null, "embeddings_constraint": null, "mask_zero": false,
      "quantization_config": null})"));
  EXPECT_EQ(k3->compute_output_shape({-1, 7}), (Shape{-1, 7, 3}));
  const Config out = k3->get_config();
  for (const char* key : {"input_dim", "output_dim", "embeddings_regularizer", "activity_regularizer",
                          "embeddings_constraint", "mask_zero", "quantization_config"}) {
    EXPECT_TRUE(out.has(key)) << key;
  }
  EXPECT_FALSE(out.has("input_length"));
  // Keras 2 (tf.keras 2.x) with input_length and batch_input_shape; older Keras 3 with sparse.
  const auto k2 = make_layer("Embedding", parse_json(R"({"name": "embedding_1", "trainable": true,
      "batch_input_shape": [null, 10], "dtype": "float32", "input_dim": 100, "output_dim": 8,
      "embeddings_initializer": {"class_name": "RandomUniform", "config": {"minval": -0.05, "maxval": 0.05,
      "seed": null}}, "embeddings_regularizer": null, "activity_regularizer": null, "embeddings_constraint": null,
      "mask_zero": true, "input_length": 10})"));
  EXPECT_EQ(k2->declared_input_shape(), (Shape{-1, 10}));
  EXPECT_TRUE(k2->supports_masking());
  Config sparse = embedding_config(4, 2);
  sparse.set("sparse", false).set("lora_rank", Config());
  EXPECT_EQ(make_layer("Embedding", sparse)->class_name(), "Embedding");
}

TEST(EmbeddingTest, RejectsBadConfigs) {
  expect_throws_with<ValueError>([] { make_layer("Embedding", embedding_config(0, 3)); },
                                 {"Embedding 'emb'", "input_dim must be a positive integer", "input_dim=0"});
  expect_throws_with<ValueError>([] { make_layer("Embedding", embedding_config(3, -2)); }, {"output_dim=-2"});
  Config sparse = embedding_config(4, 2);
  sparse.set("sparse", true);
  expect_throws_with<ConfigError>([&] { make_layer("Embedding", sparse); }, {"Embedding", "sparse=true", "not supported"});
  Config lora = embedding_config(4, 2);
  lora.set("lora_rank", 4);
  expect_throws_with<ConfigError>([&] { make_layer("Embedding", lora); }, {"Embedding", "lora_rank=4"});
  Config typo = embedding_config(4, 2);
  typo.set("mask_zeros", true);
  expect_throws_with<ConfigError>([&] { make_layer("Embedding", typo); }, {"mask_zeros", "mask_zero"});
  Config bad_init = embedding_config(4, 2);
  bad_init.set("embeddings_initializer", "unifrom");
  expect_throws_with<ConfigError>([&] { make_layer("Embedding", bad_init); }, {"unifrom"});
}

}  // namespace
}  // namespace fathom::layers
