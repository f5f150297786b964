// SPDX-License-Identifier: Apache-2.0
// Shape ops: reshape, transpose views, expand_dims/squeeze, broadcast_to/sum_to, Python-style
// slicing, concat/stack/split, pad, gather and one_hot.
#include <cstdint>
#include <optional>
#include <vector>

#include <gtest/gtest.h>

#include "core/ops/indexing.h"
#include "core/ops/shape_ops.h"

namespace fathom {
namespace {

using F = std::vector<float>;
using std::nullopt;

/// 0, 1, ..., numel-1 as float32 in `shape`.
Tensor iota(const Shape& shape) {
  F v(static_cast<std::size_t>(shape_numel(shape)));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i);
  return Tensor::from_vector<float>(v, shape);
}

TEST(ShapeOpsTest, ReshapeInfersMinusOne) {
  const Tensor x = iota({2, 3, 4});
  const Tensor a = ops::reshape(x, {-1, 4});
  EXPECT_EQ(a.shape(), (Shape{6, 4}));
  EXPECT_EQ(ops::reshape(x, {2, -1}).shape(), (Shape{2, 12}));
  EXPECT_EQ(ops::reshape(x, {-1}).shape(), (Shape{24}));
  EXPECT_EQ(ops::reshape(x, {4, 1, -1}).shape(), (Shape{4, 1, 6}));
  EXPECT_EQ(a.to_vector<float>(), x.to_vector<float>());
  EXPECT_TRUE(a.shares_storage_with(x));
  EXPECT_EQ(ops::reshape(iota({1}), {}).shape(), Shape{});
  EXPECT_EQ(ops::reshape(Tensor::zeros({0, 3}), {-1, 3}).shape(), (Shape{0, 3}));
}

TEST(ShapeOpsTest, ReshapeOfTransposedInputCopies) {
  const Tensor x = iota({2, 3});  // [[0,1,2],[3,4,5]]
  const Tensor t = ops::transpose(x);
  ASSERT_FALSE(t.is_contiguous());
  EXPECT_EQ(ops::reshape(t, {6}).to_vector<float>(), (F{0, 3, 1, 4, 2, 5}));
  EXPECT_EQ(ops::reshape(t, {2, 3}).to_vector<float>(), (F{0, 3, 1, 4, 2, 5}));
  EXPECT_EQ(ops::reshape(t, {-1, 1}).shape(), (Shape{6, 1}));
  const Tensor r = ops::reshape(ops::slice_axis(iota({4, 2}), 0, nullopt, nullopt, 2), {4});
  EXPECT_EQ(r.to_vector<float>(), (F{0, 1, 4, 5}));
}

TEST(ShapeOpsTest, TransposeIsAViewWithPermutedStrides) {
  const Tensor x = iota({2, 3, 4});
  ASSERT_EQ(x.strides(), (Strides{12, 4, 1}));
  const Tensor t = ops::transpose(x, {2, 0, 1});
  EXPECT_EQ(t.shape(), (Shape{4, 2, 3}));
  EXPECT_EQ(t.strides(), (Strides{1, 12, 4}));
  EXPECT_TRUE(t.shares_storage_with(x));
  const Tensor r = ops::transpose(x);
  EXPECT_EQ(r.shape(), (Shape{4, 3, 2}));
  EXPECT_EQ(r.strides(), (Strides{1, 4, 12}));
  EXPECT_EQ(ops::transpose(x, {-1, 0, 1}).shape(), (Shape{4, 2, 3}));
  const Tensor m = iota({2, 3});
  EXPECT_EQ(ops::transpose(m).to_vector<float>(), (F{0, 3, 1, 4, 2, 5}));
  // t[k, i, j] = x[i, j, k]
  const auto tv = t.to_vector<float>();
  EXPECT_EQ(tv[1 * 6 + 1 * 3 + 2], 12 + 2 * 4 + 1);
  EXPECT_FALSE(t.clone().shares_storage_with(x));
}

TEST(ShapeOpsTest, ExpandDimsAndSqueeze) {
  const Tensor x = iota({2, 3});
  EXPECT_EQ(ops::expand_dims(x, 0).shape(), (Shape{1, 2, 3}));
  EXPECT_EQ(ops::expand_dims(x, 1).shape(), (Shape{2, 1, 3}));
  EXPECT_EQ(ops::expand_dims(x, 2).shape(), (Shape{2, 3, 1}));
  EXPECT_EQ(ops::expand_dims(x, -1).shape(), (Shape{2, 3, 1}));
  EXPECT_EQ(ops::expand_dims(x, 1).to_vector<float>(), x.to_vector<float>());
  const Tensor y = iota({1, 2, 1, 3});
  EXPECT_EQ(ops::squeeze(y).shape(), (Shape{2, 3}));
  EXPECT_EQ(ops::squeeze(y, {0}).shape(), (Shape{2, 1, 3}));
  EXPECT_EQ(ops::squeeze(y, {-2}).shape(), (Shape{1, 2, 3}));
  EXPECT_EQ(ops::squeeze(y, {0, 2}).shape(), (Shape{2, 3}));
  EXPECT_EQ(ops::squeeze(iota({1, 1})).shape(), Shape{});
}

TEST(ShapeOpsTest, BroadcastToAndSumTo) {
  const Tensor v = Tensor::from_vector<float>({1, 2, 3});
  const Tensor b = ops::broadcast_to(v, {2, 3});
  EXPECT_EQ(b.shape(), (Shape{2, 3}));
  EXPECT_EQ(b.strides()[0], 0);
  EXPECT_TRUE(b.shares_storage_with(v));
  EXPECT_EQ(b.to_vector<float>(), (F{1, 2, 3, 1, 2, 3}));
  const Tensor c = ops::broadcast_to(Tensor::from_vector<float>({1, 2, 3}, {3, 1}), {2, 3, 4});
  EXPECT_EQ(c.shape(), (Shape{2, 3, 4}));
  EXPECT_EQ(c.to_vector<float>()[4], 2.0f);
  EXPECT_EQ(c.to_vector<float>()[12 + 11], 3.0f);
  EXPECT_EQ(ops::broadcast_to(Tensor::scalar(7.0), {2, 2}).to_vector<float>(), (F{7, 7, 7, 7}));

  const Tensor m = iota({2, 3});
  EXPECT_EQ(ops::sum_to(m, {3}).to_vector<float>(), (F{3, 5, 7}));
  EXPECT_EQ(ops::sum_to(m, {1, 3}).shape(), (Shape{1, 3}));
  EXPECT_EQ(ops::sum_to(m, {2, 1}).to_vector<float>(), (F{3, 12}));
  EXPECT_EQ(ops::sum_to(m, {2, 1}).shape(), (Shape{2, 1}));
  EXPECT_EQ(ops::sum_to(m, {}).to_vector<float>(), (F{15}));
  EXPECT_EQ(ops::sum_to(m, {2, 3}).to_vector<float>(), m.to_vector<float>());
  EXPECT_EQ(ops::sum_to(iota({2, 3, 4}), {3, 1}).to_vector<float>(), (F{60, 92, 124}));
}

TEST(ShapeOpsTest, SliceFollowsPythonSemantics) {
  const Tensor x = iota({10});
  const auto s = [&](std::optional<std::int64_t> a, std::optional<std::int64_t> b, std::int64_t step) {
    return ops::slice(x, {{a, b, step}}).to_vector<float>();
  };
  EXPECT_EQ(s(nullopt, nullopt, -1), (F{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}));  // x[::-1]
  EXPECT_EQ(s(1, -1, 2), (F{1, 3, 5, 7}));                              // x[1:-1:2]
  EXPECT_EQ(s(-100, 100, 1), (F{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));         // x[-100:100]
  EXPECT_EQ(s(nullopt, nullopt, 3), (F{0, 3, 6, 9}));                    // x[::3]
  EXPECT_EQ(s(8, 2, -2), (F{8, 6, 4}));                                 // x[8:2:-2]
  EXPECT_EQ(s(-3, nullopt, 1), (F{7, 8, 9}));                            // x[-3:]
  EXPECT_EQ(s(nullopt, -100, 1), F{});                                  // x[:-100]
  EXPECT_EQ(s(100, nullopt, 1), F{});                                   // x[100:]
  EXPECT_EQ(s(5, 2, 1), F{});                                           // x[5:2]
  EXPECT_EQ(s(-1, -100, -1), (F{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}));         // x[-1:-100:-1]
  EXPECT_EQ(s(100, nullopt, -1), (F{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}));     // x[100::-1]
  EXPECT_EQ(s(nullopt, 100, -1), F{});                                  // x[:100:-1]
  EXPECT_EQ(s(2, nullopt, -1), (F{2, 1, 0}));                            // x[2::-1]
  EXPECT_EQ(s(-2, -8, -3), (F{8, 5}));                                  // x[-2:-8:-3]
  EXPECT_EQ(s(1, 9, 4), (F{1, 5}));                                     // x[1:9:4]
  EXPECT_EQ(ops::slice(x, {{5, 2, 1}}).shape(), (Shape{0}));
}

TEST(ShapeOpsTest, SliceMultiAxisIsAView) {
  const Tensor m = iota({4, 6});
  const Tensor v = ops::slice(m, {{1, 3, 1}, {nullopt, nullopt, -2}});  // m[1:3, ::-2]
  EXPECT_EQ(v.shape(), (Shape{2, 3}));
  EXPECT_TRUE(v.shares_storage_with(m));
  EXPECT_EQ(v.to_vector<float>(), (F{11, 9, 7, 17, 15, 13}));
  const Tensor rows = ops::slice(m, {{-1, nullopt, 1}});  // m[-1:], columns whole
  EXPECT_EQ(rows.shape(), (Shape{1, 6}));
  EXPECT_EQ(rows.to_vector<float>(), (F{18, 19, 20, 21, 22, 23}));
  // A slice of a slice.
  EXPECT_EQ(ops::slice(v, {{nullopt, nullopt, -1}, {1, 2, 1}}).to_vector<float>(), (F{15, 9}));
}

TEST(ShapeOpsTest, SliceAxis) {
  const Tensor m = iota({3, 4});
  EXPECT_EQ(ops::slice_axis(m, 1, 1, 3).to_vector<float>(), (F{1, 2, 5, 6, 9, 10}));
  EXPECT_EQ(ops::slice_axis(m, -1, nullopt, nullopt, -1).to_vector<float>(),
            (F{3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8}));
  EXPECT_EQ(ops::slice_axis(m, 0, -1, nullopt).to_vector<float>(), (F{8, 9, 10, 11}));
  EXPECT_EQ(ops::slice_axis(m, 0, nullopt, nullopt, 2).shape(), (Shape{2, 4}));
  EXPECT_EQ(ops::slice_axis(m, 1, 10, 20).shape(), (Shape{3, 0}));
}

TEST(ShapeOpsTest, ConcatAndStack) {
  const Tensor a = iota({2, 2});
  const Tensor b = Tensor::from_vector<float>({10, 11, 12, 13, 14, 15}, {3, 2});
  const Tensor c0 = ops::concat({a, b}, 0);
  EXPECT_EQ(c0.shape(), (Shape{5, 2}));
  EXPECT_EQ(c0.to_vector<float>(), (F{0, 1, 2, 3, 10, 11, 12, 13, 14, 15}));
  const Tensor d = Tensor::from_vector<float>({10, 11, 12, 13, 14, 15}, {2, 3});
  const Tensor c1 = ops::concat({a, d}, 1);
  EXPECT_EQ(c1.shape(), (Shape{2, 5}));
  EXPECT_EQ(c1.to_vector<float>(), (F{0, 1, 10, 11, 12, 2, 3, 13, 14, 15}));
  EXPECT_EQ(ops::concat({a, d, a}, -1).shape(), (Shape{2, 7}));
  EXPECT_EQ(ops::concat({ops::transpose(a), a}, 0).to_vector<float>(), (F{0, 2, 1, 3, 0, 1, 2, 3}));

  const Tensor s0 = ops::stack({a, a.clone()}, 0);
  EXPECT_EQ(s0.shape(), (Shape{2, 2, 2}));
  const Tensor e = Tensor::from_vector<float>({4, 5, 6, 7}, {2, 2});
  EXPECT_EQ(ops::stack({a, e}, 0).to_vector<float>(), (F{0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(ops::stack({a, e}, 1).to_vector<float>(), (F{0, 1, 4, 5, 2, 3, 6, 7}));
  EXPECT_EQ(ops::stack({a, e}, -1).to_vector<float>(), (F{0, 4, 1, 5, 2, 6, 3, 7}));
  EXPECT_EQ(ops::stack({a, e}, -1).shape(), (Shape{2, 2, 2}));
  EXPECT_EQ(ops::stack({Tensor::scalar(1.0), Tensor::scalar(2.0)}).shape(), (Shape{2}));
}

TEST(ShapeOpsTest, SplitEqualAndBySizes) {
  const Tensor x = iota({6, 2});
  const TensorList parts = ops::split(x, 3, 0);
  ASSERT_EQ(parts.size(), 3u);
  for (const auto& p : parts) EXPECT_EQ(p.shape(), (Shape{2, 2}));
  EXPECT_EQ(parts[1].to_vector<float>(), (F{4, 5, 6, 7}));
  const Tensor y = iota({2, 6});
  const TensorList by = ops::split(y, std::vector<std::int64_t>{1, 3, 2}, 1);
  ASSERT_EQ(by.size(), 3u);
  EXPECT_EQ(by[0].shape(), (Shape{2, 1}));
  EXPECT_EQ(by[1].to_vector<float>(), (F{1, 2, 3, 7, 8, 9}));
  EXPECT_EQ(by[2].to_vector<float>(), (F{4, 5, 10, 11}));
  const TensorList cols = ops::split(y, 2, -1);
  EXPECT_EQ(cols[1].to_vector<float>(), (F{3, 4, 5, 9, 10, 11}));
  EXPECT_EQ(ops::concat(by, 1).to_vector<float>(), y.to_vector<float>());
}

TEST(ShapeOpsTest, PadWithConstant) {
  const Tensor x = Tensor::from_vector<float>({1, 2, 3, 4}, {2, 2});
  const Tensor p = ops::pad(x, {{1, 0}, {0, 2}}, 9.0);
  EXPECT_EQ(p.shape(), (Shape{3, 4}));
  EXPECT_EQ(p.to_vector<float>(), (F{9, 9, 9, 9, 1, 2, 9, 9, 3, 4, 9, 9}));
  EXPECT_EQ(ops::pad(x, {{0, 0}, {1, 1}}).to_vector<float>(), (F{0, 1, 2, 0, 0, 3, 4, 0}));
  EXPECT_EQ(ops::pad(x, {{0, 0}, {0, 0}}).to_vector<float>(), x.to_vector<float>());
  EXPECT_EQ(ops::pad(Tensor::from_vector<std::int32_t>({5}), {{2, 1}}, -1.0).to_vector<std::int32_t>(),
            (std::vector<std::int32_t>{-1, -1, 5, -1}));
}

TEST(ShapeOpsTest, GatherAlongAxes) {
  const Tensor params = iota({4, 3});
  const Tensor i32 = Tensor::from_vector<std::int32_t>({2, 0, 2});
  const Tensor g0 = ops::gather(params, i32, 0);
  EXPECT_EQ(g0.shape(), (Shape{3, 3}));
  EXPECT_EQ(g0.to_vector<float>(), (F{6, 7, 8, 0, 1, 2, 6, 7, 8}));
  const Tensor i64 = Tensor::from_vector<std::int64_t>({3, 3, 1, 0}, {2, 2});
  const Tensor g2 = ops::gather(params, i64, 0);
  EXPECT_EQ(g2.shape(), (Shape{2, 2, 3}));
  EXPECT_EQ(g2.to_vector<float>(), (F{9, 10, 11, 9, 10, 11, 3, 4, 5, 0, 1, 2}));
  const Tensor g1 = ops::gather(params, Tensor::from_vector<std::int64_t>({2, 2, 0}), 1);
  EXPECT_EQ(g1.shape(), (Shape{4, 3}));
  EXPECT_EQ(g1.to_vector<float>(), (F{2, 2, 0, 5, 5, 3, 8, 8, 6, 11, 11, 9}));
  const Tensor gm = ops::gather(params, Tensor::from_vector<std::int32_t>({1}), -1);
  EXPECT_EQ(gm.shape(), (Shape{4, 1}));
  EXPECT_EQ(gm.to_vector<float>(), (F{1, 4, 7, 10}));
  EXPECT_EQ(ops::gather(params, Tensor::from_vector<std::int32_t>({3}, {}), 0).shape(), (Shape{3}));
}

TEST(ShapeOpsTest, OneHot) {
  const Tensor idx = Tensor::from_vector<std::int64_t>({0, 2, 5, -1});
  const Tensor h = ops::one_hot(idx, 3);
  EXPECT_EQ(h.shape(), (Shape{4, 3}));
  EXPECT_EQ(h.dtype(), DType::kFloat32);
  EXPECT_EQ(h.to_vector<float>(), (F{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0}));
  const Tensor h2 = ops::one_hot(Tensor::from_vector<std::int32_t>({1, 0, 2, 1}, {2, 2}), 3, 5.0, -1.0,
                                 DType::kFloat64);
  EXPECT_EQ(h2.shape(), (Shape{2, 2, 3}));
  EXPECT_EQ(h2.dtype(), DType::kFloat64);
  EXPECT_EQ(h2.to_vector<double>(), (std::vector<double>{-1, 5, -1, 5, -1, -1, -1, -1, 5, -1, 5, -1}));
}

TEST(ShapeOpsTest, OpsOnViewsAndEmptyPieces) {
  const Tensor m = iota({2, 3});
  const Tensor t = ops::transpose(m);  // [[0,3],[1,4],[2,5]]
  EXPECT_EQ(ops::concat({t, Tensor::zeros({0, 2})}, 0).to_vector<float>(), (F{0, 3, 1, 4, 2, 5}));
  EXPECT_EQ(ops::concat({Tensor::zeros({2, 0}), m}, 1).shape(), (Shape{2, 3}));
  EXPECT_EQ(ops::pad(t, {{0, 1}, {1, 0}}, -1.0).to_vector<float>(), (F{-1, 0, 3, -1, 1, 4, -1, 2, 5, -1, -1, -1}));
  EXPECT_EQ(ops::gather(t, Tensor::from_vector<std::int32_t>({2, 0}), 0).to_vector<float>(), (F{2, 5, 0, 3}));
  EXPECT_EQ(ops::gather(t, Tensor::from_vector<std::int32_t>({1}), 1).to_vector<float>(), (F{3, 4, 5}));
  const Tensor idx = ops::slice(Tensor::from_vector<std::int64_t>({0, 9, 1, 9, 2}), {{nullopt, nullopt, 2}});
  EXPECT_EQ(ops::one_hot(idx, 3).to_vector<float>(), (F{1, 0, 0, 0, 1, 0, 0, 0, 1}));
  EXPECT_EQ(ops::gather(m, idx, 1).to_vector<float>(), (F{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(ops::stack({t, t}, 1).to_vector<float>(), (F{0, 3, 0, 3, 1, 4, 1, 4, 2, 5, 2, 5}));
  const TensorList parts = ops::split(t, 3, 0);
  EXPECT_EQ(parts[2].to_vector<float>(), (F{2, 5}));
  EXPECT_EQ(ops::expand_dims(t, 0).to_vector<float>(), (F{0, 3, 1, 4, 2, 5}));
}

}  // namespace
}  // namespace fathom
