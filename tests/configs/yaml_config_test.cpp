// SPDX-License-Identifier: Apache-2.0
// load_yaml / load_yaml_file / load_yaml_value (scalars, locations, errors, Keras JSON) and the
// to_yaml -> load_yaml round trip (edge cases and randomized nested values).
#include "configs/yaml_config.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>

namespace fathom::configs {
namespace {

/// Equal including kinds (Config::operator== takes 1 == 1.0) and NaN == NaN.
bool same(const Config& a, const Config& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Config::Kind::kNull: return true;
    case Config::Kind::kBool: return a.as_bool() == b.as_bool();
    case Config::Kind::kInt: return a.as_int() == b.as_int();
    case Config::Kind::kFloat: {
      const double x = a.as_double(), y = b.as_double();
      return (std::isnan(x) && std::isnan(y)) || (x == y && std::signbit(x) == std::signbit(y));
    }
    case Config::Kind::kString: return a.as_string() == b.as_string();
    case Config::Kind::kList:
      return a.items().size() == b.items().size() &&
             std::equal(a.items().begin(), a.items().end(), b.items().begin(), same);
    case Config::Kind::kMap:
      return a.entries().size() == b.entries().size() &&
             std::equal(a.entries().begin(), a.entries().end(), b.entries().begin(),
                        [](const auto& x, const auto& y) { return x.first == y.first && same(x.second, y.second); });
  }
  return false;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no ConfigError)";
}

Config value_of(const std::string& yaml) { return load_yaml("v: " + yaml + "\n", "t.yaml").at("v"); }

TEST(YamlConfigTest, ScalarsFollowTheYaml12CoreSchema) {
  const double inf = HUGE_VAL;
  const std::vector<std::pair<std::string, Config>> cases = {
      {"true", true}, {"True", true}, {"FALSE", false}, {"yes", "yes"}, {"off", "off"}, {"y", "y"},
      {"12", 12}, {"-3", -3}, {"+5", 5}, {"0", 0}, {"007", 7}, {"0x1F", 31}, {"0o17", 15},
      {"9223372036854775807", std::int64_t{9223372036854775807}},
      {"-9223372036854775808", std::numeric_limits<std::int64_t>::min()},
      {"1.5", 1.5}, {"1e-3", 0.001}, {"1e3", 1000.0}, {"-2.5E+2", -250.0}, {".5", 0.5}, {"1.", 1.0},
      {"1e400", inf}, {"-1e400", -inf}, {"1e-400", 0.0}, {".inf", inf}, {"-.Inf", -inf}, {"+.INF", inf},
      {"Infinity", inf}, {"-Infinity", -inf}, {".nan", std::nan("")}, {"NaN", std::nan("")},
      {"null", Config()}, {"Null", Config()}, {"~", Config()}, {"", Config()},
      {"'123'", "123"}, {"\"true\"", "true"}, {"\"null\"", "null"}, {"'1e3'", "1e3"}, {"\"\"", ""},
      {"!!str 12", "12"}, {"!!float 3", 3.0}, {"!!int 0x10", 16}, {"!!bool false", false}, {"!!null", Config()},
      {"1_000", "1_000"}, {"-.nan", "-.nan"}, {"0x", "0x"}, {"1e", "1e"}, {"1.2.3", "1.2.3"}, {".", "."},
      {"abc def", "abc def"}, {"é ü 中", "é ü 中"}, {"\"tab\\there\\u00e9\"", "tab\there\u00e9"},
      {"'it''s'", "it's"}, {"\"\\N\\_\\L\\x41\"", "\u0085\u00A0\u2028A"}, {"a#b", "a#b"},
      {"x # comment", "x"}, {"1 # comment", 1}};
  for (const auto& [text, expected] : cases) {
    SCOPED_TRACE(text);
    const Config v = value_of(text);
    EXPECT_TRUE(same(v, expected)) << v.to_json() << " (" << Config::kind_name(v.kind()) << ")";
  }
}

