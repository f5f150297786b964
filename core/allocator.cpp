// SPDX-License-Identifier: Apache-2.0
#include "core/allocator.h"

#include <cstdlib>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

#include "core/detail/device_memory.h"
#include "core/error.h"

namespace fathom {
namespace {

constexpr std::size_t kAlignment = 64;

/// Rounds up so that nearby sizes share a free list: 64-byte granularity below 64 KiB, then
/// eighths of the next power of two (at most 12.5 % slack).
std::size_t size_class(std::size_t bytes) {
  if (bytes <= 65536) return (bytes + kAlignment - 1) / kAlignment * kAlignment;
  std::size_t p = 65536;
  while (p < bytes) p <<= 1;
  const std::size_t step = p / 8;
  return (bytes + step - 1) / step * step;
}

class CpuCachingAllocator {
 public:
  void* allocate(std::size_t bytes) {
    const std::size_t cls = size_class(bytes == 0 ? 1 : bytes);
    std::lock_guard lock(mutex_);
    ++stats_.allocations;
    stats_.bytes_in_use += cls;
    if (stats_.bytes_in_use > stats_.peak_bytes_in_use) stats_.peak_bytes_in_use = stats_.bytes_in_use;
    auto& list = free_[cls];
    if (!list.empty()) {
      void* p = list.back();
      list.pop_back();
      ++stats_.cache_hits;
      stats_.bytes_cached -= cls;
      return p;
    }
    ++stats_.system_allocations;
    void* p = std::aligned_alloc(kAlignment, cls);
    if (!p) {
      stats_.bytes_in_use -= cls;
      throw std::bad_alloc();
    }
    return p;
  }

  void deallocate(void* p, std::size_t bytes) {
    const std::size_t cls = size_class(bytes == 0 ? 1 : bytes);
    std::lock_guard lock(mutex_);
    stats_.bytes_in_use -= cls;
    stats_.bytes_cached += cls;
    free_[cls].push_back(p);
  }

  void empty_cache() {
    std::lock_guard lock(mutex_);
    for (auto& [cls, list] : free_) {
      for (void* p : list) std::free(p);
    }
    free_.clear();
    stats_.bytes_cached = 0;
  }

  AllocatorStats stats() {
    std::lock_guard lock(mutex_);
    return stats_;
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::size_t, std::vector<void*>> free_;
  AllocatorStats stats_;
};

CpuCachingAllocator& cpu_allocator() {
  // Leaked on purpose: tensors in static objects may be freed after main returns.
  static auto* allocator = new CpuCachingAllocator();
  return *allocator;
}

}  // namespace

AllocatorStats cpu_allocator_stats() { return cpu_allocator().stats(); }
void empty_cpu_cache() { cpu_allocator().empty_cache(); }

namespace detail {

void* device_allocate(std::size_t bytes, Device device) {
  if (device.is_cpu()) return cpu_allocator().allocate(bytes);
  return cuda_allocate(bytes, device);
}

void device_deallocate(void* p, std::size_t bytes, Device device) noexcept {
  if (!p) return;
  if (device.is_cpu()) {
    cpu_allocator().deallocate(p, bytes);
  } else {
    cuda_deallocate(p, bytes, device);
  }
}

}  // namespace detail
}  // namespace fathom
