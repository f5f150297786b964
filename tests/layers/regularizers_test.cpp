// SPDX-License-Identifier: Apache-2.0
// Regularizers (penalties, defaults, Layer::losses) and constraints against Keras 3.15.1.
// Reference numbers: tests/layers/data/make_keras_fixtures.py (regularizers_and_constraints()).
#include "layers/regularizers.h"

#include <gtest/gtest.h>

#include "core/ops.h"
#include "layers/registry.h"
#include "tests/support/layer_contract.h"

namespace fathom::layers {
namespace {

using testing::expect_tensor_near;
using testing::expect_throws_with;
using testing::keras_pattern;

Tensor w() { return keras_pattern({3, 4}, 7, 11, 5, 4); }    // sum|w| = 8.75, sum w^2 = 8.4375
Tensor big() { return keras_pattern({3, 4}, 5, 13, 6, 2); }  // column norms above and below 2

Config spec(const std::string& class_name, Config config = Config::map()) {
  Config c = Config::map();
  c.set("class_name", class_name).set("config", std::move(config));
  return c;
}

Config factors(double l1, double l2) {
  Config c = Config::map();
  c.set("l1", l1).set("l2", l2);
  return c;
}

double penalty(const Config& regularizer) {
  return (*get_regularizer(regularizer))(w()).item_as_double();
}

TEST(RegularizersTest, PenaltiesMatchKeras) {
  EXPECT_NEAR(penalty(Config("l1")), 0.0874999985, 1e-8) << "keras.regularizers.get('l1'): l1=0.01";
  EXPECT_NEAR(penalty(Config("l2")), 0.0843750015, 1e-8) << "keras.regularizers.get('l2'): l2=0.01";
  EXPECT_NEAR(penalty(spec("L1")), 0.0874999985, 1e-8);
  EXPECT_NEAR(penalty(spec("L2")), 0.0843750015, 1e-8);
  EXPECT_NEAR(penalty(spec("L1L2", factors(0.02, 0.03))), 0.428124964, 1e-7);
}

TEST(RegularizersTest, L1L2ClassDefaultsToZeroAsKeras3) {
  // keras.regularizers.L1L2() and keras.regularizers.l1_l2() (an alias of the class in Keras 3)
  // both have l1 = l2 = 0: no penalty.
  EXPECT_EQ(penalty(spec("L1L2")), 0.0);
  const Config config = get_regularizer(spec("L1L2"))->get_config();
  EXPECT_EQ(config.get<double>("l1"), 0.0);
  EXPECT_EQ(config.get<double>("l2"), 0.0);
  Config only_l2 = Config::map();
  only_l2.set("l2", 0.1);
  EXPECT_NEAR(penalty(spec("L1L2", only_l2)), 0.84375, 1e-6) << "L1L2(l2=0.1) has no l1 part";
}

// Reported, not a failure: Keras 3.15's regularizers.get('l1_l2') raises "Could not interpret
// regularizer identifier" (its snake-case name is 'l1l2', which gives L1L2() with zeros). Fathom
// keeps Keras 2's meaning of the string, l1_l2(l1=0.01, l2=0.01), as layers/regularizers.cpp
// documents. This test pins that documented choice.
TEST(RegularizersTest, L1L2StringKeepsKeras2Defaults) {
  EXPECT_NEAR(penalty(Config("l1_l2")), 0.01 * 8.75 + 0.01 * 8.4375, 1e-7);
  EXPECT_EQ(get_regularizer(Config("l1_l2"))->class_name(), "L1L2");
}

TEST(RegularizersTest, PenaltyKeepsTheWeightsDType) {
  const Tensor p = (*get_regularizer(Config("l2")))(ops::cast(w(), DType::kFloat64));
  EXPECT_EQ(p.dtype(), DType::kFloat64);
  EXPECT_EQ(p.dim(), 0);
}

TEST(RegularizersTest, SerializeRoundTrips) {
  for (const Config& r :
       {Config("l1"), Config("l2"), Config("l1_l2"), spec("L1L2", factors(0.5, 0.25))}) {
    const auto reg = get_regularizer(r);
    const Config s = serialize_regularizer(reg.get());
    EXPECT_EQ(s.get<std::string>("module"), "keras.regularizers");
    const auto back = get_regularizer(s);
    EXPECT_EQ(back->class_name(), reg->class_name());
    EXPECT_EQ(back->get_config(), reg->get_config()) << s.to_json();
  }
  EXPECT_EQ(get_regularizer(Config()), nullptr);
  EXPECT_TRUE(serialize_regularizer(nullptr).is_null());
  // Keras's configs: L1 has only l1, L2 only l2.
  EXPECT_FALSE(get_regularizer(Config("l1"))->get_config().has("l2"));
  EXPECT_FALSE(get_regularizer(Config("l2"))->get_config().has("l1"));
}

TEST(RegularizersTest, UnknownNamesAndKeysAreConfigErrors) {
  expect_throws_with<ConfigError>([] { get_regularizer(Config("l3")); },
                                  {"unknown regularizer 'l3'"});
  expect_throws_with<ConfigError>([] { get_regularizer(Config("L1l2")); }, {"Did you mean"});
  Config typo = Config::map();
  typo.set("l_1", 0.1);
  expect_throws_with<ConfigError>([&] { get_regularizer(spec("L1", typo)); },
                                  {"L1", "unknown key 'l_1'"});
}

TEST(RegularizersTest, LayerLossesIncludeWeightPenalties) {
  Config c = Config::map();
  c.set("units", 4).set("kernel_regularizer", spec("L1L2", factors(0.02, 0.03)));
  auto layer = make_layer("Dense", c);
  layer->build_from_shapes({{-1, 3}});
  layer->weight("kernel").assign(w());
  ASSERT_EQ(layer->losses().size(), 1u);  // from the current weights, as Keras 3 (no call needed)
  EXPECT_NEAR(layer->losses()[0].item_as_double(), 0.428124964, 1e-7);
  (*layer)(Tensor::ones({2, 3}));
  ASSERT_EQ(layer->losses().size(), 1u);
  EXPECT_NEAR(layer->losses()[0].item_as_double(), 0.428124964, 1e-7);
}

Tensor constrain(const std::string& class_name, Config config = Config::map()) {
  return (*get_constraint(spec(class_name, std::move(config))))(big());
}

TEST(ConstraintsTest, MaxNormMatchesKeras) {
  // keras.constraints.MaxNorm(): max_value=2, axis=0; "max_norm" is the same.
  const std::vector<double> keras_default = {
      -1.52400148,  -0.328797966, 1.19256961,  -1.37198877, 0.254000247, 1.97278786,
      -0.596284807, 1.02899158,   -1.27000117, 0,           1.49071205,  -1.02899158};
  expect_tensor_near(constrain("MaxNorm"), {3, 4}, keras_default);
  expect_tensor_near((*get_constraint(Config("max_norm")))(big()), {3, 4}, keras_default);
  Config c = Config::map();
  c.set("max_value", 1.5).set("axis", 1);
  expect_tensor_near(constrain("MaxNorm", c), {3, 4},
                     {-1.08347273, -0.180578783, 0.722315133, -0.722315133, 0.212132037, 1.27279222,
                      -0.424264073, 0.63639611, -0.976416826, 0, 0.976416826, -0.58585012});
}

TEST(ConstraintsTest, NonNegMatchesKeras) {
  expect_tensor_near((*get_constraint(Config("non_neg")))(big()), {3, 4},
                     {0, 0, 2, 0, 0.5, 3, 0, 1.5, 0, 0, 2.5, 0}, 0, 0);
}

TEST(ConstraintsTest, UnitNormMatchesKeras) {
  expect_tensor_near(
      constrain("UnitNorm"), {3, 4},
      {-0.762000799, -0.164398983, 0.596284807, -0.685994387, 0.127000123, 0.986393869,
       -0.298142403, 0.51449579, -0.635000646, 0, 0.745356023, -0.51449579});
  Config c = Config::map();
  c.set("axis", 1);
  expect_tensor_near(
      constrain("UnitNorm", c), {3, 4},
      {-0.722315133, -0.120385855, 0.481543422, -0.481543422, 0.141421363, 0.848528147,
       -0.282842726, 0.424264073, -0.650944591, 0, 0.650944591, -0.390566736});
}

TEST(ConstraintsTest, MinMaxNormMatchesKeras) {
  Config c = Config::map();
  c.set("min_value", 0.5).set("max_value", 1.5).set("rate", 0.7).set("axis", 0);
  expect_tensor_near(constrain("MinMaxNorm", c), {3, 4},
                     {-1.70010066, -0.322618932, 1.22609901, -1.32029414, 0.28335011, 1.93571353,
                      -0.613049507, 0.990220606, -1.41675055, 0, 1.53262377, -0.990220606});
  expect_tensor_near(
      (*get_constraint(Config("min_max_norm")))(big()), {3, 4},
      {-0.76200074, -0.164398983, 0.596284807, -0.685994387, 0.127000123, 0.986393929, -0.298142403,
       0.51449579, -0.635000587, 0, 0.745356023, -0.51449579});
}

TEST(ConstraintsTest, DenseAppliesKernelConstraintAsKeras) {
  Config c = Config::map();
  c.set("units", 4).set("kernel_constraint", "unit_norm");
  auto layer = make_layer("Dense", c);
  layer->build_from_shapes({{-1, 3}});
  layer->weight("kernel").assign(big());
  layer->apply_constraints();
  expect_tensor_near(
      layer->weight("kernel").value(), {3, 4},
      {-0.762000799, -0.164398983, 0.596284807, -0.685994387, 0.127000123, 0.986393869,
       -0.298142403, 0.51449579, -0.635000646, 0, 0.745356023, -0.51449579});
}

TEST(ConstraintsTest, SerializeRoundTripsAndErrors) {
  for (const char* name : {"max_norm", "min_max_norm", "non_neg", "unit_norm"}) {
    const auto con = get_constraint(Config(name));
    const Config s = serialize_constraint(con.get());
    EXPECT_EQ(s.get<std::string>("module"), "keras.constraints");
    EXPECT_EQ(get_constraint(s)->get_config(), con->get_config()) << s.to_json();
  }
  EXPECT_EQ(get_constraint(Config()), nullptr);
  expect_throws_with<ConfigError>([] { get_constraint(Config("unit_nrom")); },
                                  {"unknown constraint 'unit_nrom'", "Did you mean 'unit_norm'?"});
  Config typo = Config::map();
  typo.set("max_val", 3.0);
  expect_throws_with<ConfigError>([&] { get_constraint(spec("MaxNorm", typo)); },
                                  {"MaxNorm", "Did you mean 'max_value'?"});
}

}  // namespace
}  // namespace fathom::layers
