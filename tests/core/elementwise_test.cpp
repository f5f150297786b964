// SPDX-License-Identifier: Apache-2.0
// Values of the elementwise ops: unary math, activations (Keras formulas), broadcasting binary
// ops, comparisons, where and cast. References are std:: functions evaluated in double.
#include <cmath>
#include <cstdint>
#include <functional>
#include <numbers>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/ops/elementwise.h"
#include "core/ops/shape_ops.h"

namespace fathom {
namespace {

using Ref = std::function<double(double)>;

/// Checks f(x) elementwise against ref, with a relative-plus-absolute tolerance.
void expect_unary(const std::vector<double>& xs, const Tensor& y, const Ref& ref, double tol,
                  const std::string& what) {
  const std::vector<double> got = y.to_vector<double>();
  ASSERT_EQ(got.size(), xs.size()) << what;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const double want = ref(xs[i]);
    EXPECT_FALSE(std::isnan(got[i])) << what << "(" << xs[i] << ")";
    EXPECT_NEAR(got[i], want, tol * (1.0 + std::abs(want))) << what << "(" << xs[i] << ")";
  }
}

Tensor make(const std::vector<double>& xs, DType dtype) {
  return ops::cast(Tensor::from_vector<double>(xs), dtype);
}

double sigmoid_ref(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double clip_ref(double x, double lo, double hi) { return std::min(std::max(x, lo), hi); }

constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;

TEST(ElementwiseTest, UnaryMathMatchesStd) {
  const std::vector<double> xs = {-2.0, -0.5, 0.0, 0.5, 3.0};
  for (DType dt : {DType::kFloat32, DType::kFloat64}) {
    const double tol = dt == DType::kFloat32 ? 1e-6 : 1e-12;
    const Tensor x = make(xs, dt);
    expect_unary(xs, ops::neg(x), [](double v) { return -v; }, tol, "neg");
    expect_unary(xs, ops::abs(x), [](double v) { return std::abs(v); }, tol, "abs");
    expect_unary(xs, ops::sign(x), [](double v) { return v > 0 ? 1.0 : (v < 0 ? -1.0 : 0.0); }, tol, "sign");
    expect_unary(xs, ops::exp(x), [](double v) { return std::exp(v); }, tol, "exp");
    expect_unary(xs, ops::square(x), [](double v) { return v * v; }, tol, "square");
    expect_unary(xs, ops::pow(x, 2.0), [](double v) { return v * v; }, tol, "pow2");
    expect_unary(xs, ops::pow(x, 3.0), [](double v) { return v * v * v; }, tol, "pow3");
    expect_unary(xs, ops::clip(x, -1.0, 1.0), [](double v) { return clip_ref(v, -1, 1); }, tol, "clip");
    const std::vector<double> pos = {0.25, 1.0, 2.0, 9.0};
    const Tensor p = make(pos, dt);
    expect_unary(pos, ops::log(p), [](double v) { return std::log(v); }, tol, "log");
    expect_unary(pos, ops::sqrt(p), [](double v) { return std::sqrt(v); }, tol, "sqrt");
    expect_unary(pos, ops::reciprocal(p), [](double v) { return 1.0 / v; }, tol, "reciprocal");
    expect_unary(pos, ops::pow(p, 0.5), [](double v) { return std::sqrt(v); }, tol, "pow0.5");
    expect_unary(pos, ops::pow(p, -1.5), [](double v) { return std::pow(v, -1.5); }, tol, "pow-1.5");
  }
}

TEST(ElementwiseTest, UnaryMathEdgeValues) {
  const Tensor z = Tensor::from_vector<float>({0.0f});
  EXPECT_TRUE(std::isinf(ops::log(z).item<float>()));
  EXPECT_LT(ops::log(z).item<float>(), 0.0f);
  EXPECT_TRUE(std::isinf(ops::reciprocal(z).item<float>()));
  EXPECT_FLOAT_EQ(ops::sqrt(z).item<float>(), 0.0f);
  EXPECT_FLOAT_EQ(ops::pow(z, 0.0).item<float>(), 1.0f);
  EXPECT_FLOAT_EQ(ops::exp(Tensor::from_vector<float>({-200.0f})).item<float>(), 0.0f);
}

TEST(ElementwiseTest, ActivationsMatchKerasFormulas) {
  const std::vector<double> xs = {-100.0, -6.5, -3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0, 6.5, 100.0};
  const double s2 = std::sqrt(2.0), s2pi = std::sqrt(2.0 / std::numbers::pi);
  for (DType dt : {DType::kFloat32, DType::kFloat64}) {
    const double tol = dt == DType::kFloat32 ? 2e-6 : 1e-12;
    const Tensor x = make(xs, dt);
    expect_unary(xs, ops::tanh(x), [](double v) { return std::tanh(v); }, tol, "tanh");
    expect_unary(xs, ops::sigmoid(x), sigmoid_ref, tol, "sigmoid");
    expect_unary(xs, ops::relu(x), [](double v) { return std::max(v, 0.0); }, tol, "relu");
    expect_unary(xs, ops::relu6(x), [](double v) { return clip_ref(v, 0, 6); }, tol, "relu6");
    expect_unary(xs, ops::leaky_relu(x), [](double v) { return v > 0 ? v : 0.2 * v; }, tol, "leaky_relu");
    expect_unary(xs, ops::leaky_relu(x, 0.01), [](double v) { return v > 0 ? v : 0.01 * v; }, tol, "leaky_relu.01");
    expect_unary(xs, ops::elu(x), [](double v) { return v > 0 ? v : std::expm1(v); }, tol, "elu");
    expect_unary(xs, ops::elu(x, 0.5), [](double v) { return v > 0 ? v : 0.5 * std::expm1(v); }, tol, "elu0.5");
    expect_unary(xs, ops::selu(x),
                 [](double v) { return kSeluScale * (v > 0 ? v : kSeluAlpha * std::expm1(v)); }, tol, "selu");
    expect_unary(xs, ops::gelu(x), [&](double v) { return 0.5 * v * (1 + std::erf(v / s2)); }, tol, "gelu");
    expect_unary(xs, ops::gelu(x, true),
                 [&](double v) { return 0.5 * v * (1 + std::tanh(s2pi * (v + 0.044715 * v * v * v))); }, tol,
                 "gelu_approximate");
    expect_unary(xs, ops::softplus(x), [](double v) { return std::log1p(std::exp(-std::abs(v))) + std::max(v, 0.0); },
                 tol, "softplus");
    expect_unary(xs, ops::softsign(x), [](double v) { return v / (1 + std::abs(v)); }, tol, "softsign");
    expect_unary(xs, ops::swish(x), [](double v) { return v * sigmoid_ref(v); }, tol, "swish");
    expect_unary(xs, ops::silu(x), [](double v) { return v * sigmoid_ref(v); }, tol, "silu");
    expect_unary(xs, ops::hard_sigmoid(x), [](double v) { return clip_ref(v / 6 + 0.5, 0, 1); }, tol, "hard_sigmoid");
    expect_unary(xs, ops::hard_sigmoid_keras2(x), [](double v) { return clip_ref(0.2 * v + 0.5, 0, 1); }, tol,
                 "hard_sigmoid_keras2");
  }
}

TEST(ElementwiseTest, ActivationsHandComputedValues) {
  const Tensor one = Tensor::from_vector<double>({1.0, -1.0, 0.0});
  const auto g = ops::gelu(one).to_vector<double>();
  EXPECT_NEAR(g[0], 0.8413447460685429, 1e-12);
  EXPECT_NEAR(g[1], -0.15865525393145707, 1e-12);
  EXPECT_NEAR(ops::gelu(one, true).to_vector<double>()[0], 0.8411919906082768, 1e-12);
  const auto s = ops::selu(one).to_vector<double>();
  EXPECT_NEAR(s[0], 1.0507009873554805, 1e-12);
  EXPECT_NEAR(s[1], -1.1113307378125628, 1e-12);
  EXPECT_NEAR(ops::softplus(one).to_vector<double>()[2], 0.6931471805599453, 1e-12);
  EXPECT_NEAR(ops::hard_sigmoid(one).to_vector<double>()[0], 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(ops::hard_sigmoid_keras2(one).to_vector<double>()[0], 0.7, 1e-12);
  EXPECT_NEAR(ops::leaky_relu(one).to_vector<double>()[1], -0.2, 1e-12);
  EXPECT_NEAR(ops::sigmoid(one).to_vector<double>()[2], 0.5, 1e-12);
}

TEST(ElementwiseTest, ActivationsStableForLargeInputs) {
  const Tensor x = Tensor::from_vector<float>({-1000.0f, -100.0f, 100.0f, 1000.0f});
  const auto expect_finite = [](const Tensor& y, const std::vector<double>& want, const char* what) {
    const auto v = y.to_vector<double>();
    for (std::size_t i = 0; i < v.size(); ++i) {
      EXPECT_TRUE(std::isfinite(v[i])) << what << " [" << i << "] = " << v[i];
      EXPECT_NEAR(v[i], want[i], 1e-5 * (1 + std::abs(want[i]))) << what << " [" << i << "]";
    }
  };
  expect_finite(ops::softplus(x), {0, 0, 100, 1000}, "softplus");
  expect_finite(ops::sigmoid(x), {0, 0, 1, 1}, "sigmoid");
  expect_finite(ops::tanh(x), {-1, -1, 1, 1}, "tanh");
  expect_finite(ops::swish(x), {0, 0, 100, 1000}, "swish");
  expect_finite(ops::elu(x), {-1, -1, 100, 1000}, "elu");
  expect_finite(ops::gelu(x), {0, 0, 100, 1000}, "gelu");
  expect_finite(ops::gelu(x, true), {0, 0, 100, 1000}, "gelu_approximate");
  expect_finite(ops::softsign(x), {-1000.0 / 1001, -100.0 / 101, 100.0 / 101, 1000.0 / 1001}, "softsign");
  EXPECT_FLOAT_EQ(ops::softplus(Tensor::from_vector<float>({100.0f})).item<float>(), 100.0f);
}

TEST(ElementwiseTest, BroadcastsColumnWithRow) {
  const Tensor a = Tensor::from_vector<float>({1, 2, 3}, {3, 1});
  const Tensor b = Tensor::from_vector<float>({10, 20, 30, 40}, {1, 4});
  const Tensor y = ops::add(a, b);
  EXPECT_EQ(y.shape(), (Shape{3, 4}));
  EXPECT_EQ(y.to_vector<float>(),
            (std::vector<float>{11, 21, 31, 41, 12, 22, 32, 42, 13, 23, 33, 43}));
  EXPECT_EQ(ops::sub(a, b).to_vector<float>()[4], 2 - 10);
  EXPECT_EQ(ops::mul(b, a).shape(), (Shape{3, 4}));
}

TEST(ElementwiseTest, BroadcastsTrailingAndScalar) {
  const Tensor m = Tensor::from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor v = Tensor::from_vector<float>({1, 2, 4});
  EXPECT_EQ(ops::sub(m, v).to_vector<float>(), (std::vector<float>{0, 0, -1, 3, 3, 2}));
  EXPECT_EQ(ops::div(m, v).to_vector<float>(), (std::vector<float>{1, 1, 0.75f, 4, 2.5f, 1.5f}));
  EXPECT_EQ(ops::maximum(m, v).to_vector<float>(), (std::vector<float>{1, 2, 4, 4, 5, 6}));
  EXPECT_EQ(ops::minimum(v, m).to_vector<float>(), (std::vector<float>{1, 2, 3, 1, 2, 4}));
  EXPECT_EQ(ops::pow(m, v).to_vector<float>(), (std::vector<float>{1, 4, 81, 4, 25, 1296}));

  const Tensor s = Tensor::scalar(2.0);
  const Tensor q = Tensor::from_vector<float>({1, 2, 3, 4}, {2, 2});
  const Tensor y = ops::mul(s, q);
  EXPECT_EQ(y.shape(), (Shape{2, 2}));
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{2, 4, 6, 8}));
  EXPECT_EQ(ops::sub(s, q).to_vector<float>(), (std::vector<float>{1, 0, -1, -2}));
  EXPECT_EQ(ops::add(s, s).shape(), Shape{});
}

TEST(ElementwiseTest, BroadcastsSizeZeroDims) {
  const Tensor e = Tensor::zeros({0, 3});
  const Tensor r = Tensor::from_vector<float>({1, 2, 3});
  const Tensor y = ops::add(e, r);
  EXPECT_EQ(y.shape(), (Shape{0, 3}));
  EXPECT_EQ(y.numel(), 0);
  EXPECT_TRUE(y.to_vector<float>().empty());
  EXPECT_EQ(ops::mul(Tensor::zeros({2, 0}), Tensor::ones({2, 1})).shape(), (Shape{2, 0}));
  EXPECT_EQ(ops::add(Tensor::zeros({0}), Tensor::ones({1})).shape(), (Shape{0}));
  EXPECT_EQ(ops::relu(Tensor::zeros({0, 4})).shape(), (Shape{0, 4}));
}

TEST(ElementwiseTest, IntegerArithmetic) {
  const Tensor a = Tensor::from_vector<std::int32_t>({1, -2, 3}, {3, 1});
  const Tensor b = Tensor::from_vector<std::int32_t>({10, 20});
  const Tensor y = ops::add(a, b);
  EXPECT_EQ(y.dtype(), DType::kInt32);
  EXPECT_EQ(y.to_vector<std::int32_t>(), (std::vector<std::int32_t>{11, 21, 8, 18, 13, 23}));
  const Tensor c = Tensor::from_vector<std::int64_t>({5000000000LL, -1});
  const Tensor d = ops::add(c, Tensor::from_vector<std::int64_t>({1, 1}));
  EXPECT_EQ(d.dtype(), DType::kInt64);
  EXPECT_EQ(d.to_vector<std::int64_t>(), (std::vector<std::int64_t>{5000000001LL, 0}));
  EXPECT_EQ(ops::mul(c, c).to_vector<std::int64_t>()[1], 1);
  EXPECT_EQ(ops::sub(b, b).to_vector<std::int32_t>(), (std::vector<std::int32_t>{0, 0}));
  EXPECT_EQ(ops::maximum(b, Tensor::from_vector<std::int32_t>({15, 15})).to_vector<std::int32_t>(),
            (std::vector<std::int32_t>{15, 20}));
}

TEST(ElementwiseTest, BoolArithmeticIsRejected) {
  const Tensor t = Tensor::full({2}, 1.0, DType::kBool);
  EXPECT_THROW(ops::add(t, t), ValueError);
  EXPECT_THROW(ops::mul(t, t), ValueError);
  EXPECT_THROW(ops::sub(t, t), ValueError);
}

TEST(ElementwiseTest, ComparisonsReturnBool) {
  const Tensor a = Tensor::from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor b = Tensor::from_vector<float>({2, 2, 2});
  using V = std::vector<std::int32_t>;
  const Tensor lt = ops::less(a, b);
  EXPECT_EQ(lt.dtype(), DType::kBool);
  EXPECT_EQ(lt.shape(), (Shape{2, 3}));
  EXPECT_EQ(lt.to_vector<std::int32_t>(), (V{1, 0, 0, 0, 0, 0}));
  EXPECT_EQ(ops::less_equal(a, b).to_vector<std::int32_t>(), (V{1, 1, 0, 0, 0, 0}));
  EXPECT_EQ(ops::greater(a, b).to_vector<std::int32_t>(), (V{0, 0, 1, 1, 1, 1}));
  EXPECT_EQ(ops::greater_equal(a, b).to_vector<std::int32_t>(), (V{0, 1, 1, 1, 1, 1}));
  EXPECT_EQ(ops::equal(a, b).to_vector<std::int32_t>(), (V{0, 1, 0, 0, 0, 0}));
  EXPECT_EQ(ops::not_equal(a, b).to_vector<std::int32_t>(), (V{1, 0, 1, 1, 1, 1}));
  const Tensor i = Tensor::from_vector<std::int64_t>({3, -1});
  EXPECT_EQ(ops::greater(i, Tensor::from_vector<std::int64_t>({0}, {})).dtype(), DType::kBool);
  EXPECT_EQ(ops::greater(i, Tensor::from_vector<std::int64_t>({0}, {})).to_vector<double>(),
            (std::vector<double>{1, 0}));
}

TEST(ElementwiseTest, WhereBroadcastsAllThree) {
  const Tensor cond = ops::greater(Tensor::from_vector<float>({1, -1}, {2, 1}), Tensor::scalar(0.0));
  const Tensor a = Tensor::from_vector<float>({1, 2, 3}, {1, 3});
  const Tensor b = Tensor::scalar(-5.0);
  const Tensor y = ops::where(cond, a, b);
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  EXPECT_EQ(y.dtype(), DType::kFloat32);
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{1, 2, 3, -5, -5, -5}));
  const Tensor c2 = ops::less(Tensor::from_vector<float>({0, 5, 1}), Tensor::scalar(2.0));
  EXPECT_EQ(ops::where(c2, Tensor::from_vector<float>({1, 2, 3}), Tensor::from_vector<float>({7, 8, 9}))
                .to_vector<float>(),
            (std::vector<float>{1, 8, 3}));
}

