// SPDX-License-Identifier: Apache-2.0
#include "core/autograd/gradient_tape.h"

#include <gtest/gtest.h>

#include "core/autograd/recorder.h"
#include "core/ops.h"

namespace fathom {
namespace {

Tensor vec(std::vector<double> v) { return Tensor::from_vector<double>(v); }

TEST(GradientTapeTest, WatchedTensorGetsGradient) {
  const Tensor x = vec({1, 2, 3});
  GradientTape tape;
  tape.watch(x);
  const Tensor y = ops::sum(ops::square(x));  // dy/dx = 2x
  const auto g = tape.gradient(y, {x});
  EXPECT_EQ(g[0].to_vector<double>(), (std::vector<double>{2, 4, 6}));
}

TEST(GradientTapeTest, UnwatchedTensorGetsNoGradient) {
  const Tensor x = vec({1, 2});
  GradientTape tape;
  const Tensor y = ops::sum(ops::square(x));
  EXPECT_EQ(tape.size(), 0u);
  const auto g = tape.gradient(y, {x});
  EXPECT_FALSE(g[0].defined());
  GradientTape tape2;
  const auto zeros = tape2.gradient(ops::sum(x), {x}, {}, UnconnectedGradients::kZero);
  EXPECT_EQ(zeros[0].to_vector<double>(), (std::vector<double>{0, 0}));
}

TEST(GradientTapeTest, TrainableVariablesAreWatchedAutomatically) {
  Variable w(vec({1, -1}), "w");
  Variable frozen(vec({3, 3}), "frozen", /*trainable=*/false);
  GradientTape tape;
  const Tensor y = ops::sum(ops::mul(w, frozen));
  const auto g = tape.gradient(y, std::vector<Variable>{w, frozen});
  EXPECT_EQ(g[0].to_vector<double>(), (std::vector<double>{3, 3}));
  EXPECT_FALSE(g[1].defined()) << "non-trainable variables are not watched";
}

TEST(GradientTapeTest, WatchAccessedVariablesFalseNeedsExplicitWatch) {
  Variable w(vec({2}), "w");
  GradientTape tape(false, /*watch_accessed_variables=*/false);
  const Tensor y = ops::sum(ops::square(w));
  EXPECT_FALSE(tape.gradient(y, std::vector<Variable>{w})[0].defined());
  GradientTape tape2(false, false);
  tape2.watch(w);
  EXPECT_EQ(tape2.gradient(ops::sum(ops::square(w)), std::vector<Variable>{w})[0].to_vector<double>(),
            (std::vector<double>{4}));
}

TEST(GradientTapeTest, NonPersistentTapeAllowsOneGradient) {
  const Tensor x = vec({1});
  GradientTape tape;
  tape.watch(x);
  const Tensor y = ops::sum(ops::exp(x));
  tape.gradient(y, {x});
  EXPECT_THROW(tape.gradient(y, {x}), AutogradError);
}

TEST(GradientTapeTest, PersistentTapeAllowsSeveral) {
  const Tensor x = vec({2});
  GradientTape tape(/*persistent=*/true);
  tape.watch(x);
  const Tensor y = ops::square(x);
  const Tensor z = ops::mul(y, y);  // x^4
  EXPECT_DOUBLE_EQ(tape.gradient(ops::sum(y), {x})[0].item<double>(), 4.0);
  EXPECT_DOUBLE_EQ(tape.gradient(ops::sum(z), {x})[0].item<double>(), 32.0);
}

TEST(GradientTapeTest, GradientsAccumulateOverUses) {
  const Tensor x = vec({3});
  GradientTape tape;
  tape.watch(x);
  const Tensor y = ops::add(ops::mul(x, x), x);  // x^2 + x -> 2x + 1
  EXPECT_DOUBLE_EQ(tape.gradient(ops::sum(y), {x})[0].item<double>(), 7.0);
}

TEST(GradientTapeTest, StopGradientAndStopRecordingBlockGradients) {
  const Tensor x = vec({3});
  GradientTape tape(true);
  tape.watch(x);
  const Tensor y = ops::mul(x, stop_gradient(x));  // d/dx = stop_gradient(x) = 3
  EXPECT_DOUBLE_EQ(tape.gradient(ops::sum(y), {x})[0].item<double>(), 3.0);
  Tensor z;
  {
    auto pause = tape.stop_recording();
    z = ops::square(x);
  }
  EXPECT_FALSE(tape.gradient(ops::sum(z), {x})[0].defined());
  Tensor w;
  {
    autograd::NoRecordGuard no_record;
    w = ops::square(x);
  }
  EXPECT_FALSE(tape.gradient(ops::sum(w), {x})[0].defined());
}

TEST(GradientTapeTest, NestedTapesGiveSecondOrderGradients) {
  const Tensor x = vec({2});
  GradientTape outer;
  outer.watch(x);
  Tensor dy;
  {
    GradientTape inner;
    inner.watch(x);
    const Tensor y = ops::mul(ops::mul(x, x), x);  // x^3
    dy = inner.gradient(ops::sum(y), {x})[0];      // 3x^2 = 12
  }
  EXPECT_DOUBLE_EQ(dy.item<double>(), 12.0);
  EXPECT_DOUBLE_EQ(outer.gradient(ops::sum(dy), {x})[0].item<double>(), 12.0);  // 6x
}

TEST(GradientTapeTest, SecondOrderThroughActivationIsAClearError) {
  const Tensor x = vec({0.5});
  GradientTape outer;
  outer.watch(x);
  Tensor dy;
  {
    GradientTape inner;
    inner.watch(x);
    dy = inner.gradient(ops::sum(ops::tanh(x)), {x})[0];
  }
  EXPECT_THROW(outer.gradient(ops::sum(dy), {x}), AutogradError);
}

TEST(GradientTapeTest, OutputGradientWeightsNonScalarTargets) {
  const Tensor x = vec({1, 2});
  GradientTape tape;
  tape.watch(x);
  const Tensor y = ops::mul(x, 3.0);
  const auto g = tape.gradient(y, {x}, vec({1, 10}));
  EXPECT_EQ(g[0].to_vector<double>(), (std::vector<double>{3, 30}));
}

TEST(GradientTapeTest, OnlyGradientsTowardSourcesAreComputed) {
  // x feeds a matmul with a large unwatched constant: no gradient flows to the constant.
  const Tensor x = vec({1, 2});
  Variable w(Tensor::ones({2, 2}, DType::kFloat64), "w");
  GradientTape tape;
  const Tensor y = ops::sum(ops::matmul(ops::reshape(x, {1, 2}), w));
  const auto g = tape.gradient(y, std::vector<Variable>{w});
  EXPECT_EQ(g[0].to_vector<double>(), (std::vector<double>{1, 1, 2, 2}));
}

TEST(VariableTest, AssignKeepsIdentityAndChecksShape) {
  Variable v(Tensor::zeros({2}), "v");
  const std::uint64_t id = v.value().id();
  v.assign(Tensor::ones({2}));
  v.assign_add(Tensor::ones({2}));
  v.assign_sub(Tensor::from_vector<float>({0.5f, 0.25f}));
  EXPECT_EQ(v.value().id(), id);
  EXPECT_EQ(v.value().to_vector<float>(), (std::vector<float>{1.5f, 1.75f}));
  EXPECT_THROW(v.assign(Tensor::zeros({3})), ShapeError);
  EXPECT_THROW(v.assign(Tensor::zeros({2}, DType::kFloat64)), ValueError);
  EXPECT_EQ(v.name(), "v");
}

TEST(VariableTest, AssignIsNotRecorded) {
  Variable v(Tensor::ones({1}), "v");
  GradientTape tape;
  v.assign_add(Tensor::ones({1}));
  EXPECT_EQ(tape.size(), 0u);
}

}  // namespace
}  // namespace fathom
