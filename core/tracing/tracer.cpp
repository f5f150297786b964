// SPDX-License-Identifier: Apache-2.0
#include "core/tracing/tracer.h"

#include <cstring>

#include "core/detail/tensor_impl.h"

namespace fathom::tracing {
namespace {

bool is_variable_memory(const Tensor& t) {
  const auto& impl = t.impl();
  return impl && impl->storage && impl->storage->is_variable;
}

}  // namespace

Tracer::Tracer(std::string name, const TensorList& args) {
  graph_.name = std::move(name);
  graph_.num_arguments = args.size();
  for (std::size_t i = 0; i < args.size(); ++i) {
    Value v;
    v.kind = ValueKind::kArgument;
    v.argument = static_cast<int>(i);
    if (args[i].defined()) {
      v.shape = args[i].shape();
      v.dtype = args[i].dtype();
      by_id_[args[i].id()] = static_cast<int>(graph_.values.size());
    }
    graph_.add_value(std::move(v));
  }
  previous_ = autograd::installed_tracer();
  autograd::set_tracer(this);
}

Tracer::~Tracer() { autograd::set_tracer(previous_); }

int Tracer::value_of(const Tensor& t) {
  if (!t.defined()) return -1;
  auto it = by_id_.find(t.id());
  if (it != by_id_.end()) return it->second;
  Value v;
  v.kind = is_variable_memory(t) ? ValueKind::kVariable : ValueKind::kConstant;
  v.shape = t.shape();
  v.dtype = t.dtype();
  v.tensor = t;
  const int index = graph_.add_value(std::move(v));
  by_id_[t.id()] = index;
  return index;
}

void Tracer::record_op(const char* op, const TensorList& inputs, const Tensor& output,
                       const autograd::ForwardFn& forward, const std::vector<std::size_t>& allocations,
                       int output_allocation) {
  Node node;
  node.kind = std::strncmp(op, "random_", 7) == 0 ? NodeKind::kRandom : NodeKind::kOp;
  node.op = op;
  node.inputs.reserve(inputs.size());
  for (const Tensor& t : inputs) node.inputs.push_back(value_of(t));
  node.forward = forward;
  node.allocations = allocations;
  node.output_allocation = output_allocation;
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    if (inputs[k].defined() && output.shares_storage_with(inputs[k])) {
      node.aliases = static_cast<int>(k);
      break;
    }
  }
  Value out;
  out.kind = ValueKind::kNode;
  out.shape = output.shape();
  out.dtype = output.dtype();
  out.producer = static_cast<int>(graph_.nodes.size());
  node.output = graph_.add_value(std::move(out));
  by_id_[output.id()] = node.output;
  graph_.nodes.push_back(std::move(node));
}

void Tracer::record_effect(const std::string& what, const TensorList& inputs, const TensorList& writes,
                           autograd::EffectFn effect) {
  Node node;
  node.kind = NodeKind::kEffect;
  node.op = what;
  for (const Tensor& t : inputs) node.inputs.push_back(value_of(t));
  for (const Tensor& t : writes) node.writes.push_back(value_of(t));
  node.effect = std::move(effect);
  graph_.nodes.push_back(std::move(node));
}

void Tracer::check_host_read(const Tensor& t) {
  auto it = by_id_.find(t.id());
  const bool traced = it != by_id_.end() && graph_.values[it->second].kind != ValueKind::kConstant;
  if (!traced && !is_variable_memory(t)) return;
  throw TracingError("function '" + graph_.name + "': reading the values of a " + std::string(dtype_name(t.dtype())) +
                     shape_to_string(t.shape()) +
                     " tensor on the host (item, to_vector) while tracing; a traced function replays its ops, not "
                     "host code, so the value would be frozen at its first call. Compute with ops and return the "
                     "tensor instead, or run eagerly (compile run_eagerly=true)");
}

Graph Tracer::finish(const TensorList& outputs) {
  graph_.outputs.clear();
  for (const Tensor& t : outputs) graph_.outputs.push_back(value_of(t));
  return std::move(graph_);
}

}  // namespace fathom::tracing
