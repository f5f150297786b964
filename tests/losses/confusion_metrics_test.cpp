// SPDX-License-Identifier: Apache-2.0
// Precision, Recall and AUC against Keras 3.15 (TF backend): two batches (the second weighted),
// the result after each, and reset_state.
#include <gtest/gtest.h>

#include <cmath>

#include "losses/confusion_metrics.h"

namespace fathom::losses {
namespace {

Tensor f32(const std::vector<float>& v, Shape s) { return Tensor::from_vector(v, std::move(s)); }

struct Batch {
  Tensor y_true, y_pred, sample_weight;
};

void expect_near_all(const std::vector<double>& actual, const std::vector<double>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(actual[i], expected[i], 1e-6) << "threshold " << i;
}

void expect_two_batches(ThresholdMetric& m, const Batch& b1, const Batch& b2, const std::vector<double>& after1,
                        const std::vector<double>& after2) {
  SCOPED_TRACE(m.class_name() + " " + m.get_config().to_json());
  m.update_state(b1.y_true, b1.y_pred, b1.sample_weight);
  expect_near_all(m.results(), after1);
  EXPECT_NEAR(m.result(), after1.front(), 1e-6);
  m.update_state(b2.y_true, b2.y_pred, b2.sample_weight);
  expect_near_all(m.results(), after2);
  m.reset_state();
  expect_near_all(m.results(), std::vector<double>(after1.size(), 0.0));
}

void expect_two_batches(AUC& m, const Batch& b1, const Batch& b2, double after1, double after2) {
  SCOPED_TRACE(m.get_config().to_json());
  m.update_state(b1.y_true, b1.y_pred, b1.sample_weight);
  EXPECT_NEAR(m.result(), after1, 1e-6);
  m.update_state(b2.y_true, b2.y_pred, b2.sample_weight);
  EXPECT_NEAR(m.result(), after2, 1e-6);
  m.reset_state();
  EXPECT_EQ(m.result(), 0.0);
}

ThresholdMetric::Options thresholds(Config t) { return {.thresholds = std::move(t)}; }

TEST(PrecisionRecallTest, MatchesKeras) {
  const Batch p1{f32({0, 1, 1, 0}, {4}), f32({1, 0, 1, 0}, {4}), {}};
  const Batch p2{f32({1, 0, 1}, {3, 1}), f32({0.6, 0.4, 0.55}, {3, 1}), f32({1, 2, 0.5}, {3})};
  Precision precision;
  Recall recall;
  expect_two_batches(precision, p1, p2, {0.5}, {0.714285731});
  expect_two_batches(recall, p1, p2, {0.5}, {0.714285731});

  const Batch t1{f32({0, 1, 1, 0, 1}, {5}), f32({0.2, 0.35, 0.6, 0.8, 0.95}, {5}), {}};
  const Batch t2{f32({1, 0, 1}, {3}), f32({0.3, 0.75, 0.5}, {3}), f32({2, 1, 1}, {3})};
  const Config three = std::vector<Config>{0.3, 0.5, 0.7};
  Precision precision3(thresholds(three));
  Recall recall3(thresholds(three));
  expect_two_batches(precision3, t1, t2, {0.75, 0.666666687, 0.5}, {0.666666687, 0.5, 0.333333343});
  expect_two_batches(recall3, t1, t2, {1, 0.666666687, 0.333333343}, {0.666666687, 0.333333343, 0.166666672});

  // Evenly spaced thresholds take Keras's bucketed path, which clips predictions to [0, 1].
  const Batch e2{f32({1, 0, 1}, {3}), f32({1.2, -0.3, 0.5}, {3}), f32({2, 1, 1}, {3})};
  const Config even = std::vector<Config>{0.0, 0.5, 1.0};
  Precision precision_even(thresholds(even));
  Recall recall_even(thresholds(even));
  expect_two_batches(precision_even, t1, e2, {0.600000024, 0.666666687, 0}, {0.75, 0.800000012, 0});
  expect_two_batches(recall_even, t1, e2, {1, 0.666666687, 0}, {1, 0.666666687, 0});
}

TEST(PrecisionRecallTest, TopKAndClassId) {
  const Batch k1{f32({0, 0, 1, 1, 1, 0, 0, 1}, {2, 4}), f32({0.1, 0.2, 0.6, 0.5, 0.9, 0.8, 0.1, 0.0}, {2, 4}), {}};
  const Batch k2{f32({0, 1, 0, 0, 0, 0, 1, 0}, {2, 4}), f32({0.3, 0.6, 0.2, 0.1, 0.4, 0.1, 0.3, 0.2}, {2, 4}),
                 f32({2.0, 0.5}, {2})};
  Precision precision_top2({.top_k = 2});
  Recall recall_top2({.top_k = 2});
  expect_two_batches(precision_top2, k1, k2, {0.75}, {0.611111104});
  expect_two_batches(recall_top2, k1, k2, {0.75}, {0.846153855});
  Precision precision_class2({.class_id = 2});
  Recall recall_class2({.class_id = 2});
  expect_two_batches(precision_class2, k1, k2, {1}, {1});
  expect_two_batches(recall_class2, k1, k2, {1}, {0.666666687});
  Precision both({.thresholds = 0.5, .top_k = 1, .class_id = 0});
  expect_two_batches(both, k1, k2, {1}, {1});
}

TEST(PrecisionRecallTest, Errors) {
  EXPECT_THROW(Precision(thresholds(1.5)), ValueError);
  EXPECT_THROW(Recall({.top_k = 0}), ValueError);
  Precision p({.class_id = 5});
  EXPECT_THROW(p.update_state(f32({0, 1, 1, 0}, {2, 2}), f32({0.2, 0.8, 0.6, 0.4}, {2, 2})), ValueError);
  Recall r;
  try {
    r.update_state(f32({0, 1, 1}, {3}), f32({0.2, 0.8}, {2}));
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("Recall 'recall'"), std::string::npos) << e.what();
  }
}

// 12 samples: labels, predictions (with 0.25, 0.5, 0.8 and 1.0 on or near thresholds) and weights.
const Batch kAuc1{f32({0, 0, 1, 1}, {4}), f32({0, 0.5, 0.3, 0.9}, {4}), {}};
const Batch kAuc2{f32({1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1}, {12}),
                  f32({0.01, 0.82, 0.8, 0.47, 0.3, 0.28, 0.25, 0.45, 0.5, 0.55, 1, 0.79}, {12}),
                  f32({1.3, 2, 0.6, 0.5, 1.3, 0.3, 0.3, 1.1, 1, 1.9, 1.3, 1.1}, {12})};

TEST(AUCTest, MatchesKeras) {
  struct Row {
    AUC::Options options;
    double after1, after2;
  };
  const std::vector<Row> rows = {
      {{}, 0.75, 0.487467229},
      {{.curve = "PR"}, 0.797267437, 0.552585185},
      {{.summation_method = "minoring"}, 0.75, 0.487467229},
      {{.curve = "PR", .summation_method = "majoring"}, 0.833333373, 0.611241102},
      {{.curve = "PRGAIN"}, 0.25, -0.207161158},
      {{.num_thresholds = 3}, 0.75, 0.530821919},
      {{.thresholds = std::vector<double>{0.5, 0.25, 0.75}}, 0.875, 0.582337558},      // evenly spaced: bucketed
      {{.thresholds = std::vector<double>{0.1, 0.3, 0.35, 0.8}}, 0.75, 0.454677969},  // uneven: compared one by one
      {{.curve = "PR", .thresholds = std::vector<double>{0.1, 0.3, 0.35, 0.8}}, 0.797267437, 0.583704114},
  };
  for (const Row& row : rows) {
    AUC auc(row.options);
    expect_two_batches(auc, kAuc1, kAuc2, row.after1, row.after2);
  }
  AUC logits({.from_logits = true});
  expect_two_batches(logits, {kAuc1.y_true, f32({-3.0, 0.0, -1.0, 2.5}, {4}), {}},
                     {kAuc2.y_true,
                      f32({-3.06, -0.96, -1.96, -1.62, 2.12, -1.62, -0.07, 1.77, -1.17, -0.22, 0.22, 0.13}, {12}),
                      kAuc2.sample_weight},
                     0.75, 0.448120147);
}

TEST(AUCTest, ThresholdsFollowKeras) {
  const AUC auc;
  ASSERT_EQ(auc.thresholds().size(), 200u);
  EXPECT_DOUBLE_EQ(auc.thresholds().front(), -1e-7);
  EXPECT_DOUBLE_EQ(auc.thresholds()[1], 1.0 / 199);
  EXPECT_DOUBLE_EQ(auc.thresholds().back(), 1.0 + 1e-7);
  const AUC given({.thresholds = std::vector<double>{0.5, 0.25}});
  EXPECT_EQ(given.thresholds(), (std::vector<double>{-1e-7, 0.25, 0.5, 1 + 1e-7}));
  EXPECT_EQ(given.get_config().at("num_thresholds").as_int(), 4);
  EXPECT_THROW(AUC({.num_thresholds = 1}), ValueError);
  EXPECT_THROW(AUC({.curve = "ROCC"}), ValueError);
  EXPECT_THROW(AUC({.summation_method = "trapezoid"}), ValueError);
}

}  // namespace
}  // namespace fathom::losses
