// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <functional>

#include "core/tensor.h"

namespace fathom::ops {

/// x, after `check(x)` has looked at its values (and thrown if they are bad): a check that is an
/// op, so that a traced function (core/function.h) runs it on every call, not only while tracing
/// (tf.debugging.assert_*). Its gradient is the identity. `check` runs as a kernel: it may read
/// x's values (to_vector) and must not keep a reference to x.
Tensor check_values(const Tensor& x, std::function<void(const Tensor& x)> check);

}  // namespace fathom::ops
