// SPDX-License-Identifier: Apache-2.0
// Whole models fit, evaluated and predicted with traced steps (the default) against run_eagerly
// twins with the same initial weights: several inputs and outputs, shared layers and nested
// models, masks (Embedding, Masking, RNNs, Bidirectional, attention), the losses of the registry,
// sample and class weights, validation, shuffling, steps_per_epoch, initial_epoch, callbacks that
// change the model or the optimizer between steps, models loaded from real Keras files, and the
// thread count. Each case compares the histories (every key, every epoch), the final weights,
// evaluate()'s logs and predict()'s outputs to 1e-5 relative.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <typeinfo>
#include <vector>

#include "callbacks/backup_and_restore.h"
#include "callbacks/early_stopping.h"
#include "callbacks/history.h"
#include "callbacks/learning_rate_scheduler.h"
#include "callbacks/model_checkpoint.h"
#include "callbacks/reduce_lr_on_plateau.h"
#include "callbacks/terminate_on_nan.h"
#include "core/function.h"
#include "core/ops.h"
#include "core/random.h"
#include "core/threading.h"
#include "io/datasets/npy.h"
#include "io/pipeline.h"
#include "layers/dense.h"
#include "layers/preprocessing.h"
#include "layers/registry.h"
#include "layers/time_distributed.h"
#include "models/functional.h"
#include "models/keras_saving.h"
#include "models/sequential.h"
#include "tests/support/traced_compare.h"
#include "optimizers/optimizer.h"

