// SPDX-License-Identifier: Apache-2.0
// The base Optimizer: clipping, weight decay, slots and variables(), iterations, learning rate,
// gradient filtering, in-place updates and no recording. Expected values are computed by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/ops.h"
#include "optimizers/adam.h"
#include "optimizers/adamw.h"
#include "optimizers/decay_schedules.h"
#include "optimizers/nadam.h"
#include "optimizers/rmsprop.h"
#include "optimizers/sgd.h"

namespace fathom::optimizers {
namespace {

Tensor vec(std::vector<float> v) { return Tensor::from_vector(v); }

std::vector<float> values(const Variable& v) { return v.value().to_vector<float>(); }

BaseOptions lr(double value) {
  BaseOptions base;
  base.learning_rate = constant_learning_rate(value);
  return base;
}

std::vector<std::string> names(const std::vector<Variable>& vars) {
  std::vector<std::string> out;
  for (const auto& v : vars) out.push_back(v.name());
  return out;
}

// ~~~ clipping (SGD with lr 1, so var moves by exactly -clipped gradient) ~~~

TEST(OptimizerClipping, ClipnormScalesEachGradientToItsOwnNorm) {
  BaseOptions base = lr(1.0);
  base.clipnorm = 1.0;
  SGD sgd({}, base);
  Variable a(vec({0, 0}), "a"), b(vec({0}), "b");
  sgd.apply({vec({3, 4}), vec({0.5})}, {a, b});  // ||(3,4)|| = 5 > 1; ||0.5|| < 1 is kept
  EXPECT_NEAR(values(a)[0], -0.6, 1e-6);
  EXPECT_NEAR(values(a)[1], -0.8, 1e-6);
  EXPECT_NEAR(values(b)[0], -0.5, 1e-6);
}

TEST(OptimizerClipping, GlobalClipnormScalesAllGradientsTogether) {
  BaseOptions base = lr(1.0);
  base.global_clipnorm = 2.5;
  SGD sgd({}, base);
  Variable a(vec({0, 0}), "a"), b(vec({0}), "b");
  sgd.apply({vec({3, 4}), vec({0.0})}, {a, b});  // global norm 5 -> scale 0.5
  EXPECT_NEAR(values(a)[0], -1.5, 1e-6);
  EXPECT_NEAR(values(a)[1], -2.0, 1e-6);
  EXPECT_EQ(values(b)[0], 0.0f);
}

TEST(OptimizerClipping, GlobalClipnormOfANonFiniteNormIsNaN) {
  BaseOptions base = lr(1.0);
  base.global_clipnorm = 1.0;
  SGD sgd({}, base);
  Variable a(vec({0, 0}), "a");
  sgd.apply({vec({std::numeric_limits<float>::infinity(), 1})}, {a});  // Keras: scale is NaN
  EXPECT_TRUE(std::isnan(values(a)[1]));
}

TEST(OptimizerClipping, ClipvalueClipsElementwise) {
  BaseOptions base = lr(1.0);
  base.clipvalue = 0.5;
  SGD sgd({}, base);
  Variable a(vec({0, 0, 0}), "a");
  sgd.apply({vec({2, -3, 0.25})}, {a});
  EXPECT_EQ(values(a), (std::vector<float>{-0.5f, 0.5f, -0.25f}));
}

TEST(OptimizerClipping, ZeroClipnormMeansNoClipping) {
  BaseOptions base = lr(1.0);
  base.clipnorm = 0.0;  // Keras: `if self.clipnorm and self.clipnorm > 0`
  SGD sgd({}, base);
  Variable a(vec({0}), "a");
  sgd.apply({vec({7})}, {a});
  EXPECT_EQ(values(a)[0], -7.0f);
}

TEST(OptimizerClipping, OnlyOneClipOptionAtATime) {
  BaseOptions base = lr(1.0);
  base.clipnorm = 1.0;
  base.clipvalue = 1.0;
  EXPECT_THROW(SGD({}, base), ValueError);
}

// ~~~ weight decay ~~~

TEST(OptimizerWeightDecay, DecoupledDecayBeforeTheUpdate) {
  BaseOptions base = lr(0.1);
  base.weight_decay = 0.5;
  SGD sgd({}, base);
  Variable a(vec({2.0}), "a");
  sgd.apply({vec({1.0})}, {a});  // 2 - 2 * 0.5 * 0.1 = 1.9, then - 0.1 * 1 = 1.8
  EXPECT_NEAR(values(a)[0], 1.8, 1e-6);
}

TEST(OptimizerWeightDecay, ExcludedVariablesAreNotDecayed) {
  BaseOptions base = lr(0.1);
  base.weight_decay = 0.5;
  SGD sgd({}, base);
  Variable kernel(vec({2.0}), "dense/kernel"), bias(vec({2.0}), "dense/bias"),
      other(vec({2.0}), "x");
  sgd.exclude_from_weight_decay({other}, {"bias"});
  sgd.apply({vec({0}), vec({0}), vec({0})}, {kernel, bias, other});
  EXPECT_NEAR(values(kernel)[0], 1.9, 1e-6);
  EXPECT_EQ(values(bias)[0], 2.0f);
  EXPECT_EQ(values(other)[0], 2.0f);
}

TEST(OptimizerWeightDecay, UsesTheScheduledRateOfTheStep) {
  ExponentialDecay::Options decay{
      .initial_learning_rate = 0.1, .decay_steps = 1, .decay_rate = 0.5};
  BaseOptions base;
  base.learning_rate = std::make_shared<ExponentialDecay>(decay);
  base.weight_decay = 1.0;
  SGD sgd({}, base);
  Variable a(vec({1.0}), "a");
  sgd.apply({vec({0})}, {a});  // lr 0.1: 1 * (1 - 0.1) = 0.9
  sgd.apply({vec({0})}, {a});  // lr 0.05: 0.9 * 0.95 = 0.855
  EXPECT_NEAR(values(a)[0], 0.855, 1e-6);
}

// ~~~ slots and variables() ~~~

TEST(OptimizerSlots, NamesAndOrderFollowKeras) {
  BaseOptions base = lr(0.1);
  base.name = "opt";
  Adam adam({.amsgrad = true}, base);
  Variable kernel(vec({1, 2}), "dense/kernel"), bias(vec({0}), "dense/bias");
  adam.apply({vec({1, 1}), vec({1})}, {kernel, bias});
  // Keras 3: iteration, then momentum/velocity interleaved per variable, then velocity_hats.
  EXPECT_EQ(names(adam.variables()),
            (std::vector<std::string>{"opt/iteration", "opt/dense_kernel_momentum",
                                      "opt/dense_kernel_velocity", "opt/dense_bias_momentum",
                                      "opt/dense_bias_velocity", "opt/dense_kernel_velocity_hat",
                                      "opt/dense_bias_velocity_hat"}));
  for (const auto& v : adam.variables()) EXPECT_FALSE(v.trainable()) << v.name();
  EXPECT_TRUE(adam.slot(kernel, "momentum").is(adam.variables()[1]));
  EXPECT_NEAR(adam.slot(kernel, "momentum").value().to_vector<float>()[0], 0.1, 1e-7);
}

TEST(OptimizerSlots, RMSpropGroupsSlotsByKindAsKeras) {
  BaseOptions base = lr(0.1);
  base.name = "rms";
  RMSprop rms({.momentum = 0.5, .centered = true}, base);
  Variable a(vec({1}), "a"), b(vec({1}), "b");
  rms.build({a, b});
  EXPECT_EQ(names(rms.variables()),
            (std::vector<std::string>{"rms/iteration", "rms/a_velocity", "rms/b_velocity",
                                      "rms/a_momentum", "rms/b_momentum", "rms/a_average_gradient",
                                      "rms/b_average_gradient"}));
}

TEST(OptimizerSlots, NadamTracksItsMomentumProduct) {
  BaseOptions base = lr(0.1);
  base.name = "nadam_t";
  Nadam nadam({}, base);
  Variable a(vec({1}), "a");
  nadam.apply({vec({1})}, {a});
  const auto vars = nadam.variables();
  ASSERT_EQ(vars.size(), 4u);
  EXPECT_EQ(vars.back().name(), "nadam_t/u_product");
  EXPECT_NEAR(vars.back().value().item_as_double(), 0.9 * (1 - 0.5 * 0.96), 1e-6);
}

TEST(OptimizerSlots, SgdWithoutMomentumHasNoSlots) {
  SGD sgd;
  Variable a(vec({1}), "a");
  sgd.apply({vec({1})}, {a});
  EXPECT_EQ(sgd.variables().size(), 1u);
  EXPECT_THROW(sgd.slot(a, "momentum"), ValueError);
}

TEST(OptimizerSlots, MissingSlotsAreValueErrorsThatNameThem) {
  Adam adam;
  Variable a(vec({1}), "a"), stranger(vec({1}), "stranger");
  adam.apply({vec({1})}, {a});
  try {
    adam.slot(a, "m");
    FAIL() << "expected ValueError";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("momentum, velocity"), std::string::npos) << e.what();
  }
  EXPECT_THROW(adam.slot(stranger, "momentum"), ValueError);
}

TEST(OptimizerSlots, NewVariablesGetSlotsOnTheirFirstStep) {
  Adam adam;
  Variable a(vec({1}), "a"), b(vec({1}), "b");
  adam.apply({vec({1})}, {a});
  adam.apply({vec({1}), vec({1})}, {a, b});
  EXPECT_EQ(adam.variables().size(), 5u);
  EXPECT_NO_THROW(adam.slot(b, "velocity"));
}

// ~~~ iterations, learning rate, gradient filtering ~~~

TEST(OptimizerSteps, IterationsCountApplyCalls) {
  SGD sgd;
  Variable a(vec({1}), "a");
  EXPECT_EQ(sgd.iterations(), 0);
  sgd.apply({vec({1})}, {a});
  sgd.apply({vec({1})}, {a});
  EXPECT_EQ(sgd.iterations(), 2);
  sgd.apply({}, {});  // Keras: an empty apply is a no-op
  EXPECT_EQ(sgd.iterations(), 2);
  EXPECT_EQ(sgd.variables()[0].value().dtype(), DType::kInt64);
}

TEST(OptimizerSteps, LearningRateFollowsTheScheduleAndCanBeReplaced) {
  BaseOptions base;
  base.learning_rate = std::make_shared<ExponentialDecay>(
      ExponentialDecay::Options{.initial_learning_rate = 0.1, .decay_steps = 1, .decay_rate = 0.5});
  SGD sgd({}, base);
  Variable a(vec({0}), "a");
  EXPECT_DOUBLE_EQ(sgd.learning_rate(), 0.1);
  sgd.apply({vec({1})}, {a});
  EXPECT_DOUBLE_EQ(sgd.learning_rate(), 0.05);
  sgd.apply({vec({1})}, {a});
  EXPECT_NEAR(values(a)[0], -0.15, 1e-7);  // -0.1 then -0.05
  sgd.set_learning_rate(0.3);
  EXPECT_DOUBLE_EQ(sgd.learning_rate(), 0.3);
  EXPECT_DOUBLE_EQ(sgd.get_config().get<double>("learning_rate"), 0.3);
  EXPECT_THROW(sgd.set_learning_rate(-1.0), ValueError);
}

TEST(OptimizerSteps, UndefinedGradientsSkipTheirVariable) {
  SGD sgd({.momentum = 0.9}, lr(1.0));
  Variable a(vec({1}), "a"), b(vec({1}), "b");
  sgd.apply({vec({1}), Tensor()}, {a, b});
  EXPECT_EQ(values(a)[0], 0.0f);
  EXPECT_EQ(values(b)[0], 1.0f);
  EXPECT_EQ(sgd.slot(b, "momentum").value().to_vector<float>()[0], 0.0f);
  EXPECT_EQ(sgd.iterations(), 1);
  EXPECT_THROW(sgd.apply({Tensor()}, {a}), ValueError);  // no gradient at all
}

TEST(OptimizerSteps, MismatchedInputsAreErrorsThatNameTheVariable) {
  SGD sgd;
  Variable a(vec({1, 2}), "dense/kernel");
  EXPECT_THROW(sgd.apply({vec({1})}, {a, a}), ValueError);
  try {
    sgd.apply({vec({1, 2, 3})}, {a});
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("dense/kernel"), std::string::npos) << e.what();
  }
  Variable counter(Tensor::from_vector(std::vector<std::int64_t>{1}), "counter");
  EXPECT_THROW(sgd.apply({vec({1})}, {counter}), ValueError);
}

