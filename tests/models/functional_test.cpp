// SPDX-License-Identifier: Apache-2.0
#include "models/functional.h"

#include <gtest/gtest.h>

#include "core/ops.h"
#include "layers/dense.h"
#include "layers/lstm.h"
#include "layers/merging.h"
#include "layers/registry.h"
#include "models/sequential.h"

namespace fathom::models {
namespace {

using layers::Dense;

std::shared_ptr<Dense> dense(std::int64_t units, std::string name = "", std::string activation = "linear") {
  return std::make_shared<Dense>(Dense::Options{.units = units, .activation = std::move(activation)}, std::move(name));
}

TEST(FunctionalTest, TwoInputsTwoOutputsWithASharedLayer) {
  layers::reset_layer_names();
  const SymbolicTensor a = Input({4}, "a");
  const SymbolicTensor b = Input({4}, "b");
  auto shared = dense(3, "shared", "tanh");
  const SymbolicTensor ha = call_layer(shared, a);
  const SymbolicTensor hb = call_layer(shared, b);
  EXPECT_EQ(ha.shape(), (Shape{-1, 3}));
  const SymbolicTensor sum = call_layer(std::make_shared<layers::ElementwiseMerge>(layers::ElementwiseMerge::Kind::kAdd), {ha, hb});
  const SymbolicTensor cat = call_layer(std::make_shared<layers::Concatenate>(), {ha, hb});
  Functional model(std::vector<SymbolicTensor>{a, b},
                   std::vector<SymbolicTensor>{call_layer(dense(1, "out1"), sum), call_layer(dense(2, "out2"), cat)},
                   "two_towers");
  EXPECT_EQ(model.weights().size(), 6u) << "the shared layer's weights count once";

  const Tensor xa = random::normal({5, 4}, 0, 1, DType::kFloat32, 1);
  const Tensor xb = random::normal({5, 4}, 0, 1, DType::kFloat32, 2);
  const TensorList out = model.call_model({xa, xb}, false);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].shape(), (Shape{5, 1}));
  EXPECT_EQ(out[1].shape(), (Shape{5, 2}));
  // Reference computed layer by layer.
  const Tensor h1 = (*shared)(xa), h2 = (*shared)(xb);
  const Tensor expected = (*model.layers().back())(ops::concat({h1, h2}, 1));
  EXPECT_EQ(out[1].to_vector<float>(), expected.to_vector<float>());

  CompileOptions o;
  o.loss = Config(std::vector<Config>{"mse", "mse"});
  o.loss_weights = {1.0, 0.5};
  o.optimizer = "sgd";
  o.metrics = Config(std::vector<Config>{"mae"});
  model.compile(o);
  const auto logs = model.test_on_batch({xa, xb}, {Tensor::zeros({5, 1}), Tensor::zeros({5, 2})});
  // Keras's names for several outputs: "<output layer>_loss" and "<output layer>_<metric>".
  for (const char* key : {"loss", "out1_loss", "out2_loss", "out1_mae", "out2_mae"}) EXPECT_TRUE(logs.has(key)) << key;
  const double out1 = ops::mean(ops::square(out[0])).item<float>();
  const double out2 = ops::mean(ops::square(out[1])).item<float>();
  EXPECT_NEAR(logs.at("out1_loss"), out1, 1e-5);
  EXPECT_NEAR(logs.at("out2_loss"), out2, 1e-5);  // logged unweighted (Keras); loss_weights apply to the total
  EXPECT_NEAR(logs.at("loss"), out1 + 0.5 * out2, 1e-5);
  EXPECT_EQ(model.get_layer("shared"), shared.get());
  EXPECT_THROW(model.get_layer("nope"), ValueError);
}

TEST(FunctionalTest, ConfigRoundTripRebuildsTheGraph) {
  layers::reset_layer_names();
  const SymbolicTensor in = Input({6}, "features");
  auto shared = dense(4, "shared", "relu");
  const SymbolicTensor h1 = call_layer(shared, in);
  const SymbolicTensor h2 = call_layer(shared, call_layer(dense(6, "project"), h1));
  Functional model(std::vector<SymbolicTensor>{in},
                   std::vector<SymbolicTensor>{call_layer(
                       std::make_shared<layers::ElementwiseMerge>(layers::ElementwiseMerge::Kind::kAdd, "sum"), {h1, h2})},
                   "shared_twice");
  const Config config = layers::serialize_layer(model);
  const auto copy = layers::layer_from_config(config);
  EXPECT_EQ(layers::serialize_layer(*copy), config);
  // Same weights -> same outputs.
  auto* rebuilt = dynamic_cast<Functional*>(copy.get());
  ASSERT_NE(rebuilt, nullptr);
  rebuilt->set_weights(model.get_weights());
  const Tensor x = random::normal({3, 6}, 0, 1, DType::kFloat32, 4);
  EXPECT_EQ(rebuilt->predict(x).to_vector<float>(), model.predict(x).to_vector<float>());
}

