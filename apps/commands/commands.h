// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace fathom::apps {

/// Exit codes of every command: 0 success, 1 failure while running (files already written stay
/// valid), 2 bad config or usage (found before anything is written).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

struct TrainArgs {
  std::string config;
  std::vector<std::string> overrides;
  bool dump_graphs = false;  // write the traced steps' graphs (text and Graphviz) to the run folder
};
int run_train(const TrainArgs& args);

struct EvaluateArgs {
  std::string config;
  std::string weights;
  std::vector<std::string> overrides;
};
int run_evaluate(const EvaluateArgs& args);

struct PredictArgs {
  std::string model;
  std::vector<std::string> inputs;
  std::string output;
  std::string weights;
  int batch_size = 32;
};
int run_predict(const PredictArgs& args);

int run_summary(const std::string& config_or_model, const std::vector<std::string>& overrides);

}  // namespace fathom::apps
