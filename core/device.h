// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdint>
#include <string>

namespace fathom {

enum class DeviceType : std::uint8_t { kCpu, kCuda };

/// Where a tensor's storage lives. Kernels are chosen by it (core/kernels/backend.h); headers
/// speak Device, never cudaStream_t.
struct Device {
  DeviceType type = DeviceType::kCpu;
  int index = 0;

  static Device cpu() { return {}; }
  static Device cuda(int index = 0) { return {DeviceType::kCuda, index}; }
  bool is_cpu() const { return type == DeviceType::kCpu; }
  bool operator==(const Device& o) const { return type == o.type && index == o.index; }
  bool operator!=(const Device& o) const { return !(*this == o); }
  /// "cpu" or "cuda:0".
  std::string to_string() const;
};

/// Whether this build has the CUDA backend, and how many GPUs it sees (0 without a driver).
bool cuda_built();
int cuda_device_count();

}  // namespace fathom
