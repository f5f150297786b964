// SPDX-License-Identifier: Apache-2.0
// Replays a traced graph: arguments in, each node's kernel (or effect) in program order, outputs
// out. Every intermediate tensor lives in a slice of one arena laid out by the memory plan
// (memory_plan.h), so that a replay allocates no tensor memory but its returned tensors.
#pragma once
#include <cstddef>
#include <vector>

#include "core/detail/tensor_impl.h"
#include "core/tracing/graph.h"
#include "core/tracing/memory_plan.h"

namespace fathom::tracing {

/// What the last replay did.
struct ReplayStats {
  std::size_t planned = 0;            // node outputs written into their arena slice
  std::size_t buffer_allocations = 0;  // tensor memory allocated by the nodes' kernels and effects
  std::size_t output_allocations = 0;  // ... of which for returned tensors (none with outputs_in_arena)
};

class Executor {
 public:
  /// `outputs_in_arena`: see plan_memory.
  explicit Executor(Graph graph, bool outputs_in_arena = false);

  /// Runs the graph on `args` (their shapes and dtypes are the traced ones: the caller's cache
  /// guarantees it).
  TensorList run(const TensorList& args);

  const Graph& graph() const { return graph_; }
  const MemoryPlan& memory_plan() const { return plan_; }
  const ReplayStats& last_replay() const { return stats_; }

 private:
  Graph graph_;
  MemoryPlan plan_;
  Tensor arena_;
  std::vector<std::vector<detail::Slice>> slices_;  // per node: its allocations' arena slices
  std::vector<Tensor> slots_;                // one per value; constants and variables stay set
  std::vector<TensorList> node_inputs_;      // per node, reused between calls
  std::vector<std::vector<int>> release_;    // per node: values whose last use it is
  std::vector<bool> returned_;               // per value: a graph output
  ReplayStats stats_;
};

}  // namespace fathom::tracing