namespace fathom::models {
namespace {

const std::string kKeras3 = std::string(FATHOM_SOURCE_DIR) + "/tests/models/data/keras3/";
const std::string kReal = std::string(FATHOM_SOURCE_DIR) + "/tests/models/data/keras_models/";

using testing::compare;
using testing::compare_history;
using testing::compare_logs;
bool close(double a, double b) { return testing::traced_close(a, b); }

// --- the twin harness --------------------------------------------------------------------------

/// One scenario: the model (built afresh for each twin, automatic names reset so that both
/// twins log the same keys), how to compile it, the data, and fit's options (made afresh for
/// each twin: callbacks hold state). `between` runs on each twin after fit, before evaluate.
struct Scenario {
  std::function<std::unique_ptr<Model>()> build;
  std::function<CompileOptions()> compile;
  TensorList x, y;
  std::function<FitOptions(bool eager)> fit;
  TensorList x_eval = {}, y_eval = {};  // default: x, y
  Tensor eval_sample_weight = {};
  int eval_batch_size = 7;
  int predict_batch_size = 5;
  std::function<void(Model&, bool eager)> between = {};
  bool expect_traced = true;
  bool may_throw = false;  // both twins may throw (the same error); otherwise an error is a difference
  bool same_error_text = true;  // false: errors of the same type (and phase) with other words are the same
};

struct Outcome {
  std::unique_ptr<Model> model;
  std::shared_ptr<callbacks::History> history;
  callbacks::Logs eval;
  TensorList predictions;
  std::string error;  // "<phase>: what()" when a phase threw
  std::string error_type;  // its dynamic type
  std::string random_state;  // the layers' random streams and the global generator, after predict
};

FitOptions quiet_fit(int epochs, int batch_size = 8) {
  FitOptions f;
  f.epochs = epochs;
  f.batch_size = batch_size;
  f.verbose = 0;
  f.shuffle = true;
  f.seed = 4321;
  return f;
}

CompileOptions compile_with(Config optimizer, Config loss, Config metrics = Config::list()) {
  CompileOptions o;
  o.optimizer = std::move(optimizer);
  o.loss = std::move(loss);
  o.metrics = std::move(metrics);
  return o;
}

Config list(std::vector<Config> items) { return Config(std::move(items)); }

Outcome run_twin(const Scenario& s, bool eager, const std::vector<Tensor>* initial) {
  Outcome out;
  layers::reset_layer_names();
  random::set_global_seed(777);
  out.model = s.build();
  if (initial != nullptr) out.model->set_weights(*initial);
  CompileOptions c = s.compile();
  c.run_eagerly = eager;
  out.model->compile(c);
  std::string phase = "fit";
  try {
    random::set_global_seed(778);  // unseeded random layers draw the same streams in both twins
    out.history = out.model->fit(s.x, s.y, s.fit(eager));
    phase = "between";
    if (s.between) s.between(*out.model, eager);
    phase = "evaluate";
    EvaluateOptions eo;
    eo.verbose = 0;
    eo.batch_size = s.eval_batch_size;
    eo.sample_weight = s.eval_sample_weight;
    out.eval = out.model->evaluate(s.x_eval.empty() ? s.x : s.x_eval, s.y_eval.empty() ? s.y : s.y_eval, eo);
    phase = "predict";
    out.predictions = out.model->predict_multi(s.x_eval.empty() ? s.x : s.x_eval, s.predict_batch_size);
  } catch (const std::exception& e) {
    out.error = phase + ": " + e.what();
    out.error_type = typeid(e).name();
  }
  const random::GeneratorState g = random::global_generator().state();
  out.random_state = out.model->random_state().to_json() + " global " + std::to_string(g.seed) + "/" + std::to_string(g.draws);
  return out;
}

/// Runs both twins; "" when they agree on everything.
std::string twins(const Scenario& s, Outcome* traced_out = nullptr, Outcome* eager_out = nullptr) {
  Outcome traced = run_twin(s, false, nullptr);
  // The eager twin starts from the traced twin's initial weights (the traced one has not run yet
  // when they are read: build() made them, or they are built by the first step of both).
  layers::reset_layer_names();
  random::set_global_seed(777);
  std::vector<Tensor> initial;
  {
    auto probe = s.build();
    initial = probe->weights().empty() ? std::vector<Tensor>{} : probe->get_weights();
  }
  Outcome eager = run_twin(s, true, initial.empty() ? nullptr : &initial);
  std::string diff;
  const auto phase = [](const std::string& e) { return e.substr(0, e.find(':')); };
  const bool same_error = traced.error == eager.error ||
                          (!s.same_error_text && traced.error_type == eager.error_type && !traced.error.empty() &&
                           !eager.error.empty() && phase(traced.error) == phase(eager.error));
  if (!same_error) {
    diff += "traced error [" + traced.error + "] vs eager error [" + eager.error + "]\n";
  } else if (!traced.error.empty() && !s.may_throw) {
    diff += "both twins threw: " + traced.error + "\n";
  }
  if (traced.history && eager.history) diff += compare_history(*traced.history, *eager.history);
  diff += compare("weights", traced.model->get_weights(), eager.model->get_weights());
  diff += compare_logs("evaluate", traced.eval, eager.eval);
  diff += compare("predict", traced.predictions, eager.predictions);
  if (traced.random_state != eager.random_state) {
    diff += "random state: " + traced.random_state + " vs " + eager.random_state + "\n";
  }
  if (s.expect_traced && traced.error.empty() && traced.model->traced_graph("train").empty()) {
    diff += "the traced twin did not trace its train step\n";
  }
  if (!eager.model->traced_graph("train").empty()) diff += "the eager twin traced\n";
  if (traced_out != nullptr) *traced_out = std::move(traced);
  if (eager_out != nullptr) *eager_out = std::move(eager);
  return diff;
}

// --- builders ----------------------------------------------------------------------------------

std::shared_ptr<layers::Layer> make(const std::string& class_name, Config config = Config::map()) {
  return std::shared_ptr<layers::Layer>(layers::make_layer(class_name, config));
}

std::shared_ptr<layers::Layer> dense(std::int64_t units, std::string activation = "linear", std::string name = "") {
  return std::make_shared<layers::Dense>(layers::Dense::Options{.units = units, .activation = std::move(activation)},
                                         std::move(name));
}

Config rnn_config(std::int64_t units, bool return_sequences = false) {
  return Config::map().set("units", units).set("return_sequences", return_sequences);
}

std::unique_ptr<Model> functional(std::vector<SymbolicTensor> in, std::vector<SymbolicTensor> out, std::string name = "") {
  return std::make_unique<Functional>(std::move(in), std::move(out), std::move(name));
}

Tensor normal(const Shape& shape, std::uint64_t seed, DType dtype = DType::kFloat32) {
  return random::normal(shape, 0, 1, dtype, seed);
}

/// Integer labels in [0, classes).
Tensor int_labels(std::int64_t n, std::int64_t classes, std::uint64_t seed, DType dtype = DType::kInt32,
                  Shape shape = {}) {
  std::mt19937 gen(static_cast<std::uint32_t>(seed));
  std::vector<std::int64_t> v(static_cast<std::size_t>(n));
  for (auto& x : v) x = static_cast<std::int64_t>(gen() % static_cast<std::uint32_t>(classes));
  if (shape.empty()) shape = {n};
  return ops::cast(Tensor::from_vector<std::int64_t>(v, shape), dtype);
}

Tensor one_hot(const Tensor& labels, std::int64_t classes) {
  return ops::one_hot(ops::cast(labels, DType::kInt64), classes, 1.0, 0.0, DType::kFloat32);
}

/// Token ids [n, t] in [1, vocab) followed by zero padding (every row at least one token); with
/// `pre`, the padding comes first.
Tensor padded_ids(std::int64_t n, std::int64_t t, std::int64_t vocab, std::uint64_t seed, bool pre = false) {
  std::mt19937 gen(static_cast<std::uint32_t>(seed));
  std::vector<std::int32_t> v(static_cast<std::size_t>(n * t), 0);
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int64_t len = 1 + static_cast<std::int64_t>(gen() % static_cast<std::uint32_t>(t));
    for (std::int64_t k = 0; k < len; ++k) {
      const std::int64_t pos = pre ? t - len + k : k;
      v[static_cast<std::size_t>(i * t + pos)] = 1 + static_cast<std::int32_t>(gen() % static_cast<std::uint32_t>(vocab - 1));
    }
  }
  return Tensor::from_vector<std::int32_t>(v, {n, t});
}

// ==============================================================================================
// Several inputs and outputs, shared layers, nested models
// ==============================================================================================

std::unique_ptr<Model> two_in_two_out() {
  const SymbolicTensor a = Input({4}, "a");
  const SymbolicTensor b = Input({4}, "b");
  auto shared = dense(5, "tanh", "shared");
  auto inner = std::make_shared<Sequential>(std::vector<std::shared_ptr<layers::Layer>>{dense(6, "relu"), dense(4)},
                                            "inner");
  const SymbolicTensor merged =
      call_layer(make("Concatenate"), std::vector<SymbolicTensor>{call_layer(shared, a), call_layer(shared, b)});
  const SymbolicTensor h = call_layer(inner, merged);
  const SymbolicTensor reg = call_layer(dense(2, "linear", "reg"), h);
  // The shared layer and the nested model are called again, on the inputs swapped.
  const SymbolicTensor swapped =
      call_layer(make("Concatenate"), std::vector<SymbolicTensor>{call_layer(shared, b), call_layer(shared, a)});
  const SymbolicTensor sum = call_layer(make("Add"), std::vector<SymbolicTensor>{h, call_layer(inner, swapped)});
  const SymbolicTensor cls = call_layer(dense(3, "softmax", "cls"), sum);
  return functional({a, b}, {reg, cls}, "two_in_two_out");
}

TEST(TracedModelsTest, TwoInputsTwoOutputsSharedLayerNestedSequentialLossWeightsAndMetrics) {
  const std::int64_t n = 29;
  Scenario s;
  s.build = two_in_two_out;
  s.compile = [] {
    CompileOptions c = compile_with("adam", list({"mse", "categorical_crossentropy"}), list({"accuracy", "mae"}));
    c.loss_weights = {0.5, 2.0};
    return c;
  };
  s.x = {normal({n, 4}, 1), normal({n, 4}, 2)};
  s.y = {normal({n, 2}, 3), one_hot(int_labels(n, 3, 4), 3)};
  s.fit = [](bool) {
    FitOptions f = quiet_fit(3);
    f.validation_split = 0.25;
    return f;
  };
  Outcome traced, eager;
  EXPECT_EQ(twins(s, &traced, &eager), "");
  ASSERT_TRUE(traced.history);
  for (const char* key : {"loss", "reg_loss", "cls_loss", "reg_accuracy", "cls_accuracy", "reg_mae", "cls_mae",
                          "val_loss", "val_cls_loss", "val_cls_accuracy"}) {
    EXPECT_EQ(traced.history->history().count(key), 1u) << key;
  }
}

TEST(TracedModelsTest, TrainOnBatchTestOnBatchAndPredictOnBatchWithVaryingBatchesMatchEager) {
  const auto build = [](bool eager) {
    layers::reset_layer_names();
    random::set_global_seed(5);
    auto m = two_in_two_out();
    CompileOptions c = compile_with("rmsprop", list({"huber", "categorical_crossentropy"}), list({"accuracy"}));
    c.run_eagerly = eager;
    m->compile(c);
    return m;
  };
  auto traced = build(false), eager = build(true);
  eager->set_weights(traced->get_weights());
  for (std::int64_t batch : {4, 4, 3, 4, 1, 3}) {
    const TensorList x = {normal({batch, 4}, 10 + batch), normal({batch, 4}, 20 + batch)};
    const TensorList y = {normal({batch, 2}, 30 + batch), one_hot(int_labels(batch, 3, 40 + batch), 3)};
    EXPECT_EQ(compare_logs("train_on_batch", traced->train_on_batch(x, y), eager->train_on_batch(x, y)), "") << batch;
    EXPECT_EQ(compare_logs("test_on_batch", traced->test_on_batch(x, y), eager->test_on_batch(x, y)), "") << batch;
    EXPECT_EQ(compare("predict_multi", traced->predict_multi(x, 2), eager->predict_multi(x, 2)), "") << batch;
  }
  EXPECT_EQ(compare("weights", traced->get_weights(), eager->get_weights()), "");
}

TEST(TracedModelsTest, FreezingANestedModelBetweenFitsMatchesEager) {
  Scenario s;
  s.build = two_in_two_out;
  s.compile = [] { return compile_with("sgd", list({"mae", "categorical_crossentropy"})); };
  const std::int64_t n = 20;
  s.x = {normal({n, 4}, 5), normal({n, 4}, 6)};
  s.y = {normal({n, 2}, 7), one_hot(int_labels(n, 3, 8), 3)};
  s.fit = [](bool) { return quiet_fit(1); };
  s.between = [&s](Model& m, bool) {
    m.get_layer("inner")->set_trainable(false);
    m.fit(s.x, s.y, quiet_fit(2));
    m.get_layer("inner")->set_trainable(true);
    m.get_layer("shared")->set_trainable(false);
    m.fit(s.x, s.y, quiet_fit(1));
  };
  EXPECT_EQ(twins(s), "");
}

TEST(TracedModelsTest, ABinaryClassifierWithAucPrecisionRecallMatchesEager) {
  const std::int64_t n = 30;
  Scenario s;
  s.build = [] {
    const SymbolicTensor in = Input({6});
    return functional({in}, {call_layer(dense(1, "sigmoid", "p"), call_layer(dense(5, "relu"), in))});
  };
  s.compile = [] {
    return compile_with("adam", "binary_crossentropy", list({"accuracy", "AUC", "Precision", "Recall", "binary_accuracy"}));
  };
  s.x = {normal({n, 6}, 11)};
  s.y = {ops::cast(int_labels(n, 2, 12, DType::kInt32, {n, 1}), DType::kFloat32)};
  s.fit = [](bool) {
    FitOptions f = quiet_fit(3);
    f.validation_split = 0.2;
    return f;
  };
  EXPECT_EQ(twins(s), "");
}

// ==============================================================================================
// Masks
// ==============================================================================================

TEST(TracedModelsTest, EmbeddingMaskZeroIntoLstmAndGruMatchesEager) {
  const std::int64_t n = 21, t = 7;
  for (const char* rnn : {"LSTM", "GRU", "SimpleRNN"}) {
    Scenario s;
    s.build = [rnn] {
      const SymbolicTensor in = Input({7});
      SymbolicTensor h = call_layer(make("Embedding", Config::map().set("input_dim", 9).set("output_dim", 4).set("mask_zero", true)), in);
      h = call_layer(make(rnn, rnn_config(5, true)), h);
      h = call_layer(make(rnn, rnn_config(3)), h);
      return functional({in}, {call_layer(dense(3, "softmax", "out"), h)});
    };
    s.compile = [] { return compile_with("adam", "sparse_categorical_crossentropy", list({"accuracy"})); };
    s.x = {padded_ids(n, t, 9, 13, std::string(rnn) == "GRU")};
    s.y = {int_labels(n, 3, 14)};
    s.fit = [](bool) { return quiet_fit(2); };
    EXPECT_EQ(twins(s), "") << rnn;
  }
}

TEST(TracedModelsTest, MaskingIntoBidirectionalLstmWithDropoutsMatchesEager) {
  const std::int64_t n = 18, t = 6;
  Scenario s;
  s.build = [] {
    const SymbolicTensor in = Input({6, 3});
    SymbolicTensor h = call_layer(make("Masking", Config::map().set("mask_value", 0.0)), in);
    Config lstm = rnn_config(4, true);
    lstm.set("dropout", 0.2).set("recurrent_dropout", 0.3).set("seed", 3);
    h = call_layer(make("Bidirectional", Config::map().set("layer", Config::map().set("class_name", "LSTM").set("config", lstm))), h);
    h = call_layer(make("Bidirectional", Config::map()
                                             .set("layer", Config::map().set("class_name", "GRU").set("config", rnn_config(2)))
                                             .set("merge_mode", "sum")),
                   h);
    return functional({in}, {call_layer(dense(2, "linear", "out"), h)});
  };
  s.compile = [] { return compile_with("rmsprop", "mse", list({"mae"})); };
  // Zero steps (masked) at the end of some rows and in the middle of others.
  Tensor x = normal({n, t, 3}, 15);
  const Tensor keep = ops::greater(random::uniform({n, t, 1}, 0, 1, DType::kFloat32, 16), Tensor::scalar(0.3));
  x = ops::mul(x, ops::cast(keep, DType::kFloat32));
  s.x = {x};
  s.y = {normal({n, 2}, 17)};
  s.fit = [](bool) { return quiet_fit(3); };
  EXPECT_EQ(twins(s), "");
}

TEST(TracedModelsTest, AttentionWithAMaskTensorInputAndACausalMaskMatchesEager) {
  const std::int64_t n = 14, t = 5;
  Scenario s;
  s.build = [] {
    const SymbolicTensor tokens = Input({5, 4}, "tokens");
    const SymbolicTensor allowed = Input({5, 5}, "allowed");
    auto mha = make("MultiHeadAttention", Config::map().set("num_heads", 2).set("key_dim", 3));
    CallKwargs with_mask;
    with_mask.tensors = {{{"attention_mask", 1, false}, {allowed}}};
    const SymbolicTensor a = call_layer_outputs(mha, {tokens, tokens}, with_mask).at(0);
    auto causal = make("MultiHeadAttention", Config::map().set("num_heads", 1).set("key_dim", 2).set("dropout", 0.25).set("seed", 9));
    CallKwargs causal_kw;
    causal_kw.values.set("use_causal_mask", true);
    const SymbolicTensor c = call_layer_outputs(causal, {a, a}, causal_kw).at(0);
    const SymbolicTensor h = call_layer(make("LayerNormalization"), c);
    return functional({tokens, allowed}, {call_layer(dense(2, "linear", "head"), h)});
  };
  s.compile = [] { return compile_with("adam", "mse"); };
  const Tensor allowed = ops::cast(ops::greater(random::uniform({n, t, t}, 0, 1, DType::kFloat32, 18), Tensor::scalar(0.4)),
                                   DType::kFloat32);
  s.x = {normal({n, t, 4}, 19), allowed};
  s.y = {normal({n, t, 2}, 20)};
  s.fit = [](bool) { return quiet_fit(3, 4); };
  EXPECT_EQ(twins(s), "");
}

TEST(TracedModelsTest, EmbeddingMaskIntoSelfAttentionMatchesEager) {
  const std::int64_t n = 16, t = 6;
  Scenario s;
  s.build = [] {
    const SymbolicTensor in = Input({6});
    const SymbolicTensor e =
        call_layer(make("Embedding", Config::map().set("input_dim", 11).set("output_dim", 4).set("mask_zero", true)), in);
    auto mha = make("MultiHeadAttention", Config::map().set("num_heads", 2).set("key_dim", 2));
    CallKwargs kw;
    kw.values.set("use_causal_mask", true);
    const SymbolicTensor a = call_layer_outputs(mha, {e, e}, kw).at(0);
    const SymbolicTensor pooled = call_layer(make("GlobalAveragePooling1D"), a);
    return functional({in}, {call_layer(dense(3, "linear", "out"), pooled)});
  };
  s.compile = [] {
    return compile_with("adam", Config::map().set("class_name", "SparseCategoricalCrossentropy").set("config", Config::map().set("from_logits", true)),
                        list({"accuracy"}));
  };
  s.x = {padded_ids(n, t, 11, 21)};
  s.y = {int_labels(n, 3, 22)};
  s.fit = [](bool) { return quiet_fit(3, 5); };
  EXPECT_EQ(twins(s), "");
}

TEST(TracedModelsTest, LstmReturnStateIntoInitialStateWithTwoOutputsMatchesEager) {
  const std::int64_t n = 15;
  Scenario s;
  s.build = [] {
    const SymbolicTensor enc_in = Input({5, 3}, "enc_in");
    const SymbolicTensor dec_in = Input({4, 3}, "dec_in");
    Config enc = rnn_config(4);
    enc.set("return_state", true);
    const std::vector<SymbolicTensor> e = call_layer_outputs(make("LSTM", enc), {enc_in});
    const std::vector<SymbolicTensor> d = call_layer_outputs(
        make("LSTM", rnn_config(4, true)), {dec_in}, {.tensors = {{{"initial_state", 2, true}, {e[1], e[2]}}}});
    Config gru = rnn_config(4, true);
    gru.set("return_state", true);
    const std::vector<SymbolicTensor> g = call_layer_outputs(
        make("GRU", gru), {dec_in}, {.tensors = {{{"initial_state", 1, true}, {e[1]}}}});
    const SymbolicTensor sum = call_layer(make("Add"), std::vector<SymbolicTensor>{d[0], g[0]});
    return functional({enc_in, dec_in}, {call_layer(dense(2, "linear", "seq"), sum), call_layer(dense(1, "linear", "state"), g[1])});
  };
  s.compile = [] {
    CompileOptions c = compile_with("adam", list({"mse", "mae"}), list({"mse"}));
    c.loss_weights = {1.0, 0.3};
    return c;
  };
  s.x = {normal({n, 5, 3}, 23), normal({n, 4, 3}, 24)};
  s.y = {normal({n, 4, 2}, 25), normal({n, 1}, 26)};
  s.fit = [](bool) {
    FitOptions f = quiet_fit(2, 4);
    f.validation_data = std::make_pair(TensorList{normal({5, 5, 3}, 27), normal({5, 4, 3}, 28)},
                                       TensorList{normal({5, 4, 2}, 29), normal({5, 1}, 30)});
    return f;
  };
  EXPECT_EQ(twins(s), "");
}

// ==============================================================================================
// dtypes, labels and losses
// ==============================================================================================

std::unique_ptr<Model> small_classifier(std::int64_t classes, const std::string& activation) {
  const SymbolicTensor in = Input({5});
  return functional({in}, {call_layer(dense(classes, activation, "out"), call_layer(dense(6, "tanh"), in))});
}

TEST(TracedModelsTest, Float64InputsAndTargetsMatchEager) {
  const std::int64_t n = 19;
  Scenario s;
  s.build = [] { return small_classifier(3, "linear"); };
  s.compile = [] { return compile_with("adam", "mse", list({"mae", "RootMeanSquaredError"})); };
  s.x = {normal({n, 5}, 31, DType::kFloat64)};
  s.y = {normal({n, 3}, 32, DType::kFloat64)};
  s.fit = [](bool) { return quiet_fit(2); };
  Outcome traced, eager;
  EXPECT_EQ(twins(s, &traced, &eager), "");
  EXPECT_EQ(eager.error, "") << "float64 data into a float32 model trains eagerly";
}

TEST(TracedModelsTest, IntLabelsOfEveryFormAndOneHotLabelsMatchEager) {
  const std::int64_t n = 22;
  const Tensor labels = int_labels(n, 4, 33, DType::kInt64);
  struct LabelCase {
    const char* what;
    Tensor y;
    const char* loss;
  };
  const std::vector<LabelCase> cases = {
      {"int32 [n]", ops::cast(labels, DType::kInt32), "sparse_categorical_crossentropy"},
      {"int64 [n, 1]", ops::reshape(labels, {n, 1}), "sparse_categorical_crossentropy"},
      {"float32 [n]", ops::cast(labels, DType::kFloat32), "sparse_categorical_crossentropy"},
      {"one-hot", one_hot(labels, 4), "categorical_crossentropy"},
  };
  for (const LabelCase& c : cases) {
    Scenario s;
    s.build = [] { return small_classifier(4, "softmax"); };
    s.compile = [loss = c.loss] {
      return compile_with("sgd", loss, list({"accuracy", "sparse_top_k_categorical_accuracy"}));
    };
    if (std::string(c.loss) == "categorical_crossentropy") {
      s.compile = [] { return compile_with("sgd", "categorical_crossentropy", list({"accuracy", "top_k_categorical_accuracy"})); };
    }
    s.x = {normal({n, 5}, 34)};
    s.y = {c.y};
    s.fit = [](bool) {
      FitOptions f = quiet_fit(2);
      f.class_weight = {{0, 0.5}, {1, 2.0}, {3, 1.5}};
      return f;
    };
    EXPECT_EQ(twins(s), "") << c.what;
  }
}

TEST(TracedModelsTest, SparseCategoricalCrossentropyWithIgnoreClassOverSequencesMatchesEager) {
  const std::int64_t n = 12, t = 5;
  Scenario s;
  s.build = [] {
    const SymbolicTensor in = Input({5, 3});
    const SymbolicTensor h = call_layer(make("LSTM", rnn_config(4, true)), in);
    return functional({in}, {call_layer(dense(4, "linear", "tags"), h)});
  };
  s.compile = [] {
    return compile_with("adam",
                        Config::map().set("class_name", "SparseCategoricalCrossentropy")
                            .set("config", Config::map().set("from_logits", true).set("ignore_class", -1)),
                        list({"sparse_categorical_accuracy"}));
  };
  // -1 (ignored) on about a third of the steps, different in every batch.
  Tensor tags = int_labels(n * t, 4, 35, DType::kInt64, {n, t});
  const Tensor ignored = ops::greater(random::uniform({n, t}, 0, 1, DType::kFloat32, 36), Tensor::scalar(0.66));
  tags = ops::where(ignored, ops::scalar_like(tags, -1.0), tags);
  s.x = {normal({n, t, 3}, 37)};
  s.y = {tags};
  s.fit = [](bool) { return quiet_fit(3, 5); };
  EXPECT_EQ(twins(s), "");
}

struct LossCase {
  std::string name;
  Config loss;
  std::string activation;
  std::string targets;  // "binary", "signs", "probabilities", "real"
};

class TracedLossTest : public ::testing::TestWithParam<LossCase> {};

TEST_P(TracedLossTest, ASmallModelTrainedWithThisLossMatchesEager) {
  const LossCase& c = GetParam();
  const std::int64_t n = 17;
  Scenario s;
  s.build = [&c] { return small_classifier(3, c.activation); };
  s.compile = [&c] { return compile_with("adam", c.loss, list({"mae", "mse"})); };
  s.x = {normal({n, 5}, 41)};
  const Tensor u = random::uniform({n, 3}, 0, 1, DType::kFloat32, 42);
  if (c.targets == "binary") {
    s.y = {ops::cast(ops::greater(u, Tensor::scalar(0.5)), DType::kFloat32)};
  } else if (c.targets == "signs") {
    s.y = {ops::sub(ops::mul(ops::cast(ops::greater(u, Tensor::scalar(0.5)), DType::kFloat32), 2.0), 1.0)};
  } else if (c.targets == "probabilities") {
    s.y = {ops::softmax(ops::mul(u, 3.0), -1)};
  } else {
    s.y = {ops::mul(normal({n, 3}, 43), 2.0)};
  }
  s.fit = [](bool) {
    FitOptions f = quiet_fit(2);
    f.sample_weight = ops::add(random::uniform({17}, 0, 2, DType::kFloat32, 44), 0.1);
    return f;
  };
  s.eval_sample_weight = random::uniform({n}, 0, 1, DType::kFloat32, 45);
  EXPECT_EQ(twins(s), "") << c.name;
}

Config from_logits(const char* class_name) {
  return Config::map().set("class_name", class_name).set("config", Config::map().set("from_logits", true));
}

INSTANTIATE_TEST_SUITE_P(
    Losses, TracedLossTest,
    ::testing::Values(LossCase{"BinaryCrossentropyFromLogits", from_logits("BinaryCrossentropy"), "linear", "binary"},
                      LossCase{"BinaryCrossentropySmoothed",
                               Config::map().set("class_name", "BinaryCrossentropy")
                                   .set("config", Config::map().set("label_smoothing", 0.1)),
                               "sigmoid", "binary"},
                      LossCase{"Hinge01", "hinge", "linear", "binary"}, LossCase{"HingeSigns", "hinge", "linear", "signs"},
                      LossCase{"SquaredHinge", "squared_hinge", "linear", "binary"},
                      LossCase{"CategoricalHinge", "categorical_hinge", "linear", "binary"},
                      LossCase{"Huber", "huber", "linear", "real"},
                      LossCase{"HuberDelta", Config::map().set("class_name", "Huber").set("config", Config::map().set("delta", 0.3)),
                               "linear", "real"},
                      LossCase{"KLD", "kld", "softmax", "probabilities"},
                      LossCase{"Poisson", "poisson", "softplus", "probabilities"},
                      LossCase{"LogCosh", "log_cosh", "linear", "real"},
                      LossCase{"MAPE", "mape", "linear", "real"}, LossCase{"MSLE", "msle", "softplus", "probabilities"},
                      LossCase{"CosineSimilarity", "cosine_similarity", "linear", "real"},
                      LossCase{"CategoricalCrossentropyFromLogits", from_logits("CategoricalCrossentropy"), "linear",
                               "probabilities"}),
    [](const ::testing::TestParamInfo<LossCase>& info) { return info.param.name; });

// ==============================================================================================
// fit's options
// ==============================================================================================

Scenario mlp_scenario(std::int64_t n) {
  Scenario s;
  s.build = [] { return small_classifier(3, "linear"); };
  s.compile = [] { return compile_with("adam", "mse", list({"mae"})); };
  s.x = {normal({n, 5}, 51)};
  s.y = {normal({n, 3}, 52)};
  return s;
}

TEST(TracedModelsTest, SampleWeightValidationSplitAndNoShuffleMatchEager) {
  Scenario s = mlp_scenario(27);
  s.fit = [](bool) {
    FitOptions f = quiet_fit(3, 6);
    f.sample_weight = random::uniform({27}, 0, 3, DType::kFloat32, 53);
    f.validation_split = 0.3;
    f.shuffle = false;
    return f;
  };
  EXPECT_EQ(twins(s), "");
}

TEST(TracedModelsTest, StepsPerEpochWalkingAcrossEpochsAndInitialEpochMatchEager) {
  Scenario s = mlp_scenario(26);  // 4 batches of 7 (the last has 5)
  s.fit = [](bool) {
    FitOptions f = quiet_fit(5, 7);
    f.steps_per_epoch = 3;
    f.initial_epoch = 1;
    f.validation_freq = 2;
    f.validation_data = std::make_pair(TensorList{normal({6, 5}, 54)}, TensorList{normal({6, 3}, 55)});
    return f;
  };
  Outcome traced, eager;
  EXPECT_EQ(twins(s, &traced, &eager), "");
  ASSERT_TRUE(traced.history);
  EXPECT_EQ(traced.history->at("loss").size(), 4u);
  EXPECT_EQ(traced.model->optimizer()->iterations(), 12);
}

TEST(TracedModelsTest, EvaluateWithAndWithoutSampleWeightAfterATracedFitMatchesEager) {
  Scenario s = mlp_scenario(23);
  s.fit = [](bool) { return quiet_fit(2); };
  s.between = [](Model& m, bool) {
    // A test step with sample weights, then one without: two layouts of the test step.
    EvaluateOptions eo;
    eo.verbose = 0;
    eo.batch_size = 10;
    eo.sample_weight = random::uniform({23}, 0, 1, DType::kFloat32, 56);
    m.evaluate(normal({23, 5}, 51), normal({23, 3}, 52), eo);
  };
  s.eval_sample_weight = random::uniform({23}, 0, 1, DType::kFloat32, 57);
  EXPECT_EQ(twins(s), "");
}

// ==============================================================================================
// Callbacks that change the model or the optimizer between steps
// ==============================================================================================

TEST(TracedModelsTest, ReduceLROnPlateauAndLearningRateSchedulerMatchEager) {
  Scenario s = mlp_scenario(24);
  s.compile = [] {
    return compile_with(Config::map().set("class_name", "Adam").set("config", Config::map().set("learning_rate", 0.05)), "mse");
  };
  s.fit = [](bool) {
    FitOptions f = quiet_fit(6);
    f.validation_split = 0.25;
    callbacks::ReduceLROnPlateau::Options r;
    r.monitor = "loss";
    r.patience = 0;
    r.min_delta = 10.0;  // every epoch counts as a plateau: the rate drops every epoch
    r.factor = 0.5;
    f.callbacks.push_back(std::make_shared<callbacks::ReduceLROnPlateau>(r));
    f.callbacks.push_back(std::make_shared<callbacks::LearningRateScheduler>(
        [](int epoch, double lr) { return epoch % 2 == 0 ? lr * 0.7 : lr; }));
    return f;
  };
  Outcome traced, eager;
  EXPECT_EQ(twins(s, &traced, &eager), "");
  ASSERT_TRUE(traced.history);
  const auto& lr = traced.history->at("learning_rate");
  ASSERT_EQ(lr.size(), 6u);
  EXPECT_LT(lr.back(), lr.front() * 0.1) << "the rate did change";
}

TEST(TracedModelsTest, ALearningRateChangedBetweenBatchesIsSeenByTheReplay) {
  Scenario s = mlp_scenario(24);
  s.compile = [] { return compile_with("sgd", "mse"); };
  // A callback that sets the rate from the batch index, before each step.
  struct BatchRate final : callbacks::Callback {
    std::string class_name() const override { return "BatchRate"; }
    void on_train_batch_begin(int batch, const callbacks::Logs&) override {
      model()->optimizer()->set_learning_rate(0.01 * (batch + 1));
    }
  };
  s.fit = [](bool) {
    FitOptions f = quiet_fit(2, 6);
    f.callbacks.push_back(std::make_shared<BatchRate>());
    return f;
  };
  EXPECT_EQ(twins(s), "");
}

TEST(TracedModelsTest, EarlyStoppingRestoringTheBestWeightsMatchesEager) {
  Scenario s = mlp_scenario(24);
  s.compile = [] {
    return compile_with(Config::map().set("class_name", "SGD").set("config", Config::map().set("learning_rate", 0.8)), "mse");
  };
  s.fit = [](bool) {
    FitOptions f = quiet_fit(8);
    f.validation_split = 0.25;
    callbacks::EarlyStopping::Options e;
    e.monitor = "val_loss";
    e.patience = 1;
    e.restore_best_weights = true;
    f.callbacks.push_back(std::make_shared<callbacks::EarlyStopping>(e));
    return f;
  };
  // More traced steps after the restore: the replay must see the restored weights.
  s.between = [&s](Model& m, bool) { m.fit(s.x, s.y, quiet_fit(1)); };
  EXPECT_EQ(twins(s), "");
}

TEST(TracedModelsTest, ModelCheckpointSaveBestOnlyAndBatchSavesMatchEager) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(::testing::TempDir()) / "traced_models_checkpoint";
  fs::remove_all(dir);
  Scenario s = mlp_scenario(24);
  s.fit = [dir](bool eager) {
    FitOptions f = quiet_fit(4);
    f.validation_split = 0.25;
    const std::string side = eager ? "eager" : "traced";
    callbacks::ModelCheckpoint::Options best;
    best.filepath = (dir / (side + "_best.weights.h5")).string();
    best.save_best_only = true;
    best.save_weights_only = true;
    f.callbacks.push_back(std::make_shared<callbacks::ModelCheckpoint>(best));
    callbacks::ModelCheckpoint::Options every;
    every.filepath = (dir / (side + "_{epoch}_{batch}.keras")).string();
    every.save_freq = 2;
    f.callbacks.push_back(std::make_shared<callbacks::ModelCheckpoint>(every));
    return f;
  };
  // Load the best weights back, then train on (traced steps after load_weights).
  s.between = [dir, &s](Model& m, bool eager) {
    load_weights_file(m, (dir / (std::string(eager ? "eager" : "traced") + "_best.weights.h5")).string());
    m.fit(s.x, s.y, quiet_fit(1));
  };
  EXPECT_EQ(twins(s), "");
  // The batch checkpoints agree too.
  for (const char* stem : {"_1_2.keras", "_2_3.keras", "_4_3.keras"}) {
    auto a = load_model_file((dir / (std::string("traced") + stem)).string());
    auto b = load_model_file((dir / (std::string("eager") + stem)).string());
    EXPECT_EQ(compare(stem, a->get_weights(), b->get_weights()), "");
  }
}

