// SPDX-License-Identifier: Apache-2.0
#include "core/tensor.h"

#include <gtest/gtest.h>

#include "core/allocator.h"
#include "core/ops.h"

namespace fathom {
namespace {

TEST(TensorTest, FactoriesFillShapeAndDtype) {
  const Tensor z = Tensor::zeros({2, 3});
  EXPECT_EQ(z.shape(), (Shape{2, 3}));
  EXPECT_EQ(z.dtype(), DType::kFloat32);
  EXPECT_EQ(z.numel(), 6);
  EXPECT_EQ(z.to_vector<float>(), std::vector<float>(6, 0.f));
  EXPECT_EQ(Tensor::ones({2}, DType::kInt64).to_vector<std::int64_t>(), (std::vector<std::int64_t>{1, 1}));
  EXPECT_EQ(Tensor::full({3}, 2.5, DType::kFloat64).to_vector<double>(), (std::vector<double>{2.5, 2.5, 2.5}));
  const Tensor s = Tensor::scalar(4.0);
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(s.numel(), 1);
  EXPECT_FLOAT_EQ(s.item<float>(), 4.f);
  EXPECT_EQ(Tensor::arange(4, DType::kInt32).to_vector<std::int32_t>(), (std::vector<std::int32_t>{0, 1, 2, 3}));
}

TEST(TensorTest, CopiesShareStorageAndClonesDoNot) {
  Tensor a = Tensor::from_vector<float>({1, 2, 3, 4}, {2, 2});
  Tensor b = a;
  EXPECT_TRUE(a.shares_storage_with(b));
  EXPECT_EQ(a.id(), b.id());
  Tensor c = a.clone();
  EXPECT_FALSE(c.shares_storage_with(a));
  EXPECT_NE(c.id(), a.id());
  a.data<float>()[0] = 9.f;
  EXPECT_EQ(b.to_vector<float>()[0], 9.f);
  EXPECT_EQ(c.to_vector<float>()[0], 1.f);
}

TEST(TensorTest, StridedViewsReadInLogicalOrder) {
  const Tensor a = Tensor::from_vector<float>({0, 1, 2, 3, 4, 5}, {2, 3});
  const Tensor t = a.as_strided({3, 2}, {1, 3}, 0);  // the transpose
  EXPECT_FALSE(t.is_contiguous());
  EXPECT_EQ(t.to_vector<float>(), (std::vector<float>{0, 3, 1, 4, 2, 5}));
  const Tensor c = t.contiguous();
  EXPECT_TRUE(c.is_contiguous());
  EXPECT_EQ(c.strides(), (Strides{2, 1}));
  const Tensor every_other = a.as_strided({2, 2}, {3, 2}, 0);
  EXPECT_EQ(every_other.to_vector<float>(), (std::vector<float>{0, 2, 3, 5}));
  const Tensor reversed = a.as_strided({3}, {-1}, 5);
  EXPECT_EQ(reversed.to_vector<float>(), (std::vector<float>{5, 4, 3}));
}

TEST(TensorTest, AsStridedRejectsViewsOutsideStorage) {
  const Tensor a = Tensor::zeros({2, 3});
  EXPECT_THROW(a.as_strided({3, 3}, {3, 1}, 0), ShapeError);
  EXPECT_THROW(a.as_strided({2}, {-1}, 0), ShapeError);
}

TEST(TensorTest, CopyFromConvertsDtypesThroughStrides) {
  const Tensor src = Tensor::from_vector<double>({1.5, -2.7, 3.9, 0}, {2, 2});
  Tensor dst = Tensor::empty({2, 2}, DType::kInt32);
  dst.copy_from(ops::transpose(src));
  EXPECT_EQ(dst.to_vector<std::int32_t>(), (std::vector<std::int32_t>{1, 3, -2, 0}));
  Tensor flags = Tensor::empty({4}, DType::kBool);
  flags.copy_from(ops::reshape(src, {4}));
  EXPECT_EQ(flags.to_vector<std::int32_t>(), (std::vector<std::int32_t>{1, 1, 1, 0}));
}

TEST(TensorTest, ToStringShowsShapeDtypeAndValues) {
  const Tensor a = Tensor::from_vector<float>({1, 2, 3, 4}, {2, 2});
  EXPECT_EQ(a.to_string(), "Tensor(shape=[2, 2], dtype=float32, values=[[1, 2], [3, 4]])");
  EXPECT_EQ(Tensor().to_string(), "Tensor(undefined)");
  const std::string long_row = Tensor::arange(10).to_string();
  EXPECT_NE(long_row.find("..."), std::string::npos) << long_row;
}

TEST(TensorTest, DeviceIsCpuAndCudaRequestsFailClearlyWithoutAGpu) {
  const Tensor a = Tensor::zeros({2});
  EXPECT_TRUE(a.device().is_cpu());
  EXPECT_EQ(a.device().to_string(), "cpu");
  EXPECT_EQ(a.to(Device::cpu()).id(), a.id());
  if (cuda_device_count() > 0) GTEST_SKIP() << "a GPU is present; covered by the gpu-labelled tests";
  EXPECT_THROW(a.to(Device::cuda(0)), DeviceError);
  try {
    Tensor::zeros({2}, DType::kFloat32, Device::cuda(0));
    FAIL() << "expected DeviceError";
  } catch (const DeviceError& e) {
    EXPECT_NE(std::string(e.what()).find("cuda:0"), std::string::npos) << e.what();
  }
}

TEST(TensorTest, CachingAllocatorReusesFreedBlocks) {
  { Tensor warm = Tensor::empty({1000, 257}); }
  const AllocatorStats before = cpu_allocator_stats();
  for (int i = 0; i < 10; ++i) {
    Tensor t = Tensor::empty({1000, 257});
  }
  const AllocatorStats after = cpu_allocator_stats();
  EXPECT_EQ(after.allocations - before.allocations, 10u);
  EXPECT_EQ(after.system_allocations, before.system_allocations) << "freed blocks must be reused";
  empty_cpu_cache();
  EXPECT_EQ(cpu_allocator_stats().bytes_cached, 0u);
}

TEST(TensorTest, SteadyStateOpsDoNotReachTheSystemAllocator) {
  const Tensor w = Tensor::ones({64, 32});
  const Tensor x = Tensor::ones({16, 64});
  auto step = [&] { return ops::sum(ops::relu(ops::matmul(x, w))).item<float>(); };
  step();
  const auto before = cpu_allocator_stats().system_allocations;
  for (int i = 0; i < 5; ++i) EXPECT_FLOAT_EQ(step(), 16 * 32 * 64.f);
  EXPECT_EQ(cpu_allocator_stats().system_allocations, before);
}

}  // namespace
}  // namespace fathom

namespace fathom {
namespace {

TEST(TensorTest, BoolTensorsRoundTrip) {
  const Tensor b = Tensor::from_vector<bool>({true, false, true}, {3});
  EXPECT_EQ(b.dtype(), DType::kBool);
  EXPECT_EQ(b.to_vector<bool>(), (std::vector<bool>{true, false, true}));
  EXPECT_TRUE(ops::slice_axis(b, 0, 2, 3).item<bool>());
}

}  // namespace
}  // namespace fathom
