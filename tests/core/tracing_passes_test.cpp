// SPDX-License-Identifier: Apache-2.0
// The graph passes on traced graphs: each removes what it should and nothing else, and the
// optimized graph computes what the traced body computed.
#include <gtest/gtest.h>

#include <cmath>

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

TEST(TracingPassesTest, TheDefaultPipelineRecordsEachPass) {
  Graph g = trace({Tensor::ones({2})}, [](const TensorList& a) { return TensorList{ops::add(a[0], 1.0)}; });
  optimize(g);
  ASSERT_EQ(g.passes.size(), 3u);
  EXPECT_EQ(g.passes[0].pass, "fold_constants");
  EXPECT_EQ(g.passes[1].pass, "eliminate_common_subexpressions");
  EXPECT_EQ(g.passes[2].pass, "eliminate_dead_code");
}

}  // namespace
}  // namespace fathom::tracing
