// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <string>
#include <string_view>

#include "core/config.h"

namespace fathom {

/// Parses JSON as Keras (Python's json module) and Config::to_json write it: objects keep their
/// key order (a repeated key is an error), integers stay int64, other numbers are doubles, and
/// NaN / Infinity / -Infinity are accepted. Throws ConfigError "<source>:<line>:<column>: invalid
/// JSON: <what>" (1-based), nesting deeper than 200 included.
Config parse_json(std::string_view text, const std::string& source);

}  // namespace fathom
