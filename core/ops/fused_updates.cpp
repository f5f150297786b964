// SPDX-License-Identifier: Apache-2.0
#include "core/ops/fused_updates.h"

#include "core/kernels/backend.h"
#include "core/ops/op_util.h"

namespace fathom::ops {

void adam_update(Variable& var, Variable& m, Variable& v, const Tensor& grad, double alpha, double beta_1,
                 double beta_2, double epsilon) {
  detail::expect_floating("adam_update", grad);
  for (const Variable* s : {&var, &m, &v}) {
    FATHOM_CHECK(s->shape() == grad.shape() && s->dtype() == grad.dtype(), ShapeError, "adam_update: variable '",
                 s->name(), "' is ", dtype_name(s->dtype()), " ", shape_to_string(s->shape()), ", the gradient ",
                 dtype_name(grad.dtype()), " ", shape_to_string(grad.shape()));
  }
  Tensor tv = var.value(), tm = m.value(), ts = v.value();
  kernels::backend_for("adam_update", {tv, tm, ts, grad}).adam_update(tv, tm, ts, grad, alpha, beta_1, beta_2, epsilon);
}

}  // namespace fathom::ops
