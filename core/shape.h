// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace fathom {

/// Dimensions, outermost first. -1 marks a dimension not known yet (Keras's None).
using Shape = std::vector<std::int64_t>;
/// Strides in elements (not bytes), one per dimension.
using Strides = std::vector<std::int64_t>;

/// "[32, 784]"; -1 prints as "None" as Keras prints it.
std::string shape_to_string(const Shape& shape);
std::int64_t shape_numel(const Shape& shape);
Strides contiguous_strides(const Shape& shape);
/// Maps a possibly negative axis into [0, rank); throws ShapeError naming `op` when out of range.
std::int64_t normalize_axis(std::int64_t axis, std::int64_t rank, const char* op);
/// NumPy broadcasting of two shapes; throws ShapeError naming `op` and both shapes.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

}  // namespace fathom
