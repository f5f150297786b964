// SPDX-License-Identifier: Apache-2.0
// fuse_elementwise (passes.h): groups of elementwise nodes become one kFused node.
#include <algorithm>
#include <map>
#include <memory>
#include <optional>

#include "core/kernels/backend.h"
#include "core/tracing/op_traits.h"
#include "core/tracing/passes.h"

namespace fathom::tracing {
namespace {

using kernels::FusedStep;

/// The step a node computes, when it is fusable at all.
std::optional<FusedStep> step_of(const Node& n) {
  if (n.kind != NodeKind::kOp) return std::nullopt;
  FusedStep s;
  if (auto u = parameter_free_unary(n.op)) {
    if (n.inputs.size() != 1 && n.inputs.size() != 3) return std::nullopt;
    s.type = n.inputs.size() == 1 ? FusedStep::Type::kUnary : FusedStep::Type::kUnaryGrad;
    s.unary = *u;
    return s;
  }
  if (auto b = elementwise_binary(n.op)) {
    if (n.inputs.size() != 2) return std::nullopt;
    s.type = FusedStep::Type::kBinary;
    s.binary = *b;
    return s;
  }
  return std::nullopt;
}

/// An operand shape the fused kernel broadcasts: the output's, one element, or a row (the last
/// dim, leading dims 1).
bool broadcastable(const Shape& in, const Shape& out) {
  if (in == out || shape_numel(in) == 1) return true;
  if (out.empty() || in.empty() || in.back() != out.back()) return false;
  return std::all_of(in.begin(), in.end() - 1, [](std::int64_t d) { return d == 1; }) && in.size() <= out.size();
}

bool is_float(DType d) { return d == DType::kFloat32 || d == DType::kFloat64; }

constexpr int kMatmulResult = 1 << 20;  // an operand placeholder while a group is built

}  // namespace

void fuse_elementwise(Graph& g) {
  const std::size_t n_nodes = g.nodes.size();
  // Uses of each value (node inputs, effect writes, outputs).
  std::vector<int> uses(g.values.size(), 0);
  for (const Node& n : g.nodes) {
    for (int in : n.inputs) {
      if (in >= 0) ++uses[in];
    }
  }
  for (int o : g.outputs) {
    if (o >= 0) uses[o] += 2;  // returned: never an intermediate
  }
  std::vector<int> epoch(n_nodes, 0);  // effects seen before each node
  for (std::size_t i = 0, e = 0; i < n_nodes; ++i) {
    epoch[i] = static_cast<int>(e);
    if (g.nodes[i].kind == NodeKind::kEffect) ++e;
  }
  // group[i]: the node whose fused kernel computes node i (the group's last node), or -1.
  std::vector<int> group(n_nodes, -1);
  std::vector<std::vector<int>> members(n_nodes);
  auto fusable = [&](const Node& n) {
    if (!step_of(n) || !is_float(g.values[n.output].dtype)) return false;
    const Shape& shape = g.values[n.output].shape;
    return std::all_of(n.inputs.begin(), n.inputs.end(), [&](int in) {
      return in >= 0 && g.values[in].dtype == g.values[n.output].dtype && broadcastable(g.values[in].shape, shape);
    });
  };
  for (std::size_t i = 0; i < n_nodes; ++i) {
    const Node& n = g.nodes[i];
    if (!fusable(n)) continue;
    const Shape& shape = g.values[n.output].shape;
    std::vector<int> absorbed{static_cast<int>(i)};
    bool has_matmul = false;  // at most one matmul heads a group
    std::size_t steps = 1;    // at most kernels::kMaxFusedSteps per kernel
    for (int in : n.inputs) {
      const Value& v = g.values[in];
      if (v.kind != ValueKind::kNode || uses[in] != 1 || v.shape != shape) continue;
      const int p = v.producer;
      const Node& producer = g.nodes[p];
      if (epoch[p] != epoch[i]) continue;
      // Fusing runs p's group where node i runs. Not when i also waits for a value made after p:
      // that would keep p's inputs alive longer (a running sum over matmuls would hold every
      // matmul's result until the end instead of adding each as it comes).
      const bool waits = std::any_of(n.inputs.begin(), n.inputs.end(), [&](int other) {
        return other >= 0 && other != in && g.values[other].kind == ValueKind::kNode && g.values[other].producer > p;
      });
      if (waits) continue;
      const bool chain = group[p] == p && fusable(producer);
      const bool chain_has_matmul =
          chain && std::any_of(members[p].begin(), members[p].end(), [&](int m) { return g.nodes[m].op == "matmul"; });
      const bool matmul_head = producer.op == "matmul" && producer.kind == NodeKind::kOp && members[p].empty() &&
                               group[p] == -1 && producer.aliases < 0;
      if (!chain && !matmul_head) continue;
      if ((chain_has_matmul || matmul_head) && has_matmul) continue;
      const std::size_t adds = chain ? members[p].size() - (chain_has_matmul ? 1 : 0) : 0;
      if (steps + adds > kernels::kMaxFusedSteps) continue;
      steps += adds;
      has_matmul = has_matmul || chain_has_matmul || matmul_head;
      if (chain) {
        for (int m : members[p]) absorbed.push_back(m);
        members[p].clear();
      } else {
        absorbed.push_back(p);
      }
    }
    if (absorbed.size() < 2) {
      group[i] = static_cast<int>(i);
      members[i] = {static_cast<int>(i)};
      continue;
    }
    std::sort(absorbed.begin(), absorbed.end());
    for (int m : absorbed) group[m] = static_cast<int>(i);
    members[i] = absorbed;
  }
  // Build the fused nodes at their last member's position; drop the absorbed ones.
  PassRecord record{"fuse_elementwise", g.nodes.size(), 0};
  std::vector<bool> keep(n_nodes, true);
  for (std::size_t i = 0; i < n_nodes; ++i) {
    if (members[i].size() < 2) continue;
    const std::vector<int>& ms = members[i];
    const auto mm_at = std::find_if(ms.begin(), ms.end(), [&](int m) { return g.nodes[m].op == "matmul"; });
    const int mm = mm_at == ms.end() ? -1 : *mm_at;  // the matmul whose result the chain starts from
    std::vector<int> externals;    // the elementwise operands from outside the group (values)
    std::map<int, int> result_of;  // value computed by a member -> -1 - step
    std::vector<FusedStep> steps;
    std::string name = mm >= 0 ? "fused(matmul" : "fused(";
    auto operand = [&](int v) {
      auto it = result_of.find(v);
      if (it != result_of.end()) return it->second;
      if (mm >= 0 && v == g.nodes[mm].output) return kMatmulResult;
      auto at = std::find(externals.begin(), externals.end(), v);
      if (at != externals.end()) return static_cast<int>(at - externals.begin());
      externals.push_back(v);
      return static_cast<int>(externals.size()) - 1;
    };
    for (int m_index : ms) {
      if (m_index == mm) continue;
      const Node& m = g.nodes[m_index];
      FusedStep s = *step_of(m);
      for (std::size_t j = 0; j < m.inputs.size(); ++j) s.operands[j] = operand(m.inputs[j]);
      result_of[m.output] = -1 - static_cast<int>(steps.size());
      steps.push_back(s);
      name += (name.back() == '(' ? "" : "+") + m.op;
      keep[m_index] = false;
    }
    name += ")";
    Node fused;
    fused.kind = NodeKind::kFused;
    fused.op = name;
    fused.output = g.nodes[i].output;
    const Value& out = g.values[fused.output];
    const Shape shape = out.shape;
    // Its allocations: the output (the matmul's own ones when it heads the chain: its result is
    // written over in place).
    fused.allocations = {static_cast<std::size_t>(shape_numel(shape)) * dtype_size(out.dtype)};
    fused.output_allocation = 0;
    if (mm >= 0) {
      const Node& head = g.nodes[mm];
      const int product = static_cast<int>(externals.size());  // the kernel's last operand
      for (FusedStep& s : steps) {
        for (int& o : s.operands) {
          if (o == kMatmulResult) o = product;
        }
      }
      fused.inputs = head.inputs;
      fused.inputs.insert(fused.inputs.end(), externals.begin(), externals.end());
      fused.allocations = head.allocations;
      fused.output_allocation = head.output_allocation;
      fused.forward = [steps, shape, matmul = head.forward](const TensorList& in) {
        const Tensor product = matmul({in[0], in[1]});
        TensorList operands(in.begin() + 2, in.end());
        operands.push_back(product);
        return kernels::backend_for("fused", {product}).fused_elementwise(steps, operands, shape, product);
      };
      keep[mm] = false;
    } else {
      fused.inputs = externals;
      fused.forward = [steps, shape](const TensorList& in) {
        return kernels::backend_for("fused", in).fused_elementwise(steps, in, shape, Tensor());
      };
    }
    g.nodes[i] = std::move(fused);
    keep[i] = true;
  }
  std::vector<Node> kept;
  for (std::size_t i = 0; i < n_nodes; ++i) {
    if (keep[i]) kept.push_back(std::move(g.nodes[i]));
  }
  g.nodes = std::move(kept);
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    if (g.nodes[i].output >= 0) g.values[g.nodes[i].output].producer = static_cast<int>(i);
  }
  record.nodes_after = g.nodes.size();
  g.passes.push_back(record);
}

}  // namespace fathom::tracing
