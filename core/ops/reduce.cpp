// SPDX-License-Identifier: Apache-2.0
// Reductions over axes with keepdims, and their gradients (broadcast back over the reduced axes).
#include "core/ops/reduce.h"

#include <algorithm>

#include "core/autograd/gradient_tape.h"
#include "core/ops/elementwise.h"
#include "core/ops/op_util.h"
#include "core/ops/shape_ops.h"

namespace fathom::ops {

std::vector<std::int64_t> resolve_axes(const Axes& axes, std::int64_t rank, const char* op) {
  std::vector<std::int64_t> out;
  if (axes.all) {
    for (std::int64_t d = 0; d < rank; ++d) out.push_back(d);
    return out;
  }
  for (auto a : axes.axes) out.push_back(normalize_axis(a, rank, op));
  std::sort(out.begin(), out.end());
  FATHOM_CHECK(std::adjacent_find(out.begin(), out.end()) == out.end(), ShapeError, op,
               ": an axis is repeated in the reduction axes");
  return out;
}

namespace {

using kernels::ReduceKind;

/// The shape of x with the reduced axes set to 1 (the keepdims shape).
Shape keep_shape(const Shape& shape, const std::vector<std::int64_t>& axes) {
  Shape s = shape;
  for (auto a : axes) s[a] = 1;
  return s;
}

/// The output gradient broadcast back to the input's shape.
Tensor expand_grad(const Tensor& grad, const Shape& input_shape, const std::vector<std::int64_t>& axes) {
  return broadcast_to(reshape(grad, keep_shape(input_shape, axes)), input_shape);
}

std::int64_t reduced_count(const Shape& shape, const std::vector<std::int64_t>& axes) {
  std::int64_t n = 1;
  for (auto a : axes) n *= shape[a];
  return n;
}

Tensor reduce_op(const char* name, ReduceKind kind, const Tensor& x, const Axes& axes_spec, bool keepdims) {
  FATHOM_CHECK(x.defined(), ValueError, name, ": input is an undefined tensor");
  FATHOM_CHECK(x.dtype() != DType::kBool, ValueError, name, ": cannot reduce a bool tensor; cast it first");
  const auto axes = resolve_axes(axes_spec, x.dim(), name);
  if (kind == ReduceKind::kMax || kind == ReduceKind::kMin) {
    for (auto a : axes) {
      FATHOM_CHECK(x.shape()[a] > 0, ShapeError, name, ": cannot reduce over axis ", a,
                   " of size 0 (input shape ", shape_to_string(x.shape()), ")");
    }
  }
  autograd::BackwardFn backward;
  if (is_floating(x.dtype())) {
    backward = [kind, axes, name](const autograd::GradContext& c) -> TensorList {
      const Tensor& in = c.inputs[0];
      const Tensor g = expand_grad(c.grad, in.shape(), axes);
      switch (kind) {
        case ReduceKind::kSum:
          return {g};
        case ReduceKind::kProd: {
          Tensor others = autograd::run_op(
              "prod", {in},
              [axes](const TensorList& t) { return kernels::backend(t[0].device()).prod_of_others(t[0], axes); },
              autograd::no_higher_order_gradient("prod"));
          return {mul(g, others)};
        }
        case ReduceKind::kMax:
        case ReduceKind::kMin: {
          // Ties share the gradient equally (as TF's reduce_max).
          const Tensor extreme = broadcast_to(reshape(c.output, keep_shape(in.shape(), axes)), in.shape());
          const Tensor mask = cast(equal(in, extreme), in.dtype());
          const Tensor count = sum(mask, axes, true);
          return {div(mul(g, mask), count)};
        }
      }
      throw AutogradError(std::string(name) + ": unknown reduction");
    };
  }
  return autograd::run_op(
      name, {x},
      [kind, axes, keepdims](const TensorList& in) {
        return kernels::backend(in[0].device()).reduce(kind, in[0], axes, keepdims);
      },
      backward);
}

}  // namespace

Tensor sum(const Tensor& x, const Axes& axes, bool keepdims) {
  return reduce_op("sum", ReduceKind::kSum, x, axes, keepdims);
}

Tensor mean(const Tensor& x, const Axes& axes, bool keepdims) {
  detail::expect_floating("mean", x);
  const auto resolved = resolve_axes(axes, x.dim(), "mean");
  const std::int64_t n = reduced_count(x.shape(), resolved);
  // An empty reduction gives NaN, as NumPy's mean does.
  return div(sum(x, resolved, keepdims), static_cast<double>(n));
}

Tensor max(const Tensor& x, const Axes& axes, bool keepdims) {
  return reduce_op("max", ReduceKind::kMax, x, axes, keepdims);
}

Tensor min(const Tensor& x, const Axes& axes, bool keepdims) {
  return reduce_op("min", ReduceKind::kMin, x, axes, keepdims);
}

Tensor prod(const Tensor& x, const Axes& axes, bool keepdims) {
  return reduce_op("prod", ReduceKind::kProd, x, axes, keepdims);
}

Tensor var(const Tensor& x, const Axes& axes, bool keepdims) {
  detail::expect_floating("var", x);
  const auto resolved = resolve_axes(axes, x.dim(), "var");
  const Tensor centered = sub(x, mean(x, resolved, true));
  return mean(square(centered), resolved, keepdims);
}

Tensor logsumexp(const Tensor& x, const Axes& axes, bool keepdims) {
  detail::expect_floating("logsumexp", x);
  const auto resolved = resolve_axes(axes, x.dim(), "logsumexp");
  // The shift does not change the value, so it carries no gradient.
  const Tensor shift = stop_gradient(max(x, resolved, true));
  Tensor lse = add(log(sum(exp(sub(x, shift)), resolved, true)), shift);
  return keepdims ? lse : reshape(lse, [&] {
    Shape s;
    for (std::int64_t d = 0; d < x.dim(); ++d) {
      if (!std::binary_search(resolved.begin(), resolved.end(), d)) s.push_back(x.shape()[d]);
    }
    return s;
  }());
}

namespace {

Tensor arg_op(const char* name, bool is_max, const Tensor& x, std::int64_t axis, bool keepdims) {
  FATHOM_CHECK(x.defined(), ValueError, name, ": input is an undefined tensor");
  FATHOM_CHECK(x.dim() > 0, ShapeError, name, ": expected a tensor of rank >= 1, received a scalar");
  const std::int64_t a = normalize_axis(axis, x.dim(), name);
  FATHOM_CHECK(x.shape()[a] > 0, ShapeError, name, ": axis ", axis, " has size 0 (input shape ",
               shape_to_string(x.shape()), ")");
  return autograd::run_op(
      name, {x},
      [is_max, a, keepdims](const TensorList& in) {
        return kernels::backend(in[0].device()).arg_reduce(is_max, in[0], a, keepdims);
      },
      nullptr);
}

}  // namespace

Tensor argmax(const Tensor& x, std::int64_t axis, bool keepdims) { return arg_op("argmax", true, x, axis, keepdims); }
Tensor argmin(const Tensor& x, std::int64_t axis, bool keepdims) { return arg_op("argmin", false, x, axis, keepdims); }

}  // namespace fathom::ops
