// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <map>
#include <string>
#include <vector>

#include "callbacks/callback.h"

namespace fathom::callbacks {

/// Records every epoch's logs (Keras's History, which fit returns): history()["loss"][e].
class History final : public Callback {
 public:
  std::string class_name() const override { return "History"; }
  void on_train_begin(const Logs&) override;
  void on_epoch_end(int epoch, Logs& logs) override;
  const std::map<std::string, std::vector<double>>& history() const { return history_; }
  const std::vector<int>& epochs() const { return epochs_; }
  /// A metric's values by epoch; ValueError listing the recorded keys when absent.
  const std::vector<double>& at(const std::string& key) const;

 private:
  std::map<std::string, std::vector<double>> history_;
  std::vector<int> epochs_;
};

}  // namespace fathom::callbacks
