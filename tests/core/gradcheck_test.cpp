// SPDX-License-Identifier: Apache-2.0
// Every op in core/ops/op_list.h against central finite differences (double precision). The
// table below must name every differentiable op: a new op without a case fails
// EveryOpHasAGradientCheck.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "core/ops.h"
#include "core/ops/op_list.h"
#include "tests/support/gradcheck.h"

namespace fathom::testing {
namespace {

using ops::Slice;

struct Case {
  std::function<TensorList()> inputs;
  TensorFn fn;
  GradcheckOptions options{};
};

Tensor u(const Shape& s, double lo = -2, double hi = 2, std::uint64_t seed = 1) { return uniform_f64(s, lo, hi, seed); }

Case unary(Tensor (*op)(const Tensor&), std::vector<double> kinks = {}, double lo = -2, double hi = 2) {
  return {[=] { return TensorList{away_from(u({2, 3}, lo, hi), kinks)}; },
          [op](const TensorList& in) { return op(in[0]); }};
}

Case binary(Tensor (*op)(const Tensor&, const Tensor&), double lo_b = -2, double hi_b = 2, double lo_a = -2) {
  return {[=] { return TensorList{u({2, 3}, lo_a, 2, 1), u({3}, lo_b, hi_b, 2)}; },
          [op](const TensorList& in) { return op(in[0], in[1]); }};
}

/// a and b at least 0.1 apart, so that maximum/minimum have no ties.
TensorList separated_pair() {
  const Tensor a = u({2, 3});
  const Tensor gap = u({2, 3}, 0.1, 1.0, 3);
  const Tensor sign = ops::cast(ops::greater(u({2, 3}, -1, 1, 4), ops::scalar_like(a, 0.0)), DType::kFloat64);
  return {a, ops::add(a, ops::mul(gap, ops::sub(ops::mul(sign, 2.0), 1.0)))};
}

const std::map<std::string, Case>& cases() {
  static const std::map<std::string, Case> table = [] {
    std::map<std::string, Case> t;
    t["neg"] = unary(ops::neg);
    t["abs"] = unary(ops::abs, {0});
    t["sign"] = unary(ops::sign, {0});
    t["exp"] = unary(ops::exp);
    t["log"] = unary(ops::log, {}, 0.2, 3);
    t["sqrt"] = unary(ops::sqrt, {}, 0.2, 3);
    t["square"] = unary(ops::square);
    t["reciprocal"] = unary(ops::reciprocal, {}, 0.3, 3);
    t["pow_scalar"] = {[] { return TensorList{u({2, 3}, 0.2, 3)}; },
                       [](const TensorList& in) { return ops::pow(in[0], 2.5); }};
    t["clip"] = {[] { return TensorList{away_from(u({3, 3}), {-0.5, 0.7})}; },
                 [](const TensorList& in) { return ops::clip(in[0], -0.5, 0.7); }};
    t["tanh"] = unary(ops::tanh);
    t["sigmoid"] = unary(ops::sigmoid);
    t["relu"] = unary(ops::relu, {0});
    t["relu6"] = unary(ops::relu6, {0, 6}, -2, 8);
    t["leaky_relu"] = {[] { return TensorList{away_from(u({2, 3}), {0})}; },
                       [](const TensorList& in) { return ops::leaky_relu(in[0], 0.3); }};
    t["elu"] = {[] { return TensorList{away_from(u({2, 3}), {0})}; },
                [](const TensorList& in) { return ops::elu(in[0], 0.7); }};
    t["selu"] = unary(ops::selu, {0});
    t["gelu"] = {[] { return TensorList{u({2, 3})}; }, [](const TensorList& in) { return ops::gelu(in[0]); }};
    t["gelu_approximate"] = {[] { return TensorList{u({2, 3})}; },
                             [](const TensorList& in) { return ops::gelu(in[0], true); }};
    t["softplus"] = unary(ops::softplus);
    t["softsign"] = unary(ops::softsign, {0});
    t["swish"] = unary(ops::swish);
    t["silu"] = unary(ops::silu);
    t["hard_sigmoid"] = unary(ops::hard_sigmoid, {-3, 3}, -4, 4);
    t["hard_sigmoid_keras2"] = unary(ops::hard_sigmoid_keras2, {-2.5, 2.5}, -4, 4);

    t["add"] = binary(ops::add);
    t["sub"] = binary(ops::sub);
    t["mul"] = binary(ops::mul);
    t["div"] = binary(ops::div, 0.5, 2);
    t["pow"] = binary(ops::pow, -2, 2, 0.3);
    t["maximum"] = {separated_pair, [](const TensorList& in) { return ops::maximum(in[0], in[1]); }};
    t["minimum"] = {separated_pair, [](const TensorList& in) { return ops::minimum(in[0], in[1]); }};
    t["where"] = {[] { return TensorList{u({2, 3}), u({1, 3}, -2, 2, 5)}; },
                  [](const TensorList& in) {
                    const Tensor cond = ops::greater(u({2, 3}, -1, 1, 6), Tensor::scalar(0.0, DType::kFloat64));
                    return ops::where(cond, in[0], in[1]);
                  }};
    t["cast"] = {[] { return TensorList{u({2, 3})}; },
                 [](const TensorList& in) { return ops::cast(ops::cast(in[0], DType::kFloat32), DType::kFloat64); },
                 {1e-2, 1e-3, 1e-3}};

    t["sum"] = {[] { return TensorList{u({2, 3, 4})}; }, [](const TensorList& in) { return ops::sum(in[0], {0, 2}); }};
    t["mean"] = {[] { return TensorList{u({2, 3, 4})}; },
                 [](const TensorList& in) { return ops::mean(in[0], -1, true); }};
    t["max"] = {[] { return TensorList{u({2, 3, 4})}; }, [](const TensorList& in) { return ops::max(in[0], {0, 2}); }};
    t["min"] = {[] { return TensorList{u({2, 3, 4})}; }, [](const TensorList& in) { return ops::min(in[0], 1); }};
    t["prod"] = {[] {
                   Tensor x = u({2, 3, 4});
                   x.data<double>()[5] = 0.0;  // exact gradient through a zero
                   return TensorList{x};
                 },
                 [](const TensorList& in) { return ops::prod(in[0], {0, 2}); }};
    t["var"] = {[] { return TensorList{u({3, 4})}; }, [](const TensorList& in) { return ops::var(in[0], 0); }};
    t["logsumexp"] = {[] { return TensorList{u({3, 4})}; },
                      [](const TensorList& in) { return ops::logsumexp(in[0], 1); }};

    t["matmul"] = {[] { return TensorList{u({3, 4}), u({2, 4}, -2, 2, 7)}; },
                   [](const TensorList& in) { return ops::matmul(in[0], in[1], false, true); }};
    t["batched_matmul"] = {[] { return TensorList{u({2, 3, 4}), u({4, 5}, -2, 2, 8)}; },
                           [](const TensorList& in) { return ops::matmul(in[0], in[1]); }};

    t["reshape"] = {[] { return TensorList{u({2, 3, 4})}; },
                    [](const TensorList& in) { return ops::mul(ops::reshape(in[0], {4, -1}), u({4, 6}, -1, 1, 9)); }};
    t["transpose"] = {[] { return TensorList{u({2, 3, 4})}; },
                      [](const TensorList& in) { return ops::transpose(in[0], {2, 0, 1}); }};
    t["expand_dims"] = {[] { return TensorList{u({2, 3})}; },
                        [](const TensorList& in) { return ops::expand_dims(in[0], 1); }};
    t["squeeze"] = {[] { return TensorList{u({2, 1, 3})}; }, [](const TensorList& in) { return ops::squeeze(in[0]); }};
    t["broadcast_to"] = {[] { return TensorList{u({3, 1})}; },
                         [](const TensorList& in) { return ops::broadcast_to(in[0], {2, 3, 4}); }};
    t["sum_to"] = {[] { return TensorList{u({2, 3, 4})}; },
                   [](const TensorList& in) { return ops::sum_to(in[0], {3, 1}); }};
    t["slice"] = {[] { return TensorList{u({4, 5})}; },
                  [](const TensorList& in) { return ops::slice(in[0], {Slice{1, std::nullopt, 2}, Slice{std::nullopt, std::nullopt, -2}}); }};
    t["concat"] = {[] { return TensorList{u({2, 3}), u({2, 2}, -2, 2, 10)}; },
                   [](const TensorList& in) { return ops::concat({in[0], in[1], in[0]}, 1); }};
    t["stack"] = {[] { return TensorList{u({2, 3}), u({2, 3}, -2, 2, 11)}; },
                  [](const TensorList& in) { return ops::stack({in[0], in[1]}, 1); }};
    t["split"] = {[] { return TensorList{u({2, 5})}; },
                  [](const TensorList& in) {
                    const TensorList parts = ops::split(in[0], {2, 3}, 1);
                    return ops::add(ops::sum(parts[0], 1), ops::sum(ops::square(parts[1]), 1));
                  }};
    t["pad"] = {[] { return TensorList{u({2, 3})}; },
                [](const TensorList& in) { return ops::pad(in[0], {{1, 0}, {2, 1}}, 0.5); }};
    t["gather"] = {[] { return TensorList{u({5, 3}), Tensor::from_vector<std::int64_t>({4, 0, 4, 2}, {2, 2})}; },
                   [](const TensorList& in) { return ops::gather(in[0], in[1], 0); }};
    // Strides (2, 1) and, on the same input, dilation 2: both windows' outputs, flattened.
    t["extract_patches"] = {[] { return TensorList{u({2, 5, 4, 3})}; },
                            [](const TensorList& in) {
                              const Tensor a = ops::extract_patches(in[0], 2, 3, 2, 1, 1, 1);
                              const Tensor b = ops::extract_patches(in[0], 2, 2, 1, 1, 2, 2);
                              return ops::concat({ops::reshape(a, {-1}), ops::reshape(b, {-1})}, 0);
                            }};
    // 5 units: a full SIMD batch and a tail; c_prev as a row-strided view, as the LSTM layer
    // passes a slice of the previous step's [B, 2u] output.
    t["lstm_cell"] = {[] { return TensorList{u({3, 20}), u({3, 5}, -2, 2, 12)}; },
                      [](const TensorList& in) {
                        return ops::lstm_cell(in[0], ops::slice_axis(ops::concat({in[1], in[1]}, 1), 1, 5, 10));
                      }};
    // The identity, with a check that sees the values (and passes).
    t["check_values"] = {[] { return TensorList{u({2, 3})}; },
                         [](const TensorList& in) {
                           return ops::check_values(ops::square(in[0]), [](const Tensor& x) {
                             for (double v : x.to_vector<double>()) FATHOM_CHECK(v >= 0, ValueError, "negative square");
                           });
                         }};
    t["softmax"] = {[] { return TensorList{u({2, 4})}; }, [](const TensorList& in) { return ops::softmax(in[0]); }};
    t["log_softmax"] = {[] { return TensorList{u({3, 2})}; },
                        [](const TensorList& in) { return ops::log_softmax(in[0], 0); }};
    return t;
  }();
  return table;
}

/// Non-differentiable ops: the tape must give no gradient through them.
const std::map<std::string, std::function<Tensor(const Tensor&)>>& no_grad_cases() {
  static const std::map<std::string, std::function<Tensor(const Tensor&)>> table = {
      {"equal", [](const Tensor& x) { return ops::equal(x, x); }},
      {"not_equal", [](const Tensor& x) { return ops::not_equal(x, ops::scalar_like(x, 0.5)); }},
      {"less", [](const Tensor& x) { return ops::less(x, ops::scalar_like(x, 0.5)); }},
      {"less_equal", [](const Tensor& x) { return ops::less_equal(x, ops::scalar_like(x, 0.5)); }},
      {"greater", [](const Tensor& x) { return ops::greater(x, ops::scalar_like(x, 0.5)); }},
      {"greater_equal", [](const Tensor& x) { return ops::greater_equal(x, ops::scalar_like(x, 0.5)); }},
      {"stop_gradient", [](const Tensor& x) { return stop_gradient(x); }},
      {"argmax", [](const Tensor& x) { return ops::argmax(x, 1); }},
      {"argmin", [](const Tensor& x) { return ops::argmin(x, 0); }},
      {"one_hot", [](const Tensor& x) { return ops::one_hot(ops::argmax(x, 1), 4); }},
  };
  return table;
}

TEST(GradcheckTest, EveryOpHasAGradientCheck) {
  std::vector<std::string> missing;
  for (const auto& op : ops::kOpList) {
    const bool covered = op.differentiable ? cases().count(op.name) : no_grad_cases().count(op.name);
    if (!covered) missing.push_back(op.name);
  }
  EXPECT_TRUE(missing.empty()) << "ops in op_list.h without a gradient check: " << ::testing::PrintToString(missing);
  EXPECT_EQ(cases().size() + no_grad_cases().size(), std::size(ops::kOpList))
      << "the tables name an op that is not in op_list.h";
}

TEST(GradcheckTest, CatchesAWrongGradient) {
  // An op computing x^2 whose backward claims x (half the truth): the checker must object.
  auto wrong_square = [](const TensorList& in) {
    return autograd::run_op(
        "wrong_square", {in[0]}, [](const TensorList& t) { return ops::square(t[0]); },
        [](const autograd::GradContext& c) -> TensorList { return {ops::mul(c.grad, c.inputs[0])}; });
  };
  EXPECT_FALSE(gradients_match(wrong_square, {u({2, 2}, 0.5, 1.0)}));
  EXPECT_TRUE(gradients_match([](const TensorList& in) { return ops::square(in[0]); }, {u({2, 2}, 0.5, 1.0)}));
}

class OpGradient : public ::testing::TestWithParam<std::string> {};

TEST_P(OpGradient, MatchesFiniteDifferences) {
  const Case& c = cases().at(GetParam());
  EXPECT_TRUE(gradients_match(c.fn, c.inputs(), c.options)) << "op " << GetParam();
}

std::vector<std::string> differentiable_ops() {
  std::vector<std::string> names;
  for (const auto& op : ops::kOpList) {
    if (op.differentiable && cases().count(op.name)) names.push_back(op.name);
  }
  return names;
}

INSTANTIATE_TEST_SUITE_P(AllOps, OpGradient, ::testing::ValuesIn(differentiable_ops()),
                         [](const auto& info) { return info.param; });

class NoGradient : public ::testing::TestWithParam<std::string> {};

TEST_P(NoGradient, TapeGivesNoGradient) {
  const Tensor x = u({3, 4});
  GradientTape tape;
  tape.watch(x);
  const Tensor y = ops::sum(ops::cast(no_grad_cases().at(GetParam())(x), DType::kFloat64));
  const TensorList g = tape.gradient(y, {x});
  EXPECT_FALSE(g[0].defined()) << GetParam() << " passed a gradient through";
}

std::vector<std::string> non_differentiable_ops() {
  std::vector<std::string> names;
  for (const auto& [name, fn] : no_grad_cases()) names.push_back(name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(AllOps, NoGradient, ::testing::ValuesIn(non_differentiable_ops()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace fathom::testing
