// SPDX-License-Identifier: Apache-2.0
#pragma once
#include "core/tensor.h"

namespace fathom::ops {

/// NumPy matmul: [..., M, K] x [..., K, N] -> [..., M, N] with broadcast batch dims; a 1-D
/// operand is a vector (its dim is dropped from the result). transpose_a/b transpose the last
/// two dims of that operand without copying: BLAS receives the flag.
Tensor matmul(const Tensor& a, const Tensor& b, bool transpose_a = false, bool transpose_b = false);

}  // namespace fathom::ops
