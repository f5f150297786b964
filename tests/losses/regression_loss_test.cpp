// SPDX-License-Identifier: Apache-2.0
// Regression, probabilistic and hinge losses against numbers from Keras 3.15 (TF backend,
// float32): per-sample values (call) and the default sum_over_batch_size reduction.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "core/ops.h"
#include "losses/hinge.h"
#include "losses/probabilistic.h"
#include "losses/regression.h"

namespace fathom::losses {
namespace {

Tensor f32(const std::vector<float>& v, Shape s) { return Tensor::from_vector(v, std::move(s)); }

void expect_close(const Tensor& actual, const std::vector<double>& expected, const Shape& shape, double rtol = 1e-5) {
  ASSERT_EQ(actual.shape(), shape);
  const std::vector<double> a = actual.to_vector<double>();
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR(a[i], expected[i], 1e-6 + rtol * std::abs(expected[i])) << "element " << i;
  }
}

// A: values of both signs, errors on both sides of 1 and 0.5 (Huber), a zero y_true (MAPE).
const Tensor kTrueA = f32({0.5, -1.2, 2.0, 0.0, 1.5, 0.3, -0.7, 2.2, -0.4, 0.9, 1.1, -1.6}, {3, 4});
const Tensor kPredA = f32({0.7, -0.4, 1.1, 0.3, 1.0, 0.3, 0.8, -0.9, -2.9, 1.4, 1.2, 0.2}, {3, 4});
// Binary labels and scores for the hinge losses; one-hot labels for categorical hinge.
const Tensor kTrue01 = f32({0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 1}, {3, 4});
const Tensor kPredH = f32({-0.3, 0.8, 1.5, 0.2, 0.6, -0.2, -1.1, 0.9, 0.1, -0.7, 0.4, 2.0}, {3, 4});
const Tensor kOneHot = f32({0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1}, {3, 4});

struct Case {
  const char* name;
  std::function<std::unique_ptr<Loss>()> make;
  Tensor y_true, y_pred;
  std::vector<double> per_sample;
  double reduced;
};

std::vector<Case> cases() {
  using std::make_unique;
  return {
      {"mse", [] { return make_unique<MeanSquaredError>(); }, kTrueA, kPredA, {0.395000011, 3.02749991, 2.4375}, 1.95333326},
      {"mae", [] { return make_unique<MeanAbsoluteError>(); }, kTrueA, kPredA, {0.550000012, 1.27499998, 1.22500002}, 1.01666677},
      {"mape", [] { return make_unique<MeanAbsolutePercentageError>(); }, kTrueA, kPredA, {75000040, 97.1320267, 200.536606}, 25000112},
      {"msle", [] { return make_unique<MeanSquaredLogarithmicError>(); }, kTrueA, kPredA,
       {0.0529294536, 0.437051386, 0.0224952921}, 0.170825377},
      {"huber", [] { return make_unique<Huber>(); }, kTrueA, kPredA, {0.197500005, 0.931249976, 0.857500076}, 0.662083328},
      {"huber_delta_0.5", [] { return make_unique<Huber>(0.5); }, kTrueA, kPredA,
       {0.166250005, 0.543749988, 0.507499993}, 0.405833334},
      {"log_cosh", [] { return make_unique<LogCosh>(); }, kTrueA, kPredA, {0.178698242, 0.846108675, 0.768121123}, 0.59764272},
      {"cosine", [] { return make_unique<CosineSimilarity>(); }, kTrueA, kPredA, {-0.90963918, 0.215233132, -0.45632866},
       -0.383578211},
      {"cosine_zero_vector", [] { return make_unique<CosineSimilarity>(); }, f32({0, 0, 0, 1, 2, 3}, {2, 3}),
       f32({1, 2, 3, -1, -2, -3}, {2, 3}), {0, 0.999999881}, 0.49999994},
      {"poisson", [] { return make_unique<Poisson>(); }, f32({1, 0, 3, 2, 0, 0, 1, 5, 2, 1, 0, 1}, {3, 4}),
       f32({0.8, 0.1, 2.5, 2.2, 0.3, 0.05, 1.2, 4.1, 1.7, 0.9, 0.2, 1.3}, {3, 4}), {0.374339104, -0.396814048, 0.720434844},
       0.232653305},
      {"kl_divergence", [] { return make_unique<KLDivergence>(); },
       f32({0.2, 0.3, 0.5, 0.0, 0.0, 0.0, 1.0, 0.0, 0.25, 0.25, 0.25, 0.25}, {3, 4}),
       f32({0.1, 0.4, 0.4, 0.1, 0.05, 0.05, 0.9, 0.0, 0.4, 0.3, 0.2, 0.1}, {3, 4}), {0.163895205, 0.105357945, 0.121777274},
       0.130343467},
      {"hinge_01_labels", [] { return make_unique<Hinge>(); }, kTrue01, kPredH, {0.524999976, 0.875, 0.700000048}, 0.699999988},
      {"hinge_pm1_labels", [] { return make_unique<Hinge>(); }, ops::sub(ops::mul(kTrue01, 2.0), 1.0), kPredH,
       {0.524999976, 0.875, 0.700000048}, 0.699999988},
      // Not all 0/1: Keras leaves the labels as they are.
      {"hinge_mixed_labels", [] { return make_unique<Hinge>(); }, f32({-1, 1, 0.5, -1, 1, 1, -1, -1, -1, 0, -1, 1}, {3, 4}),
       kPredH, {0.587499976, 0.875, 0.875}, 0.779166698},
      {"squared_hinge", [] { return make_unique<SquaredHinge>(); }, kTrue01, kPredH, {0.492500007, 1.30250001, 0.814999998},
       0.870000064},
      {"squared_hinge_mixed", [] { return make_unique<SquaredHinge>(); },
       f32({-1, 1, 0.5, -1, 1, 1, -1, -1, -1, 0, -1, 1}, {3, 4}), kPredH, {0.508125007, 1.30250001, 1.04250002}, 0.951041698},
      {"categorical_hinge", [] { return make_unique<CategoricalHinge>(); }, kOneHot, kPredH, {1.70000005, 1.29999995, 0}, 1.0},
  };
}

TEST(RegressionLossTest, MatchesKeras) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    const auto loss = c.make();
    const Shape batch = {c.y_pred.shape()[0]};
    expect_close(loss->call(c.y_true, c.y_pred), c.per_sample, batch);
    expect_close((*loss)(c.y_true, c.y_pred), {c.reduced}, {});
  }
}

