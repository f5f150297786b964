// SPDX-License-Identifier: Apache-2.0
// get_optimizer: names, {class_name, config}, the config round trip of every registered
// optimizer, Keras's config keys, and the errors (did-you-mean, unknown keys, bad values).
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "optimizers/optimizer.h"

namespace fathom::optimizers {
namespace {

Config spec(const std::string& class_name, std::vector<std::pair<std::string, Config>> entries) {
  Config config = Config::map();
  for (auto& [key, value] : entries) config.set(key, std::move(value));
  Config c = Config::map();
  c.set("class_name", class_name);
  c.set("config", config);
  return c;
}

std::string config_error(const Config& c) {
  try {
    get_optimizer(c);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

const std::vector<std::string> kBaseKeys = {"name",
                                            "learning_rate",
                                            "weight_decay",
                                            "clipnorm",
                                            "global_clipnorm",
                                            "clipvalue",
                                            "use_ema",
                                            "ema_momentum",
                                            "ema_overwrite_frequency",
                                            "loss_scale_factor",
                                            "gradient_accumulation_steps"};

std::vector<std::string> with_base(std::vector<std::string> own) {
  std::vector<std::string> keys = kBaseKeys;
  keys.insert(keys.end(), own.begin(), own.end());
  return keys;
}

TEST(OptimizerRegistry, KerasNamesAndClassNames) {
  EXPECT_EQ(registered_optimizers(),
            (std::vector<std::string>{"Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "Nadam",
                                      "RMSprop", "SGD"}));
  const std::pair<const char*, const char*> names[] = {
      {"sgd", "SGD"},         {"adam", "Adam"},         {"adamw", "AdamW"},
      {"adamax", "Adamax"},   {"nadam", "Nadam"},       {"rmsprop", "RMSprop"},
      {"adagrad", "Adagrad"}, {"adadelta", "Adadelta"}, {"RMSprop", "RMSprop"},
      {"ADAM", "Adam"}};
  for (const auto& [name, class_name] : names)
    EXPECT_EQ(get_optimizer(Config(name))->class_name(), class_name);
}

TEST(OptimizerRegistry, ConfigKeysAreKeras) {
  // The keys and their order as keras.optimizers.X().get_config() (Keras 3.15) returns them.
  const std::pair<const char*, std::vector<std::string>> expected[] = {
      {"Adadelta", with_base({"rho", "epsilon"})},
      {"Adagrad", with_base({"initial_accumulator_value", "epsilon"})},
      {"Adam", with_base({"beta_1", "beta_2", "epsilon", "amsgrad"})},
      {"AdamW", with_base({"beta_1", "beta_2", "epsilon", "amsgrad"})},
      {"Adamax", with_base({"beta_1", "beta_2", "epsilon"})},
      {"Nadam", with_base({"beta_1", "beta_2", "epsilon"})},
      {"RMSprop", with_base({"rho", "momentum", "epsilon", "centered"})},
      {"SGD", with_base({"momentum", "nesterov"})}};
  for (const auto& [class_name, keys] : expected) {
    const Config c = get_optimizer(Config(class_name))->get_config();
    EXPECT_EQ(c.keys(), keys) << class_name;
    EXPECT_FALSE(c.get<bool>("use_ema"));
    EXPECT_DOUBLE_EQ(c.get<double>("ema_momentum"), 0.99);
    EXPECT_TRUE(c.at("clipnorm").is_null());
  }
}

TEST(OptimizerRegistry, ConfigRoundTripForEveryRegisteredOptimizer) {
  for (const std::string& class_name : registered_optimizers()) {
    // Defaults, then non-default values with a schedule as the learning rate.
    Config schedule = spec("CosineDecay", {{"initial_learning_rate", 0.5}, {"decay_steps", 100}});
    const Config specs[] = {
        Config(class_name),
        spec(class_name, {{"name", "custom"},
                          {"learning_rate", schedule},
                          {"clipnorm", 2.0},
                          {"weight_decay", 0.1}}),
        spec(class_name,
             {{"learning_rate", 0.25}, {"global_clipnorm", 1.0}, {"ema_overwrite_frequency", 5}})};
    for (const Config& s : specs) {
      const auto first = get_optimizer(s);
      const Config c1 = first->get_config();
      const auto second = get_optimizer(serialize_optimizer(*first));
      EXPECT_EQ(second->class_name(), class_name);
      EXPECT_EQ(second->get_config(), c1) << c1.to_json();
    }
  }
}

TEST(OptimizerRegistry, ReadsKerasSerializedConfigs) {
  // What keras.optimizers.serialize(SGD(momentum=0.9)) writes (learning_rate rounded to float32).
  Config c = spec("SGD", {{"name", "SGD"},
                          {"learning_rate", 0.009999999776482582},
                          {"weight_decay", Config()},
                          {"clipnorm", Config()},
                          {"global_clipnorm", Config()},
                          {"clipvalue", Config()},
                          {"use_ema", false},
                          {"ema_momentum", 0.99},
                          {"ema_overwrite_frequency", Config()},
                          {"loss_scale_factor", Config()},
                          {"gradient_accumulation_steps", Config()},
                          {"momentum", 0.9},
                          {"nesterov", false}});
  c.set("module", "keras.optimizers");
  c.set("registered_name", Config());
  const auto sgd = get_optimizer(c);
  EXPECT_EQ(sgd->name(), "SGD");
  EXPECT_NEAR(sgd->learning_rate(), 0.01, 1e-9);
  EXPECT_DOUBLE_EQ(sgd->get_config().get<double>("momentum"), 0.9);
  // Keras 2 files carry decay: 0.0, which Keras 3 accepts.
  EXPECT_NO_THROW(get_optimizer(spec("Adam", {{"decay", 0.0}})));
  const auto adam = get_optimizer(spec(
      "Adam", {{"learning_rate",
                spec("ExponentialDecay",
                     {{"initial_learning_rate", 0.1}, {"decay_steps", 2}, {"decay_rate", 0.5}})}}));
  EXPECT_DOUBLE_EQ(adam->learning_rate(), 0.1);
  EXPECT_EQ(adam->get_config().at("learning_rate").get<std::string>("class_name"),
            "ExponentialDecay");
}

TEST(OptimizerRegistry, UnknownNamesSuggestTheClosest) {
  EXPECT_NE(config_error(Config("adamm")).find("Did you mean 'adam'?"), std::string::npos);
  EXPECT_NE(config_error(Config("RMSProp2")).find("Did you mean 'RMSprop'?"), std::string::npos);
  EXPECT_NE(config_error(spec("Nadamm", {})).find("Known optimizers"), std::string::npos);
  EXPECT_NE(config_error(Config(3)).find("expected a name"), std::string::npos);
}

TEST(OptimizerRegistry, UnknownKeysAreRejected) {
  const std::string e = config_error(spec("SGD", {{"momentun", 0.9}}));
  EXPECT_NE(e.find("momentun"), std::string::npos) << e;
  EXPECT_NE(e.find("Did you mean 'momentum'?"), std::string::npos) << e;
  EXPECT_NE(config_error(spec("Adam", {{"rho", 0.9}})).find("'rho'"), std::string::npos);
  Config outer = spec("Adam", {});
  outer.set("extra", 1);
  EXPECT_NE(config_error(outer).find("extra"), std::string::npos);
}

TEST(OptimizerRegistry, BadValuesAreConfigErrorsNamingTheArgument) {
  EXPECT_NE(config_error(spec("Adam", {{"learning_rate", -0.001}})).find("learning_rate"),
            std::string::npos);
  EXPECT_NE(config_error(spec("SGD", {{"momentum", 2.0}})).find("momentum"), std::string::npos);
  EXPECT_NE(config_error(spec("AdamW", {{"weight_decay", Config()}})).find("weight_decay"),
            std::string::npos);
  EXPECT_NE(config_error(spec("SGD", {{"clipnorm", 1.0}, {"clipvalue", 1.0}})).find("only one"),
            std::string::npos);
  EXPECT_NE(config_error(spec("SGD", {{"learning_rate", "fast"}})).find("learning_rate"),
            std::string::npos);
  EXPECT_NE(config_error(spec("SGD", {{"nesterov", 1.5}})).find("nesterov"), std::string::npos);
}

TEST(OptimizerRegistry, UnsupportedOptionsAreConfigErrors) {
  EXPECT_NE(config_error(spec("Adam", {{"use_ema", true}})).find("use_ema"), std::string::npos);
  EXPECT_NE(config_error(spec("Adam", {{"gradient_accumulation_steps", 4}}))
                .find("gradient_accumulation_steps"),
            std::string::npos);
  EXPECT_NE(config_error(spec("Adam", {{"loss_scale_factor", 128.0}})).find("loss_scale_factor"),
            std::string::npos);
  EXPECT_NE(config_error(spec("SGD", {{"decay", 1e-4}})).find("decay"), std::string::npos);
}

}  // namespace
}  // namespace fathom::optimizers
