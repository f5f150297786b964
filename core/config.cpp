// SPDX-License-Identifier: Apache-2.0
#include "core/config.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace fathom {

Config::Config(bool v) : kind_(Kind::kBool), bool_(v) {}
Config::Config(int v) : kind_(Kind::kInt), int_(v) {}
Config::Config(std::int64_t v) : kind_(Kind::kInt), int_(v) {}
Config::Config(double v) : kind_(Kind::kFloat), float_(v) {}
Config::Config(const char* v) : kind_(Kind::kString), string_(v) {}
Config::Config(std::string v) : kind_(Kind::kString), string_(std::move(v)) {}
Config::Config(std::vector<Config> items) : kind_(Kind::kList), list_(std::move(items)) {}
Config::Config(const Shape& shape) : kind_(Kind::kList) {
  for (auto d : shape) list_.push_back(d < 0 ? Config() : Config(d));
}

Config Config::map() {
  Config c;
  c.kind_ = Kind::kMap;
  return c;
}

Config Config::list() {
  Config c;
  c.kind_ = Kind::kList;
  return c;
}

const char* Config::kind_name(Kind kind) {
  switch (kind) {
    case Kind::kNull: return "null";
    case Kind::kBool: return "a boolean";
    case Kind::kInt: return "an integer";
    case Kind::kFloat: return "a number";
    case Kind::kString: return "a string";
    case Kind::kList: return "a list";
    case Kind::kMap: return "a mapping";
  }
  return "?";
}

void Config::type_error(const char* expected) const {
  std::string shown;
  if (kind_ == Kind::kString) shown = " '" + string_ + "'";
  if (kind_ == Kind::kInt || kind_ == Kind::kFloat || kind_ == Kind::kBool) shown = " (" + to_json() + ")";
  throw ConfigError(where() + "expected " + expected + ", received " + kind_name(kind_) + shown);
}

bool Config::as_bool() const {
  if (kind_ != Kind::kBool) type_error("a boolean (true or false)");
  return bool_;
}

std::int64_t Config::as_int() const {
  if (kind_ == Kind::kFloat && std::floor(float_) == float_ && std::abs(float_) < 9e15) {
    return static_cast<std::int64_t>(float_);
  }
  if (kind_ != Kind::kInt) type_error("an integer");
  return int_;
}

double Config::as_double() const {
  if (kind_ == Kind::kInt) return static_cast<double>(int_);
  if (kind_ != Kind::kFloat) type_error("a number");
  return float_;
}

const std::string& Config::as_string() const {
  if (kind_ != Kind::kString) type_error("a string");
  return string_;
}

Shape Config::as_shape() const {
  if (kind_ != Kind::kList) type_error("a list of dimensions");
  Shape s;
  for (const Config& c : list_) s.push_back(c.is_null() ? -1 : c.as_int());
  return s;
}

const std::vector<Config>& Config::items() const {
  if (kind_ != Kind::kList) type_error("a list");
  return list_;
}

void Config::push_back(Config value) {
  if (kind_ == Kind::kNull) kind_ = Kind::kList;
  if (kind_ != Kind::kList) type_error("a list");
  list_.push_back(std::move(value));
}

Config& Config::set(const std::string& key, Config value) {
  if (kind_ == Kind::kNull) kind_ = Kind::kMap;
  if (kind_ != Kind::kMap) type_error("a mapping");
  for (auto& [k, v] : map_) {
    if (k == key) {
      v = std::move(value);
      return *this;
    }
  }
  map_.emplace_back(key, std::move(value));
  return *this;
}

bool Config::has(const std::string& key) const {
  if (kind_ != Kind::kMap) return false;
  return std::any_of(map_.begin(), map_.end(), [&](const auto& e) { return e.first == key; });
}

const Config& Config::at(const std::string& key) const {
  if (kind_ != Kind::kMap) type_error("a mapping");
  for (const auto& [k, v] : map_) {
    if (k == key) return v;
  }
  throw ConfigError(where() + "missing required key '" + key + "'");
}

const std::vector<std::pair<std::string, Config>>& Config::entries() const {
  if (kind_ != Kind::kMap) type_error("a mapping");
  return map_;
}

std::vector<std::string> Config::keys() const {
  std::vector<std::string> k;
  for (const auto& e : entries()) k.push_back(e.first);
  return k;
}

void Config::set_key_location(const std::string& key, std::string location) {
  for (auto& [k, loc] : key_locations_) {
    if (k == key) {
      loc = std::move(location);
      return;
    }
  }
  key_locations_.emplace_back(key, std::move(location));
}

std::string Config::key_location(const std::string& key) const {
  for (const auto& [k, loc] : key_locations_) {
    if (k == key) return loc;
  }
  return "";
}

std::string Config::where_of(const std::string& key) const {
  if (kind_ == Kind::kMap) {
    for (const auto& [k, v] : map_) {
      if (k == key && !v.location().empty()) return v.where();
    }
  }
  return where();
}

void Config::erase(const std::string& key) {
  map_.erase(std::remove_if(map_.begin(), map_.end(), [&](const auto& e) { return e.first == key; }), map_.end());
}

namespace {
template <class F>
auto with_key(const Config& c, const std::string& key, F f) -> decltype(f(c)) {
  const Config& v = c.at(key);
  try {
    return f(v);
  } catch (ConfigError& e) {
    // The location comes first: "cfg.yaml:4:11: key 'take': expected an integer ...".
    const std::string at = v.location().empty() ? c.where() : v.where();
    std::string message = e.message();
    if (!at.empty() && message.rfind(at, 0) == 0) message.erase(0, at.size());
    throw ConfigError(at + "key '" + key + "': " + message);
  }
}
}  // namespace

