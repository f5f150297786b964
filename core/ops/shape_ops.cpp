// SPDX-License-Identifier: Apache-2.0
// Views and their adjoints: reshape, transpose, expand_dims, squeeze, broadcast_to, sum_to.
#include "core/ops/shape_ops.h"

#include <algorithm>

#include "core/ops/op_util.h"
#include "core/ops/reduce.h"

namespace fathom::ops {
namespace {

/// A view op: same storage, new shape/strides. Its output gets its own id.
Tensor view_op(const char* name, const Tensor& x, std::function<Tensor(const Tensor&)> make_view,
               autograd::BackwardFn backward) {
  return autograd::run_op(
      name, {x}, [make_view = std::move(make_view)](const TensorList& in) { return make_view(in[0]); },
      is_floating(x.dtype()) ? std::move(backward) : nullptr);
}

/// The requested shape as the user wrote it (-1 stays -1, not Keras's "None").
std::string requested(const Shape& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

Shape infer_shape(const Tensor& x, Shape shape) {
  const Shape asked = shape;
  std::int64_t known = 1;
  int unknown = -1;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      FATHOM_CHECK(unknown < 0, ShapeError, "reshape: only one dimension can be -1, received ", requested(asked));
      unknown = static_cast<int>(i);
    } else {
      FATHOM_CHECK(shape[i] >= 0, ShapeError, "reshape: invalid dimension ", shape[i], " in ", requested(asked));
      known *= shape[i];
    }
  }
  if (unknown >= 0) {
    FATHOM_CHECK(known > 0 && x.numel() % known == 0, ShapeError, "reshape: cannot reshape ",
                 shape_to_string(x.shape()), " (", x.numel(), " elements) into ", requested(asked));
    shape[unknown] = x.numel() / known;
  }
  FATHOM_CHECK(shape_numel(shape) == x.numel(), ShapeError, "reshape: cannot reshape ", shape_to_string(x.shape()),
               " (", x.numel(), " elements) into ", shape_to_string(shape), " (", shape_numel(shape), " elements)");
  return shape;
}

}  // namespace

Tensor reshape(const Tensor& x, Shape shape_in) {
  FATHOM_CHECK(x.defined(), ValueError, "reshape: input is an undefined tensor");
  const Shape shape = infer_shape(x, std::move(shape_in));
  return view_op(
      "reshape", x,
      [shape](const Tensor& t) {
        const Tensor c = t.contiguous();
        return c.as_strided(shape, contiguous_strides(shape), c.offset());
      },
      [](const autograd::GradContext& c) -> TensorList { return {reshape(c.grad, c.inputs[0].shape())}; });
}

Tensor transpose(const Tensor& x, std::vector<std::int64_t> perm) {
  FATHOM_CHECK(x.defined(), ValueError, "transpose: input is an undefined tensor");
  const std::int64_t rank = x.dim();
  if (perm.empty()) {
    for (std::int64_t d = rank - 1; d >= 0; --d) perm.push_back(d);
  }
  FATHOM_CHECK(static_cast<std::int64_t>(perm.size()) == rank, ShapeError, "transpose: permutation ",
               shape_to_string(perm), " does not match rank ", rank, " of input ", shape_to_string(x.shape()));
  std::vector<bool> seen(rank, false);
  for (auto& p : perm) {
    p = normalize_axis(p, rank, "transpose");
    FATHOM_CHECK(!seen[p], ShapeError, "transpose: ", shape_to_string(perm), " is not a permutation");
    seen[p] = true;
  }
  std::vector<std::int64_t> inverse(rank);
  for (std::int64_t d = 0; d < rank; ++d) inverse[perm[d]] = d;
  return view_op(
      "transpose", x,
      [perm](const Tensor& t) {
        Shape shape(perm.size());
        Strides strides(perm.size());
        for (std::size_t d = 0; d < perm.size(); ++d) {
          shape[d] = t.shape()[perm[d]];
          strides[d] = t.strides()[perm[d]];
        }
        return t.as_strided(shape, strides, t.offset());
      },
      [inverse](const autograd::GradContext& c) -> TensorList { return {transpose(c.grad, inverse)}; });
}

