// SPDX-License-Identifier: Apache-2.0
#include "configs/error_location.h"

#include <regex>

namespace fathom::configs {
namespace {

/// The location of the first entry named `key` (depth first), or "".
std::string find_key(const Config& c, const std::string& key) {
  if (c.is_map()) {
    for (const auto& [k, v] : c.entries()) {
      if (k == key && !v.location().empty()) return v.location();
    }
    for (const auto& [k, v] : c.entries()) {
      if (std::string found = find_key(v, key); !found.empty()) return found;
    }
  } else if (c.is_list()) {
    for (const Config& item : c.items()) {
      if (std::string found = find_key(item, key); !found.empty()) return found;
    }
  }
  return "";
}

/// The location of the first string value equal to `text` (depth first), or "".
std::string find_string(const Config& c, const std::string& text) {
  if (c.is_string()) return c.as_string() == text ? c.location() : "";
  if (c.is_map()) {
    for (const auto& [k, v] : c.entries()) {
      if (std::string found = find_string(v, text); !found.empty()) return found;
    }
  } else if (c.is_list()) {
    for (const Config& item : c.items()) {
      if (std::string found = find_string(item, text); !found.empty()) return found;
    }
  }
  return "";
}

}  // namespace

bool has_location_prefix(const std::string& message) {
  static const std::regex located(R"(^\S+:\d+:\d+: )");
  return std::regex_search(message, located);
}

void locate_error(Error& e, const Config& spec, const std::string& what) {
  const std::string message = e.message();
  std::string where;
  static const std::regex received(R"(Received: (\w+)=)");
  static const std::regex quoted(R"('([^']+)')");
  static const std::regex prefix(R"(^\S+:\d+:\d+: )");
  std::smatch m;
  if (std::regex_search(message, m, received)) where = find_key(spec, m[1].str());
  if (has_location_prefix(message)) {
    // Located already (at a mapping, say): sharpen to the value "Received: key=" names.
    if (!where.empty()) e.set_message(std::regex_replace(message, prefix, where + ": ", std::regex_constants::format_first_only));
    return;
  }
  for (auto it = std::sregex_iterator(message.begin(), message.end(), quoted); where.empty() && it != std::sregex_iterator();
       ++it) {
    where = find_string(spec, (*it)[1].str());
  }
  if (where.empty()) where = spec.location();
  if (where.empty()) {
    if (!what.empty()) e.add_context(what);
  } else {
    e.add_context(what.empty() ? where : where + ": " + what);
  }
}

}  // namespace fathom::configs
