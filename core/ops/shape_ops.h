// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace fathom::ops {

/// One -1 is inferred. A view when x is contiguous, otherwise a copy.
Tensor reshape(const Tensor& x, Shape shape);
/// Permutes axes (a view); an empty perm reverses them.
Tensor transpose(const Tensor& x, std::vector<std::int64_t> perm = {});
Tensor expand_dims(const Tensor& x, std::int64_t axis);
/// Removes the given size-1 axes (all size-1 axes when empty).
Tensor squeeze(const Tensor& x, std::vector<std::int64_t> axes = {});
/// Broadcasts to `shape` (a view with zero strides).
Tensor broadcast_to(const Tensor& x, const Shape& shape);
/// Sums the broadcast dimensions away so that the result has `shape` (broadcast_to's adjoint).
Tensor sum_to(const Tensor& x, const Shape& shape);

/// Python slice semantics per axis: start/stop default to the ends for the step's direction,
/// negatives count from the end, out-of-range bounds are clamped, step != 0.
struct Slice {
  std::optional<std::int64_t> start, stop;
  std::int64_t step = 1;
};
/// A view. `slices` covers the leading axes; missing ones are taken whole.
Tensor slice(const Tensor& x, const std::vector<Slice>& slices);
/// Slices one axis.
Tensor slice_axis(const Tensor& x, std::int64_t axis, std::optional<std::int64_t> start,
                  std::optional<std::int64_t> stop, std::int64_t step = 1);

Tensor concat(const TensorList& xs, std::int64_t axis = 0);
Tensor stack(const TensorList& xs, std::int64_t axis = 0);
/// Into `num` equal parts along axis.
TensorList split(const Tensor& x, std::int64_t num, std::int64_t axis = 0);
/// Into parts of the given sizes along axis (they must sum to the axis size).
TensorList split(const Tensor& x, const std::vector<std::int64_t>& sizes, std::int64_t axis);
/// Constant padding: paddings[i] = (before, after) for axis i; one entry per axis.
Tensor pad(const Tensor& x, const std::vector<std::pair<std::int64_t, std::int64_t>>& paddings,
           double constant_value = 0.0);

}  // namespace fathom::ops
