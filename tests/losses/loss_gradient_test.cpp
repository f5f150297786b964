// SPDX-License-Identifier: Apache-2.0
// Gradients of every loss with respect to y_pred against central finite differences (float64),
// for the per-sample loss and for the weighted, reduced loss. Inputs are kept away from kinks
// (|e| = 0 or delta, hinge margins, the epsilon clips).
#include "tests/support/gradcheck.cpp"  // NOLINT: compiled into core_tests only; linked here once

#include <gtest/gtest.h>

#include <functional>

#include "core/ops.h"
#include "losses/crossentropy.h"
#include "losses/hinge.h"
#include "losses/probabilistic.h"
#include "losses/regression.h"

namespace fathom::losses {
namespace {

using testing::away_from;
using testing::gradients_match;
using testing::uniform_f64;

Tensor f64(const std::vector<double>& v, Shape s) { return Tensor::from_vector(v, std::move(s)); }

/// Checks d/d y_pred of loss.call and of loss(y_true, y_pred, w), w shaped like the per-sample loss.
void expect_gradients(const Loss& loss, const Tensor& y_true, const Tensor& y_pred) {
  SCOPED_TRACE(loss.class_name() + " '" + loss.name() + "'");
  EXPECT_TRUE(gradients_match([&](const TensorList& in) { return loss.call(y_true, in[0]); }, {y_pred}));
  const Tensor w = uniform_f64(loss.call(y_true, y_pred).shape(), 0.5, 2.0, 11);
  EXPECT_TRUE(gradients_match([&](const TensorList& in) { return loss(y_true, in[0], w); }, {y_pred}));
}

const Tensor kTrue = uniform_f64({3, 4}, -2, 2, 1);
// y_pred = y_true + offsets kept away from 0, +-0.5 and +-1 (abs, Huber and hinge kinks).
const Tensor kPred = ops::add(kTrue, away_from(uniform_f64({3, 4}, -2.5, 2.5, 2), {0, -0.5, 0.5, -1, 1}, 0.05));
const Tensor kPositiveTrue = uniform_f64({3, 4}, 0.1, 3, 3);
const Tensor kPositivePred = uniform_f64({3, 4}, 0.2, 3, 4);
const Tensor kBinary = f64({0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 1}, {3, 4});
const Tensor kProbs = uniform_f64({3, 4}, 0.05, 0.95, 5);
const Tensor kLogits = uniform_f64({3, 4}, -4, 4, 6);

TEST(LossGradientTest, Regression) {
  expect_gradients(MeanSquaredError(), kTrue, kPred);
  expect_gradients(MeanAbsoluteError(), kTrue, kPred);
  expect_gradients(MeanAbsolutePercentageError(), kTrue, kPred);
  expect_gradients(MeanSquaredLogarithmicError(), kPositiveTrue, kPositivePred);
  expect_gradients(Huber(), kTrue, kPred);
  expect_gradients(Huber(0.5, Reduction::kSum), kTrue, kPred);
  expect_gradients(LogCosh(), kTrue, kPred);
  expect_gradients(CosineSimilarity(), kTrue, kPred);
  expect_gradients(CosineSimilarity(0, Reduction::kMeanWithSampleWeight), kTrue, kPred);
}

TEST(LossGradientTest, ProbabilisticAndHinge) {
  expect_gradients(Poisson(), kPositiveTrue, kPositivePred);
  expect_gradients(KLDivergence(), kProbs, uniform_f64({3, 4}, 0.05, 0.95, 7));
  // Hinge margins 1 - t p stay away from 0 when |p| is away from 1.
  const Tensor scores = away_from(kLogits, {-1, 1}, 0.05);
  expect_gradients(Hinge(), kBinary, scores);
  expect_gradients(SquaredHinge(), kBinary, scores);
  expect_gradients(CategoricalHinge(), f64({0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1}, {3, 4}), scores);
}

TEST(LossGradientTest, Crossentropy) {
  using BCE = BinaryCrossentropy;
  using CCE = CategoricalCrossentropy;
  expect_gradients(BCE(), kBinary, kProbs);
  expect_gradients(BCE({.label_smoothing = 0.1}), kProbs.clone(), kProbs);  // soft labels (a distinct tensor)
  expect_gradients(BCE({.from_logits = true}), kBinary, kLogits);
  expect_gradients(BCE({.from_logits = true, .label_smoothing = 0.2, .axis = 0}), kBinary, kLogits);
  // softplus(x) - x t has the exact gradient sigmoid(x) - t also at x = 0.
  expect_gradients(BCE({.from_logits = true}), kBinary, f64({0, 0, 0, 0, 1, -1, 0, 2, 0, 0, -3, 0}, {3, 4}));
  const Tensor one_hot = f64({0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1}, {3, 4});
  expect_gradients(CCE(), one_hot, kProbs);  // unnormalized rows: the renormalization is differentiated too
  expect_gradients(CCE({.label_smoothing = 0.1}), one_hot, kProbs);
  expect_gradients(CCE({.from_logits = true}), one_hot, kLogits);
  expect_gradients(CCE({.from_logits = true, .axis = 0}), one_hot, kLogits);
}

TEST(LossGradientTest, SparseCrossentropy) {
  using SCCE = SparseCategoricalCrossentropy;
  const Tensor labels = Tensor::from_vector(std::vector<std::int64_t>{1, 0, 3}, {3});
  expect_gradients(SCCE(), labels, kProbs);
  expect_gradients(SCCE({.from_logits = true}), labels, kLogits);
  expect_gradients(SCCE({.from_logits = true, .ignore_class = 0}), labels, kLogits);
  const Tensor labels_3d = Tensor::from_vector(std::vector<std::int32_t>{0, 2, 1, 1}, {2, 2, 1});
  expect_gradients(SCCE({.from_logits = true}), labels_3d, uniform_f64({2, 2, 3}, -3, 3, 8));
}

TEST(LossGradientTest, IgnoredEntriesGetZeroGradient) {
  const SparseCategoricalCrossentropy loss({.from_logits = true, .ignore_class = 0});
  const Tensor labels = Tensor::from_vector(std::vector<std::int64_t>{1, 0, 3}, {3});
  const Tensor logits = kLogits.clone();
  GradientTape tape;
  tape.watch(logits);
  const Tensor value = loss(labels, logits);
  const std::vector<double> g = tape.gradient(value, {logits})[0].to_vector<double>();
  for (int j = 4; j < 8; ++j) EXPECT_EQ(g[j], 0.0) << "row 1 is ignored";
  EXPECT_NE(g[0], 0.0);
}

}  // namespace
}  // namespace fathom::losses