TEST(RegressionLossTest, Float64InputsGiveFloat64Loss) {
  const MeanSquaredError mse;
  const Tensor loss = mse(ops::cast(kTrueA, DType::kFloat64), ops::cast(kPredA, DType::kFloat64));
  EXPECT_EQ(loss.dtype(), DType::kFloat64);
  EXPECT_NEAR(loss.item<double>(), 1.95333333333, 1e-6);
  // Integer y_true is cast to y_pred's dtype, as Keras does.
  const Tensor labels = Tensor::from_vector(std::vector<std::int64_t>{1, 0}, {2, 1});
  EXPECT_NEAR(mse(labels, f32({0.5, 0.25}, {2, 1})).item<double>(), (0.25 + 0.0625) / 2, 1e-7);
}

TEST(RegressionLossTest, CosineSimilarityAlongAxis0) {
  const CosineSimilarity cosine(0);
  expect_close(cosine.call(kTrueA, kPredA), {-0.58655405, -0.804724216, -0.683528066, 0.872063398}, {4});
  expect_close(cosine(kTrueA, kPredA), {-0.300685704}, {});
}

TEST(RegressionLossTest, TrailingOneIsSqueezedOrExpanded) {
  // y_true [B] against y_pred [B, 1]: Keras expands y_true, so this is not a broadcast to [B, B].
  const MeanAbsoluteError mae;
  expect_close(mae.call(f32({1, 2, 3}, {3}), f32({1.5, 2, 2}, {3, 1})), {0.5, 0, 1}, {3});
  expect_close(mae.call(f32({1, 2, 3}, {3, 1}), f32({1.5, 2, 2}, {3})), {0.5, 0, 1}, {3});
}

TEST(RegressionLossTest, ShapeMismatchNamesLossAndShapes) {
  const MeanSquaredError mse;
  try {
    mse(f32({1, 2, 3, 4, 5, 6}, {2, 3}), f32({1, 2, 3, 4}, {2, 2}));
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("mean_squared_error"), std::string::npos) << what;
    EXPECT_NE(what.find("[2, 3]"), std::string::npos) << what;
    EXPECT_NE(what.find("[2, 2]"), std::string::npos) << what;
  }
  // [B, 1] vs [B, 3] would broadcast silently in Keras; here it is an error.
  EXPECT_THROW(Hinge()(f32({1, 0}, {2, 1}), f32({1, 2, 3, 4, 5, 6}, {2, 3})), ShapeError);
  EXPECT_THROW(CosineSimilarity(2)(kTrueA, kPredA), ShapeError);
}

TEST(RegressionLossTest, RejectsBadInputs) {
  EXPECT_THROW(MeanSquaredError()(Tensor(), kPredA), ValueError);
  const Tensor ints = Tensor::from_vector(std::vector<std::int32_t>{1, 2}, {2});
  EXPECT_THROW(MeanSquaredError()(ints, ints), ValueError);  // y_pred must be floating
  try {
    Huber(-1.0);
    FAIL() << "expected ValueError";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("delta=-1"), std::string::npos) << e.what();
  }
}

TEST(RegressionLossTest, LargeErrorsStayFinite) {
  // log_cosh of 100: a naive log(cosh(x)) overflows float32.
  const Tensor loss = LogCosh().call(f32({0, 0}, {1, 2}), f32({100, -100}, {1, 2}));
  EXPECT_NEAR(loss.item<double>(), 100 - std::log(2.0), 1e-4);
}

}  // namespace
}  // namespace fathom::losses
