// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/shape.h"

namespace fathom {

/// A bad configuration value: the message names the owner (layer, optimizer, ...), the key and,
/// when the config came from a file, its `file:line:column`.
class ConfigError : public Error { using Error::Error; };

/// A JSON-like value: what Keras's get_config() returns and what YAML configs and Keras files
/// hold. Maps keep their insertion order (so configs print as Keras writes them).
class Config {
 public:
  enum class Kind { kNull, kBool, kInt, kFloat, kString, kList, kMap };

  Config() = default;  // null
  Config(bool v);                     // NOLINT: implicit, so that c.set("use_bias", true) reads well
  Config(int v);                      // NOLINT
  Config(std::int64_t v);             // NOLINT
  Config(double v);                   // NOLINT
  Config(const char* v);              // NOLINT
  Config(std::string v);              // NOLINT
  Config(std::vector<Config> items);  // NOLINT: a list
  Config(const Shape& shape);         // NOLINT: a list of ints, -1 as null (Keras's None)
  static Config map();
  static Config list();

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool is_map() const { return kind_ == Kind::kMap; }
  bool is_list() const { return kind_ == Kind::kList; }
  bool is_string() const { return kind_ == Kind::kString; }
  bool is_number() const { return kind_ == Kind::kInt || kind_ == Kind::kFloat; }
  static const char* kind_name(Kind kind);

  bool as_bool() const;
  std::int64_t as_int() const;
  double as_double() const;  // ints convert
  const std::string& as_string() const;
  /// A list of ints (null entries become -1).
  Shape as_shape() const;
  const std::vector<Config>& items() const;  // list elements
  void push_back(Config value);

  /// Map access. set() replaces an existing key in place.
  Config& set(const std::string& key, Config value);
  bool has(const std::string& key) const;
  const Config& at(const std::string& key) const;  // ConfigError naming the key if missing
  const std::vector<std::pair<std::string, Config>>& entries() const;
  /// Where a map key itself was written (the YAML loader records it): an unknown key is
  /// reported there, not at its value. Empty when unknown.
  void set_key_location(const std::string& key, std::string location);
  std::string key_location(const std::string& key) const;
  std::vector<std::string> keys() const;
  void erase(const std::string& key);

  /// Typed access to a map entry: get<T>(key) throws ConfigError when missing or of the wrong
  /// type; get_or returns `fallback` when the key is missing or null (Keras's None = default).
  template <class T> T get(const std::string& key) const;
  template <class T> T get_or(const std::string& key, T fallback) const {
    return has(key) && !at(key).is_null() ? get<T>(key) : fallback;
  }

  /// Throws ConfigError for the first key not in `known`, with a did-you-mean suggestion and the
  /// list of known keys (Keras: "Unrecognized keyword arguments passed to Dense").
  void reject_unknown_keys(const std::vector<std::string>& known, const std::string& owner) const;

  /// Where this value came from ("configs/mlp.yaml:7:12"); empty for values built in code.
  const std::string& location() const { return location_; }
  void set_location(std::string location) { location_ = std::move(location); }
  /// "`location`: " or "" — the prefix for error messages about this value.
  std::string where() const { return location_.empty() ? "" : location_ + ": "; }
  /// The prefix for the entry `key` of this mapping when it has a location, else where(): an
  /// unknown class name points at the class_name value, not at its mapping.
  std::string where_of(const std::string& key) const;

  /// Compact JSON (indent < 0) or indented.
  std::string to_json(int indent = -1) const;
  bool operator==(const Config& other) const;
  bool operator!=(const Config& other) const { return !(*this == other); }

 private:
  [[noreturn]] void type_error(const char* expected) const;
  Kind kind_ = Kind::kNull;
  bool bool_ = false;
  std::int64_t int_ = 0;
  double float_ = 0.0;
  std::string string_;
  std::vector<Config> list_;
  std::vector<std::pair<std::string, Config>> map_;
  std::vector<std::pair<std::string, std::string>> key_locations_;
  std::string location_;
};

template <> bool Config::get<bool>(const std::string& key) const;
template <> std::int64_t Config::get<std::int64_t>(const std::string& key) const;
template <> int Config::get<int>(const std::string& key) const;
template <> double Config::get<double>(const std::string& key) const;
template <> std::string Config::get<std::string>(const std::string& key) const;
template <> Shape Config::get<Shape>(const std::string& key) const;
template <> Config Config::get<Config>(const std::string& key) const;

/// The registered name closest to `name` (edit distance), or "" when none is close.
std::string closest_name(const std::string& name, const std::vector<std::string>& candidates);
/// " Did you mean 'X'?" or "".
std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace fathom