TEST(YamlConfigTest, EveryValueHasItsLineAndColumn) {
  const std::string text =
      "model:\n"                                  // 1
      "  class_name: Sequential\n"                // 2
      "  config:\n"                               // 3
      "    layers:\n"                             // 4
      "      - {class_name: Dense, config: {units: 128, activation: relu}}\n"  // 5
      "      - class_name: Dropout\n"             // 6
      "        config: {rate: 0.2}\n"             // 7
      "fit:\n"                                    // 8
      "  epochs:\n"                               // 9
      "  shape: [1, [2, 3]]\n"                    // 10
      "  list:\n"                                 // 11
      "    -\n"                                   // 12
      "    - é: x\n";                             // 13
  const Config c = load_yaml(text, "cfg.yaml");
  const Config& layers = c.at("model").at("config").at("layers");
  EXPECT_EQ(c.location(), "cfg.yaml:1:1");
  EXPECT_EQ(c.at("model").location(), "cfg.yaml:2:3");
  EXPECT_EQ(c.at("model").at("class_name").location(), "cfg.yaml:2:15");
  EXPECT_EQ(layers.location(), "cfg.yaml:5:7");
  EXPECT_EQ(layers.items()[0].location(), "cfg.yaml:5:9");
  EXPECT_EQ(layers.items()[0].at("config").at("units").location(), "cfg.yaml:5:45");
  EXPECT_EQ(layers.items()[0].at("config").at("activation").location(), "cfg.yaml:5:62");
  EXPECT_EQ(layers.items()[1].location(), "cfg.yaml:6:9");
  EXPECT_EQ(layers.items()[1].at("config").at("rate").location(), "cfg.yaml:7:24");
  EXPECT_EQ(c.at("fit").at("epochs").location(), "cfg.yaml:9:3");  // empty value: at its key
  EXPECT_TRUE(c.at("fit").at("epochs").is_null());
  EXPECT_EQ(c.at("fit").at("shape").items()[1].items()[1].location(), "cfg.yaml:10:18");
  EXPECT_EQ(c.at("fit").at("list").items()[0].location(), "cfg.yaml:12:5");  // empty item: at its '-'
  EXPECT_EQ(c.at("fit").at("list").items()[1].at("é").location(), "cfg.yaml:13:11");  // columns count bytes
  EXPECT_EQ(load_yaml("a:\nnull_b: ~\n", "t").at("a").location(), "t:1:1");
  EXPECT_EQ(load_yaml("a:\nnull_b: ~\n", "t").at("null_b").location(), "t:2:9");
  EXPECT_EQ(error_of([&] { layers.items()[0].at("config").reject_unknown_keys({"unit"}, "Dense"); }),
            "cfg.yaml:5:38: Dense: unknown key 'units'. Did you mean 'unit'? Known keys: unit.");  // at the key
}

