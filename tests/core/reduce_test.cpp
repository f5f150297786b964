// SPDX-License-Identifier: Apache-2.0
// Reductions (sum, mean, max, min, prod, var, logsumexp) against a naive reference, arg
// reductions, and softmax / log_softmax values and stability.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <vector>

#include <gtest/gtest.h>

#include "core/ops/elementwise.h"
#include "core/ops/nn.h"
#include "core/ops/reduce.h"
#include "core/ops/shape_ops.h"

namespace fathom {
namespace {

using Group = std::vector<double>;

/// Splits row-major `x` of `shape` into the groups of values each output element reduces over.
/// `axes` are sorted and non-negative; the output shape (keepdims=false) goes to `out_shape`.
std::vector<Group> groups_of(const std::vector<double>& x, const Shape& shape,
                             const std::vector<std::int64_t>& axes, Shape* out_shape) {
  const auto reduced = [&](std::size_t d) {
    return std::find(axes.begin(), axes.end(), static_cast<std::int64_t>(d)) != axes.end();
  };
  out_shape->clear();
  for (std::size_t d = 0; d < shape.size(); ++d) {
    if (!reduced(d)) out_shape->push_back(shape[d]);
  }
  std::vector<Group> groups(static_cast<std::size_t>(shape_numel(*out_shape)));
  for (std::size_t flat = 0; flat < x.size(); ++flat) {
    std::size_t rest = flat, out = 0, out_stride = 1;
    for (std::size_t d = shape.size(); d-- > 0;) {
      const auto n = static_cast<std::size_t>(shape[d]);
      const std::size_t i = rest % n;
      rest /= n;
      if (!reduced(d)) {
        out += i * out_stride;
        out_stride *= n;
      }
    }
    groups[out].push_back(x[flat]);
  }
  return groups;
}

double g_sum(const Group& g) { double s = 0; for (double v : g) s += v; return s; }
double g_mean(const Group& g) { return g_sum(g) / static_cast<double>(g.size()); }
double g_max(const Group& g) { return *std::max_element(g.begin(), g.end()); }
double g_min(const Group& g) { return *std::min_element(g.begin(), g.end()); }
double g_prod(const Group& g) { double p = 1; for (double v : g) p *= v; return p; }
double g_var(const Group& g) {
  const double m = g_mean(g);
  double s = 0;
  for (double v : g) s += (v - m) * (v - m);
  return s / static_cast<double>(g.size());
}
double g_lse(const Group& g) {
  const double m = g_max(g);
  double s = 0;
  for (double v : g) s += std::exp(v - m);
  return m + std::log(s);
}

using ReduceFn = std::function<Tensor(const Tensor&, const ops::Axes&, bool)>;

void check_reduction(const char* name, const ReduceFn& fn, double (*ref)(const Group&)) {
  const Shape shape = {2, 3, 4};
  std::vector<double> x(24);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.9 + 0.3 * std::sin(1.7 * static_cast<double>(i));
  const Tensor t = Tensor::from_vector<double>(x, shape);
  struct Case { ops::Axes spec; std::vector<std::int64_t> resolved; };
  const std::vector<Case> cases = {
      {ops::Axes(), {0, 1, 2}}, {ops::Axes(0), {0}}, {ops::Axes(1), {1}}, {ops::Axes(-1), {2}},
      {ops::Axes({0, 2}), {0, 2}}, {ops::Axes({-1, -3}), {0, 2}}, {ops::Axes({1, 2}), {1, 2}},
      {ops::Axes({0, 1, 2}), {0, 1, 2}}};
  for (const auto& c : cases) {
    Shape out_shape;
    const auto groups = groups_of(x, shape, c.resolved, &out_shape);
    for (bool keepdims : {false, true}) {
      const Tensor y = fn(t, c.spec, keepdims);
      Shape want_shape = out_shape;
      if (keepdims) {
        want_shape = shape;
        for (auto a : c.resolved) want_shape[a] = 1;
      }
      ASSERT_EQ(y.shape(), want_shape) << name << " axes " << shape_to_string(c.resolved);
      const auto got = y.to_vector<double>();
      for (std::size_t i = 0; i < groups.size(); ++i) {
        EXPECT_NEAR(got[i], ref(groups[i]), 1e-10) << name << " axes " << shape_to_string(c.resolved) << " [" << i << "]";
      }
    }
  }
}

TEST(ReduceTest, SumMatchesNaive) { check_reduction("sum", ops::sum, g_sum); }
TEST(ReduceTest, MeanMatchesNaive) { check_reduction("mean", ops::mean, g_mean); }
TEST(ReduceTest, MaxMatchesNaive) { check_reduction("max", ops::max, g_max); }
TEST(ReduceTest, MinMatchesNaive) { check_reduction("min", ops::min, g_min); }
TEST(ReduceTest, ProdMatchesNaive) { check_reduction("prod", ops::prod, g_prod); }
TEST(ReduceTest, VarMatchesNaive) { check_reduction("var", ops::var, g_var); }
TEST(ReduceTest, LogsumexpMatchesNaive) { check_reduction("logsumexp", ops::logsumexp, g_lse); }

TEST(ReduceTest, HandComputedSumsOnArange) {
  const Tensor x = ops::cast(Tensor::arange(24), DType::kFloat32);
  const Tensor t = Tensor::from_vector<float>(x.to_vector<float>(), {2, 3, 4});
  const Tensor all = ops::sum(t);
  EXPECT_EQ(all.shape(), Shape{});
  EXPECT_FLOAT_EQ(all.item<float>(), 276.0f);
  EXPECT_EQ(ops::sum(t, {}, true).shape(), (Shape{1, 1, 1}));
  EXPECT_EQ(ops::sum(t, {0, 2}).to_vector<float>(), (std::vector<float>{60, 92, 124}));
  EXPECT_EQ(ops::sum(t, {0, 2}, true).shape(), (Shape{1, 3, 1}));
  EXPECT_EQ(ops::sum(t, 1).to_vector<float>(), (std::vector<float>{12, 15, 18, 21, 48, 51, 54, 57}));
  EXPECT_EQ(ops::sum(t, -1).to_vector<float>(), (std::vector<float>{6, 22, 38, 54, 70, 86}));
  EXPECT_EQ(ops::max(t, {0, 2}).to_vector<float>(), (std::vector<float>{15, 19, 23}));
  EXPECT_EQ(ops::min(t, {-3, -1}).to_vector<float>(), (std::vector<float>{0, 4, 8}));
  EXPECT_FLOAT_EQ(ops::mean(t).item<float>(), 11.5f);
  EXPECT_EQ(ops::mean(t, 0, true).shape(), (Shape{1, 3, 4}));
}

TEST(ReduceTest, VarIsPopulationVariance) {
  const Tensor x = Tensor::from_vector<float>({1, 2, 3, 4});
  EXPECT_FLOAT_EQ(ops::var(x).item<float>(), 1.25f);
  const Tensor m = Tensor::from_vector<double>({1, 3, 2, 2}, {2, 2});
  EXPECT_EQ(ops::var(m, 1).to_vector<double>(), (std::vector<double>{1, 0}));
}

TEST(ReduceTest, IntegerSum) {
  const Tensor x = Tensor::from_vector<std::int32_t>({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor s = ops::sum(x);
  EXPECT_EQ(s.dtype(), DType::kInt32);
  EXPECT_EQ(s.item<std::int32_t>(), 21);
  EXPECT_EQ(ops::sum(x, 0).to_vector<std::int32_t>(), (std::vector<std::int32_t>{5, 7, 9}));
  EXPECT_EQ(ops::max(x, 1).to_vector<std::int32_t>(), (std::vector<std::int32_t>{3, 6}));
  const Tensor big = Tensor::from_vector<std::int64_t>({4000000000LL, 4000000000LL, -1});
  EXPECT_EQ(ops::sum(big).item<std::int64_t>(), 7999999999LL);
  EXPECT_EQ(ops::prod(Tensor::from_vector<std::int64_t>({2, -3, 4})).item<std::int64_t>(), -24);
}

TEST(ReduceTest, ArgmaxOneDimensional) {
  const Tensor a = Tensor::from_vector<float>({0, 1, 2, 3, 4});
  const Tensor i = ops::argmax(a);
  EXPECT_EQ(i.dtype(), DType::kInt64);
  EXPECT_EQ(i.shape(), Shape{});
  EXPECT_EQ(i.item<std::int64_t>(), 4);
  EXPECT_EQ(ops::argmax(Tensor::from_vector<float>({0, 1, 2, 3, 4, -1})).item<std::int64_t>(), 4);
  EXPECT_EQ(ops::argmax(Tensor::from_vector<float>({9, 1, 2})).item<std::int64_t>(), 0);
  EXPECT_EQ(ops::argmin(a).item<std::int64_t>(), 0);
  EXPECT_EQ(ops::argmin(Tensor::from_vector<float>({0, 1, 2, 3, 4, -1})).item<std::int64_t>(), 5);
  EXPECT_EQ(ops::argmin(a).dtype(), DType::kInt64);
  EXPECT_EQ(ops::argmax(Tensor::from_vector<std::int32_t>({-5, 7, 2})).item<std::int64_t>(), 1);
  EXPECT_EQ(ops::argmax(Tensor::from_vector<double>({-3})).item<std::int64_t>(), 0);
}

TEST(ReduceTest, ArgmaxTiesGiveFirstIndex) {
  EXPECT_EQ(ops::argmax(Tensor::from_vector<float>({1, 3, 3, 0, 0})).item<std::int64_t>(), 1);
  EXPECT_EQ(ops::argmin(Tensor::from_vector<float>({1, 3, 3, 0, 0})).item<std::int64_t>(), 3);
  EXPECT_EQ(ops::argmax(Tensor::from_vector<float>({2, 2, 2})).item<std::int64_t>(), 0);
  const Tensor m = Tensor::from_vector<float>({5, 5, 1, 0, 7, 7}, {2, 3});
  EXPECT_EQ(ops::argmax(m, 1).to_vector<std::int64_t>(), (std::vector<std::int64_t>{0, 1}));
}

TEST(ReduceTest, ArgmaxAlongAxes) {
  const Tensor m = Tensor::from_vector<float>({1, 8, 3, 9, 2, 4, 0, 7}, {2, 4});
  EXPECT_EQ(ops::argmax(m, 1).to_vector<std::int64_t>(), (std::vector<std::int64_t>{3, 3}));
  EXPECT_EQ(ops::argmax(m, 0).to_vector<std::int64_t>(), (std::vector<std::int64_t>{1, 0, 0, 0}));
  EXPECT_EQ(ops::argmin(m, -1).to_vector<std::int64_t>(), (std::vector<std::int64_t>{0, 2}));
  EXPECT_EQ(ops::argmin(m, 0).to_vector<std::int64_t>(), (std::vector<std::int64_t>{0, 1, 1, 1}));
  EXPECT_EQ(ops::argmax(m, 1, true).shape(), (Shape{2, 1}));
  EXPECT_EQ(ops::argmax(m, 0).shape(), (Shape{4}));
  const Tensor t = Tensor::from_vector<float>({0, 5, 2, 1, 3, 4, 9, 8, 7, 6, 5, 4}, {2, 3, 2});
  EXPECT_EQ(ops::argmax(t, 1).to_vector<std::int64_t>(), (std::vector<std::int64_t>{2, 0, 0, 0}));
}

TEST(ReduceTest, LogsumexpIsStableForLargeValues) {
  const Tensor big = Tensor::from_vector<double>({1000, 1000});
  EXPECT_NEAR(ops::logsumexp(big).item<double>(), 1000 + std::log(2.0), 1e-9);
  const Tensor bigf = Tensor::from_vector<float>({1000, 1000, -1000, -1000}, {2, 2});
  const auto v = ops::logsumexp(bigf, 1).to_vector<double>();
  EXPECT_NEAR(v[0], 1000 + std::log(2.0), 1e-3);
  EXPECT_NEAR(v[1], -1000 + std::log(2.0), 1e-3);
  EXPECT_NEAR(ops::logsumexp(Tensor::from_vector<float>({1000, 0})).item<float>(), 1000.0f, 1e-3);
  EXPECT_EQ(ops::logsumexp(bigf, 1, true).shape(), (Shape{2, 1}));
}

TEST(ReduceTest, SoftmaxValues) {
  const Tensor x = Tensor::from_vector<double>({1, 2, 3});
  const auto s = ops::softmax(x).to_vector<double>();
  EXPECT_NEAR(s[0], 0.09003057317038046, 1e-12);
  EXPECT_NEAR(s[1], 0.24472847105479767, 1e-12);
  EXPECT_NEAR(s[2], 0.6652409557748219, 1e-12);
  const auto l = ops::log_softmax(x).to_vector<double>();
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(l[i], std::log(s[i]), 1e-12);
}

TEST(ReduceTest, SoftmaxRowsSumToOne) {
  std::vector<float> v(4 * 5);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(std::cos(0.9 * static_cast<double>(i)) * 4);
  const Tensor x = Tensor::from_vector<float>(v, {4, 5});
  const Tensor s = ops::softmax(x);
  EXPECT_EQ(s.shape(), (Shape{4, 5}));
  const auto rows = ops::sum(s, 1).to_vector<float>();
  for (float r : rows) EXPECT_NEAR(r, 1.0f, 1e-6f);
  const auto cols = ops::sum(ops::softmax(x, 0), 0).to_vector<float>();
  ASSERT_EQ(cols.size(), 5u);
  for (float c : cols) EXPECT_NEAR(c, 1.0f, 1e-6f);
  // log_softmax = x - logsumexp(x) along the row.
  const auto ls = ops::log_softmax(x).to_vector<float>();
  const auto lse = ops::logsumexp(x, 1).to_vector<float>();
  for (std::size_t i = 0; i < ls.size(); ++i) EXPECT_NEAR(ls[i], v[i] - lse[i / 5], 1e-5f);
}

TEST(ReduceTest, SoftmaxStableForLargeLogits) {
  const Tensor x = Tensor::from_vector<float>({1000, 1000, 0, -1000, 1000, 999}, {2, 3});
  const auto s = ops::softmax(x).to_vector<float>();
  for (float v : s) EXPECT_FALSE(std::isnan(v));
  EXPECT_NEAR(s[0], 0.5f, 1e-6f);
  EXPECT_NEAR(s[1], 0.5f, 1e-6f);
  EXPECT_NEAR(s[2], 0.0f, 1e-6f);
  EXPECT_NEAR(s[4], 1.0 / (1.0 + std::exp(-1.0)), 1e-6);
  EXPECT_NEAR(s[5], 1.0 / (1.0 + std::exp(1.0)), 1e-6);
  const auto l = ops::log_softmax(x).to_vector<float>();
  for (float v : l) EXPECT_TRUE(std::isfinite(v));
  EXPECT_NEAR(l[0], -std::log(2.0f), 1e-4f);
  EXPECT_NEAR(l[2], -1000.0f - std::log(2.0f), 1e-2f);
  EXPECT_NEAR(l[3], -2000.0f - std::log1p(std::exp(-1.0f)), 1e-2f);
}

TEST(ReduceTest, ReducesNonContiguousViews) {
  const Tensor m = Tensor::from_vector<float>({1, 9, 3, 4, 5, 2}, {2, 3});
  const Tensor t = ops::transpose(m);  // [[1,4],[9,5],[3,2]]
  EXPECT_EQ(ops::sum(t, 0).to_vector<float>(), (std::vector<float>{13, 11}));
  EXPECT_EQ(ops::sum(t, 1).to_vector<float>(), (std::vector<float>{5, 14, 5}));
  EXPECT_EQ(ops::max(t, 0).to_vector<float>(), (std::vector<float>{9, 5}));
  EXPECT_EQ(ops::argmax(t, 0).to_vector<std::int64_t>(), (std::vector<std::int64_t>{1, 1}));
  EXPECT_EQ(ops::argmin(t, 1).to_vector<std::int64_t>(), (std::vector<std::int64_t>{0, 1, 1}));
  const Tensor r = ops::slice(m, {{std::nullopt, std::nullopt, -1}});  // rows reversed
  EXPECT_EQ(ops::sum(r, 1).to_vector<float>(), (std::vector<float>{11, 13}));
  EXPECT_EQ(ops::argmax(r, 0).to_vector<std::int64_t>(), (std::vector<std::int64_t>{0, 1, 1}));
  const auto s = ops::softmax(t, 0).to_vector<double>();
  const double z = std::exp(1.0) + std::exp(9.0) + std::exp(3.0);
  EXPECT_NEAR(s[2], std::exp(9.0) / z, 1e-6);
  EXPECT_NEAR(ops::logsumexp(t, 0).to_vector<double>()[0], std::log(z), 1e-5);
}

TEST(ReduceTest, ReductionsOverEmptyAxes) {
  const Tensor e = Tensor::zeros({0, 3});
  EXPECT_EQ(ops::sum(e, 0).shape(), (Shape{3}));
  EXPECT_EQ(ops::sum(e, 0).to_vector<float>(), (std::vector<float>{0, 0, 0}));
  EXPECT_EQ(ops::prod(e, 0).to_vector<float>(), (std::vector<float>{1, 1, 1}));
  EXPECT_EQ(ops::sum(e, 1).shape(), (Shape{0}));
  EXPECT_FLOAT_EQ(ops::sum(e).item<float>(), 0.0f);
  EXPECT_TRUE(std::isnan(ops::mean(e).item<float>()));
  EXPECT_THROW(ops::max(e, 0), ShapeError);
  EXPECT_THROW(ops::argmax(e, 0), ShapeError);
}

}  // namespace
}  // namespace fathom