TEST(TracedModelsTest, ACallbackThatSetsWeightsAndFreezesALayerMidEpochMatchesEager) {
  Scenario s = mlp_scenario(30);
  struct Meddler final : callbacks::Callback {
    std::string class_name() const override { return "Meddler"; }
    void on_train_batch_end(int batch, const callbacks::Logs&) override {
      if (batch == 1) {
        std::vector<Tensor> w = model()->get_weights();
        for (Tensor& t : w) t = ops::mul(t, 0.9);
        model()->set_weights(w);
      }
      if (batch == 2) model()->layers().at(1)->set_trainable(false);
      if (batch == 3) model()->layers().at(1)->set_trainable(true);
    }
    void on_epoch_end(int, callbacks::Logs& logs) override {
      // A predict and an evaluate inside fit: other traced steps between train steps.
      const Tensor x = random::normal({3, 5}, 0, 1, DType::kFloat32, 58);
      logs.set("probe", ops::sum(model()->predict(x)).item_as_double());
      EvaluateOptions eo;
      eo.verbose = 0;
      logs.set("probe_loss", model()->evaluate(x, Tensor::zeros({3, 3}), eo).at("loss"));
    }
  };
  s.fit = [](bool) {
    FitOptions f = quiet_fit(2, 6);
    f.callbacks.push_back(std::make_shared<Meddler>());
    return f;
  };
  EXPECT_EQ(twins(s), "");
}

