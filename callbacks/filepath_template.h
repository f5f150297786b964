// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <map>
#include <string>

namespace fathom::callbacks {

/// Python's str.format for the file paths of ModelCheckpoint: "{epoch:02d}-{val_loss:.2f}.keras".
/// Fields are {name} or {name:spec}, where spec is Python's format-spec subset
/// [[fill]align][sign][0][width][.precision][type] with type d, f, F, e, E, g, G or %; "{{" and "}}"
/// are literal braces. Without a spec an integral value prints as an int and any other as Python's
/// repr of a float. A field absent from `values` is a ValueError naming it and the available keys
/// (Keras's "Failed to format this callback filepath"); so is a malformed template.
std::string format_filepath(const std::string& pattern, const std::map<std::string, double>& values);

}  // namespace fathom::callbacks