TEST(FunctionalTest, ReadsKeras2InboundNodes) {
  // As Keras 2 writes a functional model_config (list form of inbound_nodes).
  Config in_cfg = Config::map();
  in_cfg.set("batch_input_shape", Config(Shape{-1, 3})).set("dtype", "float32").set("sparse", false).set("name", "x");
  Config dense_cfg = Config::map();
  dense_cfg.set("name", "d").set("units", 2).set("activation", "relu");
  auto layer = [](const char* cls, const char* name, Config cfg, Config inbound) {
    Config l = Config::map();
    l.set("name", name).set("class_name", cls).set("config", std::move(cfg)).set("inbound_nodes", std::move(inbound));
    return l;
  };
  const Config ref = Config(std::vector<Config>{"x", 0, 0, Config::map()});
  Config model = Config::map();
  model.set("name", "k2");
  model.set("layers", Config(std::vector<Config>{layer("InputLayer", "x", in_cfg, Config::list()),
                                                 layer("Dense", "d", dense_cfg,
                                                       Config(std::vector<Config>{Config(std::vector<Config>{ref})}))}));
  model.set("input_layers", Config(std::vector<Config>{Config(std::vector<Config>{"x", 0, 0})}));
  model.set("output_layers", Config(std::vector<Config>{Config(std::vector<Config>{"d", 0, 0})}));
  const auto m = layers::make_layer("Model", model);
  EXPECT_EQ(m->count_params(), 3 * 2 + 2);
  EXPECT_EQ(dynamic_cast<Model&>(*m).predict(Tensor::ones({2, 3})).shape(), (Shape{2, 2}));
}

TEST(FunctionalTest, NestedModelsAndErrors) {
  layers::reset_layer_names();
  auto inner = std::make_shared<Sequential>(std::vector<std::shared_ptr<layers::Layer>>{dense(3)}, "inner");
  const SymbolicTensor in = Input({2});
  Functional outer(std::vector<SymbolicTensor>{in}, std::vector<SymbolicTensor>{call_layer(dense(1), call_layer(inner, in))});
  EXPECT_EQ(outer.predict(Tensor::ones({4, 2})).shape(), (Shape{4, 1}));
  EXPECT_EQ(outer.weights().size(), 4u);

  const SymbolicTensor other = Input({2}, "other");
  EXPECT_THROW(Functional(std::vector<SymbolicTensor>{in}, std::vector<SymbolicTensor>{call_layer(dense(1), other)}),
               ValueError);  // output needs an input not given
  try {
    call_layer(dense(1, "needs_rank2"), Input({}));
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("needs_rank2"), std::string::npos) << e.what();
  }
}

TEST(FunctionalTest, ReturnStateOutputsFeedAnotherRnnAsInitialState) {
  layers::reset_layer_names();
  const SymbolicTensor enc_in = Input({5, 3}, "enc_in");
  const SymbolicTensor dec_in = Input({4, 3}, "dec_in");
  auto encoder = std::make_shared<layers::LSTM>(
      layers::LSTM::Options{.rnn = {.units = 2, .return_state = true}}, "encoder");
  auto decoder = std::make_shared<layers::LSTM>(
      layers::LSTM::Options{.rnn = {.units = 2, .return_sequences = true}}, "decoder");
  EXPECT_THROW(call_layer(encoder, enc_in), ValueError) << "three outputs: call_layer_outputs is needed";
  const std::vector<SymbolicTensor> enc = call_layer_outputs(encoder, {enc_in});
  ASSERT_EQ(enc.size(), 3u);
  EXPECT_EQ(enc[1].shape(), (Shape{-1, 2}));
  const std::vector<SymbolicTensor> dec =
      call_layer_outputs(decoder, {dec_in}, {.tensors = {{{"initial_state", 2, true}, {enc[1], enc[2]}}}});
  ASSERT_EQ(dec.size(), 1u);
  EXPECT_EQ(dec[0].shape(), (Shape{-1, 4, 2}));
  Functional model(std::vector<SymbolicTensor>{enc_in, dec_in}, std::vector<SymbolicTensor>{dec[0], enc[1]}, "s2s");

  const Tensor xe = random::normal({2, 5, 3}, 0, 1, DType::kFloat32, 1);
  const Tensor xd = random::normal({2, 4, 3}, 0, 1, DType::kFloat32, 2);
  const TensorList out = model.call_model({xe, xd}, false);
  // The same computation by hand through the layers' C++ API.
  const TensorList states = encoder->call_with_states(xe, Tensor(), {}, false);
  const Tensor want = decoder->call_with_states(xd, Tensor(), {states[1], states[2]}, false)[0];
  EXPECT_EQ(out[0].to_vector<float>(), want.to_vector<float>());
  EXPECT_EQ(out[1].to_vector<float>(), states[1].to_vector<float>());

  // The config names the states by output index and initial_state by keyword; it rebuilds.
  const Config config = model.get_config();
  const std::string json = config.to_json();
  EXPECT_NE(json.find("\"initial_state\""), std::string::npos) << json;
  EXPECT_NE(json.find("[\"encoder\", 0, 1]"), std::string::npos) << json;
  auto rebuilt = Functional::from_config(config);
  auto* copy = dynamic_cast<Functional*>(rebuilt.get());
  ASSERT_NE(copy, nullptr);
  const std::vector<Variable> w = model.weights();
  std::vector<Variable> wc = copy->weights();
  ASSERT_EQ(w.size(), wc.size());
  for (std::size_t i = 0; i < w.size(); ++i) wc[i].assign(w[i].value());
  EXPECT_EQ(copy->call_model({xe, xd}, false)[0].to_vector<float>(), want.to_vector<float>());
}

TEST(FunctionalTest, AnUnsupportedCallArgumentIsAConfigError) {
  layers::reset_layer_names();
  const SymbolicTensor in = Input({3}, "in");
  CallKwargs kwargs;
  kwargs.values.set("use_causal_mask", true);
  try {
    call_layer_outputs(dense(2, "d"), {in}, kwargs);
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("'use_causal_mask' is not supported"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace fathom::models
