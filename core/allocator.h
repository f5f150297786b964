// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstddef>

namespace fathom {

/// Counters of the CPU caching allocator. Freed blocks are kept for reuse (keyed by rounded
/// size), so a steady-state training step reuses last step's buffers instead of page-faulting
/// fresh ones from the OS (docs/performance.md, lesson 2).
struct AllocatorStats {
  std::size_t allocations = 0;     // allocate() calls
  std::size_t cache_hits = 0;      // ... served from the cache
  std::size_t system_allocations = 0;  // ... that went to the system allocator
  std::size_t bytes_in_use = 0;
  std::size_t peak_bytes_in_use = 0;
  std::size_t bytes_cached = 0;    // freed, kept for reuse
};

AllocatorStats cpu_allocator_stats();
/// Returns every cached block to the system.
void empty_cpu_cache();

}  // namespace fathom
