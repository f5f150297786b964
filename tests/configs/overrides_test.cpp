// SPDX-License-Identifier: Apache-2.0
// apply_override: the CLI's `--set KEY=VALUE` on a loaded config.
#include "configs/overrides.h"

#include <gtest/gtest.h>

#include <functional>

#include "configs/yaml_config.h"

namespace fathom::configs {
namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no ConfigError)";
}

Config example() {
  return load_yaml(
      "model:\n"
      "  class_name: Sequential\n"
      "  config:\n"
      "    layers:\n"
      "      - {class_name: Dense, config: {units: 128}}\n"
      "      - {class_name: Dense, config: {units: 10}}\n"
      "compile:\n"
      "  optimizer: {class_name: Adam, config: {learning_rate: 0.001}}\n"
      "fit:\n"
      "  epochs: 10\n"
      "  batch_size: 64\n"
      "data:\n",
      "cfg.yaml");
}

TEST(OverridesTest, ValuesAreParsedAsYaml) {
  Config c = example();
  apply_override(c, "fit.epochs=3");
  apply_override(c, "compile.optimizer.config.learning_rate=1e-4");
  apply_override(c, "fit.shape=[1, 2]");
  apply_override(c, "fit.name=\"3\"");
  apply_override(c, "fit.flag=true");
  apply_override(c, "fit.nothing=");
  apply_override(c, "fit.text=a=b");
  apply_override(c, "fit.map={a: 1, b: [x]}");
  const Config& fit = c.at("fit");
  EXPECT_EQ(fit.at("epochs").kind(), Config::Kind::kInt);
  EXPECT_EQ(fit.get<int>("epochs"), 3);
  EXPECT_EQ(c.at("compile").at("optimizer").at("config").at("learning_rate").kind(), Config::Kind::kFloat);
  EXPECT_DOUBLE_EQ(c.at("compile").at("optimizer").at("config").get<double>("learning_rate"), 1e-4);
  EXPECT_EQ(fit.get<Shape>("shape"), (Shape{1, 2}));
  EXPECT_EQ(fit.get<std::string>("name"), "3");
  EXPECT_TRUE(fit.get<bool>("flag"));
  EXPECT_TRUE(fit.at("nothing").is_null());
  EXPECT_EQ(fit.get<std::string>("text"), "a=b");
  EXPECT_EQ(fit.at("map").at("b").items()[0].as_string(), "x");
  // Order is kept: replaced keys stay in place, new ones are appended.
  EXPECT_EQ(fit.keys(), (std::vector<std::string>{"epochs", "batch_size", "shape", "name", "flag", "nothing", "text",
                                                  "map"}));
}

TEST(OverridesTest, LocationsNameTheAssignment) {
  Config c = example();
  apply_override(c, "fit.epochs=3");
  apply_override(c, "fit.map={a: [1]}");
  EXPECT_EQ(c.at("fit").at("epochs").location(), "--set fit.epochs=3");
  EXPECT_EQ(c.at("fit").at("map").at("a").items()[0].location(), "--set fit.map={a: [1]}");
  EXPECT_EQ(c.at("fit").at("batch_size").location(), "cfg.yaml:11:15");  // untouched
  EXPECT_EQ(c.at("fit").location(), "cfg.yaml:10:3");
  apply_override(c, "fit.epochs=abc");
  EXPECT_EQ(error_of([&] { c.at("fit").at("epochs").as_int(); }),
            "--set fit.epochs=abc: expected an integer, received a string 'abc'");
}

TEST(OverridesTest, NumericComponentsIndexLists) {
  Config c = example();
  apply_override(c, "model.config.layers.1.config.units=64");
  apply_override(c, "model.config.layers.0.class_name=Dropout");
  const Config& layers = c.at("model").at("config").at("layers");
  EXPECT_EQ(layers.items()[1].at("config").get<int>("units"), 64);
  EXPECT_EQ(layers.items()[0].get<std::string>("class_name"), "Dropout");
  EXPECT_EQ(layers.items()[0].at("config").get<int>("units"), 128);
  EXPECT_EQ(layers.location(), "cfg.yaml:5:7");
  apply_override(c, "model.config.layers.1={class_name: Flatten}");
  EXPECT_FALSE(c.at("model").at("config").at("layers").items()[1].has("config"));
  apply_override(c, "fit.1=x");  // a numeric key in a mapping is a key
  EXPECT_EQ(c.at("fit").get<std::string>("1"), "x");
}

