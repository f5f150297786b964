// SPDX-License-Identifier: Apache-2.0
#include "core/autograd/recorder.h"

#include <algorithm>
#include <string>

#include "core/detail/tensor_impl.h"

namespace fathom::autograd {
namespace {

struct ThreadRecorders {
  std::vector<Recorder*> stack;
  bool paused = false;
  TraceRecorder* tracer = nullptr;
  bool tracing_paused = false;
  int in_kernel = 0;  // > 0 while an op's forward or an effect runs: their reads are the kernel's
};

/// Marks the extent of a kernel call (a forward or an effect), whose reads are not host reads.
class KernelScope {
 public:
  explicit KernelScope(ThreadRecorders& r) : r_(r) { ++r_.in_kernel; }
  ~KernelScope() { --r_.in_kernel; }
  KernelScope(const KernelScope&) = delete;
  KernelScope& operator=(const KernelScope&) = delete;

 private:
  ThreadRecorders& r_;
};

ThreadRecorders& recorders() {
  thread_local ThreadRecorders r;
  return r;
}

}  // namespace

Tensor run_op(const char* op, const TensorList& inputs, const ForwardFn& forward,
              const BackwardFn& backward) {
  auto& r = recorders();
  Tensor output;
  // Ops a kernel runs inside its forward (a check's host conversion) are part of that kernel,
  // which a replay runs again: they are not graph nodes of their own.
  if (r.tracer != nullptr && !r.tracing_paused && r.in_kernel == 0) {
    // Traced: note the kernel's allocations, so that the memory plan can give each a slice.
    std::vector<std::size_t> bytes;
    int output_allocation = -1;
    {
      KernelScope kernel(r);
      detail::AllocationLog log;
      output = forward(inputs);
      const void* out_memory = output.defined() && output.impl()->storage ? output.impl()->storage->data : nullptr;
      for (std::size_t k = 0; k < log.entries.size(); ++k) {
        bytes.push_back(log.entries[k].first);
        if (log.entries[k].second == out_memory) output_allocation = static_cast<int>(k);
      }
    }
    r.tracer->record_op(op, inputs, output, forward, bytes, output_allocation);
  } else {
    KernelScope kernel(r);
    output = forward(inputs);
  }
  if (!r.paused) {
    for (auto it = r.stack.rbegin(); it != r.stack.rend(); ++it) {
      (*it)->record(op, inputs, output, forward, backward);
    }
  }
  return output;
}

void push_recorder(Recorder* recorder) { recorders().stack.push_back(recorder); }

void pop_recorder(Recorder* recorder) {
  auto& stack = recorders().stack;
  auto it = std::find(stack.rbegin(), stack.rend(), recorder);
  if (it != stack.rend()) stack.erase(std::next(it).base());
}

bool any_recorder_active() {
  const auto& r = recorders();
  return !r.paused && !r.stack.empty();
}

TraceRecorder* active_tracer() {
  const auto& r = recorders();
  return r.tracing_paused ? nullptr : r.tracer;
}

TraceRecorder* installed_tracer() { return recorders().tracer; }

bool tracing_paused() { return recorders().tracing_paused; }

void set_tracer(TraceRecorder* tracer) { recorders().tracer = tracer; }

void run_effect(const std::string& what, const TensorList& inputs, const TensorList& writes, const EffectFn& effect) {
  auto& r = recorders();
  {
    KernelScope kernel(r);
    PauseTracing inside;  // the effect is one step of the trace, not the ops it runs
    effect(inputs);
  }
  if (r.tracer != nullptr && !r.tracing_paused) r.tracer->record_effect(what, inputs, writes, effect);
}

PauseTracing::PauseTracing() : previous_(recorders().tracing_paused) { recorders().tracing_paused = true; }
PauseTracing::~PauseTracing() { recorders().tracing_paused = previous_; }

void check_host_read(const Tensor& t) {
  const auto& r = recorders();
  if (r.tracer != nullptr && !r.tracing_paused && r.in_kernel == 0) r.tracer->check_host_read(t);
}

NoRecordGuard::NoRecordGuard() : previous_(recorders().paused) { recorders().paused = true; }
NoRecordGuard::~NoRecordGuard() { recorders().paused = previous_; }

BackwardFn no_higher_order_gradient(const char* op) {
  return [op](const GradContext&) -> TensorList {
    throw AutogradError(std::string("gradient of '") + op +
                        "' is not defined: it is an internal gradient op, so higher-order "
                        "gradients through it are not supported");
  };
}

}  // namespace fathom::autograd
