// SPDX-License-Identifier: Apache-2.0
#include "core/function.h"

#include <list>

#include "core/autograd/recorder.h"
#include "core/log.h"
#include "core/tracing/executor.h"
#include "core/tracing/passes.h"
#include "core/tracing/tracer.h"

namespace fathom {
namespace {

/// What a trace depends on about an argument. Strides too: kernels copy strided operands before
/// allocating their outputs, and the memory plan follows the order of allocations it traced.
struct ArgSignature {
  Shape shape;
  Strides strides;
  DType dtype = DType::kFloat32;
  Device device;
  bool defined = false;
};

bool matches(const std::vector<ArgSignature>& sig, std::uint64_t key, std::uint64_t other_key, const TensorList& args) {
  if (key != other_key || sig.size() != args.size()) return false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const ArgSignature& s = sig[i];
    if (s.defined != args[i].defined()) return false;
    if (!s.defined) continue;
    if (s.dtype != args[i].dtype() || !(s.device == args[i].device()) || s.shape != args[i].shape() ||
        s.strides != args[i].strides()) {
      return false;
    }
  }
  return true;
}

std::vector<ArgSignature> signature_of(const TensorList& args) {
  std::vector<ArgSignature> sig(args.size());
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (!args[i].defined()) continue;
    sig[i] = {args[i].shape(), args[i].strides(), args[i].dtype(), args[i].device(), true};
  }
  return sig;
}

std::string signature_text(const std::vector<ArgSignature>& sig, std::uint64_t key) {
  std::string out = "(";
  for (std::size_t i = 0; i < sig.size(); ++i) {
    out += i ? ", " : "";
    out += sig[i].defined ? std::string(dtype_name(sig[i].dtype)) + shape_to_string(sig[i].shape) : "undefined";
  }
  return out + ", key " + std::to_string(key) + ")";
}

}  // namespace

struct Function::Impl {
  struct Trace {
    std::vector<ArgSignature> signature;
    std::uint64_t key = 0;
    std::string unoptimized_text;
    tracing::Executor executor;
  };

  Body body;
  FunctionOptions options;
  FunctionStats stats;
  std::list<Trace> traces;  // most recently used first
  const Trace* last = nullptr;
  bool warned = false;

  TensorList trace(const TensorList& args, std::uint64_t key) {
    // Distinct argument tensors even when the caller passes one tensor twice: the graph has one
    // value per argument, and a replay may receive different tensors there.
    TensorList distinct = args;
    for (std::size_t i = 0; i < distinct.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (distinct[i].defined() && distinct[j].defined() && distinct[i].id() == distinct[j].id()) {
          distinct[i] = distinct[i].clone();
          break;
        }
      }
    }
    tracing::Graph graph;
    TensorList outputs;
    {
      tracing::Tracer tracer(options.name, distinct);
      outputs = body(distinct);
      graph = tracer.finish(outputs);
    }
    std::string unoptimized = graph.to_text();
    if (options.optimize) tracing::optimize(graph, options.fuse_elementwise);
    traces.push_front(Trace{signature_of(args), key, std::move(unoptimized),
                            tracing::Executor(std::move(graph), options.reuse_output_memory)});
    ++stats.traces;
    last = &traces.front();
    if (traces.size() > options.max_traces) {
      traces.pop_back();
      if (!warned) {
        warned = true;
        log::warn("function '" + options.name + "' has been traced " + std::to_string(stats.traces) +
                  " times; the latest signature was " + signature_text(traces.front().signature, key) +
                  ". Each new shape traces again: keep shapes fixed (e.g. a constant batch size) to replay instead");
      }
    }
    return outputs;
  }
};

Function::Function(Body body, FunctionOptions options) : impl_(std::make_unique<Impl>()) {
  FATHOM_CHECK(body != nullptr, ValueError, "fathom::function: the body is empty");
  FATHOM_CHECK(options.max_traces >= 1, ValueError, "fathom::function '", options.name,
               "': max_traces must be at least 1. Received: max_traces=", options.max_traces);
  impl_->body = std::move(body);
  impl_->options = std::move(options);
}

Function::~Function() = default;
Function::Function(Function&&) noexcept = default;
Function& Function::operator=(Function&&) noexcept = default;

TensorList Function::operator()(const TensorList& args, std::uint64_t static_key) {
  Impl& s = *impl_;
  // Inside an outer trace, a tape, or state creation / an effect (tracing paused): run eagerly,
  // so that the outer trace or tape sees the ops (and a paused region stays unrecorded).
  if (autograd::active_tracer() != nullptr || autograd::tracing_paused() || autograd::any_recorder_active()) {
    ++s.stats.inlined;
    return s.body(args);
  }
  ++s.stats.calls;
  for (auto it = s.traces.begin(); it != s.traces.end(); ++it) {
    if (!matches(it->signature, it->key, static_key, args)) continue;
    if (it != s.traces.begin()) s.traces.splice(s.traces.begin(), s.traces, it);
    ++s.stats.replays;
    s.last = &s.traces.front();
    return s.traces.front().executor.run(args);
  }
  return s.trace(args, static_key);
}

const FunctionStats& Function::stats() const { return impl_->stats; }

ReplayMemory Function::last_replay() const {
  if (impl_->last == nullptr) return {};
  const tracing::Executor& e = impl_->last->executor;
  const tracing::ReplayStats& r = e.last_replay();
  return {e.memory_plan().arena_bytes, e.memory_plan().planned_values, e.memory_plan().in_place, r.buffer_allocations,
          r.output_allocations};
}
std::size_t Function::cached_traces() const { return impl_->traces.size(); }
std::string Function::graph_text() const { return impl_->last ? impl_->last->executor.graph().to_text() : std::string(); }
std::string Function::graph_dot() const { return impl_->last ? impl_->last->executor.graph().to_dot() : std::string(); }
std::string Function::unoptimized_graph_text() const { return impl_->last ? impl_->last->unoptimized_text : std::string(); }

void Function::clear() {
  impl_->traces.clear();
  impl_->last = nullptr;
}

Function function(Function::Body body, FunctionOptions options) { return Function(std::move(body), std::move(options)); }

}  // namespace fathom
