// SPDX-License-Identifier: Apache-2.0
// slice (a strided view), concat, stack, split and pad; the adjoints write a gradient into the
// matching view of a zero tensor.
#include <algorithm>

#include "core/ops/op_util.h"
#include "core/ops/shape_ops.h"

namespace fathom::ops {
namespace {

struct AxisSlice {
  std::int64_t start = 0, step = 1, length = 0;
};

/// Python's slice.indices() for one axis of size n.
AxisSlice resolve_slice(const Slice& s, std::int64_t n) {
  FATHOM_CHECK(s.step != 0, ValueError, "slice: step cannot be zero");
  AxisSlice r;
  r.step = s.step;
  auto clamp = [&](std::int64_t v, std::int64_t lo, std::int64_t hi) {
    if (v < 0) v += n;
    return std::clamp(v, lo, hi);
  };
  std::int64_t start, stop;
  if (s.step > 0) {
    start = s.start ? clamp(*s.start, 0, n) : 0;
    stop = s.stop ? clamp(*s.stop, 0, n) : n;
    r.length = stop > start ? (stop - start + s.step - 1) / s.step : 0;
  } else {
    start = s.start ? clamp(*s.start, -1, n - 1) : n - 1;
    stop = s.stop ? clamp(*s.stop, -1, n - 1) : -1;
    r.length = start > stop ? (start - stop - s.step - 1) / (-s.step) : 0;
  }
  r.start = r.length > 0 ? start : 0;
  return r;
}

/// The view of `t` that `slices` select.
Tensor slice_view(const Tensor& t, const std::vector<AxisSlice>& axes) {
  Shape shape = t.shape();
  Strides strides = t.strides();
  std::int64_t offset = t.offset();
  for (std::size_t d = 0; d < axes.size(); ++d) {
    offset += axes[d].start * strides[d];
    strides[d] *= axes[d].step;
    shape[d] = axes[d].length;
  }
  return t.as_strided(shape, strides, offset);
}

Tensor slice_resolved(const Tensor& x, const std::vector<AxisSlice>& axes);

/// Adjoint of slice: a zero tensor of `shape` with `grad` written into the sliced region.
Tensor unslice(const Tensor& grad, const Shape& shape, const std::vector<AxisSlice>& axes) {
  return autograd::run_op(
      "slice", {grad},
      [shape, axes](const TensorList& in) {
        Tensor out = Tensor::zeros(shape, in[0].dtype(), in[0].device());
        Tensor region = slice_view(out, axes);
        region.copy_from(in[0]);
        return out;
      },
      [axes](const autograd::GradContext& c) -> TensorList { return {slice_resolved(c.grad, axes)}; });
}

Tensor slice_resolved(const Tensor& x, const std::vector<AxisSlice>& axes) {
  return autograd::run_op(
      "slice", {x}, [axes](const TensorList& in) { return slice_view(in[0], axes); },
      is_floating(x.dtype()) ? autograd::BackwardFn([axes](const autograd::GradContext& c) -> TensorList {
        return {unslice(c.grad, c.inputs[0].shape(), axes)};
      })
                             : nullptr);
}

std::vector<AxisSlice> whole(const Shape& shape) {
  std::vector<AxisSlice> axes(shape.size());
  for (std::size_t d = 0; d < shape.size(); ++d) axes[d] = {0, 1, shape[d]};
  return axes;
}

}  // namespace

Tensor slice(const Tensor& x, const std::vector<Slice>& slices) {
  FATHOM_CHECK(x.defined(), ValueError, "slice: input is an undefined tensor");
  FATHOM_CHECK(slices.size() <= x.shape().size(), ShapeError, "slice: ", slices.size(),
               " slices given for a tensor of rank ", x.dim(), " (shape ", shape_to_string(x.shape()), ")");
  std::vector<AxisSlice> axes = whole(x.shape());
  for (std::size_t d = 0; d < slices.size(); ++d) axes[d] = resolve_slice(slices[d], x.shape()[d]);
  return slice_resolved(x, axes);
}

Tensor slice_axis(const Tensor& x, std::int64_t axis, std::optional<std::int64_t> start,
                  std::optional<std::int64_t> stop, std::int64_t step) {
  FATHOM_CHECK(x.defined(), ValueError, "slice: input is an undefined tensor");
  const std::int64_t a = normalize_axis(axis, x.dim(), "slice");
  std::vector<AxisSlice> axes = whole(x.shape());
  axes[a] = resolve_slice({start, stop, step}, x.shape()[a]);
  return slice_resolved(x, axes);
}

Tensor concat(const TensorList& xs, std::int64_t axis) {
  FATHOM_CHECK(!xs.empty(), ValueError, "concat: needs at least one tensor");
  for (const Tensor& t : xs) detail::expect_same_dtype("concat", xs[0], t);
  const Shape& first = xs[0].shape();
  FATHOM_CHECK(!first.empty(), ShapeError, "concat: cannot concatenate scalars (rank 0); use stack");
  const std::int64_t a = normalize_axis(axis, xs[0].dim(), "concat");
  Shape out_shape = first;
  out_shape[a] = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const Shape& s = xs[i].shape();
    bool compatible = s.size() == first.size();
    for (std::size_t d = 0; compatible && d < s.size(); ++d) compatible = d == static_cast<std::size_t>(a) || s[d] == first[d];
    FATHOM_CHECK(compatible, ShapeError, "concat: input ", i, " has shape ", shape_to_string(s),
                 ", incompatible with input 0 of shape ", shape_to_string(first), " along axis ", a);
    out_shape[a] += s[a];
  }
  return autograd::run_op(
      "concat", xs,
      [a, out_shape](const TensorList& in) {
        Tensor out = Tensor::empty(out_shape, in[0].dtype(), in[0].device());
        std::int64_t offset = 0;
        for (const Tensor& t : in) {
          std::vector<AxisSlice> axes = whole(out_shape);
          axes[a] = {offset, 1, t.shape()[a]};
          Tensor region = slice_view(out, axes);
          region.copy_from(t);
          offset += t.shape()[a];
        }
        return out;
      },
      is_floating(xs[0].dtype()) ? autograd::BackwardFn([a](const autograd::GradContext& c) -> TensorList {
        TensorList grads;
        std::int64_t offset = 0;
        for (std::size_t i = 0; i < c.inputs.size(); ++i) {
          const std::int64_t n = c.inputs[i].shape()[a];
          grads.push_back(c.needs_grad[i] ? slice_axis(c.grad, a, offset, offset + n) : Tensor());
          offset += n;
        }
        return grads;
      })
                                 : nullptr);
}

