// SPDX-License-Identifier: Apache-2.0
#include "core/json.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"

namespace fathom {
namespace {

TEST(JsonTest, ParsesWhatKerasWrites) {
  const Config c = parse_json(R"({"class_name": "Dense", "config": {"units": 3, "rate": 0.5, "shape": [null, 4],
    "on": true, "off": false, "mask_value": NaN, "big": -Infinity, "s": "a\u00e9\n"}})", "model.json");
  EXPECT_EQ(c.get<std::string>("class_name"), "Dense");
  const Config& cfg = c.at("config");
  EXPECT_EQ(cfg.at("units").kind(), Config::Kind::kInt);
  EXPECT_EQ(cfg.get<std::int64_t>("units"), 3);
  EXPECT_DOUBLE_EQ(cfg.get<double>("rate"), 0.5);
  EXPECT_TRUE(cfg.at("shape").items()[0].is_null());
  EXPECT_TRUE(cfg.get<bool>("on"));
  EXPECT_TRUE(std::isnan(cfg.get<double>("mask_value")));
  EXPECT_EQ(cfg.get<double>("big"), -INFINITY);
  EXPECT_EQ(cfg.get<std::string>("s"), "a\xC3\xA9\n");
  EXPECT_EQ(cfg.keys().front(), "units") << "key order is kept";
}

TEST(JsonTest, ErrorsNameTheSourceLineAndColumn) {
  try {
    parse_json("{\n  \"a\": 1,\n  \"b\": ]\n}", "config.json");
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("config.json:3:8"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_json(R"({"a": 1, "a": 2})", "x"), ConfigError);
  EXPECT_THROW(parse_json("[1, 2", "x"), ConfigError);
  EXPECT_THROW(parse_json("{} extra", "x"), ConfigError);
  EXPECT_THROW(parse_json(std::string(300, '[') + std::string(300, ']'), "x"), ConfigError);
}

}  // namespace
}  // namespace fathom
