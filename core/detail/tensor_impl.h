// SPDX-License-Identifier: Apache-2.0
// Private: the parts of Tensor that only core/ sees.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

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
