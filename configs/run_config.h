// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <string>

#include "core/config.h"
#include "models/model.h"

namespace fathom::configs {

/// A training run as a YAML file describes it (configs/README.md is the reference): validated,
/// every default filled in, the seed concrete. Sections keep the values' file:line:column.
struct RunConfig {
  std::string source;  // the config file's path (for messages and the default output dir)
  Config model;        // {class_name, config} or {keras_json: path}
  Config compile;      // optimizer, loss, metrics, loss_weights, run_eagerly
  Config data;         // train, validation (optional), test (optional)
  Config fit;          // epochs, batch_size, ..., seed, callbacks
  Config output;       // dir

  /// The resolved config, as written to the run folder's config.yaml: itself a valid input
  /// that reproduces the run.
  Config to_config() const;
};

/// Checks the top level and the compile/fit/output sections (keys, types, ranges) and fills
/// in the defaults; `source` is the file's path. The model and data sections are checked when
/// they are built (make_model, io::load_data_source). Throws ConfigError with file:line:column.
RunConfig parse_run_config(const Config& root, const std::string& source);

/// The compile() arguments, resolved through the registries (ConfigError on unknown names).
models::CompileOptions compile_options(const RunConfig& run);
/// The fit() arguments; `extra` callbacks (the run folder's CSVLogger) come after the config's.
models::FitOptions fit_options(const RunConfig& run, std::vector<callbacks::CallbackPtr> extra = {});

}  // namespace fathom::configs
