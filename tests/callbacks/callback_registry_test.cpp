// SPDX-License-Identifier: Apache-2.0
// get_callback / registered_callbacks and the get_config round trips.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "callbacks/callback.h"
#include "callbacks/csv_logger.h"
#include "callbacks/early_stopping.h"
#include "callbacks/history.h"
#include "callbacks/progbar_logger.h"
#include "callbacks/reduce_lr_on_plateau.h"
#include "callbacks/terminate_on_nan.h"

namespace fathom::callbacks {
namespace {

Config spec(const std::string& class_name, Config config = Config::map()) {
  Config c = Config::map();
  c.set("class_name", class_name);
  c.set("config", std::move(config));
  return c;
}

/// `fn` throws ConfigError whose message contains `fragment`.
template <class Fn>
void expect_config_error(Fn fn, const std::string& fragment) {
  try {
    fn();
    ADD_FAILURE() << "expected a ConfigError containing: " << fragment;
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(CallbackRegistryTest, RegisteredNames) {
  EXPECT_EQ(registered_callbacks(),
            (std::vector<std::string>{"BackupAndRestore", "CSVLogger", "EarlyStopping", "History", "ModelCheckpoint",
                                      "ProgbarLogger", "ReduceLROnPlateau", "TerminateOnNaN"}));
}

TEST(CallbackRegistryTest, EveryEntryRoundTripsItsDefaultConfig) {
  for (const std::string& name : registered_callbacks()) {
    // The callbacks with a required argument get it; the others are built from their defaults.
    Config config = Config::map();
    if (name == "CSVLogger") config.set("filename", "log.csv");
    if (name == "ModelCheckpoint") config.set("filepath", "ckpt/{epoch:02d}.keras");
    if (name == "BackupAndRestore") config.set("backup_dir", "backup");
    const CallbackPtr cb = get_callback(spec(name, config));
    ASSERT_NE(cb, nullptr) << name;
    EXPECT_EQ(cb->class_name(), name);
    const CallbackPtr again = get_callback(spec(name, cb->get_config()));
    EXPECT_EQ(again->get_config(), cb->get_config()) << name;
  }
}

TEST(CallbackRegistryTest, EarlyStoppingConfig) {
  const Config defaults = EarlyStopping().get_config();
  EXPECT_EQ(defaults.keys(), (std::vector<std::string>{"monitor", "min_delta", "patience", "verbose", "mode", "baseline",
                                                        "restore_best_weights", "start_from_epoch"}));
  EXPECT_EQ(defaults.get<std::string>("monitor"), "val_loss");
  EXPECT_EQ(defaults.get<double>("min_delta"), 0.0);
  EXPECT_EQ(defaults.get<int>("patience"), 0);
  EXPECT_EQ(defaults.get<std::string>("mode"), "auto");
  EXPECT_TRUE(defaults.at("baseline").is_null());
  EXPECT_FALSE(defaults.get<bool>("restore_best_weights"));
  Config c = Config::map();
  c.set("monitor", "val_accuracy").set("min_delta", 0.01).set("patience", 3).set("verbose", 1).set("mode", "max");
  c.set("baseline", 0.9).set("restore_best_weights", true).set("start_from_epoch", 2);
  const CallbackPtr cb = get_callback(spec("EarlyStopping", c));
  EXPECT_EQ(cb->get_config(), c);
}

TEST(CallbackRegistryTest, ReduceLROnPlateauConfig) {
  const Config defaults = ReduceLROnPlateau().get_config();
  EXPECT_EQ(defaults.keys(), (std::vector<std::string>{"monitor", "factor", "patience", "verbose", "mode", "min_delta",
                                                        "cooldown", "min_lr"}));
  EXPECT_EQ(defaults.get<double>("factor"), 0.1);
  EXPECT_EQ(defaults.get<int>("patience"), 10);
  EXPECT_EQ(defaults.get<double>("min_delta"), 1e-4);
  EXPECT_EQ(defaults.get<double>("min_lr"), 0.0);
  Config c = Config::map();
  c.set("monitor", "loss").set("factor", 0.5).set("patience", 2).set("verbose", 0).set("mode", "min");
  c.set("min_delta", 0.0).set("cooldown", 1).set("min_lr", 1e-5);
  EXPECT_EQ(get_callback(spec("ReduceLROnPlateau", c))->get_config(), c);
}

TEST(CallbackRegistryTest, OtherConfigs) {
  Config csv = Config::map();
  csv.set("filename", "run/log.csv").set("separator", "\t").set("append", true);
  EXPECT_EQ(CSVLogger("run/log.csv", "\t", true).get_config(), csv);
  EXPECT_EQ(get_callback(spec("CSVLogger", csv))->get_config(), csv);
  EXPECT_EQ(TerminateOnNaN().get_config(), Config::map().set("raise_error", false));
  EXPECT_EQ(get_callback(spec("TerminateOnNaN", Config::map().set("raise_error", true)))->get_config(),
            Config::map().set("raise_error", true));
  EXPECT_EQ(History().get_config(), Config::map());
}

TEST(CallbackRegistryTest, AcceptsABareNameAndANullConfig) {
  EXPECT_EQ(get_callback(Config("TerminateOnNaN"))->class_name(), "TerminateOnNaN");
  Config c = Config::map();
  c.set("class_name", "EarlyStopping").set("config", Config());
  EXPECT_EQ(get_callback(c)->class_name(), "EarlyStopping");
  EXPECT_NE(std::dynamic_pointer_cast<History>(get_callback(Config("History"))), nullptr);
  EXPECT_NE(std::dynamic_pointer_cast<ProgbarLogger>(get_callback(Config("ProgbarLogger"))), nullptr);
}

TEST(CallbackRegistryTest, UnknownClassSuggestsTheClosest) {
  expect_config_error([] { get_callback(spec("EarlyStoping")); },
                      "unknown callback 'EarlyStoping'. Did you mean 'EarlyStopping'? Known callbacks: BackupAndRestore, "
                      "CSVLogger, EarlyStopping, History, ModelCheckpoint, ProgbarLogger, ReduceLROnPlateau, "
                      "TerminateOnNaN.");
  // Code-only callbacks are not in the registry.
  expect_config_error([] { get_callback(Config("LambdaCallback")); }, "unknown callback 'LambdaCallback'");
}

TEST(CallbackRegistryTest, UnknownKeysSuggestTheClosest) {
  expect_config_error([] { get_callback(spec("EarlyStopping", Config::map().set("patiense", 3))); },
                      "EarlyStopping: unknown key 'patiense'. Did you mean 'patience'?");
  expect_config_error([] { get_callback(spec("ReduceLROnPlateau", Config::map().set("min_lr_", 0.1))); },
                      "ReduceLROnPlateau: unknown key 'min_lr_'. Did you mean 'min_lr'?");
  expect_config_error([] { get_callback(spec("CSVLogger", Config::map().set("filename", "a").set("sep", ";"))); },
                      "CSVLogger: unknown key 'sep'.");
  expect_config_error([] { get_callback(spec("History", Config::map().set("x", 1))); }, "History: unknown key 'x'.");
  Config outer = spec("EarlyStopping");
  outer.set("confg", Config::map());
  expect_config_error([&] { get_callback(outer); }, "callback: unknown key 'confg'. Did you mean 'config'?");
}

TEST(CallbackRegistryTest, BadValuesAreConfigErrorsWithTheLocation) {
  Config c = Config::map().set("factor", 2.0);
  c.set_location("train.yaml:12:5");
  expect_config_error([&] { get_callback(spec("ReduceLROnPlateau", c)); },
                      "train.yaml:12:5: ReduceLROnPlateau does not support a factor >= 1.0. Received factor=2");
  expect_config_error([] { get_callback(spec("EarlyStopping", Config::map().set("patience", -2))); },
                      "EarlyStopping: `patience` must be >= 0. Received: patience=-2");
  expect_config_error([] { get_callback(spec("CSVLogger")); }, "filename");
  expect_config_error([] { get_callback(spec("CSVLogger", Config::map().set("filename", "a").set("separator", "||"))); },
                      "`separator` must be one character");
  expect_config_error([] { get_callback(spec("EarlyStopping", Config::map().set("patience", "three"))); },
                      "patience");
  expect_config_error([] { get_callback(Config(3)); }, "callback: expected {class_name, config} or a class name");
}

}  // namespace
}  // namespace fathom::callbacks