TEST(ElementwiseTest, CastConvertsDtypes) {
  const Tensor f = Tensor::from_vector<float>({1.7f, -1.7f, 2.5f, -0.2f, 0.0f});
  const Tensor i = ops::cast(f, DType::kInt32);
  EXPECT_EQ(i.dtype(), DType::kInt32);
  EXPECT_EQ(i.to_vector<std::int32_t>(), (std::vector<std::int32_t>{1, -1, 2, 0, 0}));
  const Tensor back = ops::cast(Tensor::from_vector<std::int64_t>({-3, 0, 7}), DType::kFloat32);
  EXPECT_EQ(back.dtype(), DType::kFloat32);
  EXPECT_EQ(back.to_vector<float>(), (std::vector<float>{-3, 0, 7}));
  const Tensor bl = ops::cast(f, DType::kBool);
  EXPECT_EQ(bl.dtype(), DType::kBool);
  EXPECT_EQ(bl.to_vector<std::int32_t>(), (std::vector<std::int32_t>{1, 1, 1, 1, 0}));
  EXPECT_EQ(ops::cast(bl, DType::kFloat64).to_vector<double>(), (std::vector<double>{1, 1, 1, 1, 0}));
  const Tensor d = ops::cast(Tensor::from_vector<float>({0.1f}), DType::kFloat64);
  EXPECT_EQ(d.dtype(), DType::kFloat64);
  EXPECT_DOUBLE_EQ(d.item<double>(), static_cast<double>(0.1f));
  EXPECT_EQ(ops::cast(Tensor::from_vector<std::int64_t>({-2, 40}), DType::kInt32).to_vector<std::int32_t>(),
            (std::vector<std::int32_t>{-2, 40}));
}

