// SPDX-License-Identifier: Apache-2.0
// Private to models/: the traced train/test/predict step functions of a Model.
#pragma once
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "core/function.h"
#include "models/model.h"

namespace fathom::models {

struct Model::TracedSteps {
  /// (step kind, inputs, targets, has sample weight) -> its function. Each function caches
  /// one trace per signature: batch shape, dtypes and which variables train.
  using Layout = std::tuple<char, std::size_t, std::size_t, bool>;
  std::map<Layout, Function> functions;

  /// The function for `layout`, made from `body` on first use. `reuse_outputs`: its results
  /// live in its memory plan until the next call (FunctionOptions::reuse_output_memory).
  Function& get(const Layout& layout, const Function::Body& body, const std::string& name, bool reuse_outputs) {
    auto it = functions.find(layout);
    if (it == functions.end()) {
      it = functions.emplace(layout, Function(body, {.name = name, .reuse_output_memory = reuse_outputs})).first;
    }
    return it->second;
  }
  Layout last_train{}, last_test{}, last_predict{};
  /// How many activity losses each layer (Model::all_layers order) had when a step was traced:
  /// how to hand a replay's extra outputs back to the layers.
  std::vector<std::size_t> activity_counts;
  bool has_train = false, has_test = false, has_predict = false;
};

}  // namespace fathom::models
