// SPDX-License-Identifier: Apache-2.0
// CUDA device memory and host<->device copies. Kernels for CUDA tensors are the CUDA backend
// issue's work; until then ops on a CUDA tensor raise DeviceError from core/kernels/backend.cpp.
#include <cuda_runtime.h>

#include <string>

#include "core/detail/device_memory.h"
#include "core/error.h"

namespace fathom {

bool cuda_built() { return true; }

int cuda_device_count() {
  int count = 0;
  // Any error means "no usable GPU": without a driver this is cudaErrorInsufficientDriver,
  // not cudaErrorNoDevice (docs/toolchain.md, section 5).
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();
    return 0;
  }
  return count;
}

namespace detail {
namespace {
void check(cudaError_t status, const char* what, Device device) {
  if (status != cudaSuccess) {
    cudaGetLastError();
    throw DeviceError(std::string(what) + " on " + device.to_string() + " failed: " +
                      cudaGetErrorString(status));
  }
}
}  // namespace

void* cuda_allocate(std::size_t bytes, Device device) {
  FATHOM_CHECK(device.index < cuda_device_count(), DeviceError, "allocate: device ",
               device.to_string(), " does not exist (this machine has ", cuda_device_count(),
               " usable GPUs)");
  check(cudaSetDevice(device.index), "cudaSetDevice", device);
  void* p = nullptr;
  check(cudaMalloc(&p, bytes == 0 ? 1 : bytes), "cudaMalloc", device);
  return p;
}

void cuda_deallocate(void* p, std::size_t, Device device) noexcept {
  cudaSetDevice(device.index);
  cudaFree(p);
}

void cuda_copy_bytes(void* dst, Device dst_device, const void* src, Device src_device,
                     std::size_t bytes) {
  const cudaMemcpyKind kind = dst_device.is_cpu()   ? cudaMemcpyDeviceToHost
                              : src_device.is_cpu() ? cudaMemcpyHostToDevice
                                                    : cudaMemcpyDeviceToDevice;
  check(cudaMemcpy(dst, src, bytes, kind), "cudaMemcpy", dst_device.is_cpu() ? src_device : dst_device);
}

}  // namespace detail
}  // namespace fathom
