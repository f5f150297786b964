// SPDX-License-Identifier: Apache-2.0
#include "core/tracing/executor.h"

#include "core/detail/tensor_impl.h"

namespace fathom::tracing {

namespace {

bool all_on_cpu(const Graph& g) {
  for (const Value& v : g.values) {
    if (v.tensor.defined() && !v.tensor.device().is_cpu()) return false;
  }
  return true;
}

}  // namespace

Executor::Executor(Graph graph, bool outputs_in_arena) : graph_(std::move(graph)) {
  const std::size_t nv = graph_.values.size();
  if (all_on_cpu(graph_)) {
    plan_ = plan_memory(graph_, outputs_in_arena);
    if (plan_.arena_bytes > 0) arena_ = Tensor::empty({static_cast<std::int64_t>((plan_.arena_bytes + 3) / 4)}, DType::kFloat32);
    graph_.memory_summary = plan_.summary();
  } else {
    plan_.slices.assign(graph_.nodes.size(), {});
  }
  // Each node's slices as pointers, so that a replay only hands them out.
  char* arena = arena_.defined() ? static_cast<char*>(arena_.raw_data()) : nullptr;
  slices_.resize(graph_.nodes.size());
  for (std::size_t i = 0; i < graph_.nodes.size(); ++i) {
    const Node& n = graph_.nodes[i];
    bool any = false;
    for (std::size_t k = 0; k < plan_.slices[i].size(); ++k) {
      const std::int64_t at = plan_.slices[i][k];
      slices_[i].push_back({at >= 0 && arena != nullptr ? arena + at : nullptr, n.allocations[k]});
      any = any || slices_[i].back().data != nullptr;
    }
    if (!any) slices_[i].clear();  // nothing to lend: the replay only counts its allocations
  }
  returned_.assign(nv, false);
  for (int o : graph_.outputs) {
    if (o >= 0) returned_[o] = true;
  }
  slots_.assign(nv, Tensor());
  for (std::size_t v = 0; v < nv; ++v) {
    const Value& val = graph_.values[v];
    if (val.kind == ValueKind::kConstant || val.kind == ValueKind::kVariable) slots_[v] = val.tensor;
  }
  // Liveness: the last node that reads each argument or node output (outputs live to the end).
  std::vector<int> last_use(nv, -1);
  for (std::size_t i = 0; i < graph_.nodes.size(); ++i) {
    for (int in : graph_.nodes[i].inputs) {
      if (in >= 0) last_use[in] = static_cast<int>(i);
    }
  }
  for (int o : graph_.outputs) {
    if (o >= 0) last_use[o] = -2;
  }
  release_.assign(graph_.nodes.size(), {});
  node_inputs_.assign(graph_.nodes.size(), {});
  for (std::size_t v = 0; v < nv; ++v) {
    const ValueKind k = graph_.values[v].kind;
    if ((k == ValueKind::kNode || k == ValueKind::kArgument) && last_use[v] >= 0) release_[last_use[v]].push_back(static_cast<int>(v));
  }
  for (std::size_t i = 0; i < graph_.nodes.size(); ++i) node_inputs_[i].resize(graph_.nodes[i].inputs.size());
}

TensorList Executor::run(const TensorList& args) {
  FATHOM_CHECK(args.size() == graph_.num_arguments, ValueError, "function '", graph_.name, "': expected ",
               graph_.num_arguments, " argument(s), received ", args.size());
  const detail::Storage* own = arena_.defined() ? arena_.impl()->storage.get() : nullptr;
  for (std::size_t i = 0; i < args.size(); ++i) {
    // A result of an earlier call fed back (h = step(h)) lives in this arena, which this call
    // overwrites: copy it first.
    const bool in_arena = own != nullptr && args[i].defined() && args[i].impl()->storage->lender.get() == own;
    slots_[i] = in_arena ? args[i].clone() : args[i];
  }
  stats_ = {};
  for (std::size_t i = 0; i < graph_.nodes.size(); ++i) {
    const Node& node = graph_.nodes[i];
    TensorList& in = node_inputs_[i];
    for (std::size_t k = 0; k < node.inputs.size(); ++k) in[k] = node.inputs[k] >= 0 ? slots_[node.inputs[k]] : Tensor();
    if (node.kind == NodeKind::kEffect) {
      autograd::PauseTracing opaque;
      detail::BufferLoan counting;
      node.effect(in);
      stats_.buffer_allocations += counting.fresh_allocations();
    } else {
      const std::vector<detail::Slice>& slices = slices_[i];
      detail::BufferLoan loan = slices.empty() ? detail::BufferLoan()
                                               : detail::BufferLoan(arena_.impl()->storage, slices.data(), slices.size());
      slots_[node.output] = node.forward(in);
      stats_.planned += loan.served();
      stats_.buffer_allocations += loan.fresh_allocations();
      if (returned_[node.output]) stats_.output_allocations += loan.fresh_allocations();
    }
    for (Tensor& t : in) t = Tensor();
    for (int v : release_[i]) slots_[v] = Tensor();
  }
  TensorList out;
  out.reserve(graph_.outputs.size());
  for (int o : graph_.outputs) {
    // A constant result is a new tensor per call, as eagerly (the caller may write into it).
    const bool constant = o >= 0 && graph_.values[o].kind == ValueKind::kConstant;
    out.push_back(o < 0 ? Tensor() : constant ? slots_[o].clone() : slots_[o]);
  }
  for (std::size_t v = 0; v < graph_.num_arguments; ++v) slots_[v] = Tensor();
  for (int o : graph_.outputs) {
    if (o >= 0 && graph_.values[o].kind == ValueKind::kNode) slots_[o] = Tensor();
  }
  return out;
}

}  // namespace fathom::tracing
