// SPDX-License-Identifier: Apache-2.0
// Device memory on a GPU (label `gpu`): skipped, with the reason, where there is none.
#include <gtest/gtest.h>

#include "core/ops.h"

namespace fathom {
namespace {

TEST(CudaMemoryTest, RoundTripsThroughTheDevice) {
  if (!cuda_built()) GTEST_SKIP() << "this build has no CUDA backend (FATHOM_CUDA=OFF or no toolkit)";
  if (cuda_device_count() == 0) GTEST_SKIP() << "no usable GPU on this machine";
  const Tensor host = ops::transpose(Tensor::from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3}));
  const Tensor device = host.to(Device::cuda(0));
  EXPECT_EQ(device.device(), Device::cuda(0));
  EXPECT_EQ(device.shape(), (Shape{3, 2}));
  EXPECT_THROW(ops::relu(device), DeviceError);  // no CUDA kernels yet: a clear error
  EXPECT_EQ(device.to(Device::cpu()).to_vector<float>(), (std::vector<float>{1, 4, 2, 5, 3, 6}));
  EXPECT_THROW(Tensor::zeros({1}, DType::kFloat32, Device::cuda(cuda_device_count())), DeviceError);
}

}  // namespace
}  // namespace fathom
