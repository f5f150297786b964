// SPDX-License-Identifier: Apache-2.0
// fathom::function: tracing, replay, retracing, gradients and effects inside a trace, random
// ops that draw afresh on each call, host reads refused, nesting.
#include "core/function.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/allocator.h"
#include "core/autograd/gradient_tape.h"
#include "core/ops.h"
#include "core/random.h"
#include "core/variable.h"

namespace fathom {
namespace {

Tensor iota(const Shape& shape, double scale = 0.1) {
  Tensor t = Tensor::arange(shape_numel(shape));
  return ops::mul(ops::reshape(t, shape), scale);
}

void expect_equal(const Tensor& a, const Tensor& b) {
  ASSERT_EQ(a.shape(), b.shape());
  const auto va = a.to_vector<double>(), vb = b.to_vector<double>();
  for (std::size_t i = 0; i < va.size(); ++i) EXPECT_EQ(va[i], vb[i]) << "element " << i;
}

TEST(FunctionTest, ReplaysTheTracedOpsOnNewValues) {
  int body_runs = 0;
  Function f([&](const TensorList& a) {
    ++body_runs;
    return TensorList{ops::tanh(ops::add(ops::matmul(a[0], a[1]), 1.0))};
  });
  const Tensor x1 = iota({2, 3}), w = iota({3, 4}, 0.05);
  const Tensor y1 = f({x1, w})[0];
  const Tensor x2 = ops::neg(iota({2, 3}, 0.3));
  const Tensor y2 = f({x2, w})[0];
  EXPECT_EQ(body_runs, 1);  // the second call replayed the graph
  EXPECT_EQ(f.stats().traces, 1u);
  EXPECT_EQ(f.stats().replays, 1u);
  expect_equal(y1, ops::tanh(ops::add(ops::matmul(x1, w), 1.0)));
  expect_equal(y2, ops::tanh(ops::add(ops::matmul(x2, w), 1.0)));
}

TEST(FunctionTest, RetracesForANewSignatureAndKeepsBoth) {
  int body_runs = 0;
  Function f([&](const TensorList& a) {
    ++body_runs;
    return TensorList{ops::sum(ops::square(a[0]), {1})};
  });
  f({iota({2, 3})});
  f({iota({4, 3})});         // new shape: traced
  f({iota({2, 3}, 0.2)});    // first signature again: replayed
  f({ops::cast(iota({2, 3}), DType::kFloat64)});  // new dtype: traced
  f({iota({2, 3})}, 7);      // new static key: traced
  EXPECT_EQ(body_runs, 4);
  EXPECT_EQ(f.cached_traces(), 4u);
  expect_equal(f({iota({4, 3}, 0.5)})[0], ops::sum(ops::square(iota({4, 3}, 0.5)), {1}));
}

TEST(FunctionTest, BoundsItsCacheOfTraces) {
  Function f([](const TensorList& a) { return TensorList{ops::neg(a[0])}; }, {"bounded", 2, true});
  for (int n = 1; n <= 5; ++n) f({iota({n})});
  EXPECT_EQ(f.cached_traces(), 2u);
  EXPECT_EQ(f.stats().traces, 5u);
  f({iota({1})});  // evicted: traced again
  EXPECT_EQ(f.stats().traces, 6u);
  f({iota({5})});  // still cached
  EXPECT_EQ(f.stats().traces, 6u);
}

TEST(FunctionTest, AWholeTrainingStepWithGradientsReplaysAsEagerly) {
  // Two identical variables: one trained eagerly, one by the traced step.
  const Tensor w0 = iota({3, 2}, 0.1);
  Variable w_eager(w0, "w_eager"), w_traced(w0, "w_traced");
  auto step = [](Variable& w, const Tensor& x, const Tensor& y) {
    GradientTape tape;
    const Tensor loss = ops::mean(ops::square(ops::sub(ops::tanh(ops::matmul(x, w.value())), y)));
    const Tensor g = tape.gradient(loss, std::vector<Variable>{w})[0];
    w.assign_sub(ops::mul(g, 0.5));
    return loss;
  };
  Function traced([&](const TensorList& a) { return TensorList{step(w_traced, a[0], a[1])}; });
  for (int i = 0; i < 5; ++i) {
    const Tensor x = iota({4, 3}, 0.1 * (i + 1)), y = iota({4, 2}, -0.05);
    const Tensor le = step(w_eager, x, y);
    const Tensor lt = traced({x, y})[0];
    expect_equal(lt, le);
    expect_equal(w_traced.value(), w_eager.value());
  }
  EXPECT_EQ(traced.stats().traces, 1u);
  EXPECT_EQ(traced.stats().replays, 4u);
}

TEST(FunctionTest, RandomOpsDrawAfreshOnEveryReplayAsEagerly) {
  random::Generator eager_stream(42), traced_stream(42);
  Function f([&](const TensorList& a) {
    return TensorList{ops::add(a[0], random::uniform(a[0].shape(), 0, 1, DType::kFloat32, traced_stream))};
  });
  const Tensor x = Tensor::zeros({8});
  Tensor previous;
  for (int i = 0; i < 4; ++i) {
    const Tensor traced = f({x})[0];
    const Tensor eager = ops::add(x, random::uniform({8}, 0, 1, DType::kFloat32, eager_stream));
    expect_equal(traced, eager);
    if (previous.defined()) EXPECT_NE(traced.to_vector<float>(), previous.to_vector<float>());
    previous = traced;
  }
  EXPECT_EQ(traced_stream.state(), eager_stream.state());
}

TEST(FunctionTest, VariableAssignmentsReplayInProgramOrder) {
  Variable v(Tensor::scalar(1.0), "counter", false);
  // read, write, read again: the second read must see the write on every call.
  Function f([&](const TensorList& a) {
    const Tensor before = ops::mul(v.value(), 1.0);
    v.assign(ops::add(v.value(), a[0]));
    const Tensor after = ops::mul(v.value(), 1.0);
    return TensorList{before, after};
  });
  for (int i = 1; i <= 3; ++i) {
    const double start = v.value().item<float>();
    const TensorList out = f({Tensor::scalar(2.0)});
    EXPECT_EQ(out[0].item<float>(), start) << "call " << i;
    EXPECT_EQ(out[1].item<float>(), start + 2) << "call " << i;
  }
  EXPECT_EQ(v.value().item<float>(), 7.0f);
}

TEST(FunctionTest, HostReadsOfTracedValuesAreErrors) {
  Function f([](const TensorList& a) {
    const double m = ops::max(a[0]).item<double>();  // would freeze m at its first value
    return TensorList{ops::div(a[0], m)};
  }, {"normalize"});
  try {
    f({iota({3})});
    FAIL() << "no TracingError";
  } catch (const TracingError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("function 'normalize'"), std::string::npos) << what;
    EXPECT_NE(what.find("float32[]"), std::string::npos) << what;
    EXPECT_NE(what.find("run_eagerly"), std::string::npos) << what;
  }
  EXPECT_EQ(f.cached_traces(), 0u);  // nothing half-traced is kept
  // Reading a constant made outside the graph's ops is fine (it cannot change).
  const Tensor scale = Tensor::scalar(4.0);
  Function g([&](const TensorList& a) { return TensorList{ops::mul(a[0], scale.item<double>())}; });
  EXPECT_EQ(g({Tensor::scalar(2.0)})[0].item<float>(), 8.0f);
}

TEST(FunctionTest, InsideATapeOrAnotherTraceItRunsEagerly) {
  Function inner([](const TensorList& a) { return TensorList{ops::square(a[0])}; });
  const Tensor x = Tensor::scalar(3.0);
  {
    GradientTape tape;
    tape.watch(x);
    const Tensor y = inner({x})[0];
    EXPECT_NEAR(tape.gradient(y, TensorList{x})[0].item<float>(), 6.0, 1e-6);  // the tape saw the ops
  }
  EXPECT_EQ(inner.stats().inlined, 1u);
  Function outer([&](const TensorList& a) { return TensorList{ops::add(inner(a)[0], 1.0)}; });
  outer({x});
  EXPECT_EQ(outer({Tensor::scalar(2.0)})[0].item<float>(), 5.0f);  // replays inner's square too
  EXPECT_EQ(inner.stats().traces, 0u);
}

TEST(FunctionTest, OneTensorPassedTwiceIsTwoArguments) {
  Function f([](const TensorList& a) { return TensorList{ops::sub(a[0], a[1])}; });
  const Tensor x = iota({3});
  EXPECT_EQ(f({x, x})[0].to_vector<float>(), std::vector<float>(3, 0.0f));
  expect_equal(f({x, ops::mul(x, 2.0)})[0], ops::neg(x));
}

TEST(FunctionTest, UndefinedArgumentsAndOutputsPassThrough) {
  Function f([](const TensorList& a) { return TensorList{a[1].defined() ? ops::add(a[0], a[1]) : a[0], Tensor()}; });
  const TensorList out = f({iota({2}), Tensor()});
  EXPECT_FALSE(out[1].defined());
  expect_equal(f({iota({2}, 0.5), Tensor()})[0], iota({2}, 0.5));
  expect_equal(f({iota({2}), iota({2})})[0], iota({2}, 0.2));  // a defined second argument is a new signature
  EXPECT_EQ(f.stats().traces, 2u);
}

TEST(FunctionTest, ABodyThatThrowsLeavesNoTraceAndNoTracer) {
  Function f([](const TensorList& a) -> TensorList {
    ops::add(a[0], 1.0);
    throw ValueError("boom");
  });
  EXPECT_THROW(f({iota({2})}), ValueError);
  EXPECT_EQ(f.cached_traces(), 0u);
  // No tracer is left installed: host reads work again.
  EXPECT_NEAR(ops::sum(iota({3})).item<double>(), 0.3, 1e-6);
}

TEST(FunctionTest, DumpsItsGraphAsTextAndDot) {
  Variable w(iota({3, 2}), "dense/kernel");
  Function f([&](const TensorList& a) { return TensorList{ops::relu(ops::matmul(a[0], w.value()))}; }, {"forward"});
  EXPECT_EQ(f.graph_text(), "");
  f({iota({4, 3})});
  const std::string text = f.graph_text();
  EXPECT_NE(text.find("graph 'forward': 1 argument(s)"), std::string::npos) << text;
  EXPECT_NE(text.find("argument 0 : float32[4, 3]"), std::string::npos) << text;
  EXPECT_NE(text.find("variable 'dense/kernel' : float32[3, 2]"), std::string::npos) << text;
  // matmul and relu, fused: relu runs over the matmul's output right after it (an epilogue).
  EXPECT_NE(text.find("= fused(matmul+relu)(%0, %1) : float32[4, 2]"), std::string::npos) << text;
  EXPECT_NE(text.find("pass fuse_elementwise: 2 -> 1 nodes"), std::string::npos) << text;
  EXPECT_NE(text.find("pass eliminate_dead_code:"), std::string::npos) << text;
  const std::string dot = f.graph_dot();
  EXPECT_EQ(dot.rfind("digraph \"forward\" {", 0), 0u) << dot;
  EXPECT_NE(dot.find("label=\"fused(matmul+relu)\""), std::string::npos) << dot;
  EXPECT_NE(f.unoptimized_graph_text().find("= matmul(%0, %1) : float32[4, 2]"), std::string::npos)
      << f.unoptimized_graph_text();
  EXPECT_NE(dot.find("-> out0"), std::string::npos) << dot;
}

TEST(FunctionTest, RejectsBadOptions) {
  EXPECT_THROW(Function(Function::Body{}), ValueError);
  EXPECT_THROW(Function([](const TensorList& a) { return a; }, {"f", 0, true}), ValueError);
}

}  // namespace
}  // namespace fathom

