// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "configs/run_config.h"
#include "io/data_source.h"
#include "models/model.h"

namespace fathom::apps {

/// Everything a command needs from a config file, loaded and checked: the parsed run, the data
/// sets it names, and the model built (and compiled) for the training data's shapes. Building it
/// runs one forward pass on two training samples, so that a model whose shapes don't fit the
/// data fails here, before anything is written.
struct RunSetup {
  configs::RunConfig run;
  io::LoadedData train;
  std::optional<io::LoadedData> validation, test;
  std::unique_ptr<models::Model> model;
};

/// Loads `config_path`, applies the --set overrides, parses, loads the data (the training data
/// always: the model is built for its shapes) and builds the model.
RunSetup set_up_run(const std::string& config_path, const std::vector<std::string>& overrides);

/// Input shapes (batch dimension -1) of a data set's x arrays.
std::vector<Shape> input_shapes_of(const io::LoadedData& data);

}  // namespace fathom::apps
