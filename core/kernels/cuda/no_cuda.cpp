// SPDX-License-Identifier: Apache-2.0
// Compiled instead of the CUDA sources when this build has no CUDA backend: every CUDA request
// becomes a DeviceError that says how to get one.
#include "core/detail/device_memory.h"
#include "core/error.h"

namespace fathom {

bool cuda_built() { return false; }
int cuda_device_count() { return 0; }

namespace detail {
namespace {
[[noreturn]] void no_cuda(const char* what, Device device) {
  throw DeviceError(std::string(what) + ": device " + device.to_string() +
                    " requested, but this build of Fathom has no CUDA backend. Reconfigure with "
                    "-DFATHOM_CUDA=ON on a machine with the CUDA toolkit and cuDNN.");
}
}  // namespace

void* cuda_allocate(std::size_t, Device device) { no_cuda("allocate", device); }
void cuda_deallocate(void*, std::size_t, Device) noexcept {}
void cuda_copy_bytes(void*, Device dst_device, const void*, Device src_device, std::size_t) {
  no_cuda("copy", dst_device.is_cpu() ? src_device : dst_device);
}

}  // namespace detail
}  // namespace fathom