TEST(YamlConfigTest, AnchorsAliasesAndMergeKeys) {
  const Config c = load_yaml(
      "defaults: &d {activation: relu, units: 8}\n"
      "a: *d\n"
      "b:\n"
      "  <<: *d\n"
      "  units: 16\n"
      "c: {<<: [{x: 1}, {x: 2, y: 2}]}\n",
      "t.yaml");
  EXPECT_TRUE(same(c.at("a"), c.at("defaults")));
  EXPECT_EQ(c.at("a").location(), "t.yaml:2:4");
  EXPECT_EQ(c.at("a").at("units").location(), "t.yaml:1:40");
  EXPECT_EQ(c.at("b").get<int>("units"), 16);
  EXPECT_EQ(c.at("b").get<std::string>("activation"), "relu");
  EXPECT_EQ(c.at("c").get<int>("x"), 1);
  EXPECT_EQ(c.at("c").get<int>("y"), 2);
  EXPECT_EQ(c.at("c").keys(), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(load_yaml("\"<<\": 1\n1: x\n", "t").keys(), (std::vector<std::string>{"<<", "1"}));
}

TEST(YamlConfigTest, ErrorsStartWithFileLineColumn) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"a: [1, 2\n", "t.yaml:2:1: end of sequence flow not found: the '[' at t.yaml:1:4 is not closed by a ']'"},
      {"a: {b: 1\n", "t.yaml:2:1: end of map flow not found"},
      {"a: 1\n b: 2\n", "t.yaml:2:3: illegal map value"},
      {"a: b: c\n", "t.yaml:1:5: illegal map value"},
      {"a: 1\n\tb: 2\n", "t.yaml:2:1: this line is indented with a tab; YAML indents with spaces only (yaml-cpp: "
                      "illegal tab when looking for indentation at t.yaml:2:1)"},
      {"fit:\n\tepochs: 1\n", "t.yaml:2:1: this line is indented with a tab"},
      {"fit:\n  epochs: 1\n   batch: 2\n", "t.yaml:3:9: illegal map value (a ':' where no value can start"},
      {"fit:\n  epochs: 1\n batch: 2\n", "t.yaml:3:2: end of map not found (is this line's indentation wrong?"},
      {"a:\n  b: [1,\n   {c: [2, 3]\n", "t.yaml:4:1: end of map flow not found: the '{' at t.yaml:3:4 is not closed "
                                      "by a '}'"},
      {"a: [1, 2]]\n", "t.yaml:1:10: illegal flow end"},
      {"a: b\n- c\n", "t.yaml:2:1: end of map not found"},
      {"- a\nb: 1\n", "t.yaml:2:1: a second YAML document starts here"},
      {"a: 1\n---\nb: 2\n", "t.yaml:2:1: a second YAML document starts here"},
      {",", "t.yaml:1:1: unexpected ',' outside a flow list [...] or mapping {...}"},
      {"- 1\n, 2\n", "t.yaml:2:1: unexpected ','"},
      {"a: \"abc\n", "t.yaml:1:4: this quoted string has no closing \""},
      {"a: 'abc\n", "t.yaml:1:4: this quoted string has no closing '"},
      {"a: *nope\n", "t.yaml:1:4: the referenced anchor is not defined"},
      {"a: &x [1, *x]\n", "t.yaml:1:11: the alias *x refers to a value that contains it"},
      {"units: 1\nname: d\nunits: 2\n",
       "t.yaml:3:1: duplicate key 'units'; it is already defined at line 1, column 1"},
      {"a:\n  b: {c: 1, c: 2}\n", "t.yaml:2:13: duplicate key 'c'; it is already defined at line 2, column 7"},
      {"[a]: 1\n", "t.yaml:1:1: a mapping key is a list; keys must be strings"},
      {"? {a: 1}\n: 1\n", "t.yaml:1:3: a mapping key is a mapping; keys must be strings"},
      {": 1\n", "t.yaml:1:1: a mapping key is empty or null"},
      {"x: !!binary aGVsbG8=\n", "t.yaml:1:4: unsupported tag '!!binary'"},
      {"x: !custom 1\n", "t.yaml:1:4: unsupported tag '!custom'"},
      {"x: !!set {a, b}\n", "t.yaml:1:4: unsupported tag '!!set' on a mapping"},
      {"x: !!int 1.5\n", "t.yaml:1:4: '1.5' is not a valid int"},
      {"x: 99999999999999999999\n", "t.yaml:1:4: the integer 99999999999999999999 does not fit in 64 bits"},
      {"b: &b {x: 1}\nm: {<<: [*b, 3]}\n", "t.yaml:2:14: the merge key '<<' takes a mapping or a list of mappings"},
      {"- 1\n- 2\n", "t.yaml:1:1: expected a mapping at the top level (a training config has model, compile, data, "
                     "fit, output), received a list"},
      {"just text\n", "t.yaml:1:1: expected a mapping at the top level"},
      {"~\n", "t.yaml:1:1: expected a mapping at the top level (a training config has model, compile, data, fit, "
              "output), received null"},
      {std::string("a: 1\nb\x00" "c: 2\n", 12),
       "t.yaml:2:2: a NUL byte: this is a binary file, not YAML or JSON text"},
      {"a: caf\xE9\n", "t.yaml:1:7: byte 0xE9 is not UTF-8: is this a binary file?"},
      {"a: \xED\xA0\x80\n", "t.yaml:1:4: byte 0xED is not UTF-8"},
      {"\x89HDF\r\n\x1A\n", "t.yaml:1:1: byte 0x89 is not UTF-8"},
      {"a: 1\x1B[0m\n", "t.yaml:1:5: control character 0x1B: is this a binary file?"},
      {std::string("\xFF\xFE" "a\0:\0", 6), "t.yaml:1:1: the file is UTF-16 text; save it as UTF-8"},
      {"{\"a\": \"\\ud83d\"}", "t.yaml:1:14: invalid unicode: 55357"},
  };
  for (const auto& [text, expected] : cases) {
    SCOPED_TRACE(text);
    const std::string message = error_of([&] { load_yaml(text, "t.yaml"); });
    EXPECT_EQ(message.substr(0, expected.size()), expected) << message;
  }
  for (const std::string empty : {"", "\n\n", "# only a comment\n", "---\n", "\xEF\xBB\xBF"}) {
    EXPECT_EQ(error_of([&] { load_yaml(empty, "e.yaml"); }),
              "e.yaml: the file is empty; expected a mapping with model, compile, data, fit, output");
  }
}