namespace fathom {
namespace {

TEST(FunctionMemoryTest, AReplayedTrainingStepAllocatesOnlyItsReturnedLoss) {
  Variable w1(ops::mul(Tensor::ones({16, 32}), 0.05), "w1"), w2(ops::mul(Tensor::ones({32, 4}), -0.03), "w2");
  Function step([&](const TensorList& a) {
    GradientTape tape;
    const Tensor h = ops::relu(ops::matmul(a[0], w1.value()));
    const Tensor loss = ops::mean(ops::square(ops::sub(ops::tanh(ops::matmul(h, w2.value())), a[1])));
    const TensorList g = tape.gradient(loss, std::vector<Variable>{w1, w2});
    w1.assign_sub(ops::mul(g[0], 0.1));
    w2.assign_sub(ops::mul(g[1], 0.1));
    return TensorList{loss};
  });
  const Tensor x = ops::mul(Tensor::ones({8, 16}), 0.5), y = ops::mul(Tensor::ones({8, 4}), 0.25);
  for (int i = 0; i < 3; ++i) step({x, y});  // trace, then two warm-up replays
  const AllocatorStats before = cpu_allocator_stats();
  const Tensor loss = step({x, y})[0];
  const AllocatorStats after = cpu_allocator_stats();
  const ReplayMemory m = step.last_replay();
  EXPECT_GT(m.planned_tensors, 10u);
  EXPECT_GT(m.arena_bytes, 0u);
  EXPECT_GT(m.in_place, 0u);                // e.g. the relu gradient overwrites its incoming gradient
  EXPECT_EQ(m.buffer_allocations, 1u);      // the returned loss, nothing else
  EXPECT_EQ(m.output_allocations, 1u);
  EXPECT_EQ(after.allocations - before.allocations, 1u);  // the caching allocator agrees
  EXPECT_EQ(after.system_allocations, before.system_allocations);
  EXPECT_TRUE(loss.defined());
  EXPECT_NE(step.graph_text().find("memory plan:"), std::string::npos) << step.graph_text();
}

TEST(FunctionMemoryTest, WithReusedOutputMemoryAReplayAllocatesNothing) {
  Variable w(ops::mul(Tensor::ones({16, 8}), 0.05), "w");
  FunctionOptions options;
  options.reuse_output_memory = true;
  Function step([&](const TensorList& a) {
    GradientTape tape;
    const Tensor y = ops::tanh(ops::matmul(a[0], w.value()));
    const Tensor loss = ops::mean(ops::square(y));
    const Tensor g = tape.gradient(loss, std::vector<Variable>{w})[0];
    w.assign_sub(ops::mul(g, 0.1));
    return TensorList{loss, y};
  }, options);
  const Tensor x = ops::mul(Tensor::ones({4, 16}), 0.5);
  for (int i = 0; i < 3; ++i) step({x});
  const AllocatorStats before = cpu_allocator_stats();
  const TensorList out = step({x});
  const AllocatorStats after = cpu_allocator_stats();
  EXPECT_EQ(after.allocations, before.allocations);
  EXPECT_EQ(step.last_replay().buffer_allocations, 0u);
  // The results are right until the next call...
  const float loss = out[0].item<float>();
  const float expected = ops::mean(ops::square(ops::tanh(ops::matmul(x, w.value())))).item<float>();
  EXPECT_GT(loss, expected);  // w moved since: the loss of this call was taken before the update
  const float y0 = out[1].to_vector<float>()[0];
  // ... which writes its own results into the same memory.
  step({ops::mul(x, 0.0)});
  EXPECT_NE(out[1].to_vector<float>()[0], y0);
  EXPECT_EQ(out[1].to_vector<float>()[0], 0.0f);
}

TEST(FunctionMemoryTest, ReturnedTensorsAreNotOverwrittenByTheNextReplay) {
  Function f([](const TensorList& a) {
    const Tensor t = ops::exp(a[0]);                       // an intermediate (planned)
    return TensorList{ops::reshape(ops::add(t, 1.0), {2, 2}), ops::neg(t)};  // outputs (fresh)
  });
  f({Tensor::zeros({4})});
  const TensorList first = f({Tensor::zeros({4})});
  const TensorList second = f({Tensor::ones({4})});
  EXPECT_EQ(first[0].to_vector<float>(), std::vector<float>(4, 2.0f));
  EXPECT_EQ(first[1].to_vector<float>(), std::vector<float>(4, -1.0f));
  EXPECT_NEAR(second[0].to_vector<float>()[0], 1.0 + std::exp(1.0), 1e-5);
}

}  // namespace
}  // namespace fathom
