// SPDX-License-Identifier: Apache-2.0
#include "core/random.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/ops.h"
#include "core/threading.h"

namespace fathom {
namespace {

double mean_of(const Tensor& t) { return ops::mean(ops::cast(t, DType::kFloat64)).item<double>(); }
double std_of(const Tensor& t) { return std::sqrt(ops::var(ops::cast(t, DType::kFloat64)).item<double>()); }

TEST(RandomTest, DistributionsHaveTheirMoments) {
  random::Generator g(7);
  const Tensor n = random::normal({200000}, 1.0, 2.0, DType::kFloat32, g);
  EXPECT_NEAR(mean_of(n), 1.0, 0.02);
  EXPECT_NEAR(std_of(n), 2.0, 0.02);
  const Tensor u = random::uniform({200000}, -1.0, 3.0, DType::kFloat64, g);
  EXPECT_NEAR(mean_of(u), 1.0, 0.02);
  EXPECT_GE(ops::min(u).item<double>(), -1.0);
  EXPECT_LT(ops::max(u).item<double>(), 3.0);
  const Tensor t = random::truncated_normal({200000}, 0.0, 1.0, DType::kFloat32, g);
  EXPECT_LE(ops::max(ops::abs(t)).item<float>(), 2.0f);
  // A standard normal truncated to [-2, 2] has standard deviation 0.8796.
  EXPECT_NEAR(std_of(t), 0.8796, 0.01);
}

TEST(RandomTest, SameSeedSameNumbersAnyThreadCount) {
  set_num_threads(1);
  const auto one = random::normal({50000}, 0, 1, DType::kFloat32, 42).to_vector<float>();
  set_num_threads(2);
  const auto two = random::normal({50000}, 0, 1, DType::kFloat32, 42).to_vector<float>();
  set_num_threads(0);
  EXPECT_EQ(one, two);
}

TEST(RandomTest, OpSeedIsStatelessGeneratorAdvances) {
  random::set_global_seed(3);
  const auto a = random::uniform({4}, 0, 1, DType::kFloat32, 11).to_vector<float>();
  const auto b = random::uniform({4}, 0, 1, DType::kFloat32, 11).to_vector<float>();
  EXPECT_EQ(a, b);
  random::Generator g(5);
  const auto c = random::uniform({4}, 0, 1, DType::kFloat32, g).to_vector<float>();
  const auto d = random::uniform({4}, 0, 1, DType::kFloat32, g).to_vector<float>();
  EXPECT_NE(c, d);
}

TEST(RandomTest, GlobalSeedMakesUnseededOpsRepeatable) {
  random::set_global_seed(123);
  const auto a1 = random::normal({8}).to_vector<float>();
  const auto a2 = random::normal({8}).to_vector<float>();
  random::set_global_seed(123);
  EXPECT_EQ(random::normal({8}).to_vector<float>(), a1);
  EXPECT_EQ(random::normal({8}).to_vector<float>(), a2);
  EXPECT_NE(a1, a2);
}

TEST(RandomTest, GeneratorStateRestoresTheStream) {
  random::Generator g(9);
  random::uniform({3}, 0, 1, DType::kFloat32, g);
  const random::GeneratorState saved = g.state();
  const auto next = random::uniform({3}, 0, 1, DType::kFloat32, g).to_vector<float>();
  g.set_state(saved);
  EXPECT_EQ(random::uniform({3}, 0, 1, DType::kFloat32, g).to_vector<float>(), next);
}

TEST(RandomTest, BadArgumentsAreValueErrors) {
  EXPECT_THROW(random::uniform({2}, 1.0, 1.0), ValueError);
  EXPECT_THROW(random::normal({2}, 0.0, -1.0), ValueError);
  EXPECT_THROW(random::normal({2}, 0.0, 1.0, DType::kInt32), ValueError);
}

}  // namespace
}  // namespace fathom