TEST(OverridesTest, CreatesMissingIntermediateMappings) {
  Config c = example();
  apply_override(c, "callbacks.early_stopping.config.patience=3");
  EXPECT_EQ(c.at("callbacks").at("early_stopping").at("config").get<int>("patience"), 3);
  apply_override(c, "data.train.path=x.h5");  // `data:` is null in the file
  EXPECT_EQ(c.at("data").at("train").get<std::string>("path"), "x.h5");
  EXPECT_EQ(c.at("data").location(), "cfg.yaml:12:1");
  Config empty;
  apply_override(empty, "a.b=1");
  EXPECT_EQ(empty.at("a").get<int>("b"), 1);
  Config spaced = example();
  apply_override(spaced, " fit.epochs = 5");
  EXPECT_EQ(spaced.at("fit").get<int>("epochs"), 5);
}

TEST(OverridesTest, LaterOverridesWin) {
  Config c = example();
  for (const char* s : {"fit.epochs=1", "fit.epochs=2", "fit={epochs: 7}", "fit.batch_size=8"}) apply_override(c, s);
  EXPECT_EQ(c.at("fit").get<int>("epochs"), 7);
  EXPECT_EQ(c.at("fit").get<int>("batch_size"), 8);
  EXPECT_EQ(c.at("fit").keys().size(), 2u);
}

TEST(OverridesTest, ErrorsNameTheAssignment) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"fit.epochs", "--set fit.epochs: expected KEY=VALUE, e.g. --set fit.epochs=3"},
      {"=3", "--set =3: the key before '=' is empty"},
      {"  =3", "--set   =3: the key before '=' is empty"},
      {"fit..epochs=3", "--set fit..epochs=3: the key 'fit..epochs' has an empty component"},
      {"fit.=3", "--set fit.=3: the key 'fit.' has an empty component"},
      {".fit=3", "--set .fit=3: the key '.fit' has an empty component"},
      {"fit.epochs.x=1",
       "--set fit.epochs.x=1: 'fit.epochs' is an integer (cfg.yaml:10:11), so it has no key 'x'"},
      {"model.class_name.0=1",
       "--set model.class_name.0=1: 'model.class_name' is a string (cfg.yaml:2:15), so it has no key '0'"},
      {"model.config.layers.first.units=3",
       "--set model.config.layers.first.units=3: 'first' is not a list index: 'model.config.layers' is a list "
       "(cfg.yaml:5:7)"},
      {"model.config.layers.-1.units=3", "--set model.config.layers.-1.units=3: '-1' is not a list index"},
      {"model.config.layers.2.config.units=3",
       "--set model.config.layers.2.config.units=3: index 2 is out of range: 'model.config.layers' has 2 items "
       "(cfg.yaml:5:7), valid indices are 0..1"},
      {"model.config.layers.99999999999=3", "--set model.config.layers.99999999999=3: '99999999999' is not a list"},
      {"fit.shape=[1, 2", "--set fit.shape=[1, 2: cannot parse the value '[1, 2' as YAML: end of sequence flow not "
                          "found"},
      {"fit.name=\"abc", "--set fit.name=\"abc: cannot parse the value '\"abc' as YAML: illegal EOF in scalar "
                         "(line 1, column 5 of the value)"},
      {"fit.name=\"abc\n", "--set fit.name=\"abc\n: cannot parse the value '\"abc\n' as YAML: this quoted "
                           "string has no closing \" (line 1, column 1 of the value)"},
      {"fit.x=a: b: c", "--set fit.x=a: b: c: cannot parse the value 'a: b: c' as YAML: illegal map value"},
      {"fit.x=!!binary aGk=", "--set fit.x=!!binary aGk=: cannot parse the value '!!binary aGk=' as YAML: "
                              "unsupported tag '!!binary'"},
      {"fit.x={a: 1, a: 2}", "--set fit.x={a: 1, a: 2}: cannot parse the value '{a: 1, a: 2}' as YAML: duplicate "
                             "key 'a'"},
      {"fit.x=1\n---\n2",
       "--set fit.x=1\n---\n2: cannot parse the value '1\n---\n2' as YAML: a second YAML document"},
      {"fit.x=a\x01", "--set fit.x=a\x01: cannot parse the value 'a\x01' as YAML: control character 0x01"},
  };
  for (const auto& [assignment, expected] : cases) {
    SCOPED_TRACE(assignment);
    Config c = example();
    const std::string message = error_of([&] { apply_override(c, assignment); });
    EXPECT_EQ(message.substr(0, expected.size()), expected) << message;
  }
  Config list = Config(std::vector<Config>{});
  EXPECT_EQ(error_of([&] { apply_override(list, "0=1"); }),
            "--set 0=1: index 0 is out of range: the config has 0 items");
}

TEST(OverridesTest, FailedOverrideLeavesTheConfigUnchanged) {
  Config c = example();
  const std::string before = c.to_json();
  EXPECT_NE(error_of([&] { apply_override(c, "model.config.layers.5.units=1"); }), "(no ConfigError)");
  EXPECT_NE(error_of([&] { apply_override(c, "new.key=[1,"); }), "(no ConfigError)");
  EXPECT_EQ(c.to_json(), before);
}

}  // namespace
}  // namespace fathom::configs