// ==============================================================================================
// BatchNormalization and Normalization in nested models
// ==============================================================================================

TEST(TracedModelsTest, BatchNormalizationInANestedSequentialAndAReadaptedNormalizationMatchEager) {
  Scenario s;
  s.build = [] {
    const SymbolicTensor in = Input({5});
    auto norm = make("Normalization", Config::map().set("axis", -1));
    dynamic_cast<layers::Normalization&>(*norm).adapt(ops::add(random::normal({40, 5}, 0, 2, DType::kFloat32, 60), 1.0));
    auto inner = std::make_shared<Sequential>(
        std::vector<std::shared_ptr<layers::Layer>>{dense(6), make("BatchNormalization", Config::map().set("momentum", 0.7)),
                                                    make("Activation", Config::map().set("activation", "relu"))},
        "inner");
    return functional({in}, {call_layer(dense(2, "linear", "out"), call_layer(inner, call_layer(norm, in)))});
  };
  s.compile = [] { return compile_with("adam", "mse"); };
  s.x = {ops::mul(normal({22, 5}, 61), 3.0)};
  s.y = {normal({22, 2}, 62)};
  s.fit = [](bool) {
    FitOptions f = quiet_fit(2);
    f.validation_split = 0.2;
    return f;
  };
  s.between = [&s](Model& m, bool) {
    dynamic_cast<layers::Normalization&>(*m.layers().at(1)).adapt(ops::mul(normal({30, 5}, 63), 0.5));
    m.fit(s.x, s.y, quiet_fit(1));
    m.get_layer("inner")->set_trainable(false);  // BatchNormalization in inference mode
    m.fit(s.x, s.y, quiet_fit(1));
  };
  EXPECT_EQ(twins(s), "");
}

