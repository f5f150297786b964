// SPDX-License-Identifier: Apache-2.0
#include "core/autograd/recorder.h"

#include <algorithm>
#include <string>

namespace fathom::autograd {
namespace {

struct ThreadRecorders {
  std::vector<Recorder*> stack;
  bool paused = false;
};

ThreadRecorders& recorders() {
  thread_local ThreadRecorders r;
  return r;
}

}  // namespace

Tensor run_op(const char* op, const TensorList& inputs, const ForwardFn& forward,
              const BackwardFn& backward) {
  Tensor output = forward(inputs);
  auto& r = recorders();
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