Tensor stack(const TensorList& xs, std::int64_t axis) {
  FATHOM_CHECK(!xs.empty(), ValueError, "stack: needs at least one tensor");
  const std::int64_t a = normalize_axis(axis, xs[0].dim() + 1, "stack");
  TensorList expanded;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    FATHOM_CHECK(xs[i].defined() && xs[i].shape() == xs[0].shape(), ShapeError, "stack: input ", i, " has shape ",
                 xs[i].defined() ? shape_to_string(xs[i].shape()) : "undefined", ", expected ",
                 shape_to_string(xs[0].shape()), " like input 0");
    expanded.push_back(expand_dims(xs[i], a));
  }
  return concat(expanded, a);
}

TensorList split(const Tensor& x, std::int64_t num, std::int64_t axis) {
  FATHOM_CHECK(x.defined(), ValueError, "split: input is an undefined tensor");
  const std::int64_t a = normalize_axis(axis, x.dim(), "split");
  FATHOM_CHECK(num > 0 && x.shape()[a] % num == 0, ShapeError, "split: axis ", a, " of size ", x.shape()[a],
               " cannot be split into ", num, " equal parts (input shape ", shape_to_string(x.shape()), ")");
  return split(x, std::vector<std::int64_t>(num, x.shape()[a] / num), a);
}

TensorList split(const Tensor& x, const std::vector<std::int64_t>& sizes, std::int64_t axis) {
  FATHOM_CHECK(x.defined(), ValueError, "split: input is an undefined tensor");
  const std::int64_t a = normalize_axis(axis, x.dim(), "split");
  std::int64_t total = 0;
  for (auto s : sizes) {
    FATHOM_CHECK(s >= 0, ValueError, "split: sizes must be non-negative, received ", shape_to_string(sizes));
    total += s;
  }
  FATHOM_CHECK(total == x.shape()[a], ShapeError, "split: sizes ", shape_to_string(sizes), " sum to ", total,
               ", but axis ", a, " has size ", x.shape()[a], " (input shape ", shape_to_string(x.shape()), ")");
  TensorList parts;
  std::int64_t offset = 0;
  for (auto s : sizes) {
    parts.push_back(slice_axis(x, a, offset, offset + s));
    offset += s;
  }
  return parts;
}

Tensor pad(const Tensor& x, const std::vector<std::pair<std::int64_t, std::int64_t>>& paddings, double constant_value) {
  FATHOM_CHECK(x.defined(), ValueError, "pad: input is an undefined tensor");
  FATHOM_CHECK(static_cast<std::int64_t>(paddings.size()) == x.dim(), ShapeError, "pad: ", paddings.size(),
               " (before, after) pairs given for a tensor of rank ", x.dim(), " (shape ", shape_to_string(x.shape()), ")");
  Shape out_shape = x.shape();
  std::vector<AxisSlice> interior = whole(x.shape());
  for (std::size_t d = 0; d < paddings.size(); ++d) {
    FATHOM_CHECK(paddings[d].first >= 0 && paddings[d].second >= 0, ValueError, "pad: paddings must be non-negative, "
                 "received (", paddings[d].first, ", ", paddings[d].second, ") for axis ", d);
    out_shape[d] += paddings[d].first + paddings[d].second;
    interior[d] = {paddings[d].first, 1, x.shape()[d]};
  }
  return autograd::run_op(
      "pad", {x},
      [out_shape, interior, constant_value](const TensorList& in) {
        Tensor out = Tensor::full(out_shape, constant_value, in[0].dtype(), in[0].device());
        Tensor region = slice_view(out, interior);
        region.copy_from(in[0]);
        return out;
      },
      is_floating(x.dtype()) ? autograd::BackwardFn([interior](const autograd::GradContext& c) -> TensorList {
        return {slice_resolved(c.grad, interior)};
      })
                             : nullptr);
}

}  // namespace fathom::ops
