// SPDX-License-Identifier: Apache-2.0
#include "core/device.h"

namespace fathom {

std::string Device::to_string() const {
  return type == DeviceType::kCpu ? "cpu" : "cuda:" + std::to_string(index);
}

}  // namespace fathom
