// SPDX-License-Identifier: Apache-2.0
// Records one call of a function into a Graph: installed as the thread's tracer while the body
// runs eagerly, it maps every tensor it sees to a graph value.
#pragma once
#include <cstdint>
#include <unordered_map>

#include "core/autograd/recorder.h"
#include "core/tracing/graph.h"

namespace fathom::tracing {

class Tracer : public autograd::TraceRecorder {
 public:
  /// Installs itself as this thread's tracer and registers `args` as the graph's arguments.
  Tracer(std::string name, const TensorList& args);
  /// Uninstalls itself (also when the body threw).
  ~Tracer() override;
  Tracer(const Tracer&) = delete;
  Tracer& operator=(const Tracer&) = delete;

  void record_op(const char* op, const TensorList& inputs, const Tensor& output, const autograd::ForwardFn& forward,
                 const std::vector<std::size_t>& allocations, int output_allocation) override;
  void record_effect(const std::string& what, const TensorList& inputs, const TensorList& writes,
                     autograd::EffectFn effect) override;
  void check_host_read(const Tensor& t) override;

  /// Marks the body's results as the graph's outputs and hands the graph over.
  Graph finish(const TensorList& outputs);

 private:
  /// The value a tensor stands for; tensors not seen before become constants or variables.
  int value_of(const Tensor& t);

  Graph graph_;
  std::unordered_map<std::uint64_t, int> by_id_;  // tensor id -> value
  autograd::TraceRecorder* previous_ = nullptr;
};

}  // namespace fathom::tracing