// ==============================================================================================
// Models loaded from real Keras files, fine-tuned
// ==============================================================================================

struct FileCase {
  std::string name;
  std::string file;
  std::vector<std::string> inputs;  // .npy files, tiled to more rows (float ones jittered)
  Config optimizer = "adam";
  int rows = 12;        // after tiling
  int batch_size = 5;   // fit's, evaluate's and predict's (file 11 has a fixed batch size of 2)
};

class TracedKerasFileTest : public ::testing::TestWithParam<FileCase> {};

Tensor tiled(const Tensor& x, int times, std::uint64_t seed) {
  TensorList copies(static_cast<std::size_t>(times), x);
  const Tensor t = ops::concat(copies, 0);
  if (!is_floating(t.dtype())) return t;
  return ops::add(t, ops::mul(random::normal(t.shape(), 0, 1, t.dtype(), seed), 0.1));
}

TEST_P(TracedKerasFileTest, FineTuningTheLoadedModelMatchesEager) {
  const FileCase& c = GetParam();
  Scenario s;
  s.build = [&c] { return load_model_file(c.file); };
  s.compile = [&c] { return compile_with(c.optimizer, "mse", list({"mae"})); };
  std::uint64_t seed = 70;
  for (const std::string& f : c.inputs) {
    const Tensor x = io::read_npy(f);
    s.x.push_back(tiled(x, std::max<int>(2, c.rows / static_cast<int>(x.shape()[0])), seed++));
  }
  s.eval_batch_size = s.predict_batch_size = c.batch_size;
  {
    auto probe = load_model_file(c.file);
    for (const Tensor& p : probe->predict_multi(s.x, c.batch_size)) s.y.push_back(random::normal(p.shape(), 0, 1, DType::kFloat32, seed++));
  }
  s.fit = [&c](bool) {
    FitOptions f = quiet_fit(2, c.batch_size);
    f.validation_split = 0.2;
    return f;
  };
  EXPECT_EQ(twins(s), "") << c.name;
}

FileCase keras3(const std::string& stem, std::vector<std::string> inputs) {
  std::vector<std::string> paths;
  for (const std::string& i : inputs) paths.push_back(kKeras3 + stem + "_" + i + ".npy");
  return {stem, kKeras3 + stem + ".keras", paths};
}

FileCase real(const std::string& name, const std::string& file) {
  const std::string stem = file.substr(0, file.find('.'));
  return {name, kReal + file, {std::string(FATHOM_SOURCE_DIR) + "/tests/models/data/keras_references/" + stem + "_input.npy"}};
}

INSTANTIATE_TEST_SUITE_P(
    KerasFiles, TracedKerasFileTest,
    ::testing::Values(keras3("cnn_bn_sequential", {"input"}), keras3("conv_zoo", {"input"}),
                      keras3("embedding_bilstm_gru", {"input"}), keras3("seq_zoo", {"input"}),
                      keras3("two_inputs_nested", {"input_a", "input_b"}), keras3("seq2seq", {"input_a", "input_b"}),
                      keras3("masked_attention", {"input_a", "input_b"}),
                      real("File05CnnPoolPadUpsample", "05_cnn_pool_pad_upsample_tfkeras2.2.4.h5"),
                      real("File06LstmFunctional", "06_lstm_relu_functional_keras2.1.3.h5"),
                      real("File07Gru", "07_gru_resetafterfalse_keras2.1.3.h5"),
                      real("File08Conv1dGru", "08_conv1d_gru_resetafter_tfkeras2.11_hdf5.keras"),
                      real("File09EmbeddingLstm", "09_embedding_lstm_keras2.1.3.h5"),
                      [] {
                        FileCase c = real("File11MaskingLstm", "11_keras3.8_masking_lstm.keras");
                        c.rows = 10;
                        c.batch_size = 2;
                        return c;
                      }()),
    [](const ::testing::TestParamInfo<FileCase>& info) { return info.param.name; });

// ==============================================================================================
// Aliasing: the same tensor as x and y, duplicated and pass-through outputs
// ==============================================================================================

TEST(TracedModelsTest, AnAutoencoderFitOnTheSameTensorAsXAndYMatchesEagerAndLeavesTheDataAlone) {
  for (const std::int64_t batch : {32, 6}) {  // one batch (the whole tensor), then several
    const Tensor x = normal({20, 5}, 90);
    const std::vector<float> before = x.to_vector<float>();
    Scenario s;
    s.build = [] {
      const SymbolicTensor in = Input({5});
      return functional({in}, {call_layer(dense(5, "linear", "dec"), call_layer(dense(2, "tanh", "enc"), in))});
    };
    s.compile = [] { return compile_with("adam", "mse"); };
    s.x = {x};
    s.y = {x};
    s.fit = [batch](bool) {
      FitOptions f = quiet_fit(3, static_cast<int>(batch));
      f.shuffle = false;
      return f;
    };
    EXPECT_EQ(twins(s), "") << batch;
    EXPECT_EQ(x.to_vector<float>(), before) << "fit wrote into its data (batch " << batch << ")";
  }
}

TEST(TracedModelsTest, ATensorThatIsTwoOutputsAndAnInputPassedThroughMatchEager) {
  Scenario s;
  s.build = [] {
    const SymbolicTensor in = Input({4}, "in");
    const SymbolicTensor h = call_layer(dense(4, "tanh", "h"), in);
    const SymbolicTensor out = call_layer(dense(3, "linear", "out"), h);
    const SymbolicTensor flat = call_layer(make("Flatten"), in);  // no weights: y_pred is the input's data
    return functional({in}, {out, out, flat, h});
  };
  s.compile = [] {
    CompileOptions c = compile_with("sgd", list({"mse", "mae", "mse", "huber"}), list({"mae"}));
    c.loss_weights = {1.0, 0.5, 1.0, 0.25};
    return c;
  };
  s.x = {normal({17, 4}, 91)};
  s.y = {normal({17, 3}, 92), normal({17, 3}, 93), normal({17, 4}, 94), normal({17, 4}, 95)};
  s.fit = [](bool) { return quiet_fit(3, 5); };
  EXPECT_EQ(twins(s), "");
}

// ==============================================================================================
// Two models sharing layers (a GAN's alternation), many batch shapes
// ==============================================================================================

TEST(TracedModelsTest, TwoModelsSharingLayersTrainedInTurnWithAFrozenDiscriminatorMatchEager) {
  struct Gan {
    std::unique_ptr<Model> discriminator, combined;
  };
  const auto build = [](bool eager) {
    layers::reset_layer_names();
    random::set_global_seed(12);
    Gan g;
    auto d_hidden = dense(6, "relu", "d_hidden");
    auto d_out = dense(1, "sigmoid", "d_out");
    const SymbolicTensor sample = Input({3});
    g.discriminator = functional({sample}, {call_layer(d_out, call_layer(d_hidden, sample))}, "discriminator");
    CompileOptions cd = compile_with("adam", "binary_crossentropy", list({"accuracy"}));
    cd.run_eagerly = eager;
    g.discriminator->compile(cd);
    const SymbolicTensor noise = Input({2});
    const SymbolicTensor fake = call_layer(dense(3, "linear", "g_out"), call_layer(dense(5, "tanh", "g_hidden"), noise));
    g.combined = functional({noise}, {call_layer(d_out, call_layer(d_hidden, fake))}, "combined");
    CompileOptions cc = compile_with("adam", "binary_crossentropy");
    cc.run_eagerly = eager;
    g.combined->compile(cc);
    return g;
  };
  Gan traced = build(false), eager = build(true);
  eager.combined->set_weights(traced.combined->get_weights());
  const Tensor ones = Tensor::ones({8, 1}), zeros = Tensor::zeros({8, 1});
  for (int round = 0; round < 4; ++round) {
    for (Gan* g : {&traced, &eager}) {
      const Tensor real = ops::add(normal({8, 3}, 100 + round), 2.0);
      const Tensor noise = normal({8, 2}, 200 + round);
      g->discriminator->get_layer("d_hidden")->set_trainable(true);
      g->discriminator->get_layer("d_out")->set_trainable(true);
      const Tensor fake = g->combined->layers().at(2)->operator()(g->combined->layers().at(1)->operator()(noise));
      g->discriminator->train_on_batch(real, ones);
      g->discriminator->train_on_batch(fake, zeros);
      g->discriminator->get_layer("d_hidden")->set_trainable(false);
      g->discriminator->get_layer("d_out")->set_trainable(false);
      g->combined->train_on_batch(noise, ones);
    }
    EXPECT_EQ(compare("combined weights", traced.combined->get_weights(), eager.combined->get_weights()), "") << round;
  }
  const Tensor probe = normal({5, 3}, 300);
  EXPECT_EQ(compare("discriminator", {traced.discriminator->predict(probe)}, {eager.discriminator->predict(probe)}), "");
}

