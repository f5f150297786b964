// SPDX-License-Identifier: Apache-2.0
// softmax and log_softmax, composed from primitives (their gradients follow); a fused kernel
// comes when profiling asks for it (STYLE §2.3).
#include "core/autograd/gradient_tape.h"
#include "core/ops/elementwise.h"
#include "core/ops/nn.h"
#include "core/ops/op_util.h"
#include "core/ops/reduce.h"

namespace fathom::ops {

Tensor softmax(const Tensor& x, std::int64_t axis) {
  detail::expect_floating("softmax", x);
  FATHOM_CHECK(x.dim() >= 1, ShapeError, "softmax: expected rank >= 1, received a scalar");
  const std::int64_t a = normalize_axis(axis, x.dim(), "softmax");
  const Tensor shifted = sub(x, stop_gradient(max(x, a, true)));
  const Tensor e = exp(shifted);
  return div(e, sum(e, a, true));
}

Tensor log_softmax(const Tensor& x, std::int64_t axis) {
  detail::expect_floating("log_softmax", x);
  FATHOM_CHECK(x.dim() >= 1, ShapeError, "log_softmax: expected rank >= 1, received a scalar");
  const std::int64_t a = normalize_axis(axis, x.dim(), "log_softmax");
  return sub(x, logsumexp(x, a, true));
}

}  // namespace fathom::ops
