// SPDX-License-Identifier: Apache-2.0
#include "callbacks/filepath_template.h"

#include <cmath>
#include <cstdio>
#include <regex>

#include "callbacks/callback_utils.h"
#include "core/error.h"

namespace fathom::callbacks {
namespace {

std::string available(const std::map<std::string, double>& values) {
  std::string s;
  for (const auto& [k, v] : values) s += (s.empty() ? "" : ", ") + k;
  return s;
}

std::string pad(std::string body, char fill, char align, std::size_t width, bool numeric) {
  if (body.size() >= width) return body;
  const std::size_t n = width - body.size();
  if (align == '=' && numeric && !body.empty() && (body[0] == '-' || body[0] == '+' || body[0] == ' ')) {
    return body.substr(0, 1) + std::string(n, fill) + body.substr(1);
  }
  if (align == '<') return body + std::string(n, fill);
  if (align == '^') return std::string(n / 2, fill) + body + std::string(n - n / 2, fill);
  return std::string(n, fill) + body;  // '>' (numbers' default)
}

std::string format_one(const std::string& pattern, const std::string& name, const std::string& spec, double value) {
  static const std::regex kSpec("^(?:(.)?([<>=^]))?([+\\- ])?(0)?(\\d+)?(?:\\.(\\d+))?([dfFeEgG%])?$");
  std::smatch m;
  FATHOM_CHECK(std::regex_match(spec, m, kSpec), ValueError, "Failed to format this callback filepath: \"", pattern,
               "\". Reason: unsupported format spec '", spec, "' for '", name, "'");
  char align = m[2].matched ? m[2].str()[0] : '>';
  char fill = m[1].matched ? m[1].str()[0] : ' ';
  if (m[4].matched && !m[2].matched) {
    fill = '0';
    align = '=';
  }
  const std::string sign = m[3].matched ? m[3].str() : "-";
  const std::size_t width = m[5].matched ? std::stoul(m[5].str()) : 0;
  const int precision = m[6].matched ? std::stoi(m[6].str()) : -1;
  const char type = m[7].matched ? m[7].str()[0] : '\0';
  std::string body;
  char buf[512];
  if (type == 'd') {
    FATHOM_CHECK(std::floor(value) == value, ValueError, "Failed to format this callback filepath: \"", pattern,
                 "\". Reason: '", name, "' is ", value, ", not an integer, for the format 'd'");
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(value));
    body = buf;
  } else if (type == '\0' && precision < 0) {
    body = std::floor(value) == value && std::abs(value) < 1e15 ? std::to_string(static_cast<long long>(value))
                                                                 : detail::python_float_repr(value);
  } else {
    const char t = type == '\0' ? 'g' : type == '%' ? 'f' : type;
    const std::string fmt = std::string("%.") + std::to_string(precision < 0 ? 6 : precision) + t;
    std::snprintf(buf, sizeof buf, fmt.c_str(), type == '%' ? value * 100 : value);
    body = buf;
    if (type == '%') body += '%';
  }
  if (body[0] != '-' && sign != "-") body = sign + body;
  return pad(body, fill, align, width, true);
}

}  // namespace

std::string format_filepath(const std::string& pattern, const std::map<std::string, double>& values) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if ((c == '{' || c == '}') && i + 1 < pattern.size() && pattern[i + 1] == c) {
      out += c;
      ++i;
      continue;
    }
    FATHOM_CHECK(c != '}', ValueError, "Failed to format this callback filepath: \"", pattern,
                 "\". Reason: single '}' encountered");
    if (c != '{') {
      out += c;
      continue;
    }
    const std::size_t close = pattern.find('}', i);
    FATHOM_CHECK(close != std::string::npos, ValueError, "Failed to format this callback filepath: \"", pattern,
                 "\". Reason: a '{' is not closed");
    const std::string field = pattern.substr(i + 1, close - i - 1);
    const std::size_t colon = field.find(':');
    const std::string name = field.substr(0, colon);
    const std::string spec = colon == std::string::npos ? "" : field.substr(colon + 1);
    const auto it = values.find(name);
    FATHOM_CHECK(it != values.end(), ValueError, "Failed to format this callback filepath: \"", pattern,
                 "\". Reason: no value named '", name, "' (available: ", available(values), ")");
    out += format_one(pattern, name, spec, it->second);
    i = close;
  }
  return out;
}

}  // namespace fathom::callbacks
