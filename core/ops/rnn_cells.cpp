// SPDX-License-Identifier: Apache-2.0
// Recurrent cells fused into one kernel each (profiling: an LSTM step built from ~12 small ops
// spent most of its time in allocations and tape nodes). Formulas: core/ops/nn.h.
#include "core/ops/nn.h"
#include "core/ops/op_util.h"
#include "core/ops/shape_ops.h"

namespace fathom::ops {

Tensor lstm_cell(const Tensor& z, const Tensor& c_prev) {
  detail::expect_floating("lstm_cell", z);
  detail::expect_same_dtype("lstm_cell", z, c_prev);
  FATHOM_CHECK(z.dim() == 2 && c_prev.dim() == 2 && z.shape()[0] == c_prev.shape()[0] &&
                   z.shape()[1] == 4 * c_prev.shape()[1],
               ShapeError, "lstm_cell: expected z [batch, 4*units] and c_prev [batch, units]. Received: z=",
               shape_to_string(z.shape()), ", c_prev=", shape_to_string(c_prev.shape()));
  return autograd::run_op(
      "lstm_cell", {z, c_prev},
      [](const TensorList& in) { return kernels::backend_for("lstm_cell", in).lstm_cell(in[0], in[1]); },
      [](const autograd::GradContext& c) -> TensorList {
        // One kernel gives (dz, dc_prev) side by side; the gradient op is recorded for outer
        // tapes, its own gradient is not defined.
        const Tensor packed = autograd::run_op(
            "lstm_cell_grad", {c.inputs[0], c.inputs[1], c.output, c.grad},
            [](const TensorList& in) {
              return kernels::backend_for("lstm_cell_grad", in).lstm_cell_grad(in[0], in[1], in[2], in[3]);
            },
            autograd::no_higher_order_gradient("lstm_cell_grad"));
        const std::int64_t u = c.inputs[1].shape()[1];
        return {slice_axis(packed, 1, 0, 4 * u), slice_axis(packed, 1, 4 * u, 5 * u)};
      });
}

}  // namespace fathom::ops
