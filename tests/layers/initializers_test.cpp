// SPDX-License-Identifier: Apache-2.0
// Initializers: Keras's formulas checked through the statistics of large draws, plus the exact
// ones (orthogonal, identity, constant), seeds, configs and errors.
#include "layers/initializers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "core/ops.h"
#include "tests/support/layer_contract.h"

namespace fathom::layers {
namespace {

struct Stats {
  double mean = 0, std = 0, max_abs = 0;
};

Stats stats_of(const Tensor& t) {
  const auto v = ops::cast(t, DType::kFloat64).to_vector<double>();
  Stats s;
  for (double x : v) s.mean += x;
  s.mean /= static_cast<double>(v.size());
  for (double x : v) {
    s.std += (x - s.mean) * (x - s.mean);
    s.max_abs = std::max(s.max_abs, std::abs(x));
  }
  s.std = std::sqrt(s.std / static_cast<double>(v.size()));
  return s;
}

Config with_config(const std::string& class_name, Config config) {
  Config c = Config::map();
  c.set("class_name", class_name).set("config", std::move(config));
  return c;
}

// [200, 300]: fan_in 200, fan_out 300, fan_avg 250; 60000 draws, so the sample std is within
// ~0.3% (one sigma) of the true one and 2% is a > 6 sigma band.
const Shape kShape = {200, 300};
constexpr double kFanIn = 200, kFanOut = 300, kFanAvg = 250;

void expect_uniform(const std::string& name, double variance) {
  SCOPED_TRACE(name);
  const double limit = std::sqrt(3 * variance);
  const Stats s = stats_of((*get_initializer(Config(name)))(kShape));
  EXPECT_LE(s.max_abs, limit * (1 + 1e-6)) << "limit sqrt(3 * scale / n)";
  EXPECT_GT(s.max_abs, limit * 0.99) << "the draws reach the limit";
  EXPECT_NEAR(s.std, limit / std::sqrt(3.0), 0.02 * limit / std::sqrt(3.0));
  EXPECT_NEAR(s.mean, 0, 5 * limit / std::sqrt(3.0 * 60000));
}

void expect_truncated_normal(const std::string& name, double variance) {
  SCOPED_TRACE(name);
  const double stddev = std::sqrt(variance);
  const Stats s = stats_of((*get_initializer(Config(name)))(kShape));
  // Keras draws N(0, stddev / 0.8796...) truncated at two of its stddevs: the result has `stddev`.
  EXPECT_NEAR(s.std, stddev, 0.02 * stddev);
  EXPECT_LE(s.max_abs, 2 * stddev / 0.87962566103423978 * (1 + 1e-6));
  EXPECT_GT(s.max_abs, 1.9 * stddev / 0.87962566103423978);
  EXPECT_NEAR(s.mean, 0, 5 * stddev / std::sqrt(60000.0));
}

TEST(InitializersTest, GlorotStatistics) {
  expect_uniform("glorot_uniform", 1 / kFanAvg);
  expect_truncated_normal("glorot_normal", 1 / kFanAvg);
}

TEST(InitializersTest, HeStatistics) {
  expect_uniform("he_uniform", 2 / kFanIn);
  expect_truncated_normal("he_normal", 2 / kFanIn);
}

TEST(InitializersTest, LecunStatistics) {
  expect_uniform("lecun_uniform", 1 / kFanIn);
  expect_truncated_normal("lecun_normal", 1 / kFanIn);
}

TEST(InitializersTest, VarianceScalingHonoursScaleModeAndDistribution) {
  Config c = Config::map();
  c.set("scale", 2.0).set("mode", "fan_out").set("distribution", "uniform");
  const double limit = std::sqrt(3 * 2 / kFanOut);
  const Stats s = stats_of((*get_initializer(with_config("VarianceScaling", c)))(kShape));
  EXPECT_LE(s.max_abs, limit * (1 + 1e-6));
  EXPECT_NEAR(s.std, limit / std::sqrt(3.0), 0.02 * limit / std::sqrt(3.0));
  c.set("distribution", "untruncated_normal").set("mode", "fan_avg");
  const Stats n = stats_of((*get_initializer(with_config("VarianceScaling", c)))(kShape));
  EXPECT_NEAR(n.std, std::sqrt(2 / kFanAvg), 0.02 * std::sqrt(2 / kFanAvg));
  EXPECT_GT(n.max_abs, 3.5 * std::sqrt(2 / kFanAvg)) << "untruncated: tails beyond 2 sigma";
}

TEST(InitializersTest, ComputeFansAsKeras) {
  EXPECT_EQ(compute_fans({}), (std::pair<double, double>{1, 1}));
  EXPECT_EQ(compute_fans({5}), (std::pair<double, double>{5, 5}));
  EXPECT_EQ(compute_fans({3, 4}), (std::pair<double, double>{3, 4}));
  EXPECT_EQ(compute_fans({3, 3, 8, 16}), (std::pair<double, double>{72, 144}))
      << "receptive field 9";
  const Stats s = stats_of((*get_initializer(Config("he_normal")))({3, 3, 8, 16}));
  EXPECT_NEAR(s.std, std::sqrt(2.0 / 72), 0.1 * std::sqrt(2.0 / 72));  // only 1152 draws
}

TEST(InitializersTest, RandomDistributionsKeepKerasDefaults) {
  EXPECT_NEAR(stats_of((*get_initializer(Config("random_normal")))(kShape)).std, 0.05, 0.001);
  const Stats u = stats_of((*get_initializer(Config("random_uniform")))(kShape));
  EXPECT_LE(u.max_abs, 0.05 * (1 + 1e-6));
  EXPECT_GT(u.max_abs, 0.0495);
  EXPECT_LE(stats_of((*get_initializer(Config("truncated_normal")))(kShape)).max_abs,
            0.1 * (1 + 1e-6));
  // Keras's short aliases "uniform" and "normal" (Embedding's default initializer is "uniform").
  EXPECT_EQ(get_initializer(Config("uniform"))->class_name(), "RandomUniform");
  EXPECT_EQ(get_initializer(Config("normal"))->class_name(), "RandomNormal");
  EXPECT_LE(stats_of((*get_initializer(Config("uniform")))(kShape)).max_abs, 0.05 * (1 + 1e-6));
}

/// a^T a for a [rows, cols] tensor, in float64.
std::vector<double> gram(const Tensor& a) {
  const Tensor d = ops::cast(a, DType::kFloat64);
  return ops::matmul(d, d, /*transpose_a=*/true).to_vector<double>();
}

void expect_identity_times(const std::vector<double>& m, std::int64_t n, double value) {
  ASSERT_EQ(m.size(), static_cast<std::size_t>(n * n));
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::int64_t j = 0; j < n; ++j)
      EXPECT_NEAR(m[i * n + j], i == j ? value : 0.0, 1e-5) << i << "," << j;
  }
}

