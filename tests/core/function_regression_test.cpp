// SPDX-License-Identifier: Apache-2.0
// Regressions found by review: each traced replay here once differed from the eager result.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "core/autograd/recorder.h"
#include "core/function.h"
#include "core/ops.h"
#include "core/variable.h"

namespace fathom {
namespace {

Tensor iota(const Shape& shape, double scale = 0.1, double shift = 0.0) {
  return ops::add(ops::mul(ops::reshape(Tensor::arange(shape_numel(shape)), shape), scale), shift);
}

void expect_close(const Tensor& a, const Tensor& b, const char* what) {
  ASSERT_EQ(a.shape(), b.shape()) << what;
  const auto va = a.to_vector<double>(), vb = b.to_vector<double>();
  double worst = 0;
  for (std::size_t i = 0; i < va.size(); ++i) worst = std::max(worst, std::abs(va[i] - vb[i]));
  EXPECT_LT(worst, 1e-5) << what << ": traced " << a << " vs eager " << b;
}

// (1) The unary kernel copies a strided input before allocating its output. Traced with a
// transposed argument, the node logs [copy, out]; the plan gives the copy a temporary slice
// (live during the node only). When strides were not in the signature, a contiguous argument
// replayed that trace, the kernel's only allocation (the returned output) took the temporary's
// slice, and the next planned tensor overwrote it.
TEST(FunctionRegressionTest, AnArgumentsStridesArePartOfTheSignature) {
  Function f([](const TensorList& a) {
    const Tensor r = ops::relu(a[0]);
    const Tensor e = ops::exp(a[1]);  // planned: reuses the offset of relu's temporary
    return TensorList{r, ops::matmul(e, e)};
  });
  f({ops::transpose(iota({4, 4})), iota({4, 4}, 0.01)});  // trace: non-contiguous argument
  const Tensor x = iota({4, 4}, -0.3, 2.0), y = iota({4, 4}, 0.02);
  const TensorList out = f({x, y});  // contiguous argument: a new trace, not a replay
  EXPECT_EQ(f.stats().traces, 2u);
  expect_close(out[0], ops::relu(x), "relu(x)");
  const TensorList again = f({ops::transpose(x), y});  // the strided trace replays correctly
  EXPECT_EQ(f.stats().replays, 1u);
  expect_close(again[0], ops::relu(ops::transpose(x)), "relu(x^T)");
}

// (2) CSE keys a variable read by effect count only when the op reads the variable directly.
// A view of the variable (transpose, reshape) reused across an assignment is a plain node, so
// the matmul after the assignment is merged with the one before it.
TEST(FunctionRegressionTest, ReadsOfAVariableViewAreNotMergedAcrossAnAssignment) {
  Variable w(iota({2, 2}), "w");
  Function f([&](const TensorList& a) {
    const Tensor wt = ops::transpose(w.value());
    const Tensor before = ops::matmul(a[0], wt);
    w.assign(ops::add(w.value(), 1.0));
    const Tensor after = ops::matmul(a[0], wt);  // eagerly: sees the new w through the view
    return TensorList{before, after};
  });
  const Tensor x = iota({3, 2});
  f({x});  // trace (eager)
  const Tensor w_before = w.value().clone();
  const TensorList out = f({x});  // replay
  ASSERT_EQ(f.stats().replays, 1u);
  expect_close(out[0], ops::matmul(x, ops::transpose(w_before)), "before");
  expect_close(out[1], ops::matmul(x, ops::transpose(w.value())), "after");
}

// (3) A Function first called while tracing is paused (a layer's build, an effect) records
// nothing (its ops run with tracing paused) and freezes its outputs as constants; and its
// Tracer saves active_tracer() (null while paused) instead of the installed tracer, so it
// uninstalls an enclosing tracer too.
TEST(FunctionRegressionTest, AFunctionCalledWhileTracingIsPausedRunsEagerly) {
  Function inner([](const TensorList& a) { return TensorList{ops::exp(a[0])}; });
  {
    autograd::PauseTracing paused;
    inner({iota({2, 2})});
  }
  const Tensor x = iota({2, 2}, 0.5);
  expect_close(inner({x})[0], ops::exp(x), "inner replay");
}

TEST(FunctionRegressionTest, AFunctionCalledWhileTracingIsPausedKeepsTheOuterTracer) {
  Function inner([](const TensorList& a) { return TensorList{ops::exp(a[0])}; });
  Function outer([&](const TensorList& a) {
    {
      autograd::PauseTracing building_state;  // as Layer::build_from_shapes
      inner({a[0]});
    }
    return TensorList{ops::mul(a[0], 3.0)};  // no longer recorded
  });
  outer({iota({2, 2})});
  const Tensor x = iota({2, 2}, 0.5);
  expect_close(outer({x})[0], ops::mul(x, 3.0), "outer replay");
}

// (4) reuse_output_memory: a result fed back as the next call's argument (h = step(h)) lives in
// the arena the replay writes: output 0 is written in place before output 1 reads the argument.
TEST(FunctionRegressionTest, AReusedOutputFedBackAsArgumentIsCopiedFirst) {
  Function f([](const TensorList& a) { return TensorList{ops::exp(a[0]), ops::mul(a[0], 2.0)}; },
             {.reuse_output_memory = true});
  Tensor h = iota({4}, 0.1);
  f({h});                      // trace
  h = f({h})[0];               // replay 1: h in the arena
  const Tensor h_copy = h.clone();
  const TensorList out = f({h});  // replay 2 with an argument in its own arena
  expect_close(out[1], ops::mul(h_copy, 2.0), "2 * h");
}

TEST(FunctionRegressionTest, AnUnusedCheckStillRunsOnEveryCall) {
  int checks = 0;
  Function f([&](const TensorList& a) {
    ops::check_values(a[0], [&](const Tensor& x) {
      ++checks;
      FATHOM_CHECK(x.to_vector<float>()[0] >= 0, ValueError, "negative");
    });
    return TensorList{ops::neg(a[0])};
  });
  f({Tensor::ones({2})});
  f({Tensor::ones({2})});
  EXPECT_EQ(checks, 2);
  EXPECT_THROW(f({ops::neg(Tensor::ones({2}))}), ValueError);
}

TEST(FunctionRegressionTest, AConstantResultIsANewTensorPerCall) {
  Function f([](const TensorList& a) { return TensorList{Tensor::zeros({2}), ops::neg(a[0])}; });
  f({Tensor::ones({2})});
  Tensor first = f({Tensor::ones({2})})[0];
  first.data<float>()[0] = 5.0f;  // the caller owns its result
  EXPECT_EQ(f({Tensor::ones({2})})[0].to_vector<float>(), std::vector<float>(2, 0.0f));
}

}  // namespace
}  // namespace fathom
