// SPDX-License-Identifier: Apache-2.0
// Private: the parts of Tensor that only core/ sees.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/device.h"
#include "core/dtype.h"
#include "core/shape.h"

namespace fathom::detail {

/// A block of device memory. Returned to its device's caching allocator when the last tensor
/// that views it goes away.
struct Storage {
  Storage(std::size_t bytes, Device device);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data = nullptr;
  std::size_t bytes = 0;
  Device device;
  /// Set when the storage is a Variable's (views of it share it): a tracer reads such memory as
  /// mutable state, never as a constant it could fold.
  bool is_variable = false;
  std::string variable_name;
  /// Set when the memory is a slice of a traced graph's arena (BufferLoan): not freed here; the
  /// arena is kept alive while any tensor views the slice.
  std::shared_ptr<Storage> lender;
};

/// A slice of a traced graph's arena for one allocation of a kernel (null: allocate).
struct Slice {
  void* data = nullptr;
  std::size_t bytes = 0;
};

/// While alive, the k-th CPU allocation on this thread gets slices[k] when its size matches:
/// how the tracing executor puts a kernel's output and temporaries into its memory plan without
/// changing the kernel. Counts the allocations it did not serve.
class BufferLoan {
 public:
  BufferLoan(std::shared_ptr<Storage> arena, const Slice* slices, std::size_t count);
  /// Lends nothing; only counts the allocations made while alive.
  BufferLoan();
  ~BufferLoan();
  BufferLoan(const BufferLoan&) = delete;
  BufferLoan& operator=(const BufferLoan&) = delete;

  /// Allocations served from the arena, and made while alive that the loan did not serve.
  std::size_t served() const { return served_; }
  std::size_t fresh_allocations() const { return fresh_; }

 private:
  friend struct Storage;
  std::shared_ptr<Storage> arena_;
  const Slice* slices_ = nullptr;
  std::size_t count_ = 0;
  std::size_t next_ = 0;
  std::size_t served_ = 0;
  std::size_t fresh_ = 0;
  BufferLoan* previous_ = nullptr;
};

/// While alive, records the size and address of every allocation on this thread, in order (what
/// the tracer notes for each kernel, so that the memory plan can give each one a slice).
class AllocationLog {
 public:
  AllocationLog();
  ~AllocationLog();
  AllocationLog(const AllocationLog&) = delete;
  AllocationLog& operator=(const AllocationLog&) = delete;

  std::vector<std::pair<std::size_t, const void*>> entries;

 private:
  AllocationLog* previous_ = nullptr;
};

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  Shape shape;
  Strides strides;
  std::int64_t offset = 0;  // in elements
  DType dtype = DType::kFloat32;
  std::uint64_t id = next_id();
  /// Set on the value of a trainable Variable: tapes watch it without an explicit watch().
  bool watch_as_variable = false;

  static std::uint64_t next_id() {
    static std::atomic<std::uint64_t> counter{1};
    return counter.fetch_add(1, std::memory_order_relaxed);
  }
};

}  // namespace fathom::detail
