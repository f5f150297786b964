// SPDX-License-Identifier: Apache-2.0
// Every registered layer trained through traced steps (fathom::function, the default) and through
// eager steps (CompileOptions::run_eagerly) must give the same losses, weights, random-stream
// states and predictions.
//
// The model for a case is: one Input per case input -> a "pre" Dense per input (square kernel set
// to the identity, zero bias: the layer sees exactly the case's inputs on the first step) -> the
// layer -> MSE against fixed targets. The pre Dense puts the layer's input gradients into the
// traced graph (and makes weightless layers train something); it is left out where the layer
// needs its raw inputs (Embedding: integer ids; Masking: exact mask values). InputLayer is the
// model's input node itself, followed by a Dense head.
//
// Coverage of every registered class: contract_cases() is the list that
// RegistryTest.EveryRegisteredLayerHasAContractCase (registry_test.cpp) checks, so this suite
// covers every registered layer as long as that test passes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/ops.h"
#include "core/random.h"
#include "layers/dense.h"
#include "layers/input_layer.h"
#include "layers/registry.h"
#include "losses/loss.h"
#include "models/functional.h"
#include "tests/layers/contract_cases.h"

namespace fathom::layers {
namespace {

using contract::cfg;
using contract::contract_cases;
using contract::ContractCase;
using models::Functional;
using models::SymbolicTensor;

constexpr int kSteps = 5;
constexpr std::uint64_t kInitSeed = 20240501;
constexpr std::uint64_t kTrainSeed = 77;

std::string class_of(const ContractCase& c) { return c.spec.get<std::string>("class_name"); }

bool takes_raw_inputs(const ContractCase& c) {
  const std::string n = class_of(c);
  return n == "Embedding" || n == "Masking" || n == "InputLayer";
}

/// Float32 values uniform in [low, high) from a host generator (independent of fathom::random);
/// integral ids in [low, high] for Embedding (with a 0 so mask_zero masks something); for
/// Masking, one masked time step per sample 0.
TensorList case_inputs(const ContractCase& c) {
  std::mt19937 gen(1234);
  const std::string n = class_of(c);
  TensorList xs;
  for (const Shape& s : c.inputs) {
    std::int64_t count = 1;
    for (const std::int64_t d : s) count *= d;
    std::vector<float> v(static_cast<std::size_t>(count));
    if (n == "Embedding") {
      std::uniform_int_distribution<int> ids(static_cast<int>(c.options.input_low), static_cast<int>(c.options.input_high));
      for (float& e : v) e = static_cast<float>(ids(gen));
      v.back() = 0.0f;
    } else {
      std::uniform_real_distribution<float> u(static_cast<float>(c.options.input_low), static_cast<float>(c.options.input_high));
      for (float& e : v) e = u(gen);
    }
    if (n == "Masking") {
      const double mask_value = c.spec.at("config").get<double>("mask_value");
      for (std::int64_t k = 0; k < s.back(); ++k) v[static_cast<std::size_t>(s.back() + k)] = static_cast<float>(mask_value);
    }
    xs.push_back(Tensor::from_vector<float>(v, s));
  }
  return xs;
}

Tensor targets(const Shape& shape) {
  std::mt19937 gen(99);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::int64_t count = 1;
  for (const std::int64_t d : shape) count *= d;
  std::vector<float> v(static_cast<std::size_t>(count));
  for (float& e : v) e = u(gen);
  return Tensor::from_vector<float>(v, shape);
}

Shape without_batch(const Shape& s) { return Shape(s.begin() + 1, s.end()); }

struct Built {
  std::unique_ptr<Functional> model;
  std::shared_ptr<Layer> layer;  // the layer under test
};

/// The case's model, made from the global seed `kInitSeed` so that both copies draw the same
/// initial weights and random-stream seeds.
Built build_model(const ContractCase& c) {
  random::set_global_seed(kInitSeed);
  Built b;
  b.layer = std::shared_ptr<Layer>(layer_from_config(c.spec));
  std::vector<SymbolicTensor> inputs;
  SymbolicTensor out;
  if (class_of(c) == "InputLayer") {
    auto node = std::make_shared<models::Node>();
    const Shape batch_shape = dynamic_cast<InputLayer&>(*b.layer).batch_shape();
    node->layer = b.layer;
    node->output_shape = batch_shape;
    node->output_shapes = {batch_shape};
    inputs.emplace_back(node, 0);
    out = models::call_layer(std::make_shared<Dense>(Dense::Options{.units = 3, .activation = "tanh"}), inputs[0]);
  } else {
    std::vector<SymbolicTensor> args;
    for (const Shape& s : c.inputs) {
      inputs.push_back(models::Input(without_batch(s)));
      if (takes_raw_inputs(c)) {
        args.push_back(inputs.back());
        continue;
      }
      auto pre = std::make_shared<Dense>(Dense::Options{.units = s.back()});
      args.push_back(models::call_layer(pre, inputs.back()));
      // Identity kernel, zero bias.
      std::vector<float> eye(static_cast<std::size_t>(s.back() * s.back()), 0.0f);
      for (std::int64_t i = 0; i < s.back(); ++i) eye[static_cast<std::size_t>(i * s.back() + i)] = 1.0f;
      pre->weights()[0].assign(Tensor::from_vector<float>(eye, {s.back(), s.back()}));
      pre->weights()[1].assign(Tensor::zeros({s.back()}));
    }
    out = models::call_layer(b.layer, args);
  }
  b.model = std::make_unique<Functional>(inputs, std::vector<SymbolicTensor>{out});
  return b;
}

/// Mean squared error that counts how often its body runs: a traced step runs it once (the trace)
/// and then replays the graph, an eager step runs it every time.
class CountingMse final : public losses::Loss {
 public:
  explicit CountingMse(std::shared_ptr<int> calls)
      : Loss("mean_squared_error", losses::Reduction::kSumOverBatchSize),
        mse_(losses::get_loss("mean_squared_error")),
        calls_(std::move(calls)) {}
  std::string class_name() const override { return "MeanSquaredError"; }
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override {
    ++*calls_;
    return mse_->call(y_true, y_pred);
  }

