// SPDX-License-Identifier: Apache-2.0
#include "core/shape.h"

#include <algorithm>

#include "core/error.h"

namespace fathom {

std::string shape_to_string(const Shape& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += shape[i] < 0 ? "None" : std::to_string(shape[i]);
  }
  return s + "]";
}

std::int64_t shape_numel(const Shape& shape) {
  std::int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

Strides contiguous_strides(const Shape& shape) {
  Strides strides(shape.size());
  std::int64_t s = 1;
  for (std::size_t i = shape.size(); i-- > 0;) {
    strides[i] = s;
    s *= std::max<std::int64_t>(shape[i], 1);
  }
  return strides;
}

std::int64_t normalize_axis(std::int64_t axis, std::int64_t rank, const char* op) {
  FATHOM_CHECK(axis >= -rank && axis < rank, ShapeError, op, ": axis ", axis,
               " is out of range for a tensor of rank ", rank, ". Expected an axis in [", -rank,
               ", ", rank, ").");
  return axis < 0 ? axis + rank : axis;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  const std::size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    const std::int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const std::int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    FATHOM_CHECK(da == db || da == 1 || db == 1, ShapeError, op, ": shapes ", shape_to_string(a),
                 " and ", shape_to_string(b), " cannot be broadcast together (dimension ", i,
                 ": ", da, " vs ", db, ").");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

}  // namespace fathom
