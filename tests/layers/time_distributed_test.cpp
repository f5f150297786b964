// SPDX-License-Identifier: Apache-2.0
// TimeDistributed against Keras 3.15 (tests/layers/data/make_attention_fixtures.py) and against
// the wrapped layer applied to each timestep by hand: Dense and Conv2D inside, names, configs in
// the Keras 2 and 3 forms, masks, gradients and errors.
#include "layers/time_distributed.h"

#include <gtest/gtest.h>

#include "core/ops.h"
#include "layers/dense.h"
#include "layers/registry.h"
#include "tests/support/layer_contract.h"

namespace fathom::layers {
namespace {

using testing::expect_layer_contract;
using testing::expect_tensor_near;
using testing::expect_throws_with;
using testing::keras_pattern;
using testing::layer_spec;

Config inner_spec(const std::string& class_name, Config config) {
  Config s = Config::map();
  s.set("class_name", class_name).set("config", std::move(config));
  return s;
}

Config dense_config(std::int64_t units, const std::string& activation = "tanh") {
  Config c = Config::map();
  c.set("units", units).set("activation", activation).set("name", "dense");
  return c;
}

std::unique_ptr<TimeDistributed> make_td(const Config& inner, const Shape& input_shape) {
  Config c = Config::map();
  c.set("layer", inner).set("name", "td");
  auto* td = dynamic_cast<TimeDistributed*>(make_layer("TimeDistributed", c).release());
  td->build_from_shapes({input_shape});
  return std::unique_ptr<TimeDistributed>(td);
}

std::unique_ptr<TimeDistributed> keras_dense_td() {
  auto td = make_td(inner_spec("Dense", dense_config(3)), {-1, 3, 4});
  td->layer().weight("kernel").assign(keras_pattern({4, 3}, 5, 7, 3, 5));
  td->layer().weight("bias").assign(Tensor::from_vector(std::vector<float>{0.1f, -0.2f, 0.3f}, {3}));
  return td;
}

TEST(TimeDistributedTest, DenseMatchesKerasAndPerStepCalls) {
  auto td = keras_dense_td();
  const Tensor x = keras_pattern({2, 3, 4}, 7, 11, 5, 4);
  const Tensor y = (*td)(x);
  expect_tensor_near(y, {2, 3, 3},
                     {0.635149, -0.53704953, 0.73978305, 0.049958374, -0.81775409, 0.50052023, 0.42189902,
                      0.4621172, -0.379949, -0.24491869, -0.81775409, 0.69106948, 0.14888504, 0.4621172,
                      -0.099668026, -2.2351742e-08, 0.4621172, 0.049958382},
                     2e-6);
  for (std::int64_t t = 0; t < 3; ++t) {  // the inner layer on x[:, t] by hand
    const Tensor step = ops::reshape(ops::slice_axis(x, 1, t, t + 1).contiguous(), {2, 4});
    const auto expected = ops::cast(td->layer()(step), DType::kFloat64).to_vector<double>();
    SCOPED_TRACE("step " + std::to_string(t));
    expect_tensor_near(ops::reshape(ops::slice_axis(y, 1, t, t + 1).contiguous(), {2, 3}), {2, 3}, expected, 1e-6);
  }
}

TEST(TimeDistributedTest, Conv2DMatchesKeras) {
  Config conv = Config::map();
  conv.set("filters", 2).set("kernel_size", Config(Shape{2, 2})).set("activation", "tanh");
  auto td = make_td(inner_spec("Conv2D", conv), {-1, 2, 3, 3, 2});
  td->layer().weight("kernel").assign(keras_pattern({2, 2, 2, 2}, 5, 7, 3, 5));
  td->layer().weight("bias").assign(Tensor::from_vector(std::vector<float>{0.1f, -0.2f}, {2}));
  EXPECT_EQ(td->compute_output_shape({-1, 2, 3, 3, 2}), (Shape{-1, 2, 2, 2, 2}));
  expect_tensor_near(
      (*td)(keras_pattern({2, 2, 3, 3, 2}, 7, 11, 5, 4)), {2, 2, 2, 2, 2},
      {0.049958389, -0.84828371, 0.60436785,  -0.37994888, -0.63514894, -0.71629786, 0.42189902,  0.4621172,
       0.37994897,  0.71629798,  -0.53704959, -0.76159418, 0.60436785,  -0.37994888, 0.87405336,  -0.57167,
       -0.89569283, -0.24491866, -0.66403669, 0.53704959,  -0.53704959, -0.76159418, 0.049958389, -0.84828371,
       0.50052023,  0.66403687,  0.8336547,   -0.50052023, -0.66403669, 0.53704959,  0.37994897,  0.71629798},
      2e-6);
}

TEST(TimeDistributedTest, SatisfiesLayerContract) {
  // Weights are the inner layer's, named as Keras 3's paths (td/dense/kernel).
  Config c = Config::map();
  c.set("layer", inner_spec("Dense", dense_config(3)));
  expect_layer_contract(layer_spec("TimeDistributed", c), {{2, 3, 4}}, {2, 3, 3}, 2);
  Config conv = Config::map();
  conv.set("filters", 2).set("kernel_size", 2).set("padding", "same").set("activation", "sigmoid");
  conv.set("kernel_regularizer", "l2");
  Config c2 = Config::map();
  c2.set("layer", inner_spec("Conv2D", conv)).set("name", "frames");
  expect_layer_contract(layer_spec("TimeDistributed", c2), {{1, 2, 3, 3, 2}}, {1, 2, 3, 3, 2}, 2);
}

TEST(TimeDistributedTest, NamesWeightsAndLosses) {
  Config inner = dense_config(3);
  inner.set("kernel_regularizer", "l2");
  auto td = make_td(inner_spec("Dense", inner), {-1, 3, 4});
  const std::vector<Variable> w = td->weights();
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].name(), "td/dense/kernel");
  EXPECT_EQ(w[1].name(), "td/dense/bias");
  EXPECT_EQ(td->count_params(), 15);
  (*td)(Tensor::ones({2, 3, 4}));
  EXPECT_EQ(td->losses().size(), 1u) << "the inner kernel's penalty";
  td->set_trainable(false);
  EXPECT_TRUE(td->trainable_weights().empty());
  EXPECT_FALSE(td->layer().trainable());
}

