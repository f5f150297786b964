// SPDX-License-Identifier: Apache-2.0
// The static graph a traced function records (core/function.h): values, the nodes that produce
// or use them in program order, and text / Graphviz dumps. Passes (passes.h) rewrite it and the
// executor (executor.h) replays it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/autograd/recorder.h"
#include "core/tensor.h"

namespace fathom::tracing {

enum class ValueKind {
  kArgument,  // the function's i-th tensor argument
  kConstant,  // a tensor made outside the graph's ops (zeros, scalars, cached tensors); kept
  kVariable,  // a Variable's memory (or a view of it): read each call, written by effects
  kNode,      // the output of a node
};

struct Value {
  ValueKind kind = ValueKind::kConstant;
  Shape shape;
  DType dtype = DType::kFloat32;
  Tensor tensor;      // kConstant, kVariable: the captured tensor
  int argument = -1;  // kArgument: its position
  int producer = -1;  // kNode: the node's index
};

enum class NodeKind {
  kOp,      // a pure op: its output depends only on its inputs
  kRandom,  // a random op: draws from its generator each time it runs (never folded or merged)
  kEffect,  // an in-place step (a variable assignment, an optimizer update): kept, in order
  kFused,   // a chain of elementwise ops run as one kernel (passes.h fuse_elementwise)
};

/// -1 in `inputs` stands for an undefined tensor (an unconnected gradient).
struct Node {
  NodeKind kind = NodeKind::kOp;
  std::string op;
  std::vector<int> inputs;
  int output = -1;                 // not for kEffect
  int aliases = -1;                // the input whose memory the output views (reshape, ...), or -1
  std::vector<std::size_t> allocations;  // bytes of each allocation its kernel made when traced
  int output_allocation = -1;      // which of them holds the output (-1: none)
  std::vector<int> writes;         // kEffect: the variable values it writes
  autograd::ForwardFn forward;     // kOp, kRandom, kFused
  autograd::EffectFn effect;       // kEffect
};

/// What a pass did: node counts before and after it.
struct PassRecord {
  std::string pass;
  std::size_t nodes_before = 0;
  std::size_t nodes_after = 0;
};

struct Graph {
  std::string name = "function";
  std::vector<Value> values;
  std::vector<Node> nodes;
  std::vector<int> outputs;  // value per returned tensor (-1: undefined)
  std::size_t num_arguments = 0;
  std::vector<PassRecord> passes;
  std::string memory_summary;  // the executor's memory plan, for to_text()

  int add_value(Value v);
  std::size_t count(NodeKind kind) const;
  /// One line per value and node, then the outputs and the node counts of each pass.
  std::string to_text() const;
  /// Graphviz: arguments, variables and constants as boxes, ops as ellipses, effects as
  /// octagons, with shapes on the edges.
  std::string to_dot() const;
};

/// "float32[32, 784]".
std::string describe(const Value& v);

}  // namespace fathom::tracing
