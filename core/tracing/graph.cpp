// SPDX-License-Identifier: Apache-2.0
#include "core/tracing/graph.h"

#include <sstream>

#include "core/detail/tensor_impl.h"

namespace fathom::tracing {
namespace {

const char* kind_name(NodeKind k) {
  switch (k) {
    case NodeKind::kOp: return "op";
    case NodeKind::kRandom: return "random";
    case NodeKind::kEffect: return "effect";
    case NodeKind::kFused: return "fused";
  }
  return "?";
}

std::string ref(int v) { return v < 0 ? std::string("undefined") : "%" + std::to_string(v); }

std::string variable_name(const Value& v) {
  const auto& impl = v.tensor.impl();
  return impl && impl->storage ? impl->storage->variable_name : std::string();
}

/// How a value is introduced: "argument 0", "variable 'dense/kernel'", "constant".
std::string origin(const Value& v) {
  switch (v.kind) {
    case ValueKind::kArgument: return "argument " + std::to_string(v.argument);
    case ValueKind::kVariable: return "variable '" + variable_name(v) + "'";
    case ValueKind::kConstant:
      return v.tensor.defined() && v.tensor.numel() == 1 ? "constant " + std::to_string(v.tensor.item_as_double())
                                                         : "constant";
    case ValueKind::kNode: return "node";
  }
  return "?";
}

std::string escaped(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string describe(const Value& v) { return std::string(dtype_name(v.dtype)) + shape_to_string(v.shape); }

int Graph::add_value(Value v) {
  values.push_back(std::move(v));
  return static_cast<int>(values.size()) - 1;
}

std::size_t Graph::count(NodeKind kind) const {
  std::size_t n = 0;
  for (const Node& node : nodes) n += node.kind == kind ? 1 : 0;
  return n;
}

std::string Graph::to_text() const {
  std::ostringstream os;
  os << "graph '" << name << "': " << num_arguments << " argument(s), " << nodes.size() << " node(s) ("
     << count(NodeKind::kOp) << " op, " << count(NodeKind::kFused) << " fused, " << count(NodeKind::kRandom)
     << " random, " << count(NodeKind::kEffect) << " effect), " << outputs.size() << " output(s)\n";
  std::vector<bool> used(values.size(), false);
  for (const Node& n : nodes) {
    for (int i : n.inputs) {
      if (i >= 0) used[i] = true;
    }
    for (int w : n.writes) used[w] = true;
  }
  for (int o : outputs) {
    if (o >= 0) used[o] = true;
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    const Value& v = values[i];
    if (v.kind != ValueKind::kNode && used[i]) os << "  " << ref(static_cast<int>(i)) << " = " << origin(v) << " : " << describe(v) << "\n";
  }
  for (const Node& n : nodes) {
    os << "  ";
    if (n.output >= 0) os << ref(n.output) << " = ";
    os << (n.kind == NodeKind::kOp || n.kind == NodeKind::kFused ? "" : std::string(kind_name(n.kind)) + " ") << n.op
       << "(";
    for (std::size_t i = 0; i < n.inputs.size(); ++i) os << (i ? ", " : "") << ref(n.inputs[i]);
    os << ")";
    if (n.output >= 0) os << " : " << describe(values[n.output]);
    if (!n.writes.empty()) os << " writes " << n.writes.size() << " variable(s)";
    os << "\n";
  }
  os << "  return (";
  for (std::size_t i = 0; i < outputs.size(); ++i) os << (i ? ", " : "") << ref(outputs[i]);
  os << ")\n";
  for (const PassRecord& p : passes) os << "  pass " << p.pass << ": " << p.nodes_before << " -> " << p.nodes_after << " nodes\n";
  if (!memory_summary.empty()) os << "  memory plan: " << memory_summary << "\n";
  return os.str();
}

std::string Graph::to_dot() const {
  std::ostringstream os;
  os << "digraph \"" << escaped(name) << "\" {\n  rankdir=TB;\n  node [fontname=\"monospace\", fontsize=10];\n";
  std::vector<bool> drawn(values.size(), false);
  auto source = [&](int v) -> std::string {
    if (v < 0) return "";
    const Value& val = values[v];
    if (val.kind == ValueKind::kNode) return "n" + std::to_string(val.producer);
    if (!drawn[v]) {
      drawn[v] = true;
      const char* color = val.kind == ValueKind::kArgument ? "lightblue" : val.kind == ValueKind::kVariable ? "khaki" : "grey90";
      os << "  v" << v << " [shape=box, style=filled, fillcolor=" << color << ", label=\"" << escaped(origin(val)) << "\\n"
         << describe(val) << "\"];\n";
    }
    return "v" + std::to_string(v);
  };
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const Node& n = nodes[i];
    const char* shape = n.kind == NodeKind::kEffect ? "octagon" : n.kind == NodeKind::kFused ? "doubleoctagon" : "ellipse";
    os << "  n" << i << " [shape=" << shape << ", label=\"" << escaped(n.op) << "\"];\n";
    for (int in : n.inputs) {
      const std::string from = source(in);
      if (!from.empty()) os << "  " << from << " -> n" << i << " [label=\"" << describe(values[in]) << "\"];\n";
    }
    for (int w : n.writes) {
      const std::string to = source(w);
      os << "  n" << i << " -> " << to << " [style=dashed, color=red];\n";
    }
  }
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    os << "  out" << i << " [shape=box, style=rounded, label=\"output " << i << "\"];\n";
    const std::string from = source(outputs[i]);
    if (!from.empty()) os << "  " << from << " -> out" << i << ";\n";
  }
  os << "}\n";
  return os.str();
}

}  // namespace fathom::tracing
