// SPDX-License-Identifier: Apache-2.0
// Learning-rate schedules: values at several steps against real Keras 3 (3.15.1, float32; printed
// by `float(schedule(np.int64(step)))`) and against the formulas written out here; configs.
#include "optimizers/schedules.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numbers>
#include <string>
#include <utility>
#include <vector>

#include "optimizers/cosine_decay.h"
#include "optimizers/decay_schedules.h"

namespace fathom::optimizers {
namespace {

const std::int64_t kSteps[] = {0, 1, 5, 10, 15, 25, 37, 100};

struct KerasValues {
  const char* name;
  double values[8];  // at kSteps
};

// clang-format off
const KerasValues kKeras[] = {
    {"ExponentialDecay", {0.100000001, 0.0933033004, 0.0707106814, 0.0500000007, 0.0353553407, 0.0176776703, 0.00769465277, 9.76562515e-05}},
    {"ExponentialDecay staircase", {0.100000001, 0.100000001, 0.100000001, 0.0500000007, 0.0500000007, 0.0250000004, 0.0125000002, 9.76562515e-05}},
    {"InverseTimeDecay", {0.100000001, 0.0952381045, 0.0799999982, 0.0666666701, 0.0571428575, 0.0444444455, 0.0350877196, 0.0166666675}},
    {"InverseTimeDecay staircase", {0.100000001, 0.100000001, 0.100000001, 0.0666666701, 0.0666666701, 0.0500000007, 0.0399999991, 0.0166666675}},
    {"PiecewiseConstantDecay", {0.100000001, 0.100000001, 0.100000001, 0.100000001, 0.0500000007, 0.00999999978, 0.00999999978, 0.00999999978}},
    {"PolynomialDecay", {0.100000001, 0.0903474987, 0.0566874966, 0.02575, 0.00718750013, 0.00100000005, 0.00100000005, 0.00100000005}},
    {"PolynomialDecay cycle", {0.100000001, 0.0903474987, 0.0566874966, 0.02575, 0.00718750013, 0.0149218747, 0.00155687495, 0.00100000005}},
    {"CosineDecay", {0.100000001, 0.0994459763, 0.0868198127, 0.054999996, 0.0231801961, 0.0100000007, 0.0100000007, 0.0100000007}},
    {"CosineDecay warmup", {0.100000001, 0.109999999, 0.150000006, 0.200000003, 0.173639625, 0.0463603921, 0.0200000014, 0.0200000014}},
    {"CosineDecayRestarts", {0.100000001, 0.0977975428, 0.054999996, 0.0550000034, 0.0484099053, 0.0165900979, 0.0308421999, 0.0177775957}},
    {"CosineDecayRestarts t_mul=1", {0.100000001, 0.0975528285, 0.049999997, 0.0800000057, 0.0399999991, 0.0320000015, 0.0105526941, 0.0107374201}},
};
// clang-format on

Config spec(const std::string& class_name, std::vector<std::pair<std::string, Config>> entries) {
  Config config = Config::map();
  for (auto& [key, value] : entries) config.set(key, std::move(value));
  Config c = Config::map();
  c.set("class_name", class_name);
  c.set("config", config);
  return c;
}

Config list(std::vector<Config> items) { return Config(std::move(items)); }

Config case_spec(const std::string& name) {
  const std::pair<std::string, Config> lr{"initial_learning_rate", 0.1};
  if (name == "ExponentialDecay") return spec(name, {lr, {"decay_steps", 10}, {"decay_rate", 0.5}});
  if (name == "ExponentialDecay staircase") {
    return spec("ExponentialDecay",
                {lr, {"decay_steps", 10}, {"decay_rate", 0.5}, {"staircase", true}});
  }
  if (name == "InverseTimeDecay") return spec(name, {lr, {"decay_steps", 10}, {"decay_rate", 0.5}});
  if (name == "InverseTimeDecay staircase") {
    return spec("InverseTimeDecay",
                {lr, {"decay_steps", 10}, {"decay_rate", 0.5}, {"staircase", true}});
  }
  if (name == "PiecewiseConstantDecay") {
    return spec(name, {{"boundaries", list({10, 20})}, {"values", list({0.1, 0.05, 0.01})}});
  }
  if (name == "PolynomialDecay") {
    return spec(name, {lr, {"decay_steps", 20}, {"end_learning_rate", 0.001}, {"power", 2.0}});
  }
  if (name == "PolynomialDecay cycle") {
    return spec(
        "PolynomialDecay",
        {lr, {"decay_steps", 20}, {"end_learning_rate", 0.001}, {"power", 2.0}, {"cycle", true}});
  }
  if (name == "CosineDecay") return spec(name, {lr, {"decay_steps", 20}, {"alpha", 0.1}});
  if (name == "CosineDecay warmup") {
    return spec(
        "CosineDecay",
        {lr, {"decay_steps", 20}, {"alpha", 0.1}, {"warmup_target", 0.2}, {"warmup_steps", 10}});
  }
  if (name == "CosineDecayRestarts") {
    return spec(name,
                {lr, {"first_decay_steps", 10}, {"t_mul", 2.0}, {"m_mul", 0.5}, {"alpha", 0.1}});
  }
  if (name == "CosineDecayRestarts t_mul=1") {
    return spec("CosineDecayRestarts",
                {lr, {"first_decay_steps", 10}, {"t_mul", 1.0}, {"m_mul", 0.8}});
  }
  ADD_FAILURE() << "no config for case " << name;
  return Config();
}

class ScheduleKerasParity : public ::testing::TestWithParam<KerasValues> {};

TEST_P(ScheduleKerasParity, ValuesMatchKeras) {
  const KerasValues& expected = GetParam();
  const auto schedule = get_schedule(case_spec(expected.name));
  for (int i = 0; i < 8; ++i) {
    EXPECT_NEAR((*schedule)(kSteps[i]), expected.values[i], 1e-9 + 1e-6 * expected.values[i])
        << expected.name << " at step " << kSteps[i];
  }
}

std::string test_name(const char* name) {
  std::string s;
  for (const char* p = name; *p != 0; ++p)
    s += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
  return s;
}

INSTANTIATE_TEST_SUITE_P(AllSchedules, ScheduleKerasParity, ::testing::ValuesIn(kKeras),
                         [](const auto& info) { return test_name(info.param.name); });

TEST(Schedules, FormulasByHand) {
  const ExponentialDecay exponential(
      {.initial_learning_rate = 0.2, .decay_steps = 4, .decay_rate = 0.3});
  EXPECT_DOUBLE_EQ(exponential(6), 0.2 * std::pow(0.3, 6.0 / 4));
  const InverseTimeDecay inverse(
      {.initial_learning_rate = 0.2, .decay_steps = 4, .decay_rate = 0.3, .staircase = true});
  EXPECT_DOUBLE_EQ(inverse(6), 0.2 / (1 + 0.3 * 1));
  const PolynomialDecay polynomial(
      {.initial_learning_rate = 0.2, .decay_steps = 8, .end_learning_rate = 0.02, .power = 0.5});
  EXPECT_DOUBLE_EQ(polynomial(2), (0.2 - 0.02) * std::sqrt(1 - 2.0 / 8) + 0.02);
  EXPECT_DOUBLE_EQ(polynomial(80), 0.02);
  const CosineDecay cosine({.initial_learning_rate = 0.2, .decay_steps = 8, .alpha = 0.25});
  EXPECT_DOUBLE_EQ(cosine(2), 0.2 * (0.75 * 0.5 * (1 + std::cos(std::numbers::pi * 2 / 8)) + 0.25));
  // SGDR, t_mul 2: periods of 4, 8, 16 steps; step 7 is 3/8 into the second period, at m_mul^1.
  const CosineDecayRestarts restarts(
      {.initial_learning_rate = 0.2, .first_decay_steps = 4, .m_mul = 0.5});
  EXPECT_NEAR(restarts(7), 0.2 * 0.5 * 0.5 * (1 + std::cos(std::numbers::pi * 3 / 8)), 1e-15);
  const PiecewiseConstantDecay piecewise({.boundaries = {2, 4}, .values = {1, 2, 3}});
  EXPECT_EQ(piecewise(2), 1);  // boundaries are inclusive on the left piece, as Keras
  EXPECT_EQ(piecewise(3), 2);
  EXPECT_EQ(piecewise(5), 3);
}

TEST(Schedules, ConfigRoundTripForEveryRegisteredSchedule) {
  std::vector<std::string> covered;
  for (const KerasValues& c : kKeras) {
    const auto schedule = get_schedule(case_spec(c.name));
    const Config serialized = serialize_schedule(*schedule);
    EXPECT_EQ(serialized.get<std::string>("module"), "keras.optimizers.schedules");
    EXPECT_TRUE(serialized.at("registered_name").is_null());
    const auto again = get_schedule(serialized);
    EXPECT_EQ(again->class_name(), schedule->class_name());
    EXPECT_EQ(again->get_config(), schedule->get_config()) << c.name;
    covered.push_back(schedule->class_name());
  }
  for (const auto& name : registered_schedules()) {
    EXPECT_NE(std::find(covered.begin(), covered.end(), name), covered.end())
        << name << " not covered";
  }
}

TEST(Schedules, ConfigKeysAndDefaultsAreKeras) {
  const Config c = get_schedule(case_spec("CosineDecay"))->get_config();
  EXPECT_EQ(c.keys(), (std::vector<std::string>{"initial_learning_rate", "decay_steps", "alpha",
                                                "name", "warmup_target", "warmup_steps"}));
  EXPECT_EQ(c.get<std::string>("name"), "CosineDecay");
  EXPECT_TRUE(c.at("warmup_target").is_null());
  EXPECT_EQ(c.at("decay_steps").kind(), Config::Kind::kInt);
  const Config p = get_schedule(case_spec("PiecewiseConstantDecay"))->get_config();
  EXPECT_EQ(p.get<std::string>("name"), "PiecewiseConstant");
  EXPECT_EQ(get_schedule(case_spec("CosineDecayRestarts"))->get_config().get<std::string>("name"),
            "SGDRDecay");
  const Config poly =
      spec("PolynomialDecay", {{"initial_learning_rate", 0.1}, {"decay_steps", 20}});
  EXPECT_DOUBLE_EQ(get_schedule(poly)->get_config().get<double>("end_learning_rate"), 0.0001);
}

TEST(Schedules, NumbersAreConstants) {
  const auto constant = get_schedule(Config(0.25));
  EXPECT_EQ(constant->class_name(), "Constant");
  EXPECT_EQ((*constant)(1000), 0.25);
  EXPECT_EQ(serialize_schedule(*constant), Config(0.25));
}

std::string config_error(const Config& c) {
  try {
    get_schedule(c);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Schedules, ErrorsNameTheProblem) {
  EXPECT_NE(config_error(spec("ExponentialDecy", {})).find("Did you mean 'ExponentialDecay'"),
            std::string::npos);
  EXPECT_NE(
      config_error(spec("ExponentialDecay",
                        {{"initial_learning_rate", 0.1}, {"decay_steps", 0}, {"decay_rate", 0.5}}))
          .find("decay_steps=0"),
      std::string::npos);
  EXPECT_NE(
      config_error(spec("ExponentialDecay",
                        {{"initial_learning_rate", 0.1}, {"decay_steps", 5}, {"decay_rat", 0.5}}))
          .find("decay_rat"),
      std::string::npos);
  EXPECT_NE(config_error(spec("PiecewiseConstantDecay",
                              {{"boundaries", list({10})}, {"values", list({0.1})}}))
                .find("length of boundaries"),
            std::string::npos);
  EXPECT_NE(config_error(spec("CosineDecay", {{"initial_learning_rate", -1.0}, {"decay_steps", 5}}))
                .find("initial_learning_rate"),
            std::string::npos);
  EXPECT_THROW(get_schedule(Config("fast")), ConfigError);
  EXPECT_THROW(ExponentialDecay({.initial_learning_rate = 0.1, .decay_steps = -1}), ValueError);
}

}  // namespace
}  // namespace fathom::optimizers
