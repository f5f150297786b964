// SPDX-License-Identifier: Apache-2.0
// matmul: NumPy semantics with broadcast batch dims; transposes are views that BLAS receives
// as flags.
#include "core/ops/linalg.h"

#include "core/ops/op_util.h"
#include "core/ops/shape_ops.h"

namespace fathom::ops {
namespace {

/// The last two dims swapped, as a view.
Tensor swap_last(const Tensor& x) {
  std::vector<std::int64_t> perm(x.dim());
  for (std::int64_t d = 0; d < x.dim(); ++d) perm[d] = d;
  std::swap(perm[x.dim() - 1], perm[x.dim() - 2]);
  return transpose(x, perm);
}

Shape matmul_shape(const Shape& a, const Shape& b) {
  const auto where = [&] { return shape_to_string(a) + " x " + shape_to_string(b); };
  FATHOM_CHECK(a[a.size() - 1] == b[b.size() - 2], ShapeError, "matmul: inner dimensions differ: ", where(),
               " (", a[a.size() - 1], " vs ", b[b.size() - 2], ")");
  const Shape batch_a(a.begin(), a.end() - 2), batch_b(b.begin(), b.end() - 2);
  Shape out = broadcast_shapes(batch_a, batch_b, "matmul (batch dimensions)");
  out.push_back(a[a.size() - 2]);
  out.push_back(b[b.size() - 1]);
  return out;
}

/// Both operands of rank >= 2.
Tensor matmul_nd(const Tensor& a, const Tensor& b) {
  const Shape out_shape = matmul_shape(a.shape(), b.shape());
  return autograd::run_op(
      a.dim() == 2 && b.dim() == 2 ? "matmul" : "batched_matmul", {a, b},
      [out_shape](const TensorList& in) { return kernels::backend_for("matmul", in).matmul(in[0], in[1], out_shape); },
      [](const autograd::GradContext& c) -> TensorList {
        // ga = gy b^T, gb = a^T gy: transposed views, never copies.
        const Tensor& a = c.inputs[0];
        const Tensor& b = c.inputs[1];
        Tensor ga, gb;
        if (c.needs_grad[0]) ga = detail::reduce_to(matmul_nd(c.grad, swap_last(b)), a.shape());
        if (c.needs_grad[1]) {
          if (b.dim() == 2 && a.dim() > 2 && a.is_contiguous() && c.grad.is_contiguous()) {
            // Fold the batch into one GEMM: [K, B*M] x [B*M, N].
            const std::int64_t k = a.shape().back(), n = c.grad.shape().back();
            gb = matmul_nd(swap_last(reshape(a, {-1, k})), reshape(c.grad, {-1, n}));
          } else {
            gb = detail::reduce_to(matmul_nd(swap_last(a), c.grad), b.shape());
          }
        }
        return {ga, gb};
      });
}

}  // namespace

Tensor matmul(const Tensor& a_in, const Tensor& b_in, bool transpose_a, bool transpose_b) {
  detail::expect_same_dtype("matmul", a_in, b_in);
  detail::expect_floating("matmul", a_in);
  FATHOM_CHECK(a_in.dim() >= 1 && b_in.dim() >= 1, ShapeError, "matmul: operands must have rank >= 1, received ",
               shape_to_string(a_in.shape()), " x ", shape_to_string(b_in.shape()));
  FATHOM_CHECK(!(transpose_a && a_in.dim() < 2) && !(transpose_b && b_in.dim() < 2), ShapeError,
               "matmul: transpose needs an operand of rank >= 2, received ", shape_to_string(a_in.shape()),
               " x ", shape_to_string(b_in.shape()));
  // Check the inner dimensions on the shapes the caller passed, before vectors become matrices.
  const std::int64_t k_a = transpose_a ? a_in.shape()[a_in.dim() - 2] : a_in.shape().back();
  const std::int64_t k_b = b_in.dim() == 1 ? b_in.shape()[0] : b_in.shape()[b_in.dim() - (transpose_b ? 1 : 2)];
  FATHOM_CHECK(k_a == k_b, ShapeError, "matmul: inner dimensions differ: ", shape_to_string(a_in.shape()),
               transpose_a ? "^T" : "", " x ", shape_to_string(b_in.shape()), transpose_b ? "^T" : "", " (", k_a,
               " vs ", k_b, ")");
  Tensor a = transpose_a ? swap_last(a_in) : a_in;
  Tensor b = transpose_b ? swap_last(b_in) : b_in;
  // A vector operand becomes a matrix and its dimension is dropped again (NumPy).
  const bool a_vector = a.dim() == 1, b_vector = b.dim() == 1;
  if (a_vector) a = reshape(a, {1, a.shape()[0]});
  if (b_vector) b = reshape(b, {b.shape()[0], 1});
  Tensor out = matmul_nd(a, b);
  if (a_vector || b_vector) {
    Shape s = out.shape();
    if (b_vector) s.pop_back();                               // N = 1
    if (a_vector) s.erase(s.end() - (b_vector ? 1 : 2));      // M = 1
    out = reshape(out, s);
  }
  return out;
}

}  // namespace fathom::ops
