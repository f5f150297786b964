// SPDX-License-Identifier: Apache-2.0
#include "core/autograd/gradient_tape.h"

#include <unordered_map>
#include <unordered_set>

#include "core/autograd/recorder.h"
#include "core/detail/tensor_impl.h"
#include "core/ops/elementwise.h"

namespace fathom {

struct GradientTape::Impl final : autograd::Recorder {
  struct Entry {
    const char* op;
    TensorList inputs;
    Tensor output;
    autograd::BackwardFn backward;
  };

  bool persistent = false;
  bool watch_accessed_variables = true;
  bool recording = true;
  bool used = false;
  std::vector<Entry> entries;
  std::unordered_set<std::uint64_t> tracked;  // watched tensors and outputs of recorded ops
  std::unordered_map<std::uint64_t, Tensor> held;  // keeps watched tensors alive (ids stay unique)

  bool is_tracked(const Tensor& t) const {
    return tracked.count(t.id()) != 0 || (watch_accessed_variables && t.impl()->watch_as_variable);
  }

  void record(const char* op, const TensorList& inputs, const Tensor& output, const autograd::ForwardFn&,
              const autograd::BackwardFn& backward) override {
    if (!recording || !backward) return;
    bool any = false;
    for (const Tensor& t : inputs) any = any || is_tracked(t);
    if (!any) return;
    entries.push_back({op, inputs, output, backward});
    tracked.insert(output.id());
  }

  TensorList gradient(const Tensor& target, const TensorList& sources, const Tensor& output_gradient,
                      UnconnectedGradients unconnected);
};

GradientTape::GradientTape(bool persistent, bool watch_accessed_variables) : impl_(std::make_unique<Impl>()) {
  impl_->persistent = persistent;
  impl_->watch_accessed_variables = watch_accessed_variables;
  autograd::push_recorder(impl_.get());
}

GradientTape::~GradientTape() { autograd::pop_recorder(impl_.get()); }

void GradientTape::watch(const Tensor& t) {
  FATHOM_CHECK(t.defined(), ValueError, "GradientTape::watch: the tensor is undefined");
  FATHOM_CHECK(is_floating(t.dtype()), ValueError, "GradientTape::watch: only floating tensors have gradients; "
               "received a ", dtype_name(t.dtype()), " tensor of shape ", shape_to_string(t.shape()));
  impl_->tracked.insert(t.id());
  impl_->held.emplace(t.id(), t);
}

TensorList GradientTape::Impl::gradient(const Tensor& target, const TensorList& sources,
                                        const Tensor& output_gradient, UnconnectedGradients unconnected) {
  FATHOM_CHECK(persistent || !used, AutogradError,
               "GradientTape::gradient can only be called once on a non-persistent tape; construct "
               "it with persistent=true to compute several gradients");
  FATHOM_CHECK(target.defined(), ValueError, "GradientTape::gradient: the target is undefined");
  used = true;
  const bool was_recording = recording;
  recording = false;  // the backward ops are not recorded by this tape (outer tapes see them)

  // Which tensors lie on a path from a source: only their gradients are computed.
  std::unordered_set<std::uint64_t> from_source;
  for (const Tensor& s : sources) {
    FATHOM_CHECK(s.defined(), ValueError, "GradientTape::gradient: a source is undefined");
    from_source.insert(s.id());
  }
  for (const Entry& e : entries) {
    for (const Tensor& in : e.inputs) {
      if (from_source.count(in.id())) {
        from_source.insert(e.output.id());
        break;
      }
    }
  }

  std::unordered_map<std::uint64_t, Tensor> grads;
  if (output_gradient.defined()) {
    FATHOM_CHECK(output_gradient.shape() == target.shape(), ShapeError, "GradientTape::gradient: output_gradient shape ",
                 shape_to_string(output_gradient.shape()), " does not match target shape ",
                 shape_to_string(target.shape()));
    grads[target.id()] = output_gradient;
  } else {
    grads[target.id()] = Tensor::ones(target.shape(), target.dtype(), target.device());
  }

  try {
    for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
      auto g = grads.find(it->output.id());
      if (g == grads.end()) continue;
      std::vector<bool> needs(it->inputs.size());
      bool any = false;
      for (std::size_t i = 0; i < needs.size(); ++i) {
        const Tensor& in = it->inputs[i];
        needs[i] = from_source.count(in.id()) != 0 && is_tracked(in) && is_floating(in.dtype());
        any = any || needs[i];
      }
      if (!any) continue;
      const Tensor gy = g->second;
      TensorList input_grads = it->backward({it->inputs, it->output, gy, needs});
      for (std::size_t i = 0; i < needs.size() && i < input_grads.size(); ++i) {
        if (!needs[i] || !input_grads[i].defined()) continue;
        const Tensor& in = it->inputs[i];
        FATHOM_CHECK(input_grads[i].shape() == in.shape(), ShapeError, "gradient of '", it->op,
                     "' for input ", i, " has shape ", shape_to_string(input_grads[i].shape()),
                     ", expected ", shape_to_string(in.shape()), " (an internal error in the op's backward)");
        auto [slot, inserted] = grads.try_emplace(in.id(), input_grads[i]);
        if (!inserted) slot->second = ops::add(slot->second, input_grads[i]);
      }
    }
  } catch (...) {
    recording = was_recording;
    throw;
  }
  recording = was_recording;

  TensorList result;
  result.reserve(sources.size());
  for (const Tensor& s : sources) {
    auto g = grads.find(s.id());
    if (g != grads.end()) {
      result.push_back(g->second);
    } else if (unconnected == UnconnectedGradients::kZero) {
      result.push_back(Tensor::zeros(s.shape(), s.dtype(), s.device()));
    } else {
      result.emplace_back();
    }
  }
  if (!persistent) {
    entries.clear();
    held.clear();
  }
  return result;
}

TensorList GradientTape::gradient(const Tensor& target, const TensorList& sources, const Tensor& output_gradient,
                                  UnconnectedGradients unconnected) {
  return impl_->gradient(target, sources, output_gradient, unconnected);
}

TensorList GradientTape::gradient(const Tensor& target, const std::vector<Variable>& sources,
                                  const Tensor& output_gradient, UnconnectedGradients unconnected) {
  TensorList values;
  values.reserve(sources.size());
  for (const Variable& v : sources) values.push_back(v.value());
  return impl_->gradient(target, values, output_gradient, unconnected);
}

GradientTape::StopRecording::StopRecording(GradientTape& tape) : tape_(tape), previous_(tape.impl_->recording) {
  tape_.impl_->recording = false;
}

GradientTape::StopRecording::~StopRecording() { tape_.impl_->recording = previous_; }

void GradientTape::reset() {
  impl_->entries.clear();
  impl_->tracked.clear();
  impl_->held.clear();
  impl_->used = false;
}

std::size_t GradientTape::size() const { return impl_->entries.size(); }

Tensor stop_gradient(const Tensor& x) {
  return autograd::run_op(
      "stop_gradient", {x},
      [](const TensorList& in) { return in[0].as_strided(in[0].shape(), in[0].strides(), in[0].offset()); },
      nullptr);
}

}  // namespace fathom