TEST(YamlConfigTest, AliasExpansionIsBounded) {
  std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 9; ++i) {
    const std::string p = "*a" + std::to_string(i - 1);
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + p + ", " + p + ", " + p + ", " + p +
            ", " + p + ", " + p + ", " + p + ", " + p + ", " + p + ", " + p + "]\n";
  }
  EXPECT_NE(error_of([&] { load_yaml(text, "bomb.yaml"); }).find("values after expanding aliases"),
            std::string::npos);
  const std::string deep(100000, '[');
  EXPECT_EQ(error_of([&] { load_yaml_value(deep, "deep.yaml"); }).rfind("deep.yaml:1:", 0), 0u);
}

TEST(YamlConfigTest, FilesJsonAndPythonJsonEscapes) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "fathom_yaml_config_test";
  fs::create_directories(dir);
  const std::string path = (dir / "run.yaml").string();
  std::ofstream(path) << "\xEF\xBB\xBF" "fit:\r\n  epochs: 3\r\n";
  const Config c = load_yaml_file(path);
  EXPECT_EQ(c.at("fit").get<int>("epochs"), 3);
  EXPECT_EQ(c.at("fit").at("epochs").location(), path + ":2:11");
  EXPECT_EQ(error_of([&] { load_yaml_file((dir / "missing.yaml").string()); }),
            (dir / "missing.yaml").string() + ": cannot read the file: it does not exist");
  EXPECT_NE(error_of([&] { load_yaml_file(dir.string()); }).find("it is a directory"), std::string::npos);
  std::ofstream((dir / "empty.yaml").string()).flush();
  EXPECT_EQ(error_of([&] { load_yaml_file((dir / "empty.yaml").string()); }),
            (dir / "empty.yaml").string() +
                ": the file is empty; expected a mapping with model, compile, data, fit, output");
  fs::remove_all(dir);

  // What Python's json.dumps writes: no spaces, NaN/Infinity, \u escapes with surrogate pairs.
  const Config j = load_yaml(
      R"({"a":[1,2.0,-1e-05,NaN,-Infinity,null,true],"s":"\ud83d\ude00 \u00e9\/","t":{"x":{}}})", "m.json");
  EXPECT_TRUE(same(j.at("a").items()[1], 2.0));
  EXPECT_TRUE(std::isnan(j.at("a").items()[3].as_double()));
  EXPECT_EQ(j.at("a").items()[4].as_double(), -HUGE_VAL);
  EXPECT_EQ(j.get<std::string>("s"), "\U0001F600 \u00e9/");
  EXPECT_EQ(j.at("t").location(), "m.json:1:77");
}

