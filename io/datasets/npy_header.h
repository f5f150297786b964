// SPDX-License-Identifier: Apache-2.0
// Internal to io/: the text of an .npy header (a Python dict literal), parsed and written.
#pragma once
#include <string>

#include "core/shape.h"

namespace fathom::io::detail {

struct NpyHeader {
  std::string descr;  // "<f4", "|b1", ...
  bool fortran_order = false;
  Shape shape;
};

/// Parses "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" (keys in any order, as
/// numpy's own reader accepts). Throws IoError naming `path` for anything else, including a
/// structured dtype (a list as descr).
NpyHeader parse_npy_header(const std::string& text, const std::string& path);

/// The dict text numpy writes for a C-order array, without padding.
std::string format_npy_header(const std::string& descr, const Shape& shape);

}  // namespace fathom::io::detail
