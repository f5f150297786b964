// SPDX-License-Identifier: Apache-2.0
#include "core/threading.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

#include "core/ops.h"

namespace fathom {
namespace {

TEST(ThreadingTest, ParallelForCoversEveryIndexOnce) {
  set_num_threads(2);
  std::vector<std::atomic<int>> hits(10007);
  parallel_for(10007, 100, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b; i < e; ++i) hits[i]++;
  });
  for (const auto& h : hits) ASSERT_EQ(h.load(), 1);
  set_num_threads(0);
}

TEST(ThreadingTest, SetNumThreadsIsHonoured) {
  set_num_threads(1);
  EXPECT_EQ(num_threads(), 1);
  set_num_threads(2);
  EXPECT_EQ(num_threads(), 2);
  set_num_threads(0);
  EXPECT_GE(num_threads(), 1);
}

TEST(ThreadingTest, ExceptionsPropagateToTheCaller) {
  set_num_threads(2);
  EXPECT_THROW(parallel_for(1000, 10, [](std::int64_t b, std::int64_t) {
                 if (b > 0) throw std::runtime_error("worker failed");
               }),
               std::runtime_error);
  // The pool still works afterwards.
  std::atomic<std::int64_t> total{0};
  parallel_for(1000, 10, [&](std::int64_t b, std::int64_t e) { total += e - b; });
  EXPECT_EQ(total.load(), 1000);
  set_num_threads(0);
}

TEST(ThreadingTest, ResultsDoNotDependOnThreadCount) {
  const Tensor x = ops::reshape(ops::cast(Tensor::arange(300000), DType::kFloat32), {300, 1000});
  set_num_threads(1);
  const auto one = ops::sum(ops::tanh(ops::mul(x, 1e-5)), 0).to_vector<float>();
  set_num_threads(2);
  const auto two = ops::sum(ops::tanh(ops::mul(x, 1e-5)), 0).to_vector<float>();
  set_num_threads(0);
  EXPECT_EQ(one, two);
}

}  // namespace
}  // namespace fathom
