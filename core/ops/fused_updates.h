// SPDX-License-Identifier: Apache-2.0
#pragma once
#include "core/variable.h"

/// In-place optimizer updates fused into one kernel. Not ops in the autograd sense: they are
/// never recorded and have no gradient (they are not in op_list.h). Each gives bit-identical
/// results to the same formula written with ops.
namespace fathom::ops {

/// Adam (Keras 3): m += (g - m)(1 - beta_1); v += (g² - v)(1 - beta_2);
/// var -= alpha · m / (sqrt(v) + epsilon), where alpha already holds the bias correction.
/// var, m, v: same shape and dtype as grad.
void adam_update(Variable& var, Variable& m, Variable& v, const Tensor& grad, double alpha, double beta_1,
                 double beta_2, double epsilon);

}  // namespace fathom::ops