TEST(TracedModelsTest, MoreBatchShapesThanTheTraceCacheHoldsMatchEager) {
  const auto build = [](bool eager) {
    layers::reset_layer_names();
    random::set_global_seed(13);
    auto m = small_classifier(3, "softmax");
    CompileOptions c = compile_with("adam", "sparse_categorical_crossentropy", list({"accuracy"}));
    c.run_eagerly = eager;
    m->compile(c);
    return m;
  };
  auto traced = build(false), eager = build(true);
  eager->set_weights(traced->get_weights());
  for (int round = 0; round < 2; ++round) {
    for (std::int64_t b = 1; b <= 11; ++b) {  // 11 shapes, the cache keeps 8: evictions and retraces
      const Tensor x = normal({b, 5}, static_cast<std::uint64_t>(400 + b + 20 * round));
      const Tensor y = int_labels(b, 3, static_cast<std::uint64_t>(500 + b + 20 * round));
      EXPECT_EQ(compare_logs("train", traced->train_on_batch(x, y), eager->train_on_batch(x, y)), "") << b;
      EXPECT_EQ(compare("predict", {traced->predict_on_batch(x)}, {eager->predict_on_batch(x)}), "") << b;
    }
  }
  EXPECT_EQ(compare("weights", traced->get_weights(), eager->get_weights()), "");
  EXPECT_EQ(traced->optimizer()->iterations(), 22);
}

// ==============================================================================================
// Random layers, random state, and resuming an interrupted fit
// ==============================================================================================

std::unique_ptr<Model> noisy_sequence_model() {
  const SymbolicTensor in = Input({6, 4});
  SymbolicTensor h = call_layer(make("GaussianNoise", Config::map().set("stddev", 0.3)), in);
  h = call_layer(make("SpatialDropout1D", Config::map().set("rate", 0.3)), h);
  Config lstm = rnn_config(5, true);
  lstm.set("dropout", 0.3).set("recurrent_dropout", 0.2);
  h = call_layer(make("LSTM", lstm), h);
  h = call_layer(make("GaussianDropout", Config::map().set("rate", 0.2).set("seed", 5)), h);
  auto mha = make("MultiHeadAttention", Config::map().set("num_heads", 2).set("key_dim", 2).set("dropout", 0.3));
  h = call_layer_outputs(mha, {h, h}).at(0);
  h = call_layer(make("GlobalAveragePooling1D"), h);
  h = call_layer(make("Dropout", Config::map().set("rate", 0.4)), h);
  return functional({in}, {call_layer(dense(2, "linear", "out"), h)});
}

TEST(TracedModelsTest, EveryRandomLayerDrawsTheSameStreamsAsEager) {
  Scenario s;
  s.build = noisy_sequence_model;
  s.compile = [] { return compile_with("sgd", "mse"); };  // no optimizer state to restore
  s.x = {normal({20, 6, 4}, 110)};
  s.y = {normal({20, 2}, 111)};
  s.fit = [](bool) {
    FitOptions f = quiet_fit(3, 6);
    f.validation_split = 0.2;
    return f;
  };
  // Restore the random streams and the weights, train again: the same masks again.
  s.between = [&s](Model& m, bool) {
    const Config state = m.random_state();
    const random::GeneratorState global = random::global_generator().state();  // the unseeded layers' stream
    const std::vector<Tensor> w = m.get_weights();
    const auto first = m.fit(s.x, s.y, quiet_fit(1, 6));
    m.set_random_state(state);
    random::global_generator().set_state(global);
    m.set_weights(w);
    const auto again = m.fit(s.x, s.y, quiet_fit(1, 6));
    if (!close(first->at("loss").at(0), again->at("loss").at(0))) {
      throw std::runtime_error("restoring the random state did not replay the masks: " +
                               std::to_string(first->at("loss").at(0)) + " vs " + std::to_string(again->at("loss").at(0)));
    }
  };
  EXPECT_EQ(twins(s), "");
}

TEST(TracedModelsTest, ABackupAndRestoreResumeAfterAnInterruptionMatchesEager) {
  namespace fs = std::filesystem;
  struct Interrupt final : callbacks::Callback {
    explicit Interrupt(bool* armed) : armed_(armed) {}
    std::string class_name() const override { return "Interrupt"; }
    void on_train_batch_end(int batch, const callbacks::Logs&) override {
      if (*armed_ && batch == 2 && ++epochs_seen_ == 2) {
        *armed_ = false;
        throw std::runtime_error("interrupted");
      }
    }
    bool* armed_;
    int epochs_seen_ = 0;
  };
  Scenario s;
  s.build = noisy_sequence_model;
  s.compile = [] { return compile_with("adam", "mse", list({"mae"})); };
  s.x = {normal({20, 6, 4}, 120)};
  s.y = {normal({20, 2}, 121)};
  const fs::path root = fs::path(::testing::TempDir()) / "traced_models_backup";
  fs::remove_all(root);
  const auto options = [root](bool eager, bool* armed) {
    FitOptions f = quiet_fit(3, 6);
    callbacks::BackupAndRestore::Options b;
    b.backup_dir = (root / (eager ? "eager" : "traced")).string();
    b.save_freq = 1;
    f.callbacks.push_back(std::make_shared<callbacks::BackupAndRestore>(b));
    f.callbacks.push_back(std::make_shared<Interrupt>(armed));
    return f;
  };
  // fit is interrupted in its second epoch, then a second fit (a fresh model, as after a crash)
  // resumes from the backup.
  s.fit = [options](bool eager) {
    static bool armed;
    armed = true;
    return options(eager, &armed);
  };
  s.may_throw = true;
  Outcome traced, eager;
  EXPECT_EQ(twins(s, &traced, &eager), "");
  EXPECT_NE(traced.error.find("interrupted"), std::string::npos) << traced.error;
  for (Outcome* o : {&traced, &eager}) {
    const bool is_eager = o == &eager;
    layers::reset_layer_names();
    random::set_global_seed(999);  // a new process: another global stream, restored from the backup
    auto fresh = noisy_sequence_model();
    fresh->set_weights(o->model->get_weights());  // overwritten by the backup
    CompileOptions c = s.compile();
    c.run_eagerly = is_eager;
    fresh->compile(c);
    bool armed = false;
    o->history = fresh->fit(s.x, s.y, options(is_eager, &armed));
    o->model = std::move(fresh);
  }
  EXPECT_EQ(compare_history(*traced.history, *eager.history), "");
  EXPECT_EQ(compare("resumed weights", traced.model->get_weights(), eager.model->get_weights()), "");
  EXPECT_EQ(traced.history->at("loss").size(), 2u) << "epochs 2 and 3 (the second resumed mid-way)";
}

// ==============================================================================================
// Bad data in a later batch: both twins throw the same error, with the same state
// ==============================================================================================

TEST(TracedModelsTest, ALabelOutOfRangeInALaterBatchThrowsAsEagerWithTheSameState) {
  Scenario s;
  s.build = [] {
    const SymbolicTensor in = Input({5});
    auto bn = make("BatchNormalization", Config::map().set("momentum", 0.5));
    return functional({in}, {call_layer(dense(3, "softmax", "out"), call_layer(bn, call_layer(dense(4), in)))});
  };
  s.compile = [] { return compile_with("sgd", "sparse_categorical_crossentropy", list({"accuracy"})); };
  const std::int64_t n = 24;
  s.x = {normal({n, 5}, 130)};
  std::vector<std::int32_t> labels(n, 1);
  labels[20] = 7;  // in the third batch of 8
  s.y = {Tensor::from_vector<std::int32_t>(labels, {n})};
  s.fit = [](bool) {
    FitOptions f = quiet_fit(1);
    f.shuffle = false;
    return f;
  };
  s.may_throw = true;
  Outcome traced, eager;
  EXPECT_EQ(twins(s, &traced, &eager), "");
  EXPECT_NE(eager.error.find("out of range"), std::string::npos) << eager.error;
}

TEST(TracedModelsTest, AnEmbeddingIdOutOfRangeInALaterBatchThrowsAsEagerWithTheSameState) {
  Scenario s;
  s.build = [] {
    const SymbolicTensor in = Input({4});
    SymbolicTensor h = call_layer(make("Embedding", Config::map().set("input_dim", 6).set("output_dim", 3)), in);
    h = call_layer(make("BatchNormalization", Config::map().set("momentum", 0.5)), h);
    h = call_layer(make("GlobalAveragePooling1D"), h);
    return functional({in}, {call_layer(dense(2, "linear", "out"), h)});
  };
  s.compile = [] { return compile_with("sgd", "mse"); };
  const std::int64_t n = 24;
  std::vector<std::int32_t> ids(static_cast<std::size_t>(n * 4), 2);
  ids[4 * 19 + 2] = 6;  // row 19, in the third batch of 8
  s.x = {Tensor::from_vector<std::int32_t>(ids, {n, 4})};
  s.y = {normal({n, 2}, 131)};
  s.fit = [](bool) {
    FitOptions f = quiet_fit(1);
    f.shuffle = false;
    return f;
  };
  s.may_throw = true;
  s.same_error_text = false;  // a replay lacks the "calling Embedding ... on [...]" context
  Outcome traced, eager;
  EXPECT_EQ(twins(s, &traced, &eager), "");
  EXPECT_NE(eager.error.find("out of range"), std::string::npos) << eager.error;
}

// ==============================================================================================
// More fit paths: strided data, a frozen model, recompiling mid-fit, a Dataset, NaN, Sequential masks
// ==============================================================================================

TEST(TracedModelsTest, NonContiguousDataForFitTrainOnBatchAndPredictMatchesEager) {
  // x is a transposed view, y a strided slice (every other row of a larger tensor).
  const Tensor xt = normal({5, 18}, 140);
  const Tensor x = ops::transpose(xt, {1, 0});
  const Tensor y = ops::slice_axis(normal({36, 3}, 141), 0, 0, std::nullopt, 2);
  ASSERT_FALSE(x.is_contiguous());
  ASSERT_FALSE(y.is_contiguous());
  for (const bool shuffle : {false, true}) {
    Scenario s = mlp_scenario(18);
    s.x = {x};
    s.y = {y};
    s.fit = [shuffle](bool) {
      FitOptions f = quiet_fit(2, shuffle ? 8 : 32);  // without shuffling: one batch, the views themselves
      f.shuffle = shuffle;
      return f;
    };
    s.between = [&](Model& m, bool) {
      m.train_on_batch(x, y);
      m.train_on_batch(x.contiguous(), y.contiguous());  // the same shapes with other strides
      m.train_on_batch(x, y);
    };
    s.predict_batch_size = 32;
    EXPECT_EQ(twins(s), "") << "shuffle " << shuffle;
  }
}