Tensor expand_dims(const Tensor& x, std::int64_t axis) {
  FATHOM_CHECK(x.defined(), ValueError, "expand_dims: input is an undefined tensor");
  const std::int64_t a = normalize_axis(axis, x.dim() + 1, "expand_dims");
  Shape s = x.shape();
  s.insert(s.begin() + a, 1);
  return reshape(x, s);
}

Tensor squeeze(const Tensor& x, std::vector<std::int64_t> axes) {
  FATHOM_CHECK(x.defined(), ValueError, "squeeze: input is an undefined tensor");
  Shape s;
  if (axes.empty()) {
    for (auto d : x.shape()) if (d != 1) s.push_back(d);
  } else {
    std::vector<bool> drop(x.dim(), false);
    for (auto a : axes) {
      const std::int64_t n = normalize_axis(a, x.dim(), "squeeze");
      FATHOM_CHECK(x.shape()[n] == 1, ShapeError, "squeeze: axis ", a, " has size ", x.shape()[n],
                   ", expected 1 (input shape ", shape_to_string(x.shape()), ")");
      drop[n] = true;
    }
    for (std::int64_t d = 0; d < x.dim(); ++d) if (!drop[d]) s.push_back(x.shape()[d]);
  }
  return reshape(x, s);
}

Tensor broadcast_to(const Tensor& x, const Shape& shape) {
  FATHOM_CHECK(x.defined(), ValueError, "broadcast_to: input is an undefined tensor");
  FATHOM_CHECK(shape.size() >= x.shape().size(), ShapeError, "broadcast_to: cannot broadcast ",
               shape_to_string(x.shape()), " to lower rank ", shape_to_string(shape));
  const std::size_t lead = shape.size() - x.shape().size();
  for (std::size_t i = 0; i < x.shape().size(); ++i) {
    FATHOM_CHECK(x.shape()[i] == 1 || x.shape()[i] == shape[lead + i], ShapeError, "broadcast_to: cannot broadcast ",
                 shape_to_string(x.shape()), " to ", shape_to_string(shape));
  }
  if (x.shape() == shape) return x;
  return view_op(
      "broadcast_to", x,
      [shape, lead](const Tensor& t) {
        Strides strides(shape.size(), 0);
        for (std::size_t i = 0; i < t.shape().size(); ++i) {
          strides[lead + i] = t.shape()[i] == 1 ? 0 : t.strides()[i];
        }
        return t.as_strided(shape, strides, t.offset());
      },
      [](const autograd::GradContext& c) -> TensorList { return {sum_to(c.grad, c.inputs[0].shape())}; });
}

Tensor sum_to(const Tensor& x, const Shape& shape) {
  FATHOM_CHECK(x.defined(), ValueError, "sum_to: input is an undefined tensor");
  FATHOM_CHECK(shape.size() <= x.shape().size(), ShapeError, "sum_to: cannot sum ", shape_to_string(x.shape()),
               " to higher rank ", shape_to_string(shape));
  const std::size_t lead = x.shape().size() - shape.size();
  std::vector<std::int64_t> axes;
  for (std::size_t d = 0; d < x.shape().size(); ++d) {
    if (d < lead) {
      axes.push_back(static_cast<std::int64_t>(d));
      continue;
    }
    const std::int64_t target = shape[d - lead];
    FATHOM_CHECK(target == x.shape()[d] || target == 1, ShapeError, "sum_to: cannot sum ", shape_to_string(x.shape()),
                 " to ", shape_to_string(shape));
    if (target == 1 && x.shape()[d] != 1) axes.push_back(static_cast<std::int64_t>(d));
  }
  if (axes.empty()) return reshape(x, shape);
  return reshape(sum(x, axes, true), shape);
}

}  // namespace fathom::ops
