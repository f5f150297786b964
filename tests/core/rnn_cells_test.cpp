// SPDX-License-Identifier: Apache-2.0
// lstm_cell: values and gradients against the same cell written op by op (float32 and float64,
// unit counts with and without a SIMD tail, strided inputs), a hand-computed case, the refused
// second-order gradient, and errors. Its finite-difference check is in gradcheck_test.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/ops.h"
#include "tests/support/gradcheck.h"

namespace fathom {
namespace {

using testing::uniform_f64;

/// The unfused cell, from primitive ops: concat(h, c).
Tensor reference_cell(const Tensor& z, const Tensor& c_prev) {
  const TensorList g = ops::split(z, 4, 1);
  const Tensor i = ops::sigmoid(g[0]), f = ops::sigmoid(g[1]), o = ops::sigmoid(g[3]);
  const Tensor c = ops::add(ops::mul(f, c_prev), ops::mul(i, ops::tanh(g[2])));
  return ops::concat({ops::mul(o, ops::tanh(c)), c}, 1);
}

void expect_near(const Tensor& got, const Tensor& want, double tol, const std::string& what) {
  ASSERT_EQ(got.shape(), want.shape()) << what;
  const std::vector<double> a = ops::cast(got, DType::kFloat64).to_vector<double>();
  const std::vector<double> b = ops::cast(want, DType::kFloat64).to_vector<double>();
  for (std::size_t k = 0; k < a.size(); ++k) {
    ASSERT_NEAR(a[k], b[k], tol * (1 + std::abs(b[k]))) << what << " at flat index " << k;
  }
}

/// {output, dz, dc_prev} for a fixed upstream gradient, through `cell`.
TensorList value_and_grads(Tensor (*cell)(const Tensor&, const Tensor&), const Tensor& z, const Tensor& c_prev,
                           const Tensor& upstream) {
  GradientTape tape;
  tape.watch(z);
  tape.watch(c_prev);
  const Tensor y = cell(z, c_prev);
  const TensorList g = tape.gradient(ops::sum(ops::mul(y, upstream)), TensorList{z, c_prev});
  return {y, g[0], g[1]};
}

TEST(LstmCellTest, MatchesTheUnfusedCell) {
  for (DType dtype : {DType::kFloat32, DType::kFloat64}) {
    for (std::int64_t u : {1, 5, 8, 13, 128}) {
      const std::int64_t batch = 3;
      SCOPED_TRACE(::testing::Message() << dtype_name(dtype) << ", units=" << u);
      const Tensor z = ops::cast(uniform_f64({batch, 4 * u}, -4, 4, 1), dtype);
      const Tensor c_prev = ops::cast(uniform_f64({batch, u}, -2, 2, 2), dtype);
      const Tensor upstream = ops::cast(uniform_f64({batch, 2 * u}, -1, 1, 3), dtype);
      const TensorList got = value_and_grads(ops::lstm_cell, z, c_prev, upstream);
      const TensorList want = value_and_grads(reference_cell, z, c_prev, upstream);
      const double tol = dtype == DType::kFloat32 ? 2e-6 : 1e-13;
      EXPECT_EQ(got[0].dtype(), dtype);
      expect_near(got[0], want[0], tol, "output (h, c)");
      expect_near(got[1], want[1], tol, "dz");
      expect_near(got[2], want[2], tol, "dc_prev");
    }
  }
}

TEST(LstmCellTest, AcceptsStridedInputs) {
  // z as a column slice and c_prev as the c half of a packed [B, 2u] output; a transposed
  // c_prev (inner stride != 1) is copied first.
  const std::int64_t u = 6, batch = 4;
  const Tensor wide = uniform_f64({batch, 5 * u}, -3, 3, 4);
  const Tensor z = ops::slice_axis(wide, 1, u, 5 * u);
  const Tensor packed = uniform_f64({batch, 2 * u}, -2, 2, 5);
  const Tensor c_prev = ops::slice_axis(packed, 1, u, 2 * u);
  const Tensor want = reference_cell(z.contiguous(), c_prev.contiguous());
  expect_near(ops::lstm_cell(z, c_prev), want, 1e-13, "row-strided");
  const Tensor c_t = ops::transpose(c_prev.contiguous(), {1, 0}).contiguous();
  expect_near(ops::lstm_cell(z, ops::transpose(c_t, {1, 0})), want, 1e-13, "transposed c_prev");
}

TEST(LstmCellTest, HandComputedCase) {
  // z = 0: i = f = o = 1/2, g = 0; c = c_prev / 2, h = tanh(c) / 2.
  const Tensor z = Tensor::zeros({1, 8}, DType::kFloat64);
  const Tensor c_prev = Tensor::from_vector<double>({1.0, -3.0}, {1, 2});
  const std::vector<double> y = ops::lstm_cell(z, c_prev).to_vector<double>();
  const std::vector<double> want = {0.5 * std::tanh(0.5), 0.5 * std::tanh(-1.5), 0.5, -1.5};
  ASSERT_EQ(y.size(), want.size());
  for (std::size_t k = 0; k < y.size(); ++k) EXPECT_NEAR(y[k], want[k], 1e-15) << k;
  // d c / d c_prev = f = 1/2; d h / d c_prev = o (1 - tanh(c)^2) f.
  GradientTape tape;
  tape.watch(c_prev);
  const Tensor h = ops::slice_axis(ops::lstm_cell(z, c_prev), 1, 0, 2);
  const std::vector<double> g = tape.gradient(ops::sum(h), TensorList{c_prev})[0].to_vector<double>();
  EXPECT_NEAR(g[0], 0.25 * (1 - std::tanh(0.5) * std::tanh(0.5)), 1e-15);
  EXPECT_NEAR(g[1], 0.25 * (1 - std::tanh(-1.5) * std::tanh(-1.5)), 1e-15);
}

TEST(LstmCellTest, RefusesSecondOrderGradients) {
  const Tensor z = uniform_f64({2, 8}, -1, 1, 6);
  const Tensor c_prev = uniform_f64({2, 2}, -1, 1, 7);
  GradientTape outer;
  outer.watch(z);
  Tensor gz;
  {
    GradientTape inner;
    inner.watch(z);
    gz = inner.gradient(ops::sum(ops::lstm_cell(z, c_prev)), TensorList{z})[0];
  }
  try {
    outer.gradient(ops::sum(gz), TensorList{z});
    FAIL() << "expected AutogradError";
  } catch (const AutogradError& e) {
    EXPECT_NE(std::string(e.what()).find("lstm_cell_grad"), std::string::npos) << e.what();
  }
}

TEST(LstmCellTest, Errors) {
  try {
    ops::lstm_cell(Tensor::zeros({2, 12}), Tensor::zeros({2, 4}));
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("z=[2, 12], c_prev=[2, 4]"), std::string::npos) << e.what();
  }
  EXPECT_THROW(ops::lstm_cell(Tensor::zeros({2, 8}), Tensor::zeros({3, 2})), ShapeError);
  EXPECT_THROW(ops::lstm_cell(Tensor::zeros({8}), Tensor::zeros({2})), ShapeError);
  EXPECT_THROW(ops::lstm_cell(Tensor::zeros({2, 8}), Tensor::zeros({2, 2}, DType::kFloat64)), ValueError);
  EXPECT_THROW(ops::lstm_cell(Tensor::zeros({2, 8}, DType::kInt32), Tensor::zeros({2, 2}, DType::kInt32)),
               ValueError);
}

}  // namespace
}  // namespace fathom