TEST(TracedModelsTest, AWhollyFrozenModelFitsAsEager) {
  Scenario s;
  s.build = [] {
    const SymbolicTensor in = Input({5});
    auto bn = make("BatchNormalization");
    return functional({in}, {call_layer(dense(3, "linear", "out"), call_layer(bn, call_layer(dense(4), in)))});
  };
  s.compile = [] { return compile_with("adam", "mse", list({"mae"})); };
  s.x = {normal({20, 5}, 142)};
  s.y = {normal({20, 3}, 143)};
  s.fit = [](bool) { return quiet_fit(1); };
  s.between = [&s](Model& m, bool) {
    m.set_trainable(false);
    m.fit(s.x, s.y, quiet_fit(2));
    m.set_trainable(true);
    m.fit(s.x, s.y, quiet_fit(1));
  };
  EXPECT_EQ(twins(s), "");
}

TEST(TracedModelsTest, RecompilingInsideACallbackMidFitMatchesEager) {
  struct Recompile final : callbacks::Callback {
    explicit Recompile(bool eager) : eager_(eager) {}
    std::string class_name() const override { return "Recompile"; }
    void on_epoch_begin(int epoch, const callbacks::Logs&) override {
      if (epoch != 1) return;
      CompileOptions c = compile_with("rmsprop", "huber", list({"mae"}));
      c.run_eagerly = eager_;
      model()->compile(c);
    }
    bool eager_;
  };
  Scenario s = mlp_scenario(20);
  s.fit = [](bool eager) {
    FitOptions f = quiet_fit(3);
    f.validation_split = 0.2;
    f.callbacks.push_back(std::make_shared<Recompile>(eager));
    return f;
  };
  EXPECT_EQ(twins(s), "");
}

TEST(TracedModelsTest, FitOnADatasetWithValidationMatchesEager) {
  const auto build = [](bool eager) {
    layers::reset_layer_names();
    random::set_global_seed(14);
    auto m = two_in_two_out();
    CompileOptions c = compile_with("adam", list({"mse", "categorical_crossentropy"}), list({"accuracy"}));
    c.run_eagerly = eager;
    m->compile(c);
    return m;
  };
  auto traced = build(false), eager = build(true);
  eager->set_weights(traced->get_weights());
  const std::int64_t n = 23;
  const TensorList x = {normal({n, 4}, 150), normal({n, 4}, 151)};
  const TensorList y = {normal({n, 2}, 152), one_hot(int_labels(n, 3, 153), 3)};
  const Tensor sw = random::uniform({n}, 0, 2, DType::kFloat32, 154);
  const io::Dataset data = io::Dataset::from_tensors(x, y, sw).shuffle(5).batch(6);
  FitOptions f = quiet_fit(3);
  f.batch_size = 32;
  f.validation_data = std::make_pair(TensorList{normal({4, 4}, 155), normal({4, 4}, 156)},
                                     TensorList{normal({4, 2}, 157), one_hot(int_labels(4, 3, 158), 3)});
  f.seed.reset();
  const auto ht = traced->fit(data, f);
  const auto he = eager->fit(data, f);
  EXPECT_EQ(compare_history(*ht, *he), "");
  EXPECT_EQ(compare("weights", traced->get_weights(), eager->get_weights()), "");
}

TEST(TracedModelsTest, ALossThatTurnsNanWithTerminateOnNanMatchesEager) {
  Scenario s = mlp_scenario(24);
  s.compile = [] {
    return compile_with(Config::map().set("class_name", "SGD").set("config", Config::map().set("learning_rate", 1e6)), "mse");
  };
  s.fit = [](bool) {
    FitOptions f = quiet_fit(4, 4);
    f.callbacks.push_back(std::make_shared<callbacks::TerminateOnNaN>());
    return f;
  };
  Outcome traced, eager;
  EXPECT_EQ(twins(s, &traced, &eager), "");
  ASSERT_TRUE(traced.history);
  EXPECT_EQ(traced.model->optimizer()->iterations(), eager.model->optimizer()->iterations());
  EXPECT_LT(traced.model->optimizer()->iterations(), 24) << "the loss did turn NaN";
}

TEST(TracedModelsTest, ASequentialWithEmbeddingMaskAndAnAllPaddedRowMatchesEager) {
  Scenario s;
  s.build = [] {
    auto m = std::make_unique<Sequential>(std::vector<std::shared_ptr<layers::Layer>>{
        make("Embedding", Config::map().set("input_dim", 8).set("output_dim", 3).set("mask_zero", true)),
        make("TimeDistributed", Config::map().set("layer", Config::map().set("class_name", "Dense").set("config", Config::map().set("units", 4)))),
        make("LSTM", rnn_config(4, true)), make("GRU", Config::map().set("units", 3).set("go_backwards", true)),
        dense(2, "softmax", "out")});
    return m;
  };
  s.compile = [] { return compile_with("adam", "sparse_categorical_crossentropy", list({"accuracy"})); };
  Tensor ids = padded_ids(16, 5, 8, 160);
  std::vector<std::int32_t> v = ids.to_vector<std::int32_t>();
  std::fill(v.begin() + 5 * 3, v.begin() + 5 * 4, 0);  // row 3: every step masked
  s.x = {Tensor::from_vector<std::int32_t>(v, {16, 5})};
  s.y = {int_labels(16, 2, 161)};
  s.fit = [](bool) { return quiet_fit(3, 5); };
  EXPECT_EQ(twins(s), "");
}

TEST(TracedModelsTest, ABatchWhoseLabelsAreAllIgnoredMatchesEager) {
  Scenario s;
  s.build = [] { return small_classifier(3, "linear"); };
  s.compile = [] {
    return compile_with("adam",
                        Config::map().set("class_name", "SparseCategoricalCrossentropy")
                            .set("config", Config::map().set("from_logits", true).set("ignore_class", 2)),
                        list({"accuracy"}));
  };
  std::vector<std::int32_t> labels = {0, 1, 2, 0, 2, 2, 2, 2, 1, 0, 1, 2};  // the second batch of 4 is all 2
  s.x = {normal({12, 5}, 162)};
  s.y = {Tensor::from_vector<std::int32_t>(labels, {12})};
  s.fit = [](bool) {
    FitOptions f = quiet_fit(3, 4);
    f.shuffle = false;
    return f;
  };
  EXPECT_EQ(twins(s), "");
}

TEST(TracedModelsTest, ClassWeightWithAValidationSplitAndFloat64SampleWeightsMatchEager) {
  const std::int64_t n = 25;
  for (const bool class_weight : {true, false}) {
    Scenario s;
    s.build = [] { return small_classifier(3, "softmax"); };
    s.compile = [] { return compile_with("adam", "categorical_crossentropy", list({"accuracy", "AUC"})); };
    s.x = {normal({n, 5}, 163)};
    s.y = {one_hot(int_labels(n, 3, 164), 3)};
    s.fit = [class_weight](bool) {
      FitOptions f = quiet_fit(2, 6);
      f.validation_split = 0.2;
      if (class_weight) {
        f.class_weight = {{0, 3.0}, {2, 0.25}};
      } else {
        f.sample_weight = random::uniform({25}, 0, 2, DType::kFloat64, 165);
      }
      return f;
    };
    s.eval_sample_weight = random::uniform({n}, 0, 2, DType::kFloat64, 166);
    EXPECT_EQ(twins(s), "") << (class_weight ? "class_weight" : "float64 sample_weight");
  }
}

// ==============================================================================================
// Host-visible state after traced steps
// ==============================================================================================

/// A model with weight and activity regularizers: model.losses() holds the last call's terms.
std::unique_ptr<Model> regularized_model() {
  const SymbolicTensor in = Input({5});
  layers::Dense::Options h{.units = 4, .activation = "tanh"};
  h.weights.kernel_regularizer = "l2";
  h.weights.activity_regularizer = "l1";
  return functional({in}, {call_layer(dense(3, "linear", "out"), call_layer(std::make_shared<layers::Dense>(h, "hidden"), in))});
}

TEST(TracedModelsTest, ModelLossesAfterTracedStepsAreThisStepsTerms) {
  // Model::losses() after traced steps: the weight terms come from the current weights (computed
  // on access, as Keras 3) and the activity terms are the replayed graph's, handed back to the
  // layers after each step (they once stayed the trace's eager values).
  Scenario s;
  s.build = regularized_model;
  s.compile = [] { return compile_with("sgd", "mse"); };
  s.x = {normal({24, 5}, 170)};
  s.y = {normal({24, 3}, 171)};
  s.fit = [](bool) { return quiet_fit(3); };
  Outcome traced, eager;
  ASSERT_EQ(twins(s, &traced, &eager), "") << "fit, evaluate and predict agree";
  EXPECT_EQ(compare("model.losses() after fit/evaluate/predict", traced.model->losses(), eager.model->losses()), "");
  // After more steps through train_on_batch (a replay of a known shape).
  for (Outcome* o : {&traced, &eager}) o->model->train_on_batch(normal({8, 5}, 172), normal({8, 3}, 173));
  EXPECT_EQ(compare("model.losses() after train_on_batch", traced.model->losses(), eager.model->losses()), "");
}

TEST(TracedModelsTest, ASequentialBuiltByItsFirstTracedStepTracesOnce) {
  auto model = std::make_unique<Sequential>(std::vector<std::shared_ptr<layers::Layer>>{dense(4, "tanh"), dense(3)});
  model->compile(compile_with("sgd", "mse"));
  model->fit(normal({24, 5}, 174), normal({24, 3}, 175), quiet_fit(2));
  const Function* f = model->traced_function("train");
  ASSERT_NE(f, nullptr);
  // The model is built before the trainable key is computed (the key once changed when the first
  // step made the weights, and the second step traced again).
  EXPECT_EQ(f->stats().traces, 1u);
  EXPECT_GE(f->stats().replays, 1u);
}

