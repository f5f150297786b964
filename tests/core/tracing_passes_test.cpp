// SPDX-License-Identifier: Apache-2.0
// The graph passes on traced graphs: each removes what it should and nothing else, and the
// optimized graph computes what the traced body computed.
#include <gtest/gtest.h>

#include <cmath>

#include "core/autograd/gradient_tape.h"
#include "core/ops.h"
#include "core/random.h"
#include "core/tracing/executor.h"
#include "core/tracing/passes.h"
#include "core/tracing/tracer.h"
#include "core/variable.h"

namespace fathom::tracing {
namespace {

template <class Body>
Graph trace(const TensorList& args, Body body) {
  Tracer tracer("test", args);
  const TensorList out = body(args);
  return tracer.finish(out);
}

std::size_t count_op(const Graph& g, const std::string& op) {
  std::size_t n = 0;
  for (const Node& node : g.nodes) n += node.op == op ? 1 : 0;
  return n;
}

TEST(TracingPassesTest, FoldsOpsOnConstantsOnly) {
  const Tensor c = Tensor::full({3}, 2.0);
  Variable v(Tensor::full({3}, 5.0), "v");
  Graph g = trace({Tensor::ones({3})}, [&](const TensorList& a) {
    const Tensor k = ops::exp(ops::mul(c, 0.5));  // constants only: folded (mul's scalar is a constant too)
    const Tensor r = ops::neg(v.value());          // reads a variable: kept
    return TensorList{ops::add(ops::mul(a[0], k), r)};
  });
  const std::size_t before = g.nodes.size();
  fold_constants(g);
  EXPECT_EQ(count_op(g, "exp"), 0u);
  EXPECT_EQ(count_op(g, "neg"), 1u);
  ASSERT_EQ(g.passes.size(), 1u);
  EXPECT_EQ(g.passes[0].pass, "fold_constants");
  EXPECT_EQ(g.passes[0].nodes_before, before);
  EXPECT_EQ(g.passes[0].nodes_after, g.nodes.size());
  Executor run(std::move(g));
  v.assign(Tensor::full({3}, 1.0));  // the variable is read at run time, not folded
  const auto out = run.run({Tensor::full({3}, 2.0)})[0].to_vector<float>();
  for (float x : out) EXPECT_NEAR(x, 2.0 * std::exp(1.0) - 1.0, 1e-5);
}

TEST(TracingPassesTest, MergesRepeatedPureOpsButNotAcrossAWriteOfTheirVariable) {
  Variable v(Tensor::full({2}, 1.0), "v");
  Graph g = trace({Tensor::ones({2})}, [&](const TensorList& a) {
    const Tensor s1 = ops::add(a[0], a[0]);
    const Tensor s2 = ops::add(a[0], a[0]);     // same as s1: merged
    const Tensor r1 = ops::mul(v.value(), a[0]);
    v.assign(ops::mul(r1, 3.0));
    const Tensor r2 = ops::mul(v.value(), a[0]);  // same op and inputs, but v was written: kept
    return TensorList{ops::add(s1, s2), r1, r2};
  });
  eliminate_common_subexpressions(g);
  EXPECT_EQ(count_op(g, "add"), 2u);  // s1 (s2 merged) and s1 + s2
  Executor run(std::move(g));
  v.assign(Tensor::full({2}, 2.0));
  const TensorList out = run.run({Tensor::full({2}, 3.0)});
  EXPECT_EQ(out[0].to_vector<float>(), std::vector<float>(2, 12.0f));
  EXPECT_EQ(out[1].to_vector<float>(), std::vector<float>(2, 6.0f));
  EXPECT_EQ(out[2].to_vector<float>(), std::vector<float>(2, 54.0f));  // v = 18 after the write
}

TEST(TracingPassesTest, RemovesDeadOpsButKeepsEffectsAndRandomDraws) {
  Variable v(Tensor::zeros({2}), "v", false);
  random::Generator stream(1);
  Graph g = trace({Tensor::ones({2})}, [&](const TensorList& a) {
    ops::exp(a[0]);                                            // unused: removed
    random::uniform({2}, 0, 1, DType::kFloat32, stream);       // unused, but advances the stream: kept
    v.assign(ops::sqrt(a[0]));                                 // an effect: kept with its input
    return TensorList{ops::neg(a[0])};
  });
  eliminate_dead_code(g);
  EXPECT_EQ(count_op(g, "exp"), 0u);
  EXPECT_EQ(count_op(g, "random_uniform"), 1u);
  EXPECT_EQ(count_op(g, "sqrt"), 1u);
  EXPECT_EQ(g.count(NodeKind::kEffect), 1u);
  Executor run(std::move(g));
  const auto draws = stream.state().draws;
  run.run({Tensor::full({2}, 4.0)});
  EXPECT_EQ(stream.state().draws, draws + 1);
  EXPECT_EQ(v.value().to_vector<float>(), std::vector<float>(2, 2.0f));
}

Tensor pattern(const Shape& shape, double scale, double shift) {
  return ops::add(ops::mul(ops::reshape(Tensor::arange(shape_numel(shape)), shape), scale), shift);
}

void expect_close(const Tensor& a, const Tensor& b) {
  ASSERT_EQ(a.shape(), b.shape());
  const auto va = a.to_vector<double>(), vb = b.to_vector<double>();
  for (std::size_t i = 0; i < va.size(); ++i) EXPECT_NEAR(va[i], vb[i], 1e-6 * std::max(1.0, std::abs(vb[i]))) << i;
}

TEST(TracingPassesTest, FusesElementwiseChainsAndAMatmulEpilogue) {
  // y = tanh(x w + b) * s - x2, with b a row, s a scalar: one fused kernel after the matmul.
  auto body = [](const TensorList& a) {
    const Tensor e = ops::exp(a[4]);
    const Tensor z = ops::add(ops::matmul(a[0], a[1]), a[2]);
    const Tensor scaled = ops::mul(ops::tanh(z), a[3]);
    return TensorList{ops::sub(scaled, e)};
  };
  const TensorList args{pattern({5, 3}, 0.1, -0.7), pattern({3, 300}, 0.01, -2.0), pattern({300}, 0.02, -3.0),
                        Tensor::scalar(1.5), pattern({5, 300}, -0.001, 0.4)};
  Graph g = trace(args, body);
  const std::size_t before = g.nodes.size();
  fuse_elementwise(g);
  // exp(x2) runs first, on its own (fusing it would hold x2's exp back past the matmul).
  ASSERT_EQ(g.nodes.size(), 2u) << g.to_text();
  EXPECT_EQ(g.nodes[0].op, "exp");
  EXPECT_EQ(g.nodes[1].kind, NodeKind::kFused);
  EXPECT_EQ(g.nodes[1].op, "fused(matmul+add+tanh+mul+sub)");
  EXPECT_EQ(g.passes.back().nodes_before, before);
  Executor run(std::move(g));
  expect_close(run.run(args)[0], body(args)[0]);
  // Other values, same executor: the kernel reads each call's inputs.
  const TensorList other{pattern({5, 3}, -0.2, 0.5), args[1], args[2], Tensor::scalar(-0.5), args[4]};
  expect_close(run.run(other)[0], body(other)[0]);
}

TEST(TracingPassesTest, FusesGradientChainsWithBroadcastOperands) {
  // The gradient of mean(relu(x) * c) reaches relu's gradient kernel as a broadcast view.
  auto body = [](const TensorList& a) {
    GradientTape tape;
    tape.watch(a[0]);
    const Tensor loss = ops::mean(ops::mul(ops::sigmoid(ops::relu(a[0])), a[1]));
    return TensorList{tape.gradient(loss, TensorList{a[0]})[0]};
  };
  const TensorList args{pattern({4, 6}, 0.1, -1.1), pattern({4, 1}, 0.5, 0.25)};  // a column: not a row
  Graph g = trace(args, body);
  optimize(g);
  EXPECT_GE(g.count(NodeKind::kFused), 1u) << g.to_text();
  Executor run(std::move(g));
  expect_close(run.run(args)[0], body(args)[0]);
}

TEST(TracingPassesTest, DoesNotHoldResultsBackToFuseARunningSum) {
  // acc = m1 + m2 + m3 with each m a matmul made after the previous add: fusing the adds would
  // keep every matmul's result alive until the end; each add fuses with its own matmul instead.
  auto body = [](const TensorList& a) {
    Tensor acc = ops::matmul(a[0], a[1]);
    for (int k = 0; k < 3; ++k) acc = ops::add(acc, ops::matmul(ops::mul(a[0], 1.0 + k), a[1]));
    return TensorList{acc};
  };
  const TensorList args{pattern({4, 3}, 0.1, -0.5), pattern({3, 5}, 0.2, -1.0)};
  Graph g = trace(args, body);
  fuse_elementwise(g);
  std::size_t epilogues = 0;
  for (const Node& n : g.nodes) epilogues += n.op == "fused(matmul+add)" ? 1 : 0;
  EXPECT_EQ(epilogues, 3u) << g.to_text();
  Executor run(std::move(g));
  expect_close(run.run(args)[0], body(args)[0]);
}

TEST(TracingPassesTest, NeverFusesAcrossAnEffect) {
  Variable v(Tensor::full({3}, 2.0), "v");
  Graph g = trace({Tensor::ones({3})}, [&](const TensorList& a) {
    const Tensor before = ops::mul(v.value(), a[0]);  // reads v before the write
    v.assign(ops::exp(a[0]));
    return TensorList{ops::add(before, 1.0)};
  });
  fuse_elementwise(g);
  EXPECT_EQ(g.count(NodeKind::kFused), 0u) << g.to_text();
  Executor run(std::move(g));
  v.assign(Tensor::full({3}, 3.0));
  EXPECT_EQ(run.run({Tensor::full({3}, 2.0)})[0].to_vector<float>(), std::vector<float>(3, 7.0f));  // 3 * 2 + 1
}

TEST(TracingPassesTest, TheDefaultPipelineRecordsEachPass) {
  Graph g = trace({Tensor::ones({2})}, [](const TensorList& a) { return TensorList{ops::add(a[0], 1.0)}; });
  optimize(g);
  ASSERT_EQ(g.passes.size(), 4u);
  EXPECT_EQ(g.passes[0].pass, "fold_constants");
  EXPECT_EQ(g.passes[1].pass, "eliminate_common_subexpressions");
  EXPECT_EQ(g.passes[2].pass, "eliminate_dead_code");
  EXPECT_EQ(g.passes[3].pass, "fuse_elementwise");
}

}  // namespace
}  // namespace fathom::tracing