 private:
  std::unique_ptr<losses::Loss> mse_;
  std::shared_ptr<int> calls_;
};

struct Record {
  std::vector<double> losses;
  std::vector<std::vector<Tensor>> weights;  // after each step
  std::vector<Config> random_states;         // the layer's, after each step
  Tensor prediction;
  double test_loss = 0;  // test_on_batch after the steps
  std::string train_graph;
  int loss_calls = 0;  // how often the loss's C++ body ran
};

Config optimizer_config(const std::string& name) {
  Config o = Config::map();
  o.set("class_name", name).set("config", Config::map().set("learning_rate", name == "SGD" ? 0.05 : 0.01));
  return o;
}

Record train(Built& b, const ContractCase& c, const std::string& optimizer, bool eager) {
  Record r;
  models::CompileOptions o;
  o.optimizer = optimizer_config(optimizer);
  const auto loss_calls = std::make_shared<int>(0);
  o.loss_objects = {std::make_shared<CountingMse>(loss_calls)};
  o.run_eagerly = eager;
  b.model->compile(o);
  const TensorList xs = case_inputs(c);
  const TensorList probe = b.model->call_model(xs, false);
  const Tensor y = targets(probe.at(0).shape());
  random::set_global_seed(kTrainSeed);
  for (int step = 0; step < kSteps; ++step) {
    r.losses.push_back(b.model->train_on_batch(xs, TensorList{y}).at("loss"));
    r.weights.push_back(b.model->get_weights());
    r.random_states.push_back(b.layer->random_state());
  }
  r.loss_calls = *loss_calls;
  r.prediction = b.model->predict_multi(xs).at(0);
  r.test_loss = b.model->test_on_batch(xs, TensorList{y}).at("loss");
  r.train_graph = b.model->traced_graph("train");
  return r;
}

bool close(double a, double b) { return std::abs(a - b) <= 1e-5 * std::max(1.0, std::abs(b)); }

/// "" when equal within the tolerance, else the first differing element.
std::string compare(const Tensor& traced, const Tensor& eager) {
  if (traced.shape() != eager.shape()) return "shapes " + shape_to_string(traced.shape()) + " vs " + shape_to_string(eager.shape());
  const auto a = ops::cast(traced, DType::kFloat64).to_vector<double>();
  const auto b = ops::cast(eager, DType::kFloat64).to_vector<double>();
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!close(a[i], b[i]) && !(std::isnan(a[i]) && std::isnan(b[i]))) {
      std::ostringstream m;
      m << "element " << i << ": traced " << a[i] << " vs eager " << b[i];
      return m.str();
    }
  }
  return "";
}

class TracedTrainingTest : public ::testing::TestWithParam<ContractCase> {};

