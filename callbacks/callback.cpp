// SPDX-License-Identifier: Apache-2.0
#include "callbacks/callback.h"

#include <algorithm>

#include "core/error.h"

namespace fathom::callbacks {

void Logs::set(const std::string& key, double value) {
  for (auto& [k, v] : entries_) {
    if (k == key) {
      v = value;
      return;
    }
  }
  entries_.emplace_back(key, value);
}

bool Logs::has(const std::string& key) const {
  return std::any_of(entries_.begin(), entries_.end(), [&](const auto& e) { return e.first == key; });
}

double Logs::at(const std::string& key, const std::string& who) const {
  for (const auto& [k, v] : entries_) {
    if (k == key) return v;
  }
  std::string keys;
  for (const auto& [k, v] : entries_) keys += (keys.empty() ? "" : ", ") + k;
  throw ValueError((who.empty() ? std::string() : who + ": ") + "no '" + key + "' in the logs. Available: " +
                   (keys.empty() ? "none" : keys));
}

}  // namespace fathom::callbacks
