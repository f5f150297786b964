// SPDX-License-Identifier: Apache-2.0
// Private to configs/: the scalar rules the YAML loader and emitter share.
#pragma once
#include <cstddef>
#include <string>

#include "core/config.h"

namespace fathom::configs::detail {

/// What a plain (unquoted) scalar reads as under the YAML 1.2 core schema (bool, int, float,
/// null or string).
Config resolve_plain_scalar(const std::string& s);
/// Bytes in the UTF-8 sequence starting at text[i] (0 when invalid).
std::size_t utf8_sequence_length(const std::string& text, std::size_t i);

}  // namespace fathom::configs::detail