TEST_P(TracedTrainingTest, TracedStepsMatchEagerSteps) {
  const ContractCase& c = GetParam();
  for (const std::string optimizer : {"SGD", "Adam"}) {
    SCOPED_TRACE(optimizer);
    Built eager_model = build_model(c);
    Built traced_model = build_model(c);
    traced_model.model->set_weights(eager_model.model->get_weights());
    ASSERT_EQ(traced_model.layer->random_state(), eager_model.layer->random_state());
    Record eager, traced;
    try {
      eager = train(eager_model, c, optimizer, true);
    } catch (const std::exception& e) {
      FAIL() << "eager training threw: " << e.what();
    }
    try {
      traced = train(traced_model, c, optimizer, false);
    } catch (const std::exception& e) {
      FAIL() << "traced training threw: " << e.what();
    }
    // Not eager against eager: the traced model ran a graph, the eager one none.
    EXPECT_TRUE(eager.train_graph.empty());
    EXPECT_FALSE(traced.train_graph.empty());
    EXPECT_EQ(eager.loss_calls, kSteps);
    EXPECT_EQ(traced.loss_calls, 1) << "the traced model traced once and replayed the rest";
    for (int step = 0; step < kSteps; ++step) {
      SCOPED_TRACE("step " + std::to_string(step));
      EXPECT_TRUE(close(traced.losses[step], eager.losses[step]))
          << "loss: traced " << traced.losses[step] << " vs eager " << eager.losses[step];
      ASSERT_EQ(traced.weights[step].size(), eager.weights[step].size());
      for (std::size_t w = 0; w < eager.weights[step].size(); ++w) {
        const std::string diff = compare(traced.weights[step][w], eager.weights[step][w]);
        EXPECT_EQ(diff, "") << "weight " << eager_model.model->weights()[w].name();
      }
      EXPECT_EQ(traced.random_states[step], eager.random_states[step]) << "the layer's random stream";
    }
    EXPECT_EQ(compare(traced.prediction, eager.prediction), "") << "predict()";
    EXPECT_TRUE(close(traced.test_loss, eager.test_loss))
        << "test_on_batch loss: traced " << traced.test_loss << " vs eager " << eager.test_loss;
    if (!eager_model.model->trainable_weights().empty()) {
      EXPECT_NE(eager.losses.back(), eager.losses.front()) << "training changed nothing, so the comparison shows little";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(EveryLayer, TracedTrainingTest, ::testing::ValuesIn(contract_cases()),
                         [](const ::testing::TestParamInfo<ContractCase>& info) { return info.param.label; });

/// Random paths the contract cases leave out: RNN input and recurrent dropout (masks drawn per
/// call from the layer's stream), attention dropout, and a Dropout seeded from the global generator.
std::vector<ContractCase> random_cases() {
  const Config drop = cfg({{"units", 2}, {"dropout", 0.3}, {"recurrent_dropout", 0.3}, {"return_sequences", true}});
  auto rnn = [&](const char* name) { return testing::layer_spec(name, drop); };
  // clang-format off
  return {
      {"LSTMDropout", rnn("LSTM"), {{2, 3, 3}}, {2, 3, 2}, 3, {}},
      {"GRUDropout", rnn("GRU"), {{2, 3, 2}}, {2, 3, 2}, 3, {}},
      {"SimpleRNNDropout", rnn("SimpleRNN"), {{2, 3, 2}}, {2, 3, 2}, 3, {}},
      {"BidirectionalLSTMDropout", testing::layer_spec("Bidirectional", cfg({{"layer", cfg({{"class_name", "LSTM"}, {"config", drop}})}})),
       {{2, 3, 2}}, {2, 3, 4}, 6, {}},
      {"MultiHeadAttentionDropout", testing::layer_spec("MultiHeadAttention", cfg({{"num_heads", 2}, {"key_dim", 2}, {"dropout", 0.3}, {"seed", 5}})),
       {{2, 3, 4}, {2, 2, 3}}, {2, 3, 4}, 8, {}},
      {"DropoutGlobalSeed", testing::layer_spec("Dropout", cfg({{"rate", 0.5}})), {{2, 3}}, {2, 3}, 0, {}},
  };
  // clang-format on
}

INSTANTIATE_TEST_SUITE_P(RandomPaths, TracedTrainingTest, ::testing::ValuesIn(random_cases()),
                         [](const ::testing::TestParamInfo<ContractCase>& info) { return info.param.label; });

}  // namespace
}  // namespace fathom::layers
