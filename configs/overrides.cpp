// SPDX-License-Identifier: Apache-2.0
#include "configs/overrides.h"

#include <cstdio>
#include <optional>
#include <vector>

#include "configs/yaml_config.h"

namespace fathom::configs {
namespace {

struct Override {
  std::string assignment;         // as given, for messages and locations
  std::vector<std::string> path;  // KEY split at '.'
  Config value;
};

[[noreturn]] void fail(const Override& o, const std::string& what) {
  throw ConfigError("--set " + o.assignment + ": " + what);
}

/// "'a.b'": the first `n` components of the path, quoted.
std::string quoted_path(const std::vector<std::string>& parts, std::size_t n) {
  std::string s = "'";
  for (std::size_t i = 0; i < n; ++i) s.append(i ? "." : "").append(parts[i]);
  return s + "'";
}

/// " (config.yaml:3:5)" or "".
std::string from(const Config& c) { return c.location().empty() ? "" : " (" + c.location() + ")"; }

std::optional<std::size_t> parse_index(const std::string& s) {
  if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return static_cast<std::size_t>(std::stoul(s));
}

/// `c` with every location (at any depth) replaced by `location`.
Config relocated(const Config& c, const std::string& location) {
  Config out = c;
  if (c.is_list()) {
    out = Config::list();
    for (const Config& item : c.items()) out.push_back(relocated(item, location));
  } else if (c.is_map()) {
    out = Config::map();
    for (const auto& [k, v] : c.entries()) out.set(k, relocated(v, location));
  }
  out.set_location(location);
  return out;
}

/// A copy of `node` with the value at path[i..] replaced (Config has no mutable access to
/// nested values, so the path is rebuilt on the way back up).
Config assign(const Config& node, const Override& o, std::size_t i) {
  if (i == o.path.size()) return o.value;
  const std::string& part = o.path[i];
  const std::string parent = i == 0 ? "the config" : quoted_path(o.path, i);
  if (node.is_list()) {
    const std::size_t size = node.items().size();
    const auto index = parse_index(part);
    if (!index) fail(o, "'" + part + "' is not a list index: " + parent + " is a list" + from(node));
    if (*index >= size) {
      const std::string valid = size ? ", valid indices are 0.." + std::to_string(size - 1) : "";
      fail(o, "index " + part + " is out of range: " + parent + " has " + std::to_string(size) + " item" +
                  (size == 1 ? "" : "s") + from(node) + valid);
    }
    Config out = Config::list();
    for (std::size_t k = 0; k < size; ++k) {
      out.push_back(k == *index ? assign(node.items()[k], o, i + 1) : node.items()[k]);
    }
    out.set_location(node.location());
    return out;
  }
  if (node.is_map() || node.is_null()) {  // a missing or null intermediate becomes a mapping
    Config out = node.is_map() ? node : Config::map();
    out.set_location(node.location().empty() ? "--set " + o.assignment : node.location());
    out.set(part, assign(out.has(part) ? out.at(part) : Config(), o, i + 1));
    return out;
  }
  fail(o, parent + " is " + Config::kind_name(node.kind()) + from(node) + ", so it has no key '" + part + "'");
}

Config parse_value(const Override& o, const std::string& text) {
  const std::string source = "--set " + o.assignment;
  try {
    return relocated(load_yaml_value(text, source), source);
  } catch (const ConfigError& e) {
    std::string what = e.message();
    int line = 0, column = 0, consumed = 0;
    if (what.rfind(source + ":", 0) == 0 &&
        std::sscanf(what.c_str() + source.size(), ":%d:%d: %n", &line, &column, &consumed) == 2 && consumed > 0) {
      what = what.substr(source.size() + consumed) + " (line " + std::to_string(line) + ", column " +
             std::to_string(column) + " of the value)";
    }
    fail(o, "cannot parse the value '" + text + "' as YAML: " + what);
  }
}

}  // namespace

void apply_override(Config& root, const std::string& assignment) {
  Override o{assignment, {}, {}};
  const std::size_t eq = assignment.find('=');
  if (eq == std::string::npos) fail(o, "expected KEY=VALUE, e.g. --set fit.epochs=3");
  std::string key = assignment.substr(0, eq);
  key.erase(0, key.find_first_not_of(" \t"));
  key.erase(key.find_last_not_of(" \t") + 1);
  if (key.empty()) fail(o, "the key before '=' is empty; expected KEY=VALUE, e.g. --set fit.epochs=3");
  for (std::size_t start = 0;;) {
    const std::size_t dot = key.find('.', start);
    o.path.push_back(key.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (o.path.back().empty()) fail(o, "the key '" + key + "' has an empty component; expected a.b.c");
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  o.value = parse_value(o, assignment.substr(eq + 1));
  root = assign(root, o, 0);
}

}  // namespace fathom::configs
