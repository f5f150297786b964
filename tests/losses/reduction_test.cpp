// SPDX-License-Identifier: Apache-2.0
// Loss::operator(): reductions and sample weights against Keras 3.15 (MeanSquaredError on the
// data of regression_loss_test.cpp, float32).
#include <gtest/gtest.h>

#include <cmath>

#include "core/ops.h"
#include "losses/regression.h"

namespace fathom::losses {
namespace {

Tensor f32(const std::vector<float>& v, Shape s) { return Tensor::from_vector(v, std::move(s)); }

void expect_close(const Tensor& actual, const std::vector<double>& expected, const Shape& shape) {
  ASSERT_EQ(actual.shape(), shape);
  const std::vector<double> a = actual.to_vector<double>();
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR(a[i], expected[i], 1e-6 + 1e-5 * std::abs(expected[i])) << "element " << i;
  }
}

const Tensor kTrue = f32({0.5, -1.2, 2.0, 0.0, 1.5, 0.3, -0.7, 2.2, -0.4, 0.9, 1.1, -1.6}, {3, 4});
const Tensor kPred = f32({0.7, -0.4, 1.1, 0.3, 1.0, 0.3, 0.8, -0.9, -2.9, 1.4, 1.2, 0.2}, {3, 4});
const Tensor kWeights = f32({1.0, 0.5, 2.0}, {3});

TEST(ReductionTest, ParsesKerasNames) {
  for (const char* name : {"sum_over_batch_size", "sum", "none", "mean", "mean_with_sample_weight"}) {
    EXPECT_EQ(reduction_name(parse_reduction(name)), name);
  }
  try {
    parse_reduction("summ");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("Did you mean 'sum'?"), std::string::npos) << what;
    EXPECT_NE(what.find("sum_over_batch_size"), std::string::npos) << what;
  }
}

TEST(ReductionTest, WeightsOfShapeBAndB1AndScalar) {
  struct Row {
    Reduction reduction;
    double with_b, with_scalar, without;
  };
  const std::vector<Row> rows = {
      {Reduction::kSumOverBatchSize, 2.26125002, 3.90666652, 1.95333326},
      {Reduction::kSum, 6.78375006, 11.7199993, 5.85999966},
      {Reduction::kMean, 2.26125002, 3.90666652, 1.95333326},
      {Reduction::kMeanWithSampleWeight, 1.9382143, 5.85999966, 1.95333326},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(reduction_name(row.reduction));
    const MeanSquaredError loss(row.reduction);
    expect_close(loss(kTrue, kPred, kWeights), {row.with_b}, {});
    expect_close(loss(kTrue, kPred, ops::reshape(kWeights, {3, 1})), {row.with_b}, {});
    expect_close(loss(kTrue, kPred, Tensor::scalar(2.0)), {row.with_scalar}, {});
    expect_close(loss(kTrue, kPred), {row.without}, {});
  }
}

TEST(ReductionTest, NoneReturnsWeightedPerSampleLoss) {
  const MeanSquaredError loss(Reduction::kNone);
  expect_close(loss(kTrue, kPred, kWeights), {0.395000011, 1.51374996, 4.875}, {3});
  expect_close(loss(kTrue, kPred, Tensor::scalar(2.0)), {0.790000021, 6.05499983, 4.875}, {3});
  expect_close(loss(kTrue, kPred), {0.395000011, 3.02749991, 2.4375}, {3});
}

TEST(ReductionTest, PerTimestepLossWithWeights) {
  // y [2, 3, 2] -> per-sample loss [2, 3]; weights [2, 3] or [2, 1].
  const Tensor t = ops::reshape(kTrue, {2, 3, 2}), p = ops::reshape(kPred, {2, 3, 2});
  const Tensor w23 = f32({1, 0, 2, 0.5, 1, 1}, {2, 3}), w21 = f32({2, 0.5}, {2, 1});
  expect_close(MeanSquaredError()(t, p, w23), {1.40500009}, {});
  expect_close(MeanSquaredError()(t, p, w21), {1.20541668}, {});
  expect_close(MeanSquaredError(Reduction::kSum)(t, p, w23), {8.43000031}, {});
  expect_close(MeanSquaredError(Reduction::kSum)(t, p, w21), {7.23250008}, {});
  expect_close(MeanSquaredError(Reduction::kMeanWithSampleWeight)(t, p, w23), {1.53272736}, {});
  expect_close(MeanSquaredError(Reduction::kMeanWithSampleWeight)(t, p, w21), {2.89300013}, {});
  expect_close(MeanSquaredError(Reduction::kNone)(t, p, w21),
               {0.680000126, 0.899999976, 0.25, 2.96499991, 1.625, 0.81250006}, {2, 3});
}

TEST(ReductionTest, WeightsThatDoNotBroadcastAreAShapeError) {
  // Keras multiplies from the last axis, so [B] weights do not fit a [B, T] loss with T != B.
  const Tensor t = f32(std::vector<float>(24, 0.5f), {3, 4, 2}), p = f32(std::vector<float>(24, 0.0f), {3, 4, 2});
  try {
    MeanSquaredError()(t, p, kWeights);
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("mean_squared_error"), std::string::npos) << what;
    EXPECT_NE(what.find("[3]"), std::string::npos) << what;
    EXPECT_NE(what.find("[3, 4]"), std::string::npos) << what;
  }
}

TEST(ReductionTest, ZeroWeightsGiveZeroNotNaN) {
  const Tensor zeros = f32({0, 0, 0}, {3});
  EXPECT_EQ(MeanSquaredError(Reduction::kMeanWithSampleWeight)(kTrue, kPred, zeros).item<double>(), 0.0);
  EXPECT_EQ(MeanSquaredError()(kTrue, kPred, zeros).item<double>(), 0.0);
  // An empty batch reduces to 0 too (Keras's divide_no_nan), and a scalar loss is returned as is.
  const Tensor empty = f32({}, {0, 4});
  EXPECT_EQ(MeanSquaredError()(empty, empty).shape(), (Shape{0}));
  EXPECT_EQ(reduce_weighted_values(Tensor::scalar(3.0), {}, {}, Reduction::kSum, "test").item<double>(), 3.0);
}

TEST(ReductionTest, MaskWeighsValidEntries) {
  // What ignore_class does: the mean runs over the entries the mask keeps.
  const Tensor values = f32({1, 2, 3, 4}, {4});
  const Tensor mask = ops::greater(values, ops::scalar_like(values, 1.5));  // drops the first
  EXPECT_NEAR(reduce_weighted_values(values, {}, mask, Reduction::kSumOverBatchSize, "t").item<double>(), 3.0, 1e-6);
  EXPECT_NEAR(reduce_weighted_values(values, {}, mask, Reduction::kSum, "t").item<double>(), 9.0, 1e-6);
  const Tensor w = f32({1, 1, 2, 0}, {4});
  EXPECT_NEAR(reduce_weighted_values(values, w, mask, Reduction::kMeanWithSampleWeight, "t").item<double>(), 8.0 / 3, 1e-6);
}

}  // namespace
}  // namespace fathom::losses
