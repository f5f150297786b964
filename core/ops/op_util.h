// SPDX-License-Identifier: Apache-2.0
// Private helpers shared by the op files: argument checks with the op's name in the message.
#pragma once
#include "core/autograd/recorder.h"
#include "core/kernels/backend.h"
#include "core/tensor.h"

namespace fathom::ops::detail {

inline void expect_floating(const char* op, const Tensor& x) {
  FATHOM_CHECK(x.defined(), ValueError, op, ": input is an undefined tensor");
  FATHOM_CHECK(is_floating(x.dtype()), ValueError, op, ": expected a float32 or float64 tensor, received ",
               dtype_name(x.dtype()), " of shape ", shape_to_string(x.shape()));
}

inline void expect_same_dtype(const char* op, const Tensor& a, const Tensor& b) {
  FATHOM_CHECK(a.defined() && b.defined(), ValueError, op, ": input is an undefined tensor");
  FATHOM_CHECK(a.dtype() == b.dtype(), ValueError, op, ": dtypes differ: ", dtype_name(a.dtype()), " ",
               shape_to_string(a.shape()), " vs ", dtype_name(b.dtype()), " ", shape_to_string(b.shape()),
               ". Cast one side explicitly (ops::cast)");
}

/// Grad of a broadcasting op's input: the gradient summed down to that input's shape.
Tensor reduce_to(const Tensor& grad, const Shape& shape);

}  // namespace fathom::ops::detail
