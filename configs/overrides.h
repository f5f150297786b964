// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <string>

#include "core/config.h"

namespace fathom::configs {

/// Applies one `--set KEY=VALUE` of the CLI to `root`. KEY is a dotted path: `fit.epochs`,
/// `compile.optimizer.config.learning_rate`, `model.config.layers.1.config.units` (a numeric
/// component indexes a list, 0-based). VALUE is parsed as YAML: `3` is an integer, `[1, 2]` a
/// list, `"3"` (quoted) a string, nothing at all null. Missing (or null) intermediate mappings
/// are created; the value replaces what was there and gets the location "--set KEY=VALUE"
/// (at every depth). Throws ConfigError, with a message that starts with "--set KEY=VALUE: ",
/// when there is no '=', the key or one of its components is empty, a component indexes a
/// scalar, a list index is not a number or is out of range, or VALUE is not valid YAML.
void apply_override(Config& root, const std::string& assignment);

}  // namespace fathom::configs
