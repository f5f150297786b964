// SPDX-License-Identifier: Apache-2.0
// Traced training steps (fathom::function, models/model_steps.cpp) against eager ones, for every
// registered optimizer and the variants whose state or learning rate changes from step to step
// (momentum, amsgrad, centered RMSprop, clipping, weight decay, a learning-rate schedule): after
// each of 5 train_on_batch calls the loss, the model's weights and the optimizer's variables
// (iterations included) must agree with a run_eagerly twin. The optimizer's update is one effect
// node that replays the eager update code, so anything frozen at trace time (the learning rate
// of a schedule, a bias correction's step) shows up as a mismatch from the second step on.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/random.h"
#include "layers/dense.h"
#include "models/functional.h"
#include "optimizers/optimizer.h"
#include "tests/support/traced_compare.h"

namespace fathom::models {
namespace {

constexpr int kSteps = 5;

Config spec(const std::string& class_name, std::vector<std::pair<std::string, Config>> entries = {}) {
  Config config = Config::map();
  for (auto& [key, value] : entries) config.set(key, std::move(value));
  Config c = Config::map();
  c.set("class_name", class_name);
  c.set("config", config);
  return c;
}

/// ExponentialDecay halving the learning rate every step: a rate frozen at trace time differs
/// from the second step on.
Config halving_schedule(double initial) {
  return spec("ExponentialDecay", {{"initial_learning_rate", Config(initial)},
                                   {"decay_steps", Config(1.0)},
                                   {"decay_rate", Config(0.5)}});
}

struct Case {
  std::string name;
  Config optimizer;
};

std::vector<Case> cases() {
  std::vector<Case> out;
  // Every registered optimizer with a learning rate large enough to move the weights visibly.
  for (const std::string& name : optimizers::registered_optimizers()) {
    out.push_back({name, spec(name, {{"learning_rate", Config(name == "Adadelta" ? 1.0 : 0.05)}})});
  }
  out.push_back({"SGD_momentum", spec("SGD", {{"learning_rate", Config(0.05)}, {"momentum", Config(0.9)}})});
  out.push_back({"SGD_nesterov", spec("SGD", {{"learning_rate", Config(0.05)},
                                              {"momentum", Config(0.9)},
                                              {"nesterov", Config(true)}})});
  out.push_back({"Adam_amsgrad", spec("Adam", {{"learning_rate", Config(0.05)}, {"amsgrad", Config(true)}})});
  out.push_back({"AdamW_amsgrad", spec("AdamW", {{"learning_rate", Config(0.05)}, {"amsgrad", Config(true)}})});
  out.push_back({"RMSprop_momentum_centered", spec("RMSprop", {{"learning_rate", Config(0.05)},
                                                               {"momentum", Config(0.9)},
                                                               {"centered", Config(true)}})});
  out.push_back({"SGD_clipnorm", spec("SGD", {{"learning_rate", Config(0.1)}, {"clipnorm", Config(0.05)}})});
  out.push_back({"Adam_clipnorm", spec("Adam", {{"learning_rate", Config(0.05)}, {"clipnorm", Config(0.05)}})});
  out.push_back({"SGD_clipvalue", spec("SGD", {{"learning_rate", Config(0.1)}, {"clipvalue", Config(0.02)}})});
  out.push_back({"SGD_global_clipnorm", spec("SGD", {{"learning_rate", Config(0.1)}, {"global_clipnorm", Config(0.05)}})});
  out.push_back({"SGD_weight_decay", spec("SGD", {{"learning_rate", Config(0.1)}, {"weight_decay", Config(0.5)}})});
  out.push_back({"Adam_weight_decay", spec("Adam", {{"learning_rate", Config(0.05)}, {"weight_decay", Config(0.5)}})});
  out.push_back({"SGD_schedule", spec("SGD", {{"learning_rate", halving_schedule(0.2)}})});
  out.push_back({"Adam_schedule", spec("Adam", {{"learning_rate", halving_schedule(0.05)}})});
  out.push_back({"Nadam_schedule", spec("Nadam", {{"learning_rate", halving_schedule(0.05)}})});
  return out;
}

/// Dense(4, tanh) -> Dense(3) on 5 features, compiled with `optimizer` and MSE.
std::unique_ptr<Functional> make_model(const Config& optimizer, bool run_eagerly) {
  const SymbolicTensor in = Input({5});
  auto hidden = std::make_shared<layers::Dense>(layers::Dense::Options{.units = 4, .activation = "tanh"});
  auto head = std::make_shared<layers::Dense>(layers::Dense::Options{.units = 3});
  auto model = std::make_unique<Functional>(std::vector<SymbolicTensor>{in},
                                            std::vector<SymbolicTensor>{call_layer(head, call_layer(hidden, in))});
  CompileOptions o;
  o.optimizer = optimizer;
  o.loss = "mse";
  o.run_eagerly = run_eagerly;
  model->compile(o);
  return model;
}

using testing::compare;
bool close(double a, double b) { return testing::traced_close(a, b); }

std::vector<Tensor> optimizer_values(const Model& m) {
  std::vector<Tensor> out;
  for (const Variable& v : m.optimizer()->variables()) out.push_back(v.value());
  return out;
}

/// Everything a step changes: the weights and the optimizer's variables.
std::string compare_state(const Model& traced, const Model& eager) {
  return compare("weights", traced.get_weights(), eager.get_weights()) +
         compare("optimizer variables", optimizer_values(traced), optimizer_values(eager));
}

struct Data {
  Tensor x = random::normal({8, 5}, 0, 1, DType::kFloat32, 11);
  Tensor y = random::normal({8, 3}, 0, 1, DType::kFloat32, 12);
};

/// A traced model and its eager twin with the same initial weights.
struct Twins {
  std::unique_ptr<Functional> traced, eager;
  explicit Twins(const Config& optimizer)
      : traced(make_model(optimizer, false)), eager(make_model(optimizer, true)) {
    eager->set_weights(traced->get_weights());
  }
};

class TracedOptimizerTest : public ::testing::TestWithParam<Case> {};

TEST_P(TracedOptimizerTest, TracedStepsMatchEagerStepsAfterEveryStep) {
  Twins m(GetParam().optimizer);
  const Data d;
  ASSERT_EQ(compare_state(*m.traced, *m.eager), "");
  for (int step = 1; step <= kSteps; ++step) {
    const auto traced_logs = m.traced->train_on_batch(d.x, d.y);
    const auto eager_logs = m.eager->train_on_batch(d.x, d.y);
    EXPECT_TRUE(close(traced_logs.at("loss"), eager_logs.at("loss")))
        << "step " << step << ": loss " << traced_logs.at("loss") << " vs " << eager_logs.at("loss");
    EXPECT_EQ(compare_state(*m.traced, *m.eager), "") << "after step " << step;
    EXPECT_EQ(m.traced->optimizer()->iterations(), step);
    EXPECT_EQ(m.eager->optimizer()->iterations(), step);
  }
  // The optimizer's learning rate for the next step agrees too (the schedule saw each step).
  EXPECT_DOUBLE_EQ(m.traced->optimizer()->learning_rate(), m.eager->optimizer()->learning_rate());
  EXPECT_FALSE(m.traced->traced_graph("train").empty()) << "the traced model did not trace its train step";
  EXPECT_TRUE(m.eager->traced_graph("train").empty()) << "run_eagerly traced its train step";
}

INSTANTIATE_TEST_SUITE_P(AllOptimizers, TracedOptimizerTest, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(TracedOptimizerSanityTest, TheComparisonSeesOneStepTooMany) {
  // Mutant: 5 traced steps against 4 eager ones must not pass the comparison above.
  Twins m(spec("Adam", {{"learning_rate", Config(0.05)}}));
  const Data d;
  for (int step = 1; step <= kSteps; ++step) {
    m.traced->train_on_batch(d.x, d.y);
    if (step < kSteps) m.eager->train_on_batch(d.x, d.y);
  }
  const std::string diff = compare_state(*m.traced, *m.eager);
  EXPECT_NE(diff.find("weights"), std::string::npos) << diff;
  EXPECT_NE(diff.find("optimizer variables"), std::string::npos) << diff;  // iterations and slots
}

TEST(TracedOptimizerSanityTest, TheComparisonSeesAFrozenLearningRate) {
  // Mutant: what a schedule frozen at trace time would compute (the first step's rate on every
  // step) differs from the schedule after the first step, so the schedule cases can fail.
  const auto traced = make_model(spec("SGD", {{"learning_rate", halving_schedule(0.2)}}), false);
  const auto frozen = make_model(spec("SGD", {{"learning_rate", Config(0.2)}}), true);
  frozen->set_weights(traced->get_weights());
  const Data d;
  traced->train_on_batch(d.x, d.y);
  frozen->train_on_batch(d.x, d.y);
  EXPECT_EQ(compare("weights", traced->get_weights(), frozen->get_weights()), "") << "same rate on step 1";
  traced->train_on_batch(d.x, d.y);
  frozen->train_on_batch(d.x, d.y);
  EXPECT_NE(compare("weights", traced->get_weights(), frozen->get_weights()), "");
}

TEST(TracedOptimizerStateTest, SetLearningRateBetweenTracedStepsIsSeen) {
  // ReduceLROnPlateau and LearningRateScheduler change the rate between steps of one trace.
  Twins m(spec("Adam", {{"learning_rate", Config(0.05)}}));
  const Data d;
  for (int step = 1; step <= kSteps; ++step) {
    const double lr = 0.05 / step;
    m.traced->optimizer()->set_learning_rate(lr);
    m.eager->optimizer()->set_learning_rate(lr);
    m.traced->train_on_batch(d.x, d.y);
    m.eager->train_on_batch(d.x, d.y);
    EXPECT_EQ(compare_state(*m.traced, *m.eager), "") << "after step " << step;
  }
}

TEST(TracedOptimizerStateTest, AStepOnANewBatchSizeRetracesAndKeepsTheOptimizerState) {
  // A different batch shape is a new trace; the optimizer's slots and iterations carry over.
  Twins m(spec("RMSprop", {{"learning_rate", Config(0.05)}, {"momentum", Config(0.5)}}));
  const Data d;
  const Tensor x3 = random::normal({3, 5}, 0, 1, DType::kFloat32, 21);
  const Tensor y3 = random::normal({3, 3}, 0, 1, DType::kFloat32, 22);
  for (int step = 1; step <= kSteps; ++step) {
    const bool small = step % 2 == 0;
    m.traced->train_on_batch(small ? x3 : d.x, small ? y3 : d.y);
    m.eager->train_on_batch(small ? x3 : d.x, small ? y3 : d.y);
    EXPECT_EQ(compare_state(*m.traced, *m.eager), "") << "after step " << step;
  }
}

}  // namespace
}  // namespace fathom::models