TEST(OptimizerSteps, Float64VariablesAndFloat32Gradients) {
  SGD sgd({}, lr(0.5));
  Variable a(Tensor::from_vector(std::vector<double>{1.0}), "a");
  sgd.apply({vec({1})}, {a});  // the gradient is cast to the variable's dtype, as Keras
  EXPECT_EQ(a.dtype(), DType::kFloat64);
  EXPECT_DOUBLE_EQ(a.value().item<double>(), 0.5);
}

// ~~~ updates in place, without recording ~~~

class CountingRecorder : public autograd::Recorder {
 public:
  void record(const char*, const TensorList&, const Tensor&, const autograd::ForwardFn&,
              const autograd::BackwardFn&) override {
    ++count;
  }
  int count = 0;
};

TEST(OptimizerSteps, UpdatesInPlaceWithoutRecording) {
  Adam adam;
  Variable a(vec({1, 2}), "a");
  const Tensor before = a.value();  // a handle taken before the step sees the new values
  CountingRecorder recorder;
  autograd::push_recorder(&recorder);
  adam.apply({vec({1, 1})}, {a});
  autograd::pop_recorder(&recorder);
  EXPECT_EQ(recorder.count, 0);
  EXPECT_EQ(a.value().id(), before.id());
  EXPECT_LT(before.to_vector<float>()[0], 1.0f);
}

