// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <functional>
#include <cstddef>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace fathom::autograd {

/// What a backward function receives: the op's inputs and output, the gradient of the output,
/// and which inputs need a gradient (the others may be left undefined to save work).
struct GradContext {
  const TensorList& inputs;
  const Tensor& output;
  const Tensor& grad;
  const std::vector<bool>& needs_grad;
};

/// Computes the forward result from the inputs (the kernel call; what a tracer replays).
using ForwardFn = std::function<Tensor(const TensorList& inputs)>;
/// Returns one gradient per input, built from ops so that it is itself recordable. An empty
/// std::function marks a non-differentiable op.
using BackwardFn = std::function<TensorList(const GradContext& ctx)>;

/// Observes every primitive op as it runs. GradientTape is one; the tracer is the next.
class Recorder {
 public:
  virtual ~Recorder() = default;
  virtual void record(const char* op, const TensorList& inputs, const Tensor& output,
                      const ForwardFn& forward, const BackwardFn& backward) = 0;
};

/// The single dispatch point of every primitive op: runs `forward` on `inputs`, then shows the
/// op to each active recorder of this thread (innermost first).
Tensor run_op(const char* op, const TensorList& inputs, const ForwardFn& forward,
              const BackwardFn& backward);

/// Recorders are per thread and nest; GradientTape pushes itself in its constructor.
void push_recorder(Recorder* recorder);
void pop_recorder(Recorder* recorder);
bool any_recorder_active();

/// Pauses every recorder of this thread while alive: inference and optimizer updates
/// (torch.no_grad / tape.stop_recording for all tapes).
class NoRecordGuard {
 public:
  NoRecordGuard();
  ~NoRecordGuard();
  NoRecordGuard(const NoRecordGuard&) = delete;
  NoRecordGuard& operator=(const NoRecordGuard&) = delete;

 private:
  bool previous_;
};

// ---- Tracing (fathom::function, core/function.h) ----------------------------------------------
// A tracer sees every op of its thread, also under NoRecordGuard (which pauses gradient
// recording, not tracing), and every in-place effect: variable assignments and opaque steps such
// as an optimizer's update. Tracing executes as it records: the first call of a traced function
// is an eager call.

/// Runs an in-place effect on its inputs (resolved to this call's tensors when replayed).
using EffectFn = std::function<void(const TensorList& inputs)>;

class TraceRecorder {
 public:
  virtual ~TraceRecorder() = default;
  /// `allocations`: the bytes of each allocation the forward made, in order; `output_allocation`:
  /// which of them is the output's memory (-1: the output views an input).
  virtual void record_op(const char* op, const TensorList& inputs, const Tensor& output, const ForwardFn& forward,
                         const std::vector<std::size_t>& allocations, int output_allocation) = 0;
  /// `writes`: the variable tensors the effect writes (all of them, for the graph's ordering).
  virtual void record_effect(const std::string& what, const TensorList& inputs, const TensorList& writes,
                             EffectFn effect) = 0;
  /// Called when host code reads `t`'s values (Tensor::item, to_vector) outside a kernel: a
  /// traced tensor read on the host would be frozen at its trace-time value, so this throws.
  virtual void check_host_read(const Tensor& t) = 0;
};

/// The tracer of this thread, or null (none, or paused by a PauseTracing guard).
TraceRecorder* active_tracer();
/// The installed tracer, paused or not (what a nested tracer must restore), and whether a
/// PauseTracing guard is alive on this thread.
TraceRecorder* installed_tracer();
bool tracing_paused();
void set_tracer(TraceRecorder* tracer);

/// Runs `effect` now and shows it to the active tracer, which replays it on every call.
void run_effect(const std::string& what, const TensorList& inputs, const TensorList& writes, const EffectFn& effect);

/// Hides what happens while alive from the tracer: state creation (a layer's build, an
/// optimizer's slots) and the inside of opaque effects, which record themselves as one step.
class PauseTracing {
 public:
  PauseTracing();
  ~PauseTracing();
  PauseTracing(const PauseTracing&) = delete;
  PauseTracing& operator=(const PauseTracing&) = delete;

 private:
  bool previous_;
};

/// For Tensor::item / to_vector: lets the active tracer refuse a host read of a traced value.
void check_host_read(const Tensor& t);

/// A backward for ops whose own gradient is not defined in Fathom (the internal gradient
/// kernels): asking for a second-order gradient through `op` raises AutogradError instead of
/// silently returning a wrong value.
BackwardFn no_higher_order_gradient(const char* op);

}  // namespace fathom::autograd
