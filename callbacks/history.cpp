// SPDX-License-Identifier: Apache-2.0
#include "callbacks/history.h"

#include "core/error.h"

namespace fathom::callbacks {

void History::on_train_begin(const Logs&) {
  // As Keras: the epoch list restarts with each fit(); the recorded values accumulate.
  epochs_.clear();
}

void History::on_epoch_end(int epoch, Logs& logs) {
  epochs_.push_back(epoch);
  for (const auto& [k, v] : logs.entries()) history_[k].push_back(v);
}

const std::vector<double>& History::at(const std::string& key) const {
  auto it = history_.find(key);
  if (it != history_.end()) return it->second;
  std::string keys;
  for (const auto& [k, v] : history_) keys += (keys.empty() ? "" : ", ") + k;
  throw ValueError("History: no metric '" + key + "'. Recorded: " + (keys.empty() ? "nothing yet" : keys));
}

}  // namespace fathom::callbacks
