// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdint>

#include "core/tensor.h"

namespace fathom::ops {

/// exp(x - max) / sum(exp(x - max)) along `axis`: stable for large logits.
Tensor softmax(const Tensor& x, std::int64_t axis = -1);
/// x - logsumexp(x) along `axis`.
Tensor log_softmax(const Tensor& x, std::int64_t axis = -1);

}  // namespace fathom::ops
