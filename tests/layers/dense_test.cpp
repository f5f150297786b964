// SPDX-License-Identifier: Apache-2.0
// Dense: the layer contract, forward values against Keras 3.15.1, regularizer losses, errors.
// Reference numbers: tests/layers/data/make_keras_fixtures.py (dense()).
#include "layers/dense.h"

#include <gtest/gtest.h>

#include "core/ops.h"
#include "layers/registry.h"
#include "tests/support/layer_contract.h"

namespace fathom::layers {
namespace {

using testing::expect_layer_contract;
using testing::expect_tensor_near;
using testing::keras_pattern;
using testing::layer_spec;

Config dense_config(std::int64_t units, const std::string& activation = "linear") {
  Config c = Config::map();
  c.set("units", units).set("activation", activation);
  return c;
}

/// The fixture's weights: kernel = pattern([4, 3], 5, 7, 3, 5), bias = [0.1, -0.2, 0.3].
void set_fixture_weights(Layer& layer) {
  layer.weight("kernel").assign(keras_pattern({4, 3}, 5, 7, 3, 5));
  if (layer.get_config().get<bool>("use_bias")) {
    layer.weight("bias").assign(Tensor::from_vector(std::vector<float>{0.1f, -0.2f, 0.3f}, {3}));
  }
}

std::unique_ptr<Layer> built_dense(Config config, const Shape& input_shape) {
  auto layer = make_layer("Dense", config);
  layer->build_from_shapes({input_shape});
  set_fixture_weights(*layer);
  return layer;
}

TEST(DenseTest, SatisfiesLayerContract) {
  testing::LayerContractOptions o;
  o.weight_names = {"kernel", "bias"};
  expect_layer_contract(layer_spec("Dense", dense_config(3, "tanh")), {{2, 4}}, {2, 3}, 2, o);
  // N-D input: the kernel applies to the last axis.
  expect_layer_contract(layer_spec("Dense", dense_config(5, "sigmoid")), {{2, 3, 4}}, {2, 3, 5}, 2,
                        o);
  Config no_bias = dense_config(2, "softplus");
  no_bias.set("use_bias", false).set("name", "head");
  o.weight_names = {"kernel"};
  expect_layer_contract(layer_spec("Dense", no_bias), {{3, 4}}, {3, 2}, 1, o);
}

TEST(DenseTest, ContractWithRegularizersConstraintsAndInitializers) {
  Config c = dense_config(3, "tanh");
  c.set("kernel_initializer", "he_normal").set("bias_initializer", "ones");
  c.set("kernel_regularizer", "l2").set("bias_regularizer", "l1").set("activity_regularizer", "l2");
  c.set("kernel_constraint", "max_norm").set("bias_constraint", "non_neg");
  c.set("trainable", true).set("dtype", "float32");
  expect_layer_contract(layer_spec("Dense", c), {{2, 4}}, {2, 3}, 2);
}

TEST(DenseTest, MatchesKerasForwardOnNDInputWithActivation) {
  auto layer = built_dense(dense_config(3, "tanh"), {-1, 3, 4});
  const Tensor y = (*layer)(keras_pattern({2, 3, 4}, 7, 11, 5, 4));
  // keras.layers.Dense(3, activation="tanh") with set_weights([kernel, bias]).
  expect_tensor_near(
      y, {2, 3, 3},
      {0.635149002, -0.537049532, 0.739783049, 0.0499583744, -0.81775409, 0.500520229, 0.421899021,
       0.462117195, -0.379949003, -0.244918689, -0.81775409, 0.691069484, 0.148885041, 0.462117195,
       -0.099668026, -2.23517418e-08, 0.462117195, 0.0499583818});
}

TEST(DenseTest, MatchesKerasForwardWithoutBias) {
  Config c = dense_config(3, "relu");
  c.set("use_bias", false);
  auto layer = built_dense(c, {-1, 4});
  EXPECT_EQ(layer->weights().size(), 1u);
  const Tensor y = (*layer)(keras_pattern({2, 4}, 3, 7, 3, 2));
  expect_tensor_near(y, {2, 3}, {0.600000024, 0, 0.300000012, 0, 0.100000009, 0});
}

TEST(DenseTest, ComputeOutputShapeReplacesTheLastAxis) {
  auto layer = make_layer("Dense", dense_config(7));
  EXPECT_EQ(layer->compute_output_shape({-1, 3, 4}), (Shape{-1, 3, 7}));
  EXPECT_EQ(layer->compute_output_shape({8, 2}), (Shape{8, 7}));
}

TEST(DenseTest, WeightLossesMatchKeras) {
  Config c = dense_config(3);
  c.set("kernel_regularizer", "l2").set("bias_regularizer", "l1");
  auto layer = built_dense(c, {-1, 4});
  // Keras 3 computes weight terms from the weights, so a built layer has them before any call.
  EXPECT_EQ(layer->losses().size(), 2u);
  (*layer)(keras_pattern({2, 4}, 3, 7, 3, 2));
  const TensorList losses = layer->losses();
  ASSERT_EQ(losses.size(), 2u);
  // Keras: layer.losses after one call = [kernel l2 (0.01 sum k^2), bias l1 (0.01 sum |b|)].
  EXPECT_NEAR(losses[0].item_as_double(), 0.0216000006, 1e-7);
  EXPECT_NEAR(losses[1].item_as_double(), 0.00600000005, 1e-8);
  (*layer)(keras_pattern({2, 4}, 3, 7, 3, 2));
  EXPECT_EQ(layer->losses().size(), 2u) << "losses are those of the last call, not accumulated";
  layer->set_trainable(false);
  (*layer)(keras_pattern({2, 4}, 3, 7, 3, 2));
  EXPECT_TRUE(layer->losses().empty()) << "Keras regularizes trainable weights only";
}

// KNOWN DISCREPANCY (reported): Keras 3.15 divides an activity regularizer's penalty by the batch
// size (keras/src/layers/layer.py, "Normalize by batch size"); layers/dense.cpp adds it as is,
// following older Keras 3 releases. Keras: losses = [0.01755, 0.0216, 0.006] for this call.
TEST(DenseTest, ActivityRegularizerMatchesKeras) {
  Config c = dense_config(3);
  c.set("kernel_regularizer", "l2").set("bias_regularizer", "l1").set("activity_regularizer", "l2");
  auto layer = built_dense(c, {-1, 4});
  (*layer)(keras_pattern({2, 4}, 3, 7, 3, 2));
  const TensorList losses = layer->losses();
  ASSERT_EQ(losses.size(), 3u);
  std::vector<double> values;
  for (const Tensor& l : losses) values.push_back(l.item_as_double());
  // Keras's order: activity first, then the weights' penalties in creation order.
  EXPECT_NEAR(values[0], 0.0175499991, 1e-7) << "activity l2 / batch size (2)";
  EXPECT_NEAR(values[1], 0.0216000006, 1e-7);
  EXPECT_NEAR(values[2], 0.00600000005, 1e-8);
}

TEST(DenseTest, KernelConstraintIsAppliedByApplyConstraints) {
  Config c = dense_config(3);
  c.set("kernel_constraint", "non_neg");
  auto layer = built_dense(c, {-1, 4});
  layer->apply_constraints();
  for (float v : layer->weight("kernel").value().to_vector<float>()) EXPECT_GE(v, 0.0f);
  const auto bias = layer->weight("bias").value().to_vector<float>();
  EXPECT_FLOAT_EQ(bias[1], -0.2f) << "the bias has no constraint";
}

TEST(DenseTest, RejectsInputOfRankOne) {
  Dense::Options o;
  o.units = 3;
  Dense layer(o, "proj");
  const std::string m = testing::thrown_message<ShapeError>([&] { layer(Tensor::ones({4})); });
  EXPECT_NE(m.find("Dense 'proj'"), std::string::npos) << m;
  EXPECT_NE(m.find("rank >= 2"), std::string::npos) << m;
  // Reported: the message says "received shape [None]" for an input of shape [4] (operator()
  // replaces the batch dim by -1 before build); Keras adds "Full shape received: (4,)".
}

TEST(DenseTest, RejectsLastDimensionChangedAfterBuild) {
  Dense::Options o;
  o.units = 3;
  Dense layer(o, "proj");
  layer(Tensor::ones({2, 4}));
  const std::string m = testing::thrown_message<ShapeError>([&] { layer(Tensor::ones({2, 5})); });
  EXPECT_NE(m.find("Dense 'proj'"), std::string::npos) << m;
  EXPECT_NE(m.find("expected shape [None, 4]"), std::string::npos) << m;
  EXPECT_NE(m.find("[None, 5]"), std::string::npos) << m;
  // A different batch size is fine; another rank is not.
  EXPECT_EQ(layer(Tensor::ones({7, 4})).shape(), (Shape{7, 3}));
  EXPECT_THROW(layer(Tensor::ones({2, 1, 4})), ShapeError);
}

TEST(DenseTest, RejectsNonPositiveUnits) {
  for (std::int64_t units : {0, -2}) {
    Config c = dense_config(units);
    c.set("name", "bad");
    const std::string m = testing::thrown_message<ValueError>([&] { make_layer("Dense", c); });
    EXPECT_NE(m.find("Dense 'bad'"), std::string::npos) << m;
    EXPECT_NE(m.find("Received: units=" + std::to_string(units)), std::string::npos) << m;
  }
}

TEST(DenseTest, UnknownActivationSuggestsTheClosest) {
  const std::string m =
      testing::thrown_message<ConfigError>([&] { make_layer("Dense", dense_config(3, "rellu")); });
  EXPECT_NE(m.find("unknown activation 'rellu'"), std::string::npos) << m;
  EXPECT_NE(m.find("Did you mean 'relu'?"), std::string::npos) << m;
}

TEST(DenseTest, UnknownNamesFailAtConstruction) {
  Config c = dense_config(3);
  c.set("kernel_initializer", "glorot_unifrom");
  std::string m = testing::thrown_message<ConfigError>([&] { make_layer("Dense", c); });
  EXPECT_NE(m.find("Did you mean 'glorot_uniform'?"), std::string::npos) << m;
  c = dense_config(3);
  c.set("kernel_regularizer", "l3");
  EXPECT_THROW(make_layer("Dense", c), ConfigError);
  c = dense_config(3);
  c.set("kernel_constraint", "max_nrom");
  m = testing::thrown_message<ConfigError>([&] { make_layer("Dense", c); });
  EXPECT_NE(m.find("Did you mean 'max_norm'?"), std::string::npos) << m;
}

TEST(DenseTest, RejectsUnknownConfigKey) {
  Config c = dense_config(3);
  c.set("unit", 4);
  const std::string m = testing::thrown_message<ConfigError>([&] { make_layer("Dense", c); });
  EXPECT_NE(m.find("Dense: unknown key 'unit'"), std::string::npos) << m;
  EXPECT_NE(m.find("Known keys:"), std::string::npos) << m;
}

TEST(DenseTest, GetConfigUsesKerasKeys) {
  Config c = dense_config(4, "relu");
  c.set("name", "hidden");
  const Config out = make_layer("Dense", c)->get_config();
  for (const char* key :
       {"name", "trainable", "dtype", "units", "activation", "use_bias", "kernel_initializer",
        "bias_initializer", "kernel_regularizer", "bias_regularizer", "activity_regularizer",
        "kernel_constraint", "bias_constraint"}) {
    EXPECT_TRUE(out.has(key)) << key << " missing from " << out.to_json();
  }
  EXPECT_EQ(out.at("kernel_initializer").get<std::string>("class_name"), "GlorotUniform");
  EXPECT_TRUE(out.at("kernel_regularizer").is_null());
}

}  // namespace
}  // namespace fathom::layers