TEST(TracedModelsTest, AMaskReachesTheLayersOfANestedSequential) {
  // Keras 3 passes the Embedding's mask into a nested Sequential (keras.Model(i, inner(e(i))) with
  // inner = Sequential([LSTM(2)]) predicts for [[1, 2, 0, 0]] what the LSTM gives on the first
  // two steps). Fathom's nested Sequential once dropped it (Model had no call_masked).
  layers::reset_layer_names();
  auto inner = std::make_shared<Sequential>(std::vector<std::shared_ptr<layers::Layer>>{make("LSTM", rnn_config(2))}, "inner");
  const SymbolicTensor in = Input({4});
  auto embedding = make("Embedding", Config::map().set("input_dim", 5).set("output_dim", 3).set("mask_zero", true));
  const SymbolicTensor e = call_layer(embedding, in);
  Functional model(std::vector<SymbolicTensor>{in}, std::vector<SymbolicTensor>{call_layer(inner, e)});
  const Tensor x = Tensor::from_vector<std::int32_t>({1, 2, 0, 0}, {1, 4});
  const Tensor got = model.predict(x);
  const Tensor steps = ops::slice_axis((*embedding)(x), 1, 0, 2);
  const Tensor want = (*inner->layers().at(0))(steps);
  EXPECT_EQ(compare("nested LSTM output", {got}, {want}), "");
}

TEST(TracedModelsTest, FreezingAWeightlessLayerInsideAWrapperRetraces) {
  // A frozen BatchNormalization runs in inference mode. Inside TimeDistributed, with center and
  // scale off, it has no trainable weight, and the wrapper's own flag does not change: the train
  // step's key must walk into wrappers (Layer::sublayers) to see it and trace again.
  Scenario s;
  s.build = [] {
    const SymbolicTensor in = Input({4, 3});
    Config bn = Config::map().set("center", false).set("scale", false).set("momentum", 0.5);
    const SymbolicTensor h = call_layer(
        make("TimeDistributed",
             Config::map().set("layer", Config::map().set("class_name", "BatchNormalization").set("config", bn))),
        call_layer(dense(3), in));
    return functional({in}, {call_layer(dense(2, "linear", "out"), call_layer(make("Flatten"), h))});
  };
  s.compile = [] { return compile_with("sgd", "mse"); };
  s.x = {normal({16, 4, 3}, 180)};
  s.y = {normal({16, 2}, 181)};
  s.fit = [](bool) { return quiet_fit(1); };
  s.between = [&s](Model& m, bool) {
    auto* td = dynamic_cast<layers::TimeDistributed*>(m.layers().at(2));
    if (td == nullptr) throw std::runtime_error("layer 2 is not the TimeDistributed");
    td->layer().set_trainable(false);
    m.fit(s.x, s.y, quiet_fit(2));
  };
  EXPECT_EQ(twins(s), "");
}

TEST(TracedModelsTest, AModelStaysUsableAfterAnErrorWhileTracingAndWhileReplaying) {
  const auto build = [](bool eager) {
    layers::reset_layer_names();
    random::set_global_seed(15);
    auto m = std::make_unique<Sequential>(std::vector<std::shared_ptr<layers::Layer>>{
        dense(4, "tanh"), make("BatchNormalization", Config::map().set("momentum", 0.5)), dense(3, "softmax", "out")});
    CompileOptions c = compile_with("adam", "sparse_categorical_crossentropy", list({"accuracy"}));
    c.run_eagerly = eager;
    m->compile(c);
    return m;
  };
  auto traced = build(false), eager = build(true);
  const Tensor x = normal({16, 5}, 190);
  std::vector<std::int32_t> bad(16, 1);
  bad[3] = 9;  // the first batch: the error comes while the step traces
  std::vector<std::int32_t> late(16, 2);
  late[12] = -4;  // the second batch: the error comes while the step replays
  const Tensor good = int_labels(16, 3, 191);
  FitOptions f = quiet_fit(1);
  f.shuffle = false;
  for (Model* m : {traced.get(), eager.get()}) {
    random::set_global_seed(16);
    EXPECT_THROW(m->fit(x, Tensor::from_vector<std::int32_t>(bad, {16}), f), ValueError);
  }
  eager->set_weights(traced->get_weights());  // the weights were made by the failed first step
  for (Model* m : {traced.get(), eager.get()}) m->fit(x, good, f);
  EXPECT_EQ(compare("weights after a failed trace", traced->get_weights(), eager->get_weights()), "");
  for (Model* m : {traced.get(), eager.get()}) {
    EXPECT_THROW(m->fit(x, Tensor::from_vector<std::int32_t>(late, {16}), f), ValueError);
  }
  EXPECT_EQ(compare("weights after a failed replay", traced->get_weights(), eager->get_weights()), "");
  std::shared_ptr<callbacks::History> ht, he;
  ht = traced->fit(x, good, quiet_fit(2));
  he = eager->fit(x, good, quiet_fit(2));
  EXPECT_EQ(compare_history(*ht, *he), "");
  EXPECT_EQ(compare("weights", traced->get_weights(), eager->get_weights()), "");
  EXPECT_EQ(compare("predict", {traced->predict(x)}, {eager->predict(x)}), "");
  // Plain eager code after the failures records nothing (no tracer or tape left behind).
  EXPECT_EQ(ops::add(Tensor::ones({2}), 1.0).to_vector<float>(), (std::vector<float>{2, 2}));
}

TEST(TracedModelsTest, ATracedEmbeddingIdOutOfRangeErrorNamesTheLayer) {
  // Eager: "calling Embedding 'embedding' on [4, 4]: Embedding 'embedding': input id 6 at position
  // [3, 2] is out of range; ids must be in [0, input_dim=6)". A replayed step runs the check as an
  // op (ops::check_values), so it names the layer and input_dim too (it once left the check to
  // the gather kernel, which names neither).
  const auto build = [](bool eager) {
    layers::reset_layer_names();
    auto m = std::make_unique<Sequential>(std::vector<std::shared_ptr<layers::Layer>>{
        make("Embedding", Config::map().set("input_dim", 6).set("output_dim", 3)), make("Flatten"), dense(2)});
    CompileOptions c = compile_with("sgd", "mse");
    c.run_eagerly = eager;
    m->compile(c);
    return m;
  };
  std::vector<std::int32_t> ids(16, 1);
  ids[14] = 6;
  const Tensor x = Tensor::from_vector<std::int32_t>(ids, {4, 4});
  for (const bool eager : {true, false}) {
    auto m = build(eager);
    m->predict(Tensor::ones({4, 4}, DType::kInt32));  // traces the predict step
    try {
      m->predict(x);  // replays it
      ADD_FAILURE() << "expected a ValueError";
    } catch (const ValueError& e) {
      EXPECT_NE(std::string(e.what()).find("Embedding"), std::string::npos) << (eager ? "eager: " : "traced: ") << e.what();
    }
  }
}

// ==============================================================================================
// The harness sees a difference
// ==============================================================================================

TEST(TracedModelsTest, TheTwinComparisonCanFail) {
  Scenario s = mlp_scenario(20);
  s.fit = [](bool eager) { return quiet_fit(eager ? 2 : 3); };  // one more epoch on the traced side
  const std::string diff = twins(s);
  EXPECT_NE(diff.find("history loss"), std::string::npos) << diff;
  EXPECT_NE(diff.find("weights"), std::string::npos) << diff;
  Scenario r = mlp_scenario(20);
  r.fit = [](bool) { return quiet_fit(1); };
  r.between = [](Model& m, bool eager) {
    if (!eager) m.predict(normal({2, 5}, 1));
    if (eager) random::global_generator().next_key();
  };
  EXPECT_NE(twins(r).find("random state"), std::string::npos);
}

// ==============================================================================================
// Threads
// ==============================================================================================

/// Large enough that GEMMs and elementwise kernels split across threads.
std::unique_ptr<Model> wide_model() {
  const SymbolicTensor in = Input({6, 32});
  SymbolicTensor h = call_layer(make("Conv1D", Config::map().set("filters", 64).set("kernel_size", 3).set("padding", "same")), in);
  h = call_layer(make("LSTM", rnn_config(32, true)), h);
  h = call_layer(make("Flatten"), h);
  h = call_layer(dense(512, "relu"), h);
  h = call_layer(make("LayerNormalization"), h);
  return functional({in}, {call_layer(dense(4, "softmax", "out"), call_layer(dense(256, "gelu"), h))});
}

TEST(TracedModelsTest, TwoThreadsTracedMatchOneThreadEager) {
  Scenario s;
  s.build = wide_model;
  s.compile = [] { return compile_with("adam", "sparse_categorical_crossentropy", list({"accuracy"})); };
  s.x = {normal({96, 6, 32}, 80)};
  s.y = {int_labels(96, 4, 81)};
  s.fit = [](bool eager) {
    set_num_threads(eager ? 1 : 2);
    FitOptions f = quiet_fit(2, 40);  // 40, 32 (validation: 24)
    f.validation_split = 0.25;
    return f;
  };
  s.eval_batch_size = 48;
  s.predict_batch_size = 64;
  const int before = num_threads();
  const std::string diff = twins(s);
  set_num_threads(before);
  EXPECT_EQ(diff, "");
}

TEST(TracedModelsTest, ChangingTheThreadCountBetweenTraceAndReplayMatchesEager) {
  struct Threads final : callbacks::Callback {
    std::string class_name() const override { return "Threads"; }
    void on_train_batch_begin(int batch, const callbacks::Logs&) override { set_num_threads(batch % 2 == 0 ? 1 : 2); }
    void on_epoch_end(int epoch, callbacks::Logs&) override { set_num_threads(epoch % 2 == 0 ? 2 : 1); }
  };
  Scenario s;
  s.build = wide_model;
  s.compile = [] { return compile_with("adam", "sparse_categorical_crossentropy", list({"accuracy"})); };
  s.x = {normal({96, 6, 32}, 82)};
  s.y = {int_labels(96, 4, 83)};
  s.fit = [](bool eager) {
    FitOptions f = quiet_fit(3, 32);
    f.validation_split = 0.25;
    if (!eager) f.callbacks.push_back(std::make_shared<Threads>());
    set_num_threads(1);
    return f;
  };
  s.eval_batch_size = 32;
  s.predict_batch_size = 32;
  const int before = num_threads();
  const std::string diff = twins(s);
  set_num_threads(before);
  EXPECT_EQ(diff, "");
}

}  // namespace
}  // namespace fathom::models
