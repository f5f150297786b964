// SPDX-License-Identifier: Apache-2.0
#include "core/tracing/passes.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "core/detail/tensor_impl.h"
#include "core/tracing/op_traits.h"

namespace fathom::tracing {
namespace {

/// Keeps the nodes with keep[i] and renumbers the producers.
void keep_nodes(Graph& g, const std::vector<bool>& keep) {
  std::vector<Node> kept;
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    if (keep[i]) kept.push_back(std::move(g.nodes[i]));
  }
  g.nodes = std::move(kept);
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    if (g.nodes[i].output >= 0) g.values[g.nodes[i].output].producer = static_cast<int>(i);
  }
}

class PassScope {
 public:
  PassScope(Graph& g, const char* name) : g_(g), record_{name, g.nodes.size(), 0} {}
  ~PassScope() {
    record_.nodes_after = g_.nodes.size();
    g_.passes.push_back(record_);
  }
  PassScope(const PassScope&) = delete;
  PassScope& operator=(const PassScope&) = delete;

 private:
  Graph& g_;
  PassRecord record_;
};

}  // namespace

void fold_constants(Graph& g) {
  PassScope scope(g, "fold_constants");
  std::vector<bool> keep(g.nodes.size(), true);
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    Node& n = g.nodes[i];
    if (n.kind != NodeKind::kOp || n.inputs.empty()) continue;
    const bool all_constant = std::all_of(n.inputs.begin(), n.inputs.end(), [&](int in) {
      return in >= 0 && g.values[in].kind == ValueKind::kConstant && !g.values[in].tensor.impl()->storage->is_variable;
    });
    if (!all_constant) continue;
    TensorList in;
    for (int v : n.inputs) in.push_back(g.values[v].tensor);
    Tensor folded;
    {
      autograd::PauseTracing not_traced;
      folded = n.forward(in);
    }
    if (folded.impl()->storage->is_variable) continue;  // an op that returned variable memory
    Value& out = g.values[n.output];
    out.kind = ValueKind::kConstant;
    out.tensor = folded;
    out.producer = -1;
    keep[i] = false;
  }
  keep_nodes(g, keep);
}

void eliminate_common_subexpressions(Graph& g) {
  PassScope scope(g, "eliminate_common_subexpressions");
  // (op, inputs, shape, dtype, effects seen so far for variable reads) -> the first output.
  using Key = std::tuple<std::string, std::vector<int>, Shape, DType, int>;
  std::map<Key, int> seen;
  std::vector<int> replaced_by(g.values.size());
  for (std::size_t v = 0; v < replaced_by.size(); ++v) replaced_by[v] = static_cast<int>(v);
  std::vector<bool> keep(g.nodes.size(), true);
  int effects = 0;
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    Node& n = g.nodes[i];
    for (int& in : n.inputs) {
      if (in >= 0) in = replaced_by[in];
    }
    if (n.kind == NodeKind::kEffect) {
      ++effects;
      continue;
    }
    if (n.kind != NodeKind::kOp || !is_attribute_free(n.op)) continue;
    const Value& out = g.values[n.output];
    // Any input may view a variable's memory (a transpose of a weight, an argument that is one),
    // so two reads are merged only between the same effects.
    Key key{n.op, n.inputs, out.shape, out.dtype, effects};
    auto [it, inserted] = seen.try_emplace(std::move(key), n.output);
    if (inserted) continue;
    replaced_by[n.output] = it->second;
    keep[i] = false;
  }
  for (int& o : g.outputs) {
    if (o >= 0) o = replaced_by[o];
  }
  keep_nodes(g, keep);
}

void eliminate_dead_code(Graph& g) {
  PassScope scope(g, "eliminate_dead_code");
  std::vector<bool> live_value(g.values.size(), false);
  for (int o : g.outputs) {
    if (o >= 0) live_value[o] = true;
  }
  std::vector<bool> keep(g.nodes.size(), false);
  for (std::size_t i = g.nodes.size(); i-- > 0;) {
    const Node& n = g.nodes[i];
    // Checks (ops::check_values) run on every call even when nothing reads their result.
    const bool needed = n.kind == NodeKind::kEffect || n.kind == NodeKind::kRandom || n.op == "check_values" ||
                        (n.output >= 0 && live_value[n.output]);
    if (!needed) continue;
    keep[i] = true;
    for (int in : n.inputs) {
      if (in >= 0) live_value[in] = true;
    }
  }
  keep_nodes(g, keep);
}

void optimize(Graph& g, bool fuse) {
  fold_constants(g);
  eliminate_common_subexpressions(g);
  eliminate_dead_code(g);
  if (fuse) fuse_elementwise(g);
}

}  // namespace fathom::tracing
