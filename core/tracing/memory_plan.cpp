// SPDX-License-Identifier: Apache-2.0
#include "core/tracing/memory_plan.h"

#include <algorithm>
#include <numeric>
#include <sstream>

#include "core/tracing/op_traits.h"

namespace fathom::tracing {
namespace {

constexpr std::int64_t kAlignment = 64;

std::int64_t aligned(std::int64_t bytes) { return (bytes + kAlignment - 1) / kAlignment * kAlignment; }

std::int64_t bytes_of(const Value& v) { return shape_numel(v.shape) * static_cast<std::int64_t>(dtype_size(v.dtype)); }

/// A slice of the arena: the values that share it (in-place chains) and when it is in use.
struct Buffer {
  std::int64_t bytes = 0;
  int first = 0;  // node that writes it first
  int last = 0;   // node that reads it last
  std::int64_t offset = -1;
};

}  // namespace

std::string MemoryPlan::summary() const {
  std::ostringstream os;
  os << planned_values << " tensors (" << in_place << " in place) and " << temporaries
     << " kernel temporaries in an arena of " << arena_bytes << " bytes (" << unshared_bytes << " without reuse)";
  return os.str();
}

MemoryPlan plan_memory(const Graph& g, bool outputs_in_arena) {
  const std::size_t nv = g.values.size();
  MemoryPlan plan;
  plan.slices.resize(g.nodes.size());
  // The value whose memory each value is: views (reshape, transpose, ...) are their input's.
  std::vector<int> root(nv);
  std::iota(root.begin(), root.end(), 0);
  for (const Node& n : g.nodes) {
    if (n.output >= 0 && n.aliases >= 0 && n.inputs[n.aliases] >= 0) root[n.output] = root[n.inputs[n.aliases]];
  }
  std::vector<bool> plannable(nv, false);
  for (const Node& n : g.nodes) {
    if (n.output < 0 || n.aliases >= 0 || n.kind == NodeKind::kEffect || n.output_allocation < 0) continue;
    const Value& v = g.values[n.output];
    plannable[n.output] = bytes_of(v) > 0 && static_cast<std::int64_t>(n.allocations[n.output_allocation]) == bytes_of(v);
  }
  if (!outputs_in_arena) {
    for (int o : g.outputs) {
      if (o >= 0) plannable[root[o]] = false;  // returned: must outlive the call
    }
  }
  // Lifetimes of the roots: from their node to the last use of them or of any view of them.
  std::vector<int> first(nv, -1), last(nv, -1);
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (n.output >= 0 && root[n.output] == n.output) first[n.output] = static_cast<int>(i);
    for (int in : n.inputs) {
      if (in >= 0) last[root[in]] = static_cast<int>(i);
    }
  }
  const int end = static_cast<int>(g.nodes.size());  // returned tensors live past the last node
  for (int o : g.outputs) {
    if (o >= 0) last[root[o]] = end;
  }
  // Buffers: one per planned root, except an elementwise op's output that takes over the buffer
  // of a same-sized input whose last use it is.
  std::vector<int> buffer_of(nv, -1);
  std::vector<Buffer> buffers;
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (n.output < 0 || !plannable[n.output]) continue;
    const Value& out = g.values[n.output];
    const std::int64_t bytes = bytes_of(out);
    int reuse = -1;
    if ((n.kind == NodeKind::kOp || n.kind == NodeKind::kFused) && is_elementwise(n.op)) {
      for (int in : n.inputs) {
        if (in < 0 || root[in] != in || buffer_of[in] < 0 || last[in] != static_cast<int>(i)) continue;
        // Not when another operand is a different view of the same memory (x + transpose(x)).
        const bool other_view = std::any_of(n.inputs.begin(), n.inputs.end(),
                                            [&](int k) { return k >= 0 && k != in && root[k] == in; });
        const Value& iv = g.values[in];
        if (!other_view && iv.shape == out.shape && iv.dtype == out.dtype) {
          reuse = buffer_of[in];
          break;
        }
      }
    }
    if (reuse >= 0) {
      buffer_of[n.output] = reuse;
      buffers[reuse].last = std::max(buffers[reuse].last, std::max(last[n.output], static_cast<int>(i)));
      ++plan.in_place;
    } else {
      buffer_of[n.output] = static_cast<int>(buffers.size());
      buffers.push_back({bytes, static_cast<int>(i), std::max(last[n.output], static_cast<int>(i)), -1});
      plan.unshared_bytes += static_cast<std::size_t>(bytes);
    }
    ++plan.planned_values;
  }
  // A kernel's other allocations are temporaries: in use during its node only.
  std::vector<std::vector<int>> node_buffers(g.nodes.size());
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    node_buffers[i].assign(n.allocations.size(), -1);
    for (std::size_t k = 0; k < n.allocations.size(); ++k) {
      if (static_cast<int>(k) == n.output_allocation) {
        if (n.output >= 0) node_buffers[i][k] = buffer_of[n.output];
        continue;
      }
      if (n.allocations[k] == 0) continue;
      node_buffers[i][k] = static_cast<int>(buffers.size());
      buffers.push_back({static_cast<std::int64_t>(n.allocations[k]), static_cast<int>(i), static_cast<int>(i), -1});
      plan.unshared_bytes += n.allocations[k];
      ++plan.temporaries;
    }
  }
  // Greedy by size (largest first): each buffer goes to the lowest offset that no buffer live at
  // the same time overlaps.
  std::vector<int> order(buffers.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return buffers[a].bytes > buffers[b].bytes; });
  std::vector<int> placed;
  for (int b : order) {
    Buffer& buf = buffers[b];
    std::vector<std::pair<std::int64_t, std::int64_t>> busy;  // [begin, end) of overlapping lifetimes
    for (int p : placed) {
      const Buffer& o = buffers[p];
      if (o.first <= buf.last && buf.first <= o.last) busy.emplace_back(o.offset, o.offset + aligned(o.bytes));
    }
    std::sort(busy.begin(), busy.end());
    std::int64_t at = 0;
    for (const auto& [begin, end] : busy) {
      if (at + aligned(buf.bytes) <= begin) break;
      at = std::max(at, end);
    }
    buf.offset = at;
    plan.arena_bytes = std::max<std::size_t>(plan.arena_bytes, static_cast<std::size_t>(at + aligned(buf.bytes)));
    placed.push_back(b);
  }
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    plan.slices[i].resize(node_buffers[i].size(), -1);
    for (std::size_t k = 0; k < node_buffers[i].size(); ++k) {
      if (node_buffers[i][k] >= 0) plan.slices[i][k] = buffers[node_buffers[i][k]].offset;
    }
  }
  return plan;
}

}  // namespace fathom::tracing