// ~~~ unsupported and invalid options ~~~

TEST(OptimizerOptions, UnsupportedOptionsAreConfigErrors) {
  BaseOptions ema = lr(0.1);
  ema.use_ema = true;
  EXPECT_THROW(SGD({}, ema), ConfigError);
  BaseOptions accumulation = lr(0.1);
  accumulation.gradient_accumulation_steps = 4;
  EXPECT_THROW(SGD({}, accumulation), ConfigError);
  BaseOptions scaling = lr(0.1);
  scaling.loss_scale_factor = 128.0;
  EXPECT_THROW(SGD({}, scaling), ConfigError);
}

TEST(OptimizerOptions, InvalidValuesAreValueErrorsNamingTheArgument) {
  auto message = [](auto&& make) {
    try {
      make();
    } catch (const ValueError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message([] { SGD({}, lr(-0.1)); }).find("learning_rate=-0.1"), std::string::npos);
  EXPECT_NE(message([] { SGD({.momentum = 1.5}); }).find("momentum"), std::string::npos);
  EXPECT_NE(message([] { Adam({.beta_1 = 1.0}); }).find("beta_1"), std::string::npos);
  BaseOptions decay = lr(0.1);
  decay.weight_decay = -1.0;
  EXPECT_NE(message([&] { AdamW({}, decay); }).find("weight_decay"), std::string::npos);
}

TEST(OptimizerOptions, AutomaticNamesAreUnique) {
  Adam first, second;
  EXPECT_EQ(first.name().rfind("adam", 0), 0u);
  EXPECT_NE(first.name(), second.name());
  EXPECT_EQ(first.variables()[0].name(), first.name() + "/iteration");
}

}  // namespace
}  // namespace fathom::optimizers
