// SPDX-License-Identifier: Apache-2.0
// Mean, the accuracy metrics and the loss metrics against Keras 3.15 (TF backend): two batches
// (the second weighted), the result after each, and reset_state.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "core/ops.h"
#include "losses/accuracy_metrics.h"
#include "losses/metric.h"
#include "losses/regression_metrics.h"

namespace fathom::losses {
namespace {

Tensor f32(const std::vector<float>& v, Shape s) { return Tensor::from_vector(v, std::move(s)); }
Tensor i64(const std::vector<std::int64_t>& v, Shape s) { return Tensor::from_vector(v, std::move(s)); }

struct Batch {
  Tensor y_true, y_pred, sample_weight;
};

/// Updates with b1, checks after1; updates with b2, checks after2; resets and checks 0.
void expect_two_batches(Metric& m, const Batch& b1, const Batch& b2, double after1, double after2) {
  SCOPED_TRACE(m.class_name() + " '" + m.name() + "'");
  m.update_state(b1.y_true, b1.y_pred, b1.sample_weight);
  EXPECT_NEAR(m.result(), after1, 1e-6 + 1e-5 * std::abs(after1));
  m.update_state(b2.y_true, b2.y_pred, b2.sample_weight);
  EXPECT_NEAR(m.result(), after2, 1e-6 + 1e-5 * std::abs(after2));
  m.reset_state();
  EXPECT_EQ(m.result(), 0.0);
}

TEST(MeanTest, WeightedRunningMean) {
  Mean m;
  m.update_values(f32({1, 3, 5, 7}, {4}));
  m.update_values(f32({2, 4}, {2}), f32({1, 0}, {2}));
  EXPECT_NEAR(m.result(), 3.6, 1e-7);
  Mean m2;  // [B, T] values with [B] weights: averaged over T first (Keras)
  m2.update_values(f32({1, 2, 3, 4}, {2, 2}), f32({1, 3}, {2}));
  EXPECT_NEAR(m2.result(), 3.0, 1e-7);
  Mean m3;
  m3.update_values(f32({1, 2, 3, 4}, {2, 2}), f32({1, 0, 2, 2}, {2, 2}));
  EXPECT_NEAR(m3.result(), 3.0, 1e-7);
  Mean m4;  // a scalar weight weighs the batch mean once
  m4.update_values(f32({1, 3, 5, 7}, {4}), Tensor::scalar(2.0));
  EXPECT_NEAR(m4.result(), 4.0, 1e-7);
  EXPECT_EQ(m4.count(), 2.0);
  m4.reset_state();
  EXPECT_EQ(m4.result(), 0.0);
  EXPECT_THROW(m4.update_values(f32({1, 2, 3}, {3}), f32({1, 2}, {2})), ShapeError);
}

TEST(MeanTest, UpdatesAreNotRecordedByTapes) {
  Mean m;
  const Tensor x = f32({1, 2}, {2});
  GradientTape tape;
  tape.watch(x);
  const std::size_t before = tape.size();
  m.update_values(x);
  EXPECT_EQ(tape.size(), before);
}

TEST(AccuracyMetricTest, MatchesKeras) {
  const Tensor cat_true1 = f32({0, 0, 1, 0, 1, 0}, {2, 3});
  const Tensor cat_pred1 = f32({0.1, 0.9, 0.8, 0.05, 0.95, 0}, {2, 3});
  const Tensor cat_true2 = f32({1, 0, 0, 0, 0, 1, 0, 1, 0}, {3, 3});
  const Tensor cat_pred2 = f32({0.5, 0.3, 0.2, 0.2, 0.5, 0.3, 0.1, 0.8, 0.1}, {3, 3});
  const Tensor w3 = f32({0.7, 0.5, 1.0}, {3});
  const Batch bin1{f32({1, 1, 0, 0}, {4, 1}), f32({0.98, 1, 0, 0.6}, {4, 1}), {}};
  const Batch bin2{f32({1, 0, 1}, {3}), f32({0.4, 0.2, 0.8}, {3, 1}), f32({1, 2, 3}, {3})};
  // Top-k: the second batch has ties at the k boundary (TF's in_top_k counts them in).
  const Batch top1{cat_true1, cat_pred1, {}};
  const Batch top2{cat_true2, f32({0.2, 0.2, 0.6, 0.3, 0.4, 0.3, 0.5, 0.1, 0.4}, {3, 3}), f32({1, 2, 0.5}, {3})};
  const Batch stop1{i64({2, 1}, {2}), cat_pred1, {}};
  const Batch stop2{i64({0, 2, 1}, {3, 1}), f32({0.4, 0.4, 0.2, 0.3, 0.3, 0.4, 0.5, 0.1, 0.4}, {3, 3}), f32({1, 2, 0.5}, {3})};

  Accuracy acc;
  expect_two_batches(acc, {f32({1, 2, 3, 4}, {4, 1}), f32({0, 2, 3, 4}, {4, 1}), {}},
                     {f32({1, 2}, {2, 1}), f32({1, 0}, {2, 1}), f32({0.5, 2}, {2})}, 0.75, 0.538461566);
  BinaryAccuracy binary;
  expect_two_batches(binary, bin1, bin2, 0.75, 0.800000012);
  BinaryAccuracy binary07(0.7);
  expect_two_batches(binary07, bin1, bin2, 1.0, 0.899999976);
  CategoricalAccuracy categorical;
  expect_two_batches(categorical, {cat_true1, cat_pred1, {}}, {cat_true2, cat_pred2, w3}, 0.5, 0.642857194);
  SparseCategoricalAccuracy sparse;
  expect_two_batches(sparse, {f32({2, 1}, {2, 1}), f32({0.1, 0.6, 0.3, 0.05, 0.95, 0}, {2, 3}), {}},
                     {Tensor::from_vector(std::vector<std::int32_t>{0, 2, 1}, {3}), cat_pred2, w3}, 0.5, 0.642857194);
  TopKCategoricalAccuracy top_k2(2), top_k1(1), top_k5;
  expect_two_batches(top_k2, top1, top2, 1.0, 0.909090936);
  expect_two_batches(top_k1, top1, top2, 0.5, 0.181818187);
  expect_two_batches(top_k5, top1, top2, 1.0, 1.0);
  SparseTopKCategoricalAccuracy sparse_k1(1), sparse_k2(2);
  expect_two_batches(sparse_k1, stop1, stop2, 0.5, 0.727272749);
  expect_two_batches(sparse_k2, stop1, stop2, 1.0, 0.909090936);
  SparseTopKCategoricalAccuracy sorted_ids(2, /*from_sorted_ids=*/true);
  expect_two_batches(sorted_ids, {i64({2, 1}, {2}), f32({1, 2, 0, 1, 0, 2}, {2, 3}), {}},
                     {i64({0, 2}, {2}), f32({2, 1, 0, 0, 1, 2}, {2, 3}), f32({1, 3}, {2})}, 1.0, 0.333333343);
}

TEST(AccuracyMetricTest, IntegerAndBoolLabels) {
  BinaryAccuracy binary;
  binary.update_state(i64({1, 0, 1, 1}, {4}), f32({0.9, 0.2, 0.4, 0.7}, {4, 1}));
  EXPECT_NEAR(binary.result(), 0.75, 1e-12);
  const Tensor labels = Tensor::from_vector(std::vector<float>{1, 0, 0, 1}, {4});
  BinaryAccuracy from_bool;
  from_bool.update_state(ops::greater(labels, ops::scalar_like(labels, 0.5)), f32({0.9, 0.2, 0.4, 0.7}, {4}));
  EXPECT_NEAR(from_bool.result(), 1.0, 1e-12);
  Accuracy exact;
  exact.update_state(i64({3, 1, 2}, {3}), i64({3, 0, 2}, {3}));
  EXPECT_NEAR(exact.result(), 2.0 / 3, 1e-12);
}

TEST(AccuracyMetricTest, ShapeErrorsNameTheMetric) {
  CategoricalAccuracy categorical;
  try {
    categorical.update_state(f32({0, 1, 1, 0}, {2, 2}), f32({0.1, 0.9, 0.2, 0.7, 0.2, 0.1}, {3, 2}));
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("CategoricalAccuracy 'categorical_accuracy'"), std::string::npos) << e.what();
  }
  SparseCategoricalAccuracy sparse;
  EXPECT_THROW(sparse.update_state(i64({1, 0, 1}, {3}), f32({0.1, 0.9, 0.2, 0.8}, {2, 2})), ShapeError);
  EXPECT_THROW(TopKCategoricalAccuracy(0), ValueError);
}

TEST(LossMetricTest, MatchesKeras) {
  const Tensor a_true = f32({0.5, -1.2, 2.0, 0.0, 1.5, 0.3, -0.7, 2.2, -0.4, 0.9, 1.1, -1.6}, {3, 4});
  const Tensor a_pred = f32({0.7, -0.4, 1.1, 0.3, 1.0, 0.3, 0.8, -0.9, -2.9, 1.4, 1.2, 0.2}, {3, 4});
  const Tensor bin = f32({0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 1}, {3, 4});
  const Tensor scores = f32({-0.3, 0.8, 1.5, 0.2, 0.6, -0.2, -1.1, 0.9, 0.1, -0.7, 0.4, 2.0}, {3, 4});
  const Tensor logits = f32({-2.0, 3.0, 0.4, -40.0, 35.0, 0.0, -1.2, 0.7, -0.8, -3.0, 0.0, 1.5}, {3, 4});
  const Tensor one_hot = f32({0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1}, {3, 4});
  const Tensor cat = f32({0.1, 0.6, 0.2, 0.1, 0.5, 0.2, 0.2, 0.3, 0.7, 0.3, 0.0, 0.0}, {3, 4});
  const Tensor kl_true = f32({0.2, 0.3, 0.5, 0.0, 0.0, 0.0, 1.0, 0.0, 0.25, 0.25, 0.25, 0.25}, {3, 4});
  const Tensor kl_pred = f32({0.1, 0.4, 0.4, 0.1, 0.05, 0.05, 0.9, 0.0, 0.4, 0.3, 0.2, 0.1}, {3, 4});
  const Tensor counts = f32({1, 0, 3, 2, 0, 0, 1, 5, 2, 1, 0, 1}, {3, 4});
  const Tensor rates = f32({0.8, 0.1, 2.5, 2.2, 0.3, 0.05, 1.2, 4.1, 1.7, 0.9, 0.2, 1.3}, {3, 4});
  // Rows 0-1 unweighted, then row 2 with the given weight.
  auto split = [](const Tensor& t, const Tensor& p, float w, Batch& b1, Batch& b2) {
    b1 = {ops::slice_axis(t, 0, 0, 2), ops::slice_axis(p, 0, 0, 2), {}};
    b2 = {ops::slice_axis(t, 0, 2, 3), ops::slice_axis(p, 0, 2, 3), f32({w}, {1})};
  };
  struct Row {
    const char* class_name;
    Config config;
    Tensor y_true, y_pred;
    float weight;
    double after1, after2;
  };
  Config bce = Config::map(), cce = Config::map();
  bce.set("from_logits", true);
  cce.set("label_smoothing", 0.1);
  const std::vector<Row> rows = {
      {"MeanSquaredError", {}, a_true, a_pred, 0.5, 1.71124995, 1.85649991},
      {"MeanAbsoluteError", {}, a_true, a_pred, 0.5, 0.912500024, 0.975000024},
      {"MeanAbsolutePercentageError", {}, a_true, a_pred, 0.5, 37500068, 30000096},
      {"MeanSquaredLogarithmicError", {}, a_true, a_pred, 0.5, 0.244990423, 0.200491399},
      {"LogCoshError", {}, a_true, a_pred, 0.5, 0.512403488, 0.563547015},
      {"CosineSimilarity", {}, a_true, a_pred, 0.5, 0.347203016, 0.369028151},
      {"BinaryCrossentropy", bce, bin, logits, 2.0, 0.343518287, 0.336040199},
      {"CategoricalCrossentropy", cce, one_hot, cat, 2.0, 0.780966341, 8.06608677},
      {"Hinge", {}, bin, scores, 3.0, 0.699999988, 0.699999988},
      {"SquaredHinge", {}, bin, scores, 3.0, 0.897500038, 0.84799993},
      {"CategoricalHinge", {}, one_hot, scores, 3.0, 1.5, 0.600000024},
      {"KLDivergence", {}, kl_true, kl_pred, 3.0, 0.134626567, 0.12691699},
      {"Poisson", {}, counts, rates, 3.0, -0.0112374723, 0.427765906},
  };
  for (const Row& row : rows) {
    auto m = LossMetric::from_config(row.class_name, row.config);
    Batch b1, b2;
    split(row.y_true, row.y_pred, row.weight, b1, b2);
    expect_two_batches(*m, b1, b2, row.after1, row.after2);
  }
  RootMeanSquaredError rmse;
  Batch b1, b2;
  split(a_true, a_pred, 0.5, b1, b2);
  expect_two_batches(rmse, b1, b2, 1.30814755, 1.3625344);
  rmse.update_state(a_true, a_pred, f32({1, 0, 2, 1, 0, 0, 1, 1, 1, 1, 1, 1}, {3, 4}));  // per-element weights
  EXPECT_NEAR(rmse.result(), 1.5283978, 1e-6);
}

TEST(LossMetricTest, IgnoreClassMasksOnlyWithSampleWeights) {
  // Keras's quirk, kept: without sample weights ignored entries count as zeros.
  const Tensor logits = f32({1.0, 2.0, -0.5, 0.3, 3.0, -1.0, 0.0, 0.5, -20.0, 4.0, 0.0, 30.0}, {3, 4});
  const Tensor labels = i64({1, 0, 3}, {3});
  Config c = Config::map();
  c.set("from_logits", true).set("ignore_class", 0);
  auto plain = LossMetric::from_config("SparseCategoricalCrossentropy", c);
  auto weighted = LossMetric::from_config("SparseCategoricalCrossentropy", c);
  const Tensor l1 = ops::slice_axis(labels, 0, 0, 2), p1 = ops::slice_axis(logits, 0, 0, 2);
  const Tensor l2 = ops::slice_axis(labels, 0, 2, 3), p2 = ops::slice_axis(logits, 0, 2, 3);
  expect_two_batches(*plain, {l1, p1, {}}, {l2, p2, {}}, 0.245101586, 0.163401052);
  expect_two_batches(*weighted, {l1, p1, f32({1, 1}, {2})}, {l2, p2, f32({2}, {1})}, 0.490203172, 0.163401052);
}

}  // namespace
}  // namespace fathom::losses