TEST(ElementwiseTest, TensorOperators) {
  const Tensor a = Tensor::from_vector<float>({1, 2, 3, 4}, {2, 2});
  const Tensor b = Tensor::from_vector<float>({2, 4});
  EXPECT_EQ((a + b).to_vector<float>(), (std::vector<float>{3, 6, 5, 8}));
  EXPECT_EQ((a - b).to_vector<float>(), (std::vector<float>{-1, -2, 1, 0}));
  EXPECT_EQ((a * b).to_vector<float>(), (std::vector<float>{2, 8, 6, 16}));
  EXPECT_EQ((a / b).to_vector<float>(), (std::vector<float>{0.5f, 0.5f, 1.5f, 1}));
  EXPECT_EQ((-a).to_vector<float>(), (std::vector<float>{-1, -2, -3, -4}));
  EXPECT_EQ((a + 1.0).to_vector<float>(), (std::vector<float>{2, 3, 4, 5}));
  EXPECT_EQ((a - 1.0).to_vector<float>(), (std::vector<float>{0, 1, 2, 3}));
  EXPECT_EQ((a * 3.0).to_vector<float>(), (std::vector<float>{3, 6, 9, 12}));
  EXPECT_EQ((a / 2.0).to_vector<float>(), (std::vector<float>{0.5f, 1, 1.5f, 2}));
  EXPECT_EQ((2.0 * a).to_vector<float>(), (std::vector<float>{2, 4, 6, 8}));
  EXPECT_EQ((a * 2.0).dtype(), DType::kFloat32);
  const Tensor d = Tensor::from_vector<double>({1.5});
  EXPECT_EQ((d + 1.0).dtype(), DType::kFloat64);
  EXPECT_DOUBLE_EQ((d + 1.0).item<double>(), 2.5);
}

