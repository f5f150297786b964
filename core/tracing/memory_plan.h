// SPDX-License-Identifier: Apache-2.0
// The executor's memory plan: every intermediate tensor of a graph gets a fixed slice of one
// arena, reused by values whose lifetimes do not overlap, and elementwise ops write over an
// input that dies there (in place); a kernel's temporaries get slices too. Returned tensors and
// the views they alias are left out (they outlive the call) unless the caller takes them as
// valid until the next call; tensors off the CPU are left out.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/tracing/graph.h"

namespace fathom::tracing {

struct MemoryPlan {
  /// Per node, per allocation its kernel makes (Node::allocations): the slice's offset, -1 when
  /// the allocation is not planned (a returned tensor).
  std::vector<std::vector<std::int64_t>> slices;
  std::size_t temporaries = 0;      // kernel-internal buffers (copies of strided operands, ...)
  std::size_t arena_bytes = 0;
  std::size_t planned_values = 0;
  std::size_t in_place = 0;         // planned values that take over an input's slice
  std::size_t unshared_bytes = 0;   // what the planned values would take without any reuse
  std::string summary() const;
};

/// With `outputs_in_arena`, returned tensors get slices too (live to the end of the call): a
/// replay then allocates no tensor memory at all, and its results are valid until the next call.
MemoryPlan plan_memory(const Graph& g, bool outputs_in_arena = false);

}  // namespace fathom::tracing
