// SPDX-License-Identifier: Apache-2.0
// to_yaml: Config -> block-style YAML that load_yaml reads back to the same Config.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "configs/yaml_config.h"
#include "configs/yaml_scalars.h"

namespace fathom::configs {


namespace {

constexpr std::size_t kMaxFlowWidth = 80;

bool is_scalar(const Config& c) { return !c.is_list() && !c.is_map(); }

std::string float_text(double v) {
  if (std::isnan(v)) return ".nan";
  if (std::isinf(v)) return v > 0 ? ".inf" : "-.inf";
  char buf[32];
  std::string s(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);  // shortest round trip
  const std::size_t e = s.find('e');
  if (s.find('.') == std::string::npos) s.insert(e == std::string::npos ? s.size() : e, ".0");  // 1.0, 1.0e-05
  return s;
}

/// Whether `s` must be quoted to read back as this string. `strict`: a key or a flow-list item.
bool needs_quotes(const std::string& s, bool strict) {
  try {
    if (s.empty() || !detail::resolve_plain_scalar(s).is_string()) return true;
  } catch (const ConfigError&) {  // an integer beyond 64 bits
    return true;
  }
  static const std::unordered_set<std::string> yaml11_words = {  // booleans to YAML 1.1 readers
      "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "<<"};
  if (yaml11_words.count(s)) return true;
  const unsigned char first = static_cast<unsigned char>(s[0]);
  if (std::strchr("-?:,[]{}#&*!|>'\"%@`.+ ", first) != nullptr || std::isdigit(first)) return true;
  if (s.back() == ' ' || s.back() == ':') return true;
  if (s.find(": ") != std::string::npos || s.find(" #") != std::string::npos) return true;
  // In a flow list or a key, yaml-cpp misreads some plain scalars that YAML allows ("<<`&?"):
  // only a conservative set of ASCII characters stays unquoted there.
  const auto safe = [](unsigned char c) { return c >= 0x80 || std::isalnum(c) || std::strchr("_./()+=- ", c); };
  if (strict && !std::all_of(s.begin(), s.end(), safe)) return true;
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) return true;
    if (c < 0x80) {
      ++i;
      continue;
    }
    const std::size_t n = detail::utf8_sequence_length(s, i);
    // Not UTF-8, or NEL/LS/PS/BOM, which YAML readers treat as line breaks or drop.
    if (n == 0 || s.compare(i, 2, "\xC2\x85") == 0 || s.compare(i, 3, "\xE2\x80\xA8") == 0 ||
        s.compare(i, 3, "\xE2\x80\xA9") == 0 || s.compare(i, 3, "\xEF\xBB\xBF") == 0) {
      return true;
    }
    i += n;
  }
  return false;
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80 ? 1 : detail::utf8_sequence_length(s, i);
    char buf[8];
    if (c == '"' || c == '\\') {
      out += '\\', out += static_cast<char>(c);
    } else if (c == '\n' || c == '\t' || c == '\r') {
      out += c == '\n' ? "\\n" : c == '\t' ? "\\t" : "\\r";
    } else if (c < 0x20 || c == 0x7F || n == 0) {
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
      i += 1;
      continue;
    } else if (s.compare(i, 2, "\xC2\x85") == 0) {
      out += "\\u0085";  // not \N: yaml-cpp 0.7 reads \N as the lone byte 0x85
    } else if (s.compare(i, 3, "\xE2\x80\xA8") == 0 || s.compare(i, 3, "\xE2\x80\xA9") == 0) {
      out += s[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
    } else if (s.compare(i, 3, "\xEF\xBB\xBF") == 0) {
      out += "\\uFEFF";
    } else {
      out.append(s, i, n);
    }
    i += n;
  }
  return out + "\"";
}

std::string scalar_text(const Config& c, bool strict) {
  switch (c.kind()) {
    case Config::Kind::kNull: return "null";
    case Config::Kind::kBool: return c.as_bool() ? "true" : "false";
    case Config::Kind::kInt: return std::to_string(c.as_int());
    case Config::Kind::kFloat: return float_text(c.as_double());
    case Config::Kind::kString: return needs_quotes(c.as_string(), strict) ? quoted(c.as_string()) : c.as_string();
    default: return "";
  }
}

/// The one-line form of scalars, empty mappings and lists of those (nested lists too) that fit
/// on a line; nullopt for anything else. `strict`: inside a flow list.
std::optional<std::string> flow_text(const Config& c, bool strict) {
  if (is_scalar(c)) return scalar_text(c, strict);
  if (c.is_map()) return c.entries().empty() ? std::optional<std::string>("{}") : std::nullopt;
  std::string out = "[";
  for (const Config& item : c.items()) {
    const std::optional<std::string> text = flow_text(item, true);
    if (!text) return std::nullopt;
    out += (out.size() > 1 ? ", " : "") + *text;
    if (out.size() > kMaxFlowWidth) return std::nullopt;
  }
  return out + "]";
}

std::optional<std::string> inline_text(const Config& c) { return flow_text(c, false); }

std::vector<std::string> block_lines(const Config& c) {
  std::vector<std::string> lines;
  if (c.is_map()) {
    for (const auto& [key, value] : c.entries()) {
      const std::string k = needs_quotes(key, true) ? quoted(key) : key;
      if (auto text = inline_text(value)) {
        lines.push_back(k + ": " + *text);
        continue;
      }
      lines.push_back(k + ":");
      for (const std::string& line : block_lines(value)) lines.push_back("  " + line);
    }
    return lines;
  }
  for (const Config& item : c.items()) {
    if (auto text = inline_text(item)) {
      lines.push_back("- " + *text);
      continue;
    }
    const std::vector<std::string> nested = block_lines(item);
    for (std::size_t i = 0; i < nested.size(); ++i) lines.push_back((i == 0 ? "- " : "  ") + nested[i]);
  }
  return lines;
}

}  // namespace

std::string to_yaml(const Config& config) {
  if (auto text = inline_text(config)) return *text + "\n";
  std::string out;
  for (const std::string& line : block_lines(config)) out += line + "\n";
  return out;
}

}  // namespace fathom::configs
