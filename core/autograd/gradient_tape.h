// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <vector>

#include "core/tensor.h"
#include "core/variable.h"

namespace fathom {

/// What gradient() returns for a source the target does not depend on (tf.UnconnectedGradients).
enum class UnconnectedGradients { kNone, kZero };

/// Records ops while alive and computes gradients by reverse accumulation, with TF2 semantics:
///   GradientTape tape;                 // starts recording (the `with` block)
///   Tensor y = ops::sum(ops::square(w));  // trainable Variables are watched automatically
///   auto [gw] = tape.gradient(y, {w});
/// Plain tensors must be watch()ed. A non-persistent tape allows one gradient() call. Tapes nest:
/// an outer tape records the backward ops of an inner one (higher-order gradients).
class GradientTape {
 public:
  explicit GradientTape(bool persistent = false, bool watch_accessed_variables = true);
  ~GradientTape();
  GradientTape(const GradientTape&) = delete;
  GradientTape& operator=(const GradientTape&) = delete;

  void watch(const Tensor& t);
  void watch(const Variable& v) { watch(v.value()); }

  /// d target / d source for each source. A non-scalar target is summed (TF), unless
  /// `output_gradient` (same shape as target) gives its weighting.
  TensorList gradient(const Tensor& target, const TensorList& sources,
                      const Tensor& output_gradient = {},
                      UnconnectedGradients unconnected = UnconnectedGradients::kNone);
  TensorList gradient(const Tensor& target, const std::vector<Variable>& sources,
                      const Tensor& output_gradient = {},
                      UnconnectedGradients unconnected = UnconnectedGradients::kNone);

  /// Pauses this tape while the returned guard lives (tape.stop_recording()).
  class StopRecording {
   public:
    explicit StopRecording(GradientTape& tape);
    ~StopRecording();
    StopRecording(const StopRecording&) = delete;
    StopRecording& operator=(const StopRecording&) = delete;

   private:
    GradientTape& tape_;
    bool previous_;
  };
  StopRecording stop_recording() { return StopRecording(*this); }

  /// Forgets everything recorded; the tape keeps recording.
  void reset();
  /// Number of ops recorded (for tests and introspection).
  std::size_t size() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// An identity whose gradient is zero: the tape does not record it.
Tensor stop_gradient(const Tensor& x);

}  // namespace fathom
