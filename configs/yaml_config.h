// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <string>

#include "core/config.h"

namespace fathom::configs {

/// Parses a YAML (or JSON: JSON is YAML) document whose top level is a mapping, as a training
/// config or a Keras model.to_json() file is. Every value, at any depth, gets the location
/// "`source_name`:line:column" (1-based; columns count bytes) of where it starts; an empty
/// value (`key:` with nothing after it) gets the location of its key.
///
/// Scalars follow the YAML 1.2 core schema: null/Null/NULL/~/empty are null; true/True/TRUE/
/// false/... booleans (yes/no/on/off stay strings); 12, -3, 0x1F, 0o17 integers (64-bit);
/// 1.5, 1e-3, .5, .inf, -.inf, .nan floats, and also NaN, Infinity, -Infinity as Python's json
/// writes them. Quoted scalars are always strings ("123" is the string 123). The tags !!str,
/// !!int, !!float, !!bool, !!null, !!seq and !!map are honoured; any other tag is an error.
/// Anchors, aliases and merge keys (`<<: *defaults`) are resolved. Mapping keys are taken as
/// written (`1: x` has the key "1"); a list, mapping or empty key is an error, and so is a key
/// given twice.
///
/// Throws ConfigError with a message that starts with "`source_name`:line:column: " for syntax
/// errors, duplicate keys, bad tags, text that is not UTF-8 (a binary file), more than one
/// document and a top level that is not a mapping; and "`source_name`: the file is empty; ..."
/// when there is no document.
Config load_yaml(const std::string& text, const std::string& source_name);

/// load_yaml() on the contents of the file at `path`, with `path` as the source name. A file
/// that is missing or cannot be read is a ConfigError naming the path (the CLI exits with 2).
Config load_yaml_file(const std::string& path);

/// Like load_yaml(), for one value of any kind (a scalar, list or mapping; empty text is null):
/// what `--set key=VALUE` parses VALUE with.
Config load_yaml_value(const std::string& text, const std::string& source_name);

/// Block-style YAML for `config`, which load_yaml_value() reads back equal, kinds included
/// (so floats are written as floats: 1.0, 1.0e-05, .inf, .nan). Maps keep their insertion
/// order; lists of scalars that fit on a line are written in flow style ([1, 2]); nested maps
/// and other lists in block style; empty ones as {} and []. Strings are double-quoted when they
/// would read back as another type ("yes", "null", "1e3", "") or contain special characters.
/// Strings must be UTF-8: a byte that is not is written as \xNN, which reads back as U+00NN.
/// Locations are not written.
std::string to_yaml(const Config& config);

}  // namespace fathom::configs