TEST(YamlConfigTest, ReadsKerasModelToJsonFiles) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(FATHOM_SOURCE_DIR) / ".." / "shared" / "keras-models";
  if (!fs::exists(dir / "04_cnn_bn_jettagger_keras2.0.6.json")) GTEST_SKIP() << "no " << dir.string();
  const std::string path = (dir / "04_cnn_bn_jettagger_keras2.0.6.json").string();
  const Config model = load_yaml_file(path);
  EXPECT_EQ(model.get<std::string>("class_name"), "Model");
  const Config& bn = model.at("config").at("layers").items()[1];
  EXPECT_EQ(bn.get<std::string>("class_name"), "BatchNormalization");
  EXPECT_TRUE(same(bn.at("config").at("momentum"), 0.99));
  EXPECT_TRUE(same(bn.at("config").at("axis"), -1));
  EXPECT_TRUE(bn.at("config").at("beta_regularizer").is_null());
  EXPECT_EQ(bn.at("config").at("momentum").location(), path + ":1:401");
  EXPECT_EQ(model.at("config").at("layers").items()[0].at("config").get<Shape>("batch_input_shape"),
            (Shape{-1, 25, 25, 1}));
  EXPECT_TRUE(same(load_yaml(to_yaml(model), "rt"), model));
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir / "about")) {
    if (entry.path().extension() != ".json") continue;
    SCOPED_TRACE(entry.path().string());
    const Config c = load_yaml_file(entry.path().string());
    EXPECT_TRUE(c.has("class_name") && c.has("config"));
    EXPECT_TRUE(same(load_yaml(to_yaml(c), "rt"), c));
    ++files;
  }
  EXPECT_GE(files, 10);
}

Config map_of(std::initializer_list<std::pair<const char*, Config>> entries) {
  Config c = Config::map();
  for (const auto& [k, v] : entries) c.set(k, v);
  return c;
}

TEST(YamlEmitterTest, WritesReadableBlockYaml) {
  using List = std::vector<Config>;
  const Config layers = List{map_of({{"units", 128}}), Config::map()};
  const Config c = map_of(
      {{"model", map_of({{"class_name", "Sequential"}, {"layers", layers}})},
       {"fit", map_of({{"epochs", 10}, {"lr", 1.0}, {"eps", 1e-7}, {"shape", Shape{-1, 4}},
                       {"metrics", List{"accuracy"}}, {"none", Config()}, {"s", "yes"}, {"empty", Config::list()},
                       {"nested", List{List{1, 2}}}})}});
  EXPECT_EQ(to_yaml(c),
            "model:\n"
            "  class_name: Sequential\n"
            "  layers:\n"
            "    - units: 128\n"
            "    - {}\n"
            "fit:\n"
            "  epochs: 10\n"
            "  lr: 1.0\n"
            "  eps: 1.0e-07\n"
            "  shape: [null, 4]\n"
            "  metrics: [accuracy]\n"
            "  none: null\n"
            "  s: \"yes\"\n"
            "  empty: []\n"
            "  nested: [[1, 2]]\n");
  EXPECT_EQ(to_yaml(Config::map()), "{}\n");
  EXPECT_EQ(to_yaml(Config(std::vector<Config>(40, Config("abc")))).substr(0, 12), "- abc\n- abc\n");
  EXPECT_EQ(to_yaml(Config(std::vector<Config>{Config(std::vector<Config>{map_of({{"a", 1}, {"b", 2}})})})),
            "- - a: 1\n    b: 2\n");
}