template <> bool Config::get<bool>(const std::string& key) const {
  return with_key(*this, key, [](const Config& v) { return v.as_bool(); });
}
template <> std::int64_t Config::get<std::int64_t>(const std::string& key) const {
  return with_key(*this, key, [](const Config& v) { return v.as_int(); });
}
template <> int Config::get<int>(const std::string& key) const {
  return static_cast<int>(with_key(*this, key, [](const Config& v) { return v.as_int(); }));
}
template <> double Config::get<double>(const std::string& key) const {
  return with_key(*this, key, [](const Config& v) { return v.as_double(); });
}
template <> std::string Config::get<std::string>(const std::string& key) const {
  return with_key(*this, key, [](const Config& v) { return v.as_string(); });
}
template <> Shape Config::get<Shape>(const std::string& key) const {
  return with_key(*this, key, [](const Config& v) { return v.as_shape(); });
}
template <> Config Config::get<Config>(const std::string& key) const { return at(key); }

void Config::reject_unknown_keys(const std::vector<std::string>& known, const std::string& owner) const {
  for (const auto& [key, value] : entries()) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::vector<std::string> sorted = known;
    std::sort(sorted.begin(), sorted.end());
    std::string list;
    for (const auto& k : sorted) list += (list.empty() ? "" : ", ") + k;
    const std::string key_at = key_location(key);
    const std::string at = !key_at.empty()              ? key_at + ": "
                           : value.location().empty() ? where()
                                                      : value.location() + ": ";
    throw ConfigError(at + owner + ": unknown key '" + key + "'." + did_you_mean(key, known) +
                      " Known keys: " + list + ".");
  }
}

namespace {

void escape(std::ostringstream& os, const std::string& s) {
  os << '"';
  for (char ch : s) {
    switch (ch) {
      case '"': os << "\\\""; break;
      case '\\': os << "\\\\"; break;
      case '\n': os << "\\n"; break;
      case '\t': os << "\\t"; break;
      default:
        if (static_cast<unsigned char>(ch) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", ch);
          os << buf;
        } else {
          os << ch;
        }
    }
  }
  os << '"';
}

void write_json(std::ostringstream& os, const Config& c, int indent, int depth) {
  const std::string nl = indent < 0 ? "" : "\n";
  const std::string pad = indent < 0 ? "" : std::string((depth + 1) * indent, ' ');
  const std::string end_pad = indent < 0 ? "" : std::string(depth * indent, ' ');
  const std::string sep = indent < 0 ? ", " : ",";
  switch (c.kind()) {
    case Config::Kind::kNull: os << "null"; break;
    case Config::Kind::kBool: os << (c.as_bool() ? "true" : "false"); break;
    case Config::Kind::kInt: os << c.as_int(); break;
    case Config::Kind::kFloat: {
      const double v = c.as_double();
      if (std::isnan(v)) {
        os << "NaN";  // what Python's json writes (and reads)
      } else if (std::isinf(v)) {
        os << (v > 0 ? "Infinity" : "-Infinity");
      } else {
        // Shortest text that reads back to the same double, as Python's repr: 0.1, 1e-05.
        char buf[32];
        const auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
        std::string s(buf, end);
        if (s.find_first_of(".e") == std::string::npos) s += ".0";  // stays a float in JSON readers
        os << s;
      }
      break;
    }
    case Config::Kind::kString: escape(os, c.as_string()); break;
    case Config::Kind::kList: {
      os << "[";
      bool first = true;
      for (const Config& item : c.items()) {
        os << (first ? "" : sep) << nl << pad;
        write_json(os, item, indent, depth + 1);
        first = false;
      }
      if (!first) os << nl << end_pad;
      os << "]";
      break;
    }
    case Config::Kind::kMap: {
      os << "{";
      bool first = true;
      for (const auto& [k, v] : c.entries()) {
        os << (first ? "" : sep) << nl << pad;
        escape(os, k);
        os << ": ";
        write_json(os, v, indent, depth + 1);
        first = false;
      }
      if (!first) os << nl << end_pad;
      os << "}";
      break;
    }
  }
}

}  // namespace

std::string Config::to_json(int indent) const {
  std::ostringstream os;
  write_json(os, *this, indent, 0);
  return os.str();
}

bool Config::operator==(const Config& o) const {
  if (is_number() && o.is_number()) return as_double() == o.as_double();
  if (kind_ != o.kind_) return false;
  switch (kind_) {
    case Kind::kNull: return true;
    case Kind::kBool: return bool_ == o.bool_;
    case Kind::kString: return string_ == o.string_;
    case Kind::kList: return list_ == o.list_;
    case Kind::kMap: return map_ == o.map_;
    default: return false;
  }
}

std::string closest_name(const std::string& name, const std::vector<std::string>& candidates) {
  auto lower = [](std::string s) {
    for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
  };
  const std::string a = lower(name);
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, a.size() / 3) + 1;
  for (const auto& candidate : candidates) {
    const std::string b = lower(candidate);
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
      cur[0] = i;
      for (std::size_t j = 1; j <= b.size(); ++j) {
        cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      }
      std::swap(prev, cur);
    }
    if (prev[b.size()] < best_distance) {
      best_distance = prev[b.size()];
      best = candidate;
    }
  }
  return best;
}

std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates) {
  const std::string c = closest_name(name, candidates);
  return c.empty() ? "" : " Did you mean '" + c + "'?";
}

}  // namespace fathom
