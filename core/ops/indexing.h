// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdint>

#include "core/tensor.h"

namespace fathom::ops {

/// Takes slices of `params` along `axis` at `indices` (int32/int64; out-of-range is a
/// ValueError). Result shape: params[:axis] + indices.shape + params[axis+1:]. Differentiable
/// in params (the gradient scatters back, adding repeated indices): embeddings.
Tensor gather(const Tensor& params, const Tensor& indices, std::int64_t axis = 0);
/// indices [...] -> [..., depth]; indices outside [0, depth) give a row of off_value (as TF).
Tensor one_hot(const Tensor& indices, std::int64_t depth, double on_value = 1.0,
               double off_value = 0.0, DType dtype = DType::kFloat32);

}  // namespace fathom::ops