TEST(ElementwiseTest, OpsOnNonContiguousViews) {
  const Tensor m = Tensor::from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor t = ops::transpose(m);                                         // [[1,4],[2,5],[3,6]]
  const Tensor r = ops::slice(m, {{std::nullopt, std::nullopt, -1}, {std::nullopt, std::nullopt, -2}});  // [[6,4],[3,1]]
  EXPECT_EQ(ops::square(t).to_vector<float>(), (std::vector<float>{1, 16, 4, 25, 9, 36}));
  EXPECT_EQ(ops::neg(r).to_vector<float>(), (std::vector<float>{-6, -4, -3, -1}));
  EXPECT_EQ(ops::add(t, Tensor::from_vector<float>({10, 20})).to_vector<float>(),
            (std::vector<float>{11, 24, 12, 25, 13, 26}));
  EXPECT_EQ(ops::mul(r, ops::slice_axis(t, 0, 1, 3)).to_vector<float>(), (std::vector<float>{12, 20, 9, 6}));
  EXPECT_EQ(ops::sub(ops::broadcast_to(Tensor::from_vector<float>({1, 2}), {3, 2}), t).to_vector<float>(),
            (std::vector<float>{0, -2, -1, -3, -2, -4}));
  EXPECT_EQ(ops::cast(r, DType::kInt32).to_vector<std::int32_t>(), (std::vector<std::int32_t>{6, 4, 3, 1}));
  EXPECT_EQ(ops::greater(t, Tensor::scalar(3.5)).to_vector<std::int32_t>(), (std::vector<std::int32_t>{0, 1, 0, 1, 0, 1}));
}

}  // namespace
}  // namespace fathom