TEST(InitializersTest, OrthogonalHasOrthonormalColumnsOrRows) {
  const auto init = get_initializer(Config("orthogonal"));
  expect_identity_times(gram((*init)({8, 5})), 5, 1.0);                           // Q^T Q = I
  expect_identity_times(gram(ops::transpose((*init)({5, 8}))), 5, 1.0);           // Q Q^T = I
  expect_identity_times(gram(ops::reshape((*init)({2, 3, 4}), {6, 4})), 4, 1.0);  // rows = 2 * 3
  Config c = Config::map();
  c.set("gain", 2.0);
  expect_identity_times(gram((*get_initializer(with_config("Orthogonal", c)))({6, 6})), 6, 4.0);
  EXPECT_THROW((*init)({7}), ShapeError);
}

TEST(InitializersTest, IdentityAndConstants) {
  Config c = Config::map();
  c.set("gain", 0.5);
  testing::expect_tensor_near((*get_initializer(with_config("Identity", c)))({3, 4}), {3, 4},
                              {0.5, 0, 0, 0, 0, 0.5, 0, 0, 0, 0, 0.5, 0}, 0, 0);
  EXPECT_THROW((*get_initializer(Config("identity")))({2, 2, 2}), ShapeError);
  Config v = Config::map();
  v.set("value", 0.7);
  for (float x : (*get_initializer(with_config("Constant", v)))({3, 2}).to_vector<float>())
    EXPECT_EQ(x, 0.7f);
  for (float x : (*get_initializer(Config("zeros")))({4}).to_vector<float>()) EXPECT_EQ(x, 0.0f);
  for (float x : (*get_initializer(Config("ones")))({4}).to_vector<float>()) EXPECT_EQ(x, 1.0f);
}

TEST(InitializersTest, HonoursTheRequestedDType) {
  for (const std::string& name : registered_initializers()) {
    EXPECT_EQ((*get_initializer(Config(name)))({4, 4}, DType::kFloat64).dtype(), DType::kFloat64)
        << name;
  }
}

TEST(InitializersTest, SeedsAsKeras) {
  Config seeded = Config::map();
  seeded.set("seed", 3);
  const auto a = get_initializer(with_config("GlorotUniform", seeded));
  EXPECT_EQ((*a)({4, 4}).to_vector<float>(), (*a)({4, 4}).to_vector<float>())
      << "a seed repeats on every call";
  seeded.set("seed", 4);
  EXPECT_NE((*a)({4, 4}).to_vector<float>(),
            (*get_initializer(with_config("GlorotUniform", seeded)))({4, 4}).to_vector<float>());
  const auto unseeded = get_initializer(Config("glorot_uniform"));
  EXPECT_NE((*unseeded)({4, 4}).to_vector<float>(), (*unseeded)({4, 4}).to_vector<float>());
  random::set_global_seed(11);
  const auto first = (*unseeded)({4, 4}).to_vector<float>();
  random::set_global_seed(11);
  EXPECT_EQ((*unseeded)({4, 4}).to_vector<float>(), first)
      << "set_global_seed repeats unseeded draws";
}

TEST(InitializersTest, SerializeRoundTrips) {
  for (const std::string& name : registered_initializers()) {
    const auto init = get_initializer(Config(name));
    const Config s = serialize_initializer(*init);
    EXPECT_EQ(s.get<std::string>("module"), "keras.initializers");
    const auto back = get_initializer(s);
    EXPECT_EQ(back->class_name(), init->class_name()) << name;
    EXPECT_EQ(back->get_config(), init->get_config()) << name << ": " << s.to_json();
  }
}

TEST(InitializersTest, UnknownNamesAndKeysAreConfigErrors) {
  testing::expect_throws_with<ConfigError>(
      [] { get_initializer(Config("glorot_unifrom")); },
      {"unknown initializer 'glorot_unifrom'", "Did you mean 'glorot_uniform'?"});
  Config c = Config::map();
  c.set("sed", 1);
  testing::expect_throws_with<ConfigError>(
      [&] { get_initializer(with_config("HeNormal", c)); },
      {"HeNormal", "unknown key 'sed'", "Did you mean 'seed'?"});
  Config bad = Config::map();
  bad.set("distribution", "cauchy");
  EXPECT_THROW(get_initializer(with_config("VarianceScaling", bad)), ConfigError);
  Config mode = Config::map();
  mode.set("mode", "fan_sum");
  EXPECT_THROW(get_initializer(with_config("VarianceScaling", mode)), ValueError);
}

}  // namespace
}  // namespace fathom::layers