TEST(YamlEmitterTest, EdgeCasesRoundTrip) {
  const std::vector<Config> scalars = {
      "yes", "No", "on", "y", "null", "Null", "~", "true", "False", "1e3", "1.0", "12", "-3", "0x1F", "0o7", ".inf",
      ".nan", "NaN", "Infinity", "1_000", "", " ", "a: b", "a:b", "a:", "- x", "-x", "-", "--- x", "...", "? x",
      "#c", "a #c", "a# c", "[1]", "{a: 1}", "a, b", "&a", "*a", "!tag", "|", ">", "'q'", "\"q\"", "%d", "@x",
      "`x`", "<<", "  leading", "trailing ", "line\nbreak", "tab\tx", "cr\r", std::string("nul\0x", 5), "\x01\x7F",
      "back\\slash",
      "é", "中文 text", "😀", "\xC2\x85 nel", "\xE2\x80\xA8 ls", "\xEF\xBB\xBF bom", "=", "a=b", "x.y",
      0, -1, std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max(), 1.0, -0.0, 0.1,
      1e-5, 1e20, 1.7976931348623157e308, 5e-324, -2.5, HUGE_VAL, -HUGE_VAL, true, false, Config()};
  Config all = Config::map();
  Config list = Config::list();
  for (std::size_t i = 0; i < scalars.size(); ++i) {
    const Config& s = scalars[i];
    SCOPED_TRACE(s.to_json());
    EXPECT_TRUE(same(load_yaml_value(to_yaml(s), "rt"), s)) << to_yaml(s);
    all.set(s.is_string() ? s.as_string() : std::string("k").append(std::to_string(i)), s);  // also as a key
    list.push_back(s);
  }
  all.set("list", list);
  all.set("nested", Config(std::vector<Config>{list, Config::map(), Config::list(), all}));
  EXPECT_TRUE(same(load_yaml(to_yaml(all), "rt"), all)) << to_yaml(all);
  EXPECT_TRUE(std::isnan(load_yaml_value(to_yaml(std::nan("")), "rt").as_double()));
}

Config random_config(std::mt19937& rng, int depth) {
  static const std::vector<std::string> pieces = {
      "a", "b", "Z", "0", "7", "1e3", ".", "-", ":", " ", "#", ",", "[", "]", "{", "}", "&", "*", "!", "|", ">",
      "'", "\"", "%", "@", "`", "?", "~", "\\", "\n", "\t", "é", "中", "😀", "yes", "null", "true", ".inf",
      "<<", "---", "0x", "\x01", "=", "_"};
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  auto random_string = [&] {
    std::string s;
    for (int i = pick(5); i > 0; --i) s += pieces[static_cast<std::size_t>(pick(static_cast<int>(pieces.size())))];
    return s;
  };
  switch (depth > 3 ? pick(5) : pick(7)) {
    case 0: return Config();
    case 1: return Config(pick(2) == 0);
    case 2: return Config(static_cast<std::int64_t>(rng()) - (std::int64_t{1} << 31));
    case 3: return Config(std::ldexp(static_cast<double>(rng()) - 2e9, pick(80) - 40));
    case 4: return Config(random_string());
    case 5: {
      Config list = Config::list();
      for (int i = pick(5); i > 0; --i) list.push_back(random_config(rng, depth + 1));
      return list;
    }
    default: {
      Config map = Config::map();
      for (int i = pick(5); i > 0; --i) map.set(random_string(), random_config(rng, depth + 1));
      return map;
    }
  }
}

TEST(YamlEmitterTest, RandomNestedConfigsRoundTrip) {
  std::mt19937 rng(1234);
  for (int trial = 0; trial < 3000; ++trial) {
    Config c = Config::map();
    c.set("value", random_config(rng, 0));
    const std::string yaml = to_yaml(c);
    Config back;
    ASSERT_NO_THROW(back = load_yaml(yaml, "rt")) << yaml;
    ASSERT_TRUE(same(back, c)) << "trial " << trial << ":\n" << yaml << "\nread back as " << back.to_json();
    ASSERT_TRUE(same(load_yaml_value(to_yaml(c.at("value")), "rt"), c.at("value"))) << to_yaml(c.at("value"));
  }
}

}  // namespace
}  // namespace fathom::configs
