// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <functional>
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

/// A backward for ops whose own gradient is not defined in Fathom (the internal gradient
/// kernels): asking for a second-order gradient through `op` raises AutogradError instead of
/// silently returning a wrong value.
BackwardFn no_higher_order_gradient(const char* op);

}  // namespace fathom::autograd
