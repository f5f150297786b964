// SPDX-License-Identifier: Apache-2.0
#include "core/kernels/backend.h"

#include "core/error.h"

namespace fathom::kernels {

Backend& backend(Device device) {
  if (device.is_cpu()) return cpu_backend();
  throw DeviceError("no kernels for device " + device.to_string() +
                    " in this build: the CUDA backend provides memory and copies only "
                    "(Tensor::to); move the tensor to the CPU with .to(Device::cpu())");
}

Backend& backend_for(const char* op, const TensorList& inputs) {
  Device device;
  bool first = true;
  for (const Tensor& t : inputs) {
    FATHOM_CHECK(t.defined(), ValueError, op, ": input is an undefined tensor");
    if (first) {
      device = t.device();
      first = false;
    }
    FATHOM_CHECK(t.device() == device, DeviceError, op, ": inputs are on different devices (",
                 device.to_string(), " and ", t.device().to_string(), ")");
  }
  return backend(device);
}

}  // namespace fathom::kernels
