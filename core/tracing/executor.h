// SPDX-License-Identifier: Apache-2.0
// Replays a traced graph: arguments in, each node's kernel (or effect) in program order, outputs
// out. Intermediate tensors are released after their last use, so a replay holds at most the
// live set (the graph's liveness, computed once).
#pragma once
#include <vector>

#include "core/tracing/graph.h"

namespace fathom::tracing {

class Executor {
 public:
  explicit Executor(Graph graph);

  /// Runs the graph on `args` (their shapes and dtypes are the traced ones: the caller's cache
  /// guarantees it).
  TensorList run(const TensorList& args);

  const Graph& graph() const { return graph_; }

 private:
  Graph graph_;
  std::vector<Tensor> slots_;                // one per value; constants and variables stay set
  std::vector<TensorList> node_inputs_;      // per node, reused between calls
  std::vector<std::vector<int>> release_;    // per node: values whose last use it is
};

}  // namespace fathom::tracing