TEST(TimeDistributedTest, ConfigRoundTripKeras3AndKeras2) {
  const Config keras3 = testing::parse_json(R"({"name": "time_distributed", "trainable": true,
    "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
    "layer": {"module": "keras.layers", "class_name": "Dense", "config": {"name": "dense", "trainable": true,
      "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
      "units": 3, "activation": "linear", "use_bias": true,
      "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform",
        "config": {"seed": null, "input_axes": null, "output_axes": null}, "registered_name": null},
      "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
      "kernel_regularizer": null, "bias_regularizer": null, "kernel_constraint": null, "bias_constraint": null,
      "quantization_config": null}, "registered_name": null, "build_config": {"input_shape": [null, 5]}}})");
  auto td = make_layer("TimeDistributed", keras3);
  const Config c = td->get_config();
  EXPECT_EQ(c.at("layer").get<std::string>("class_name"), "Dense");
  EXPECT_EQ(c.at("layer").at("config").get<std::string>("name"), "dense") << "without the wrapper's prefix";
  EXPECT_EQ(make_layer("TimeDistributed", c)->get_config(), c);
  EXPECT_EQ((*td)(Tensor::ones({2, 4, 5})).shape(), (Shape{2, 4, 3}));
  EXPECT_EQ(td->weights()[0].name(), "time_distributed/dense/kernel");
  const Config keras2 = testing::parse_json(R"({"name": "time_distributed_1", "trainable": true, "dtype": "float32",
    "layer": {"class_name": "Dense", "config": {"name": "dense_1", "trainable": true, "dtype": "float32",
      "units": 2, "activation": "relu", "use_bias": true,
      "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}},
      "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": null,
      "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}}})");
  auto td2 = make_layer("TimeDistributed", keras2);
  EXPECT_EQ(td2->compute_output_shape({-1, 7, 5}), (Shape{-1, 7, 2}));
}

TEST(TimeDistributedTest, PassesMasksOn) {
  auto td = keras_dense_td();
  const Tensor mask = Tensor::from_vector(std::vector<bool>{true, true, false, true, false, false}, {2, 3});
  Tensor out_mask;
  const Tensor x = keras_pattern({2, 3, 4}, 7, 11, 5, 4);
  const Tensor y = td->call_with_mask(x, mask, false, &out_mask);
  EXPECT_EQ(y.to_vector<float>(), (*td)(x).to_vector<float>()) << "Dense ignores the mask";
  EXPECT_EQ(out_mask.to_vector<bool>(), mask.to_vector<bool>());
  EXPECT_TRUE(td->supports_masking());
  expect_throws_with<ShapeError>([&] { td->call_with_mask(x, Tensor::ones({2, 4}, DType::kBool), false, nullptr); },
                                 {"TimeDistributed 'td'", "mask", "(2, 3)", "[2, 4]"});
  // An RNN inside receives the per-step masks [B*T, steps].
  Config lstm = Config::map();
  lstm.set("units", 2).set("name", "lstm");
  auto td_rnn = make_td(inner_spec("LSTM", lstm), {-1, 2, 3, 4});
  const Tensor x4 = keras_pattern({1, 2, 3, 4}, 7, 11, 5, 4);
  const Tensor m3 = Tensor::from_vector(std::vector<bool>{true, true, false, true, false, false}, {1, 2, 3});
  const Tensor masked = td_rnn->call_with_mask(x4, m3, false, nullptr);
  const Tensor by_hand = td_rnn->layer().call_with_mask(ops::reshape(x4, {2, 3, 4}), ops::reshape(m3, {2, 3}), false,
                                                        nullptr);
  EXPECT_EQ(masked.to_vector<float>(), by_hand.to_vector<float>());
  EXPECT_NE(masked.to_vector<float>(), (*td_rnn)(x4).to_vector<float>());
}

TEST(TimeDistributedTest, RejectsBadInputs) {
  auto td = make_td(inner_spec("Dense", dense_config(3)), {-1, 3, 4});
  expect_throws_with<ShapeError>([&] { (*td)(Tensor::ones({2, 4})); }, {"TimeDistributed 'td'", "[None, 4]"});
  expect_throws_with<ShapeError>([&] { td->compute_output_shape({-1, 4}); }, {"rank >= 3", "[None, 4]"});
  Config c = Config::map();
  c.set("layer", inner_spec("Concatenate", Config::map()));
  expect_throws_with<ValueError>([&] { make_layer("TimeDistributed", c); }, {"one input", "Concatenate"});
  expect_throws_with<ConfigError>([] { make_layer("TimeDistributed", Config::map()); }, {"'layer'"});
  Config unknown = Config::map();
  unknown.set("layer", inner_spec("Dens", dense_config(3)));
  expect_throws_with<ConfigError>([&] { make_layer("TimeDistributed", unknown); }, {"Dens", "Dense"});
}

}  // namespace
}  // namespace fathom::layers
