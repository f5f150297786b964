// SPDX-License-Identifier: Apache-2.0
// matmul against a naive triple loop: 2-D, transpose flags, views and strided operands,
// batched and broadcast batch dims, and NumPy's 1-D vector rules.
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/ops/elementwise.h"
#include "core/ops/linalg.h"
#include "core/ops/shape_ops.h"

namespace fathom {
namespace {

std::vector<double> values(std::int64_t n, double seed) {
  std::vector<double> v(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = std::sin(0.37 * static_cast<double>(i) + seed) * 2.0;
  return v;
}

Tensor make(const Shape& shape, double seed, DType dtype = DType::kFloat32) {
  return ops::cast(Tensor::from_vector<double>(values(shape_numel(shape), seed), shape), dtype);
}

/// Row-major [M, K] x [K, N] -> [M, N] with the obvious three loops.
std::vector<double> naive(const std::vector<double>& a, const std::vector<double>& b, std::int64_t m,
                          std::int64_t k, std::int64_t n) {
  std::vector<double> c(static_cast<std::size_t>(m * n), 0.0);
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = 0; j < n; ++j)
      for (std::int64_t p = 0; p < k; ++p) c[i * n + j] += a[i * k + p] * b[p * n + j];
  return c;
}

void expect_close(const Tensor& got, const std::vector<double>& want, double tol, const std::string& what = "") {
  const auto g = got.to_vector<double>();
  ASSERT_EQ(g.size(), want.size()) << what;
  for (std::size_t i = 0; i < g.size(); ++i) {
    EXPECT_NEAR(g[i], want[i], tol * (1.0 + std::abs(want[i]))) << what << " [" << i << "]";
  }
}

void expect_same(const Tensor& a, const Tensor& b, double tol) {
  ASSERT_EQ(a.shape(), b.shape());
  expect_close(a, b.to_vector<double>(), tol);
}

TEST(MatmulTest, TwoDMatchesNaiveLoop) {
  const std::vector<std::vector<std::int64_t>> dims = {{3, 5, 4}, {1, 1, 1}, {4, 1, 3}, {7, 8, 6}, {1, 6, 1}};
  for (DType dt : {DType::kFloat32, DType::kFloat64}) {
    const double tol = dt == DType::kFloat32 ? 1e-5 : 1e-12;
    for (const auto& d : dims) {
      const Tensor a = make({d[0], d[1]}, 0.1, dt), b = make({d[1], d[2]}, 1.3, dt);
      const Tensor c = ops::matmul(a, b);
      EXPECT_EQ(c.dtype(), dt);
      EXPECT_EQ(c.shape(), (Shape{d[0], d[2]}));
      expect_close(c, naive(a.to_vector<double>(), b.to_vector<double>(), d[0], d[1], d[2]), tol,
                   shape_to_string(d));
    }
  }
}

TEST(MatmulTest, HandComputedValues) {
  const Tensor a = Tensor::from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor b = Tensor::from_vector<float>({7, 8, 9, 10, 11, 12}, {3, 2});
  EXPECT_EQ(ops::matmul(a, b).to_vector<float>(), (std::vector<float>{58, 64, 139, 154}));
}

TEST(MatmulTest, TransposeFlags) {
  for (DType dt : {DType::kFloat32, DType::kFloat64}) {
    const double tol = dt == DType::kFloat32 ? 1e-5 : 1e-12;
    const Tensor a = make({3, 5}, 0.2, dt);   // [M, K]
    const Tensor b = make({5, 4}, 0.7, dt);   // [K, N]
    const auto want = naive(a.to_vector<double>(), b.to_vector<double>(), 3, 5, 4);
    const Tensor at = ops::transpose(a).clone();  // stored [K, M]
    const Tensor bt = ops::transpose(b).clone();  // stored [N, K]
    expect_close(ops::matmul(at, b, true, false), want, tol, "ta");
    expect_close(ops::matmul(a, bt, false, true), want, tol, "tb");
    expect_close(ops::matmul(at, bt, true, true), want, tol, "ta tb");
    EXPECT_EQ(ops::matmul(at, bt, true, true).shape(), (Shape{3, 4}));
    // A square case where a wrong flag would still have valid shapes.
    const Tensor s = make({4, 4}, 2.0, dt), r = make({4, 4}, 3.0, dt);
    const auto st = ops::transpose(s).clone();
    expect_close(ops::matmul(s, r, true, false),
                 naive(st.to_vector<double>(), r.to_vector<double>(), 4, 4, 4), tol, "square ta");
  }
}

TEST(MatmulTest, TransposedViewMatchesContiguousCopy) {
  const Tensor a = make({5, 3}, 0.4);
  const Tensor b = make({4, 5}, 0.9);
  const Tensor av = ops::transpose(a);  // [3, 5] view
  const Tensor bv = ops::transpose(b);  // [5, 4] view
  ASSERT_FALSE(av.is_contiguous());
  expect_same(ops::matmul(av, bv), ops::matmul(av.clone(), bv.clone()), 1e-6);
  expect_same(ops::matmul(av, bv.clone()), ops::matmul(av.clone(), bv.clone()), 1e-6);
  expect_close(ops::matmul(av, bv), naive(av.to_vector<double>(), bv.to_vector<double>(), 3, 5, 4), 1e-5);
  // Flags on contiguous storage, and a view combined with a flag, give the same product.
  const Tensor want = ops::matmul(av.clone(), bv.clone());
  expect_same(ops::matmul(a, b, true, true), want, 1e-6);
  expect_same(ops::matmul(av, b, false, true), want, 1e-6);
  expect_same(ops::matmul(a, bv, true, false), want, 1e-6);
}

TEST(MatmulTest, BatchedMatchesPerBatchLoop) {
  const std::int64_t B = 3, M = 2, K = 4, N = 5;
  for (DType dt : {DType::kFloat32, DType::kFloat64}) {
    const double tol = dt == DType::kFloat32 ? 1e-5 : 1e-12;
    const Tensor a = make({B, M, K}, 0.3, dt), b = make({B, K, N}, 1.1, dt);
    const Tensor c = ops::matmul(a, b);
    EXPECT_EQ(c.shape(), (Shape{B, M, N}));
    const auto av = a.to_vector<double>(), bv = b.to_vector<double>();
    std::vector<double> want;
    for (std::int64_t i = 0; i < B; ++i) {
      const std::vector<double> ai(av.begin() + i * M * K, av.begin() + (i + 1) * M * K);
      const std::vector<double> bi(bv.begin() + i * K * N, bv.begin() + (i + 1) * K * N);
      const auto ci = naive(ai, bi, M, K, N);
      want.insert(want.end(), ci.begin(), ci.end());
    }
    expect_close(c, want, tol);
    // Batched with transpose flags.
    const Tensor at = ops::transpose(a, {0, 2, 1}).clone(), bt = ops::transpose(b, {0, 2, 1}).clone();
    expect_close(ops::matmul(at, bt, true, true), want, tol, "batched flags");
  }
}

TEST(MatmulTest, BroadcastsBatchDims) {
  const Tensor a = make({3, 2, 4}, 0.5), w = make({4, 5}, 1.7);
  const Tensor c = ops::matmul(a, w);
  EXPECT_EQ(c.shape(), (Shape{3, 2, 5}));
  for (std::int64_t i = 0; i < 3; ++i) {
    expect_same(ops::slice_axis(c, 0, i, i + 1), ops::matmul(ops::slice_axis(a, 0, i, i + 1), w), 1e-6);
  }
  // [1, M, K] x [B, K, N]: the single a is used for every batch.
  const Tensor a1 = make({1, 2, 4}, 0.8), bb = make({3, 4, 5}, 0.1);
  const Tensor d = ops::matmul(a1, bb);
  EXPECT_EQ(d.shape(), (Shape{3, 2, 5}));
  const Tensor a2 = ops::reshape(a1, {2, 4});
  for (std::int64_t i = 0; i < 3; ++i) {
    const Tensor bi = ops::reshape(ops::slice_axis(bb, 0, i, i + 1), {4, 5});
    expect_same(ops::reshape(ops::slice_axis(d, 0, i, i + 1), {2, 5}), ops::matmul(a2, bi), 1e-6);
  }
  // [K, N] on the left of a batch and a 4-D broadcast.
  EXPECT_EQ(ops::matmul(make({2, 4}, 0.0), make({3, 4, 5}, 0.0)).shape(), (Shape{3, 2, 5}));
  EXPECT_EQ(ops::matmul(make({2, 1, 3, 4}, 0.0), make({3, 4, 2}, 0.0)).shape(), (Shape{2, 3, 3, 2}));
}

TEST(MatmulTest, VectorOperandsFollowNumpy) {
  const Tensor v = Tensor::from_vector<float>({1, 2, 3});
  const Tensor m = Tensor::from_vector<float>({1, 2, 3, 4, 5, 6}, {3, 2});
  const Tensor vm = ops::matmul(v, m);  // [3] x [3, 2] -> [2]
  EXPECT_EQ(vm.shape(), (Shape{2}));
  EXPECT_EQ(vm.to_vector<float>(), (std::vector<float>{22, 28}));
  const Tensor mt = Tensor::from_vector<float>({1, 3, 5, 2, 4, 6}, {2, 3});
  const Tensor mv = ops::matmul(mt, v);  // [2, 3] x [3] -> [2]
  EXPECT_EQ(mv.shape(), (Shape{2}));
  EXPECT_EQ(mv.to_vector<float>(), (std::vector<float>{22, 28}));
  const Tensor vv = ops::matmul(v, v);  // [3] x [3] -> []
  EXPECT_EQ(vv.shape(), Shape{});
  EXPECT_FLOAT_EQ(vv.item<float>(), 14.0f);
  const Tensor bv = ops::matmul(make({2, 4, 3}, 0.2), v);  // [B, M, K] x [K] -> [B, M]
  EXPECT_EQ(bv.shape(), (Shape{2, 4}));
  const Tensor vb = ops::matmul(v, make({2, 3, 5}, 0.2));  // [K] x [B, K, N] -> [B, N]
  EXPECT_EQ(vb.shape(), (Shape{2, 5}));
}

TEST(MatmulTest, InnerMismatchThrowsShapeErrorNamingShapes) {
  const Tensor a = Tensor::zeros({2, 3}), b = Tensor::zeros({4, 5});
  try {
    ops::matmul(a, b);
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("matmul"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[2, 3]"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[4, 5]"), std::string::npos) << msg;
  }
  EXPECT_THROW(ops::matmul(Tensor::zeros({3}), Tensor::zeros({4})), ShapeError);
  EXPECT_THROW(ops::matmul(Tensor::zeros({2, 3, 4}), Tensor::zeros({3, 4, 5})), ShapeError);
  EXPECT_THROW(ops::matmul(a, Tensor::zeros({2, 3}), false, false), ShapeError);
  EXPECT_NO_THROW(ops::matmul(a, Tensor::zeros({2, 3}), true, false));
}

TEST(MatmulTest, StridedSlicesAsOperands) {
  for (DType dt : {DType::kFloat32, DType::kFloat64}) {
    const double tol = dt == DType::kFloat32 ? 1e-5 : 1e-12;
    const Tensor big = make({6, 8}, 0.6, dt);
    // Every other row, every other column: [3, 4] with strides [16, 2].
    const Tensor a = ops::slice(big, {{0, std::nullopt, 2}, {1, std::nullopt, 2}});
    ASSERT_EQ(a.shape(), (Shape{3, 4}));
    ASSERT_FALSE(a.is_contiguous());
    // Columns 5, 3, 1 of rows 0..3 (negative step): [4, 3].
    const Tensor b = ops::slice(big, {{0, 4, 1}, {5, 0, -2}});
    ASSERT_EQ(b.shape(), (Shape{4, 3}));
    const Tensor c = ops::matmul(a, b);
    expect_close(c, naive(a.to_vector<double>(), b.to_vector<double>(), 3, 4, 3), tol);
    expect_same(c, ops::matmul(a.clone(), b.clone()), tol);
    // A column slice (contiguous rows, offset start) and a batched strided operand.
    const Tensor cols = ops::slice_axis(big, 1, 2, 6);  // [6, 4]
    expect_close(ops::matmul(cols, b), naive(cols.to_vector<double>(), b.to_vector<double>(), 6, 4, 3), tol);
    const Tensor batch = ops::slice_axis(make({2, 3, 8}, 0.3, dt), 2, 0, 8, 2);  // [2, 3, 4]
    expect_same(ops::matmul(batch, b), ops::matmul(batch.clone(), b.clone()), tol);
  }
}

TEST(MatmulTest, ZeroSizedDims) {
  const Tensor k0 = ops::matmul(Tensor::ones({2, 0}), Tensor::ones({0, 3}));  // K = 0: all zeros
  EXPECT_EQ(k0.shape(), (Shape{2, 3}));
  EXPECT_EQ(k0.to_vector<float>(), (std::vector<float>(6, 0.0f)));
  EXPECT_EQ(ops::matmul(Tensor::ones({0, 3}), Tensor::ones({3, 2})).shape(), (Shape{0, 2}));
  EXPECT_EQ(ops::matmul(Tensor::ones({2, 3}), Tensor::ones({3, 0})).shape(), (Shape{2, 0}));
  EXPECT_EQ(ops::matmul(Tensor::ones({0, 2, 3}), Tensor::ones({3, 4})).shape(), (Shape{0, 2, 4}));
}

}  // namespace
}  // namespace fathom
