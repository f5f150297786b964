// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdint>
#include <initializer_list>
#include <vector>

#include "core/tensor.h"

namespace fathom::ops {

/// The axes a reduction runs over: all of them by default, one, or a list (negative counts from
/// the end, as in NumPy).
struct Axes {
  Axes() = default;
  Axes(std::int64_t axis) : axes{axis}, all(false) {}  // NOLINT: sum(x, 1)
  Axes(std::initializer_list<std::int64_t> list) : axes(list), all(false) {}
  Axes(std::vector<std::int64_t> list) : axes(std::move(list)), all(false) {}  // NOLINT
  std::vector<std::int64_t> axes;
  bool all = true;
};

Tensor sum(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
Tensor mean(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
Tensor max(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
Tensor min(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
Tensor prod(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
/// Population variance (ddof 0), as keras.ops.var.
Tensor var(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
/// log(sum(exp(x))) computed stably (the max is subtracted first).
Tensor logsumexp(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
/// Index (int64) of the first max/min along `axis`; no gradient.
Tensor argmax(const Tensor& x, std::int64_t axis = -1, bool keepdims = false);
Tensor argmin(const Tensor& x, std::int64_t axis = -1, bool keepdims = false);

/// Sorted, unique, non-negative axes; throws ShapeError naming `op` for out-of-range or repeated ones.
std::vector<std::int64_t> resolve_axes(const Axes& axes, std::int64_t rank, const char* op);

}  // namespace fathom::ops
