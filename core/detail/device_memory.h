// SPDX-License-Identifier: Apache-2.0
// Private: raw memory per device. CPU memory comes from the caching allocator (allocator.cpp);
// CUDA memory from core/kernels/cuda (or, in a CPU-only build, a DeviceError saying so).
#pragma once
#include <cstddef>

#include "core/device.h"

namespace fathom::detail {

void* device_allocate(std::size_t bytes, Device device);
void device_deallocate(void* p, std::size_t bytes, Device device) noexcept;

void* cuda_allocate(std::size_t bytes, Device device);
void cuda_deallocate(void* p, std::size_t bytes, Device device) noexcept;
/// Copies between host and device or within a device; at least one side is CUDA.
void cuda_copy_bytes(void* dst, Device dst_device, const void* src, Device src_device,
                     std::size_t bytes);

}  // namespace fathom::detail
