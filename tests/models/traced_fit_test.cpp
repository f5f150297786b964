// SPDX-License-Identifier: Apache-2.0
// fit/evaluate/predict with traced steps (the default) against run_eagerly twins: Dropout masks
// drawn afresh on every replay, validation and a short last batch, BatchNormalization's moving
// statistics (assigned in the forward pass), freezing a layer between fits (a retrace by the
// trainable key), recompiling with another optimizer, and weights set between traced fits.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "callbacks/history.h"
#include "core/function.h"
#include "core/ops.h"
#include "core/random.h"
#include "layers/activation.h"
#include "layers/batch_normalization.h"
#include "layers/dense.h"
#include "layers/registry.h"
#include "models/functional.h"
#include "models/sequential.h"
#include "optimizers/optimizer.h"
#include "tests/support/traced_compare.h"

namespace fathom::models {
namespace {

using testing::compare;
using testing::compare_history;
using testing::compare_logs;

std::string compare_weights(const Model& a, const Model& b) { return compare("weights", a.get_weights(), b.get_weights()); }

using Builder = std::function<SymbolicTensor(const SymbolicTensor&)>;

std::unique_ptr<Functional> make_model(const Builder& body, Config optimizer, bool run_eagerly,
                                       Config metrics = Config::list()) {
  const SymbolicTensor in = Input({5});
  auto model = std::make_unique<Functional>(std::vector<SymbolicTensor>{in}, std::vector<SymbolicTensor>{body(in)});
  CompileOptions o;
  o.optimizer = std::move(optimizer);
  o.loss = "mse";
  o.metrics = std::move(metrics);
  o.run_eagerly = run_eagerly;
  model->compile(o);
  return model;
}

std::shared_ptr<layers::Dense> dense(std::int64_t units, std::string activation = "linear", std::string name = "") {
  return std::make_shared<layers::Dense>(layers::Dense::Options{.units = units, .activation = std::move(activation)},
                                         std::move(name));
}

SymbolicTensor mlp(const SymbolicTensor& in) { return call_layer(dense(3), call_layer(dense(4, "tanh"), in)); }

/// A traced model and its eager twin with the same initial weights.
struct Twins {
  std::unique_ptr<Functional> traced, eager;
  Twins(const Builder& body, const Config& optimizer, Config metrics = Config::list())
      : traced(make_model(body, optimizer, false, metrics)), eager(make_model(body, optimizer, true, metrics)) {
    eager->set_weights(traced->get_weights());
  }
};

struct Data {
  Tensor x, y;
  explicit Data(std::int64_t n, std::uint64_t seed = 31)
      : x(random::normal({n, 5}, 0, 1, DType::kFloat32, seed)), y(random::normal({n, 3}, 0, 1, DType::kFloat32, seed + 1)) {}
};

FitOptions fit_options(int epochs, int batch_size = 32) {
  FitOptions f;
  f.epochs = epochs;
  f.batch_size = batch_size;
  f.verbose = 0;
  f.shuffle = true;
  f.seed = 1234;
  return f;
}

// --- Dropout ---------------------------------------------------------------------------------

TEST(TracedFitTest, TracedDropoutDrawsANewMaskOnEveryReplayAsEagerDoes) {
  layers::Dropout traced_layer({.rate = 0.5, .seed = 42});
  layers::Dropout eager_layer({.rate = 0.5, .seed = 42});
  int body_runs = 0;
  Function f([&](const TensorList& a) {
    ++body_runs;
    return TensorList{traced_layer(a[0], /*training=*/true)};
  });
  const Tensor x = Tensor::ones({4, 8});
  std::vector<std::vector<float>> outputs;
  for (int call = 0; call < 4; ++call) {
    const std::vector<float> traced = f({x})[0].to_vector<float>();
    const std::vector<float> eager = eager_layer(x, /*training=*/true).to_vector<float>();
    EXPECT_EQ(traced, eager) << "call " << call;
    for (const std::vector<float>& earlier : outputs) EXPECT_NE(traced, earlier) << "call " << call << " reused a mask";
    outputs.push_back(traced);
  }
  EXPECT_EQ(body_runs, 1) << "later calls must replay the trace";
  EXPECT_EQ(f.stats().replays, 3u);
  // Inference is the identity, traced or not.
  Function infer([&](const TensorList& a) { return TensorList{traced_layer(a[0], false)}; });
  EXPECT_EQ(infer({x})[0].to_vector<float>(), x.to_vector<float>());
  EXPECT_EQ(infer({x})[0].to_vector<float>(), x.to_vector<float>());
}

TEST(TracedFitTest, TracedFitWithDropoutMatchesEagerFitWithTheSameSeeds) {
  const Data d(40);
  const auto build = [](bool run_eagerly) {
    random::set_global_seed(2024);  // the weights and the unseeded Dropout's stream
    return make_model(
        [](const SymbolicTensor& in) {
          const SymbolicTensor h = call_layer(dense(8, "relu"), in);
          return call_layer(dense(3), call_layer(std::make_shared<layers::Dropout>(layers::Dropout::Options{.rate = 0.5}), h));
        },
        "adam", run_eagerly);
  };
  const auto traced = build(false);
  const auto eager = build(true);
  ASSERT_EQ(compare_weights(*traced, *eager), "") << "set_global_seed must give the same initial weights";
  const auto h_traced = traced->fit(d.x, d.y, fit_options(3, 16));
  const auto h_eager = eager->fit(d.x, d.y, fit_options(3, 16));
  EXPECT_EQ(compare_history(*h_traced, *h_eager), "");
  EXPECT_EQ(compare_weights(*traced, *eager), "");
  EXPECT_FALSE(traced->traced_graph("train").empty());
  // The dropout stream advanced the same way (one draw per step).
  // (by layer name, and the names differ: compare the states in order).
  const auto states = [](const Model& model) {
    const Config c = model.random_state();
    std::vector<std::string> out;
    for (const std::string& key : c.keys()) out.push_back(c.at(key).to_json());
    return out;
  };
  ASSERT_EQ(states(*traced).size(), 1u);
  EXPECT_EQ(states(*traced), states(*eager));
}

// --- validation, short last batch, evaluate, predict -----------------------------------------

TEST(TracedFitTest, FitWithValidationAndAShortLastBatchMatchesEager) {
  Twins m(mlp, "rmsprop", Config(std::vector<Config>{"mae"}));
  const Data d(70);  // batches of 32, 32, 6
  const Data val(20, 77);
  FitOptions f = fit_options(3);
  f.validation_data = std::make_pair(TensorList{val.x}, TensorList{val.y});
  const auto h_traced = m.traced->fit(d.x, d.y, f);
  const auto h_eager = m.eager->fit(d.x, d.y, f);
  EXPECT_EQ(compare_history(*h_traced, *h_eager), "");
  for (const char* key : {"loss", "mae", "val_loss", "val_mae"}) {
    ASSERT_EQ(h_traced->at(key).size(), 3u) << key;
  }
  EXPECT_EQ(compare_weights(*m.traced, *m.eager), "");

  EvaluateOptions eo;
  eo.verbose = 0;
  eo.batch_size = 16;  // 16, 4
  EXPECT_EQ(compare_logs("evaluate", m.traced->evaluate(val.x, val.y, eo), m.eager->evaluate(val.x, val.y, eo)), "");
  EXPECT_EQ(compare("predict", {m.traced->predict(d.x, 32)}, {m.eager->predict(d.x, 32)}), "");
  EXPECT_EQ(compare("predict_on_batch", {m.traced->predict_on_batch(val.x)}, {m.eager->predict_on_batch(val.x)}), "");
  for (const char* step : {"train", "test", "predict"}) {
    EXPECT_FALSE(m.traced->traced_graph(step).empty()) << step;
    EXPECT_TRUE(m.eager->traced_graph(step).empty()) << step;
  }
}

TEST(TracedFitTest, TheHistoryComparisonCanFail) {
  // Mutant: one more epoch on the traced side (and a different learning rate) must be seen.
  Twins m(mlp, "sgd");
  const Data d(40);
  m.traced->fit(d.x, d.y, fit_options(1));
  const auto h_traced = m.traced->fit(d.x, d.y, fit_options(2));
  const auto h_eager = m.eager->fit(d.x, d.y, fit_options(2));
  EXPECT_NE(compare_history(*h_traced, *h_eager), "");
  EXPECT_NE(compare_weights(*m.traced, *m.eager), "");
}

// --- BatchNormalization ----------------------------------------------------------------------

TEST(TracedFitTest, BatchNormalizationMovingStatisticsMatchEager) {
  std::shared_ptr<layers::BatchNormalization> bn_traced, bn_eager;
  const auto body = [](std::shared_ptr<layers::BatchNormalization>& bn) {
    return [&bn](const SymbolicTensor& in) {
      layers::BatchNormalization::Options o;
      o.momentum = 0.5;
      bn = std::make_shared<layers::BatchNormalization>(o);
      return call_layer(dense(3), call_layer(bn, call_layer(dense(4), in)));
    };
  };
  const auto traced = make_model(body(bn_traced), "adam", false);
  const auto eager = make_model(body(bn_eager), "adam", true);
  eager->set_weights(traced->get_weights());
  const Data d(70);  // the short last batch has its own statistics
  const Data val(12, 91);
  FitOptions f = fit_options(2);
  f.validation_data = std::make_pair(TensorList{val.x}, TensorList{val.y});
  const auto h_traced = traced->fit(d.x, d.y, f);
  const auto h_eager = eager->fit(d.x, d.y, f);
  EXPECT_EQ(compare_history(*h_traced, *h_eager), "");
  // weights(): gamma, beta, moving_mean, moving_variance.
  const auto stats = [](const layers::BatchNormalization& bn) {
    return std::vector<Tensor>{bn.weights().at(2).value(), bn.weights().at(3).value()};
  };
  EXPECT_EQ(compare("moving statistics", stats(*bn_traced), stats(*bn_eager)), "");
  EXPECT_EQ(compare_weights(*traced, *eager), "");
  // The moving statistics did move (6 updates with momentum 0.5 from zeros/ones).
  EXPECT_NE(compare("moving statistics", stats(*bn_traced), {Tensor::zeros({4}), Tensor::ones({4})}), "");
  EXPECT_EQ(compare("predict", {traced->predict(val.x)}, {eager->predict(val.x)}), "");
}

// --- freezing, recompiling, set_weights between fits -----------------------------------------

TEST(TracedFitTest, FreezingALayerBetweenFitsRetracesAndMatchesEager) {
  const auto body = [](const SymbolicTensor& in) {
    return call_layer(dense(3, "linear", "head"), call_layer(dense(4, "tanh", "hidden"), in));
  };
  Twins m(body, "adam");
  const Data d(40);
  m.traced->fit(d.x, d.y, fit_options(1));
  m.eager->fit(d.x, d.y, fit_options(1));
  ASSERT_EQ(compare_weights(*m.traced, *m.eager), "");

  m.traced->get_layer("hidden")->set_trainable(false);
  m.eager->get_layer("hidden")->set_trainable(false);
  const auto frozen = [](const Model& model) {
    std::vector<Tensor> out;
    for (const Variable& v : model.get_layer("hidden")->weights()) out.push_back(ops::add(v.value(), 0.0));  // a copy
    return out;
  };
  const std::vector<Tensor> before = frozen(*m.traced);
  m.traced->fit(d.x, d.y, fit_options(2));
  m.eager->fit(d.x, d.y, fit_options(2));
  EXPECT_EQ(compare("frozen layer", frozen(*m.traced), before), "") << "the traced fit updated a frozen layer";
  EXPECT_EQ(compare_weights(*m.traced, *m.eager), "");

  // Unfrozen again: the first trace's key comes back, and the hidden layer trains again.
  m.traced->get_layer("hidden")->set_trainable(true);
  m.eager->get_layer("hidden")->set_trainable(true);
  m.traced->fit(d.x, d.y, fit_options(1));
  m.eager->fit(d.x, d.y, fit_options(1));
  EXPECT_NE(compare("unfrozen layer", frozen(*m.traced), before), "") << "the unfrozen layer did not train";
  EXPECT_EQ(compare_weights(*m.traced, *m.eager), "");
}

TEST(TracedFitTest, RecompilingUsesTheNewOptimizer) {
  Twins m(mlp, "sgd");
  const Data d(40);
  m.traced->fit(d.x, d.y, fit_options(1));
  m.eager->fit(d.x, d.y, fit_options(1));
  for (Model* model : {static_cast<Model*>(m.traced.get()), static_cast<Model*>(m.eager.get())}) {
    CompileOptions o;
    o.optimizer = "adam";
    o.loss = "mae";
    o.run_eagerly = model == m.eager.get();
    model->compile(o);
  }
  EXPECT_TRUE(m.traced->traced_graph("train").empty()) << "compile must drop the traced steps";
  const auto h_traced = m.traced->fit(d.x, d.y, fit_options(2));
  const auto h_eager = m.eager->fit(d.x, d.y, fit_options(2));
  EXPECT_EQ(compare_history(*h_traced, *h_eager), "");
  EXPECT_EQ(compare_weights(*m.traced, *m.eager), "");
  EXPECT_EQ(m.traced->optimizer()->class_name(), "Adam");
  EXPECT_EQ(m.traced->optimizer()->iterations(), 4) << "2 epochs of 2 batches on the new optimizer";
  std::vector<Tensor> slots_traced, slots_eager;
  for (const Variable& v : m.traced->optimizer()->variables()) slots_traced.push_back(v.value());
  for (const Variable& v : m.eager->optimizer()->variables()) slots_eager.push_back(v.value());
  EXPECT_EQ(compare("optimizer variables", slots_traced, slots_eager), "");
}

TEST(TracedFitTest, SetWeightsBetweenTracedFitsIsSeenByTheReplay) {
  Twins m(mlp, "adam");
  const Data d(40);
  m.traced->fit(d.x, d.y, fit_options(1));
  m.eager->fit(d.x, d.y, fit_options(1));
  // New values for every weight (as load_weights would write them), then more traced steps.
  std::vector<Tensor> fresh;
  std::uint64_t seed = 500;
  for (const Tensor& w : m.traced->get_weights()) fresh.push_back(random::normal(w.shape(), 0, 0.5, w.dtype(), seed++));
  m.traced->set_weights(fresh);
  m.eager->set_weights(fresh);
  const auto h_traced = m.traced->fit(d.x, d.y, fit_options(2));
  const auto h_eager = m.eager->fit(d.x, d.y, fit_options(2));
  EXPECT_EQ(compare_history(*h_traced, *h_eager), "");
  EXPECT_EQ(compare_weights(*m.traced, *m.eager), "");
  EXPECT_EQ(compare("predict", {m.traced->predict(d.x)}, {m.eager->predict(d.x)}), "");
}

TEST(TracedFitTest, FreezingABatchNormalizationWithoutTrainableWeightsMatchesEager) {
  // A frozen BatchNormalization runs in inference mode (its trainable flag, not its weights'):
  // with center and scale off it has no trainable weight, so freezing it leaves the trainable
  // key of the traced step unchanged, yet the step must change.
  std::shared_ptr<layers::BatchNormalization> bn_traced, bn_eager;
  const auto body = [](std::shared_ptr<layers::BatchNormalization>& bn) {
    return [&bn](const SymbolicTensor& in) {
      layers::BatchNormalization::Options o;
      o.momentum = 0.5;
      o.center = false;
      o.scale = false;
      bn = std::make_shared<layers::BatchNormalization>(o);
      return call_layer(dense(3), call_layer(bn, call_layer(dense(4), in)));
    };
  };
  const auto traced = make_model(body(bn_traced), "adam", false);
  const auto eager = make_model(body(bn_eager), "adam", true);
  eager->set_weights(traced->get_weights());
  const Data d(40);
  traced->fit(d.x, d.y, fit_options(1));
  eager->fit(d.x, d.y, fit_options(1));
  ASSERT_EQ(compare_weights(*traced, *eager), "");
  bn_traced->set_trainable(false);
  bn_eager->set_trainable(false);
  const auto stats = [](const layers::BatchNormalization& bn) {
    return std::vector<Tensor>{ops::add(bn.weights().at(0).value(), 0.0), ops::add(bn.weights().at(1).value(), 0.0)};
  };
  const std::vector<Tensor> before = stats(*bn_traced);
  const auto h_traced = traced->fit(d.x, d.y, fit_options(1));
  const auto h_eager = eager->fit(d.x, d.y, fit_options(1));
  EXPECT_EQ(compare("moving statistics of the frozen layer", stats(*bn_traced), before), "");
  EXPECT_EQ(compare_history(*h_traced, *h_eager), "");
  EXPECT_EQ(compare_weights(*traced, *eager), "");
}

TEST(TracedFitTest, ASequentialBuiltByItsFirstTracedFitMatchesEager) {
  // The weights are created inside the first (traced) step.
  const auto build = [](bool run_eagerly) {
    auto model = std::make_unique<Sequential>(std::vector<std::shared_ptr<layers::Layer>>{dense(4, "tanh"), dense(3)});
    CompileOptions o;
    o.optimizer = "adam";
    o.loss = "mse";
    o.run_eagerly = run_eagerly;
    model->compile(o);
    return model;
  };
  const auto traced = build(false);
  const auto eager = build(true);
  const Data d(40);
  random::set_global_seed(99);  // the weights are drawn when the first step builds the model
  const auto h_traced = traced->fit(d.x, d.y, fit_options(2));
  random::set_global_seed(99);
  const auto h_eager = eager->fit(d.x, d.y, fit_options(2));
  EXPECT_EQ(compare_history(*h_traced, *h_eager), "");
  EXPECT_EQ(compare_weights(*traced, *eager), "");
  EXPECT_EQ(traced->optimizer()->iterations(), 4);
  EXPECT_FALSE(traced->traced_graph("train").empty());
}

TEST(TracedFitTest, RegularizersConstraintsAndSampleWeightsMatchEager) {
  const auto body = [](const SymbolicTensor& in) {
    layers::Dense::Options h{.units = 4, .activation = "tanh"};
    h.weights.kernel_regularizer = "l2";
    h.weights.activity_regularizer = "l1";
    h.weights.kernel_constraint = "non_neg";
    layers::Dense::Options o{.units = 3};
    o.weights.bias_constraint = "unit_norm";
    return call_layer(std::make_shared<layers::Dense>(o), call_layer(std::make_shared<layers::Dense>(h), in));
  };
  Twins m(body, "sgd", Config(std::vector<Config>{"mae"}));
  const Data d(40);
  FitOptions f = fit_options(2, 16);
  f.sample_weight = ops::add(random::uniform({40}, 0, 1, DType::kFloat32, 5), 0.1);
  const auto h_traced = m.traced->fit(d.x, d.y, f);
  const auto h_eager = m.eager->fit(d.x, d.y, f);
  EXPECT_EQ(compare_history(*h_traced, *h_eager), "");
  EXPECT_EQ(compare_weights(*m.traced, *m.eager), "");
  // The constraint ran after every traced step: no negative kernel entry.
  for (double v : m.traced->get_weights().at(0).to_vector<double>()) ASSERT_GE(v, 0.0);
}

TEST(TracedFitTest, AddingOrPoppingALayerRetracesTheSteps) {
  // The layers are weightless, so the trainable key alone would not see the change.
  Sequential model(std::vector<std::shared_ptr<layers::Layer>>{dense(3)});
  model.add(layers::make_layer("Activation", Config::map().set("activation", "tanh")));
  CompileOptions o;
  o.optimizer = "sgd";
  o.loss = "mse";
  model.compile(o);
  const Tensor x = random::uniform({4, 5}, -1, 1, DType::kFloat32, 1), y = Tensor::zeros({4, 3});
  model.train_on_batch(x, y);
  model.train_on_batch(x, y);
  const auto eager = [&] {
    autograd::NoRecordGuard no_record;
    return model.call_model({x}, false).at(0);
  };
  model.pop();  // drop the tanh
  EXPECT_EQ(compare("predict after pop", {model.predict(x)}, {eager()}), "");
  model.add(layers::make_layer("Activation", Config::map().set("activation", "relu")));
  EXPECT_EQ(compare("predict after add", {model.predict(x)}, {eager()}), "");
  for (double v : model.predict(x).to_vector<double>()) EXPECT_GE(v, 0.0);
}

}  // namespace
}  // namespace fathom::models
