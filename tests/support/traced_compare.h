// SPDX-License-Identifier: Apache-2.0
// Traced vs eager comparisons for the tracing tests: each returns the differences as text (empty
// when the two agree within kTracedRelTol), so that a failure shows the first differing element.
#pragma once
#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "callbacks/callback.h"
#include "callbacks/history.h"
#include "core/ops.h"
#include "core/tensor.h"

namespace fathom::testing {

/// Traced steps may fuse and reorder float32 rounding, not change results (issue #7).
constexpr double kTracedRelTol = 1e-5;

inline bool traced_close(double a, double b) {
  if (a == b) return true;  // infinities included
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::abs(a - b) <= kTracedRelTol * std::max({std::abs(a), std::abs(b), 1e-3});
}

/// Per tensor: a shape mismatch or the first element that differs.
inline std::string compare(const std::string& what, const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  std::ostringstream out;
  if (a.size() != b.size()) return what + ": " + std::to_string(a.size()) + " vs " + std::to_string(b.size()) + "\n";
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].shape() != b[i].shape()) {
      out << what << "[" << i << "]: shape " << shape_to_string(a[i].shape()) << " vs " << shape_to_string(b[i].shape())
          << "\n";
      continue;
    }
    const auto va = ops::cast(a[i], DType::kFloat64).to_vector<double>();
    const auto vb = ops::cast(b[i], DType::kFloat64).to_vector<double>();
    for (std::size_t k = 0; k < va.size(); ++k) {
      if (!traced_close(va[k], vb[k])) {
        out << what << "[" << i << "] element " << k << ": " << va[k] << " vs " << vb[k] << "\n";
        break;
      }
    }
  }
  return out.str();
}

inline std::string compare_logs(const std::string& what, const callbacks::Logs& a, const callbacks::Logs& b) {
  std::ostringstream out;
  if (a.entries().size() != b.entries().size()) {
    out << what << ": " << a.entries().size() << " vs " << b.entries().size() << " keys\n";
  }
  for (const auto& [key, value] : a.entries()) {
    if (!b.has(key)) {
      out << what << " " << key << ": missing\n";
    } else if (!traced_close(value, b.at(key))) {
      out << what << " " << key << ": " << value << " vs " << b.at(key) << "\n";
    }
  }
  return out.str();
}

/// Every key, every epoch.
inline std::string compare_history(const callbacks::History& a, const callbacks::History& b) {
  std::ostringstream out;
  if (a.history().size() != b.history().size()) out << a.history().size() << " vs " << b.history().size() << " keys\n";
  for (const auto& [key, values] : a.history()) {
    if (b.history().count(key) == 0) {
      out << "history " << key << ": missing\n";
      continue;
    }
    const auto& other = b.history().at(key);
    if (values.size() != other.size()) {
      out << "history " << key << ": " << values.size() << " vs " << other.size() << " epochs\n";
      continue;
    }
    for (std::size_t e = 0; e < values.size(); ++e) {
      if (!traced_close(values[e], other[e])) {
        out << "history " << key << " epoch " << e << ": " << values[e] << " vs " << other[e] << "\n";
      }
    }
  }
  return out.str();
}

}  // namespace fathom::testing
