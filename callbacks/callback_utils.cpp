// SPDX-License-Identifier: Apache-2.0
#include "callbacks/callback_utils.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace fathom::callbacks::detail {

std::string python_float_repr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  // The shortest digits that round-trip (what Python's repr picks), as "d.ddde±XX".
  char buf[64];
  const auto result = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string s(buf, result.ptr);
  std::string sign;
  if (s[0] == '-') {
    sign = "-";
    s.erase(0, 1);
  }
  const std::size_t e = s.find('e');
  const int exponent = std::atoi(s.c_str() + e + 1);
  std::string digits = s.substr(0, e);
  if (digits.size() > 1) digits.erase(1, 1);  // drop the '.'
  const int n = static_cast<int>(digits.size());
  std::string out = sign;
  // Python writes fixed notation for exponents in [-4, 16), scientific otherwise.
  if (exponent >= 16 || exponent < -4) {
    out.append(digits, 0, 1);
    if (n > 1) out.append(".").append(digits, 1, std::string::npos);
    char exp_buf[16];
    std::snprintf(exp_buf, sizeof exp_buf, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    return out.append(exp_buf);
  }
  if (exponent < 0) {
    out.append("0.").append(static_cast<std::size_t>(-exponent - 1), '0');
    return out.append(digits);
  }
  const int int_digits = exponent + 1;
  if (n <= int_digits) {
    out.append(digits).append(static_cast<std::size_t>(int_digits - n), '0');
    return out.append(".0");
  }
  out.append(digits, 0, static_cast<std::size_t>(int_digits)).append(".");
  return out.append(digits, static_cast<std::size_t>(int_digits), std::string::npos);
}

void print_msg(const std::string& message) {
  std::fputs(message.c_str(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

std::string join_keys(const std::vector<std::pair<std::string, double>>& entries, const std::string& separator) {
  std::string out;
  for (std::size_t i = 0; i < entries.size(); ++i) out += (i == 0 ? "" : separator) + entries[i].first;
  return out;
}

}  // namespace fathom::callbacks::detail
