// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace fathom {

struct FunctionOptions {
  std::string name = "function";
  /// Traces kept (least recently used dropped beyond it); a warning once traces exceed it.
  std::size_t max_traces = 8;
  /// Run the graph passes (constant folding, CSE, dead-code elimination) on each trace ...
  bool optimize = true;
  /// ... and elementwise fusion.
  bool fuse_elementwise = true;
  /// Replays return tensors in the graph's own memory, valid until the next call (which
  /// overwrites them): a replay then allocates no tensor memory at all. For callers that use the
  /// results at once (a training loop's loss); off by default, when each call's results are new.
  bool reuse_output_memory = false;
};

/// What the most recent replay did with memory (see core/tracing/memory_plan.h).
struct ReplayMemory {
  std::size_t arena_bytes = 0;         // the memory plan's arena: every intermediate tensor lives there
  std::size_t planned_tensors = 0;     // intermediate tensors the plan gives a slice (in place included)
  std::size_t in_place = 0;            // ... that overwrite an input that dies there
  std::size_t buffer_allocations = 0;  // tensor memory the replay allocated (kernels and effects)
  std::size_t output_allocations = 0;  // ... of which for the returned tensors (these must be fresh)
};

/// Counts for introspection and tests.
struct FunctionStats {
  std::size_t calls = 0;     // calls that ran the graph or traced it
  std::size_t traces = 0;    // traces made (retraces included)
  std::size_t replays = 0;   // calls that replayed a cached trace
  std::size_t inlined = 0;   // calls run eagerly inside an outer trace or a GradientTape
};

/// tf.function for C++. The first call with a given signature (argument shapes, dtypes,
/// devices, plus a caller-given `static_key` for non-tensor arguments such as a training flag)
/// runs `body` eagerly while recording every op into a graph; later calls with that signature
/// replay the graph (optimized by core/tracing/passes.h) instead of running `body`.
///
///   fathom::Function step = fathom::function([&](const TensorList& a) {
///     GradientTape tape;
///     Tensor loss = ops::mean(ops::square(ops::sub(model(a[0]), a[1])));
///     optimizer.apply(tape.gradient(loss, vars), vars);
///     return TensorList{loss};
///   });
///   for (...) Tensor loss = step({x, y})[0];
///
/// What replays: every op (gradients included: a GradientTape inside the body records its
/// backward ops into the same graph), variable assignments and optimizer updates in program
/// order, and random ops, which draw afresh on every call exactly as they do eagerly. What does
/// not: host code. Reading a traced tensor on the host inside the body (item, to_vector) throws
/// TracingError, since the value would be frozen; Python-like control flow on shapes is fine
/// (shapes are part of the signature). Objects the body captures (layers, generators,
/// optimizers) must outlive the Function.
///
/// Called while another function traces, or while a GradientTape records, a Function runs its
/// body eagerly so that the outer trace or tape sees its ops. Not thread-safe: one Function per
/// thread.
class Function {
 public:
  using Body = std::function<TensorList(const TensorList& args)>;

  explicit Function(Body body, FunctionOptions options = {});
  ~Function();
  Function(Function&&) noexcept;
  Function& operator=(Function&&) noexcept;

  TensorList operator()(const TensorList& args, std::uint64_t static_key = 0);

  const FunctionStats& stats() const;
  /// The memory of the most recent replay (zeros before the first replay).
  ReplayMemory last_replay() const;
  std::size_t cached_traces() const;
  /// The graph of the most recent call, as text (with each pass's node counts) and as Graphviz
  /// dot; empty before the first call.
  std::string graph_text() const;
  std::string graph_dot() const;
  /// The same, before the passes ran.
  std::string unoptimized_graph_text() const;
  /// Drops every trace (a change the signature cannot see, such as a recompiled model).
  void clear();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// fathom::function(body): a Function with default options.
Function function(Function::Body body, FunctionOptions options = {});

}  // namespace fathom
