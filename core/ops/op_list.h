// SPDX-License-Identifier: Apache-2.0
// Every public op, once. The gradient-check test iterates over this list and fails for an op
// that has no check, so a new op cannot skip its gradient test (ggml's op-count assert, as a list).
// FATHOM_OP(name, differentiable)
#pragma once

#define FATHOM_OP_LIST(FATHOM_OP)                                                          \
  FATHOM_OP(neg, true) FATHOM_OP(abs, true) FATHOM_OP(sign, true) FATHOM_OP(exp, true)     \
  FATHOM_OP(log, true) FATHOM_OP(sqrt, true) FATHOM_OP(square, true)                       \
  FATHOM_OP(reciprocal, true) FATHOM_OP(pow_scalar, true) FATHOM_OP(clip, true)            \
  FATHOM_OP(tanh, true) FATHOM_OP(sigmoid, true) FATHOM_OP(relu, true) FATHOM_OP(relu6, true) \
  FATHOM_OP(leaky_relu, true) FATHOM_OP(elu, true) FATHOM_OP(selu, true)                   \
  FATHOM_OP(gelu, true) FATHOM_OP(gelu_approximate, true) FATHOM_OP(softplus, true)        \
  FATHOM_OP(softsign, true) FATHOM_OP(swish, true) FATHOM_OP(silu, true)                   \
  FATHOM_OP(hard_sigmoid, true) FATHOM_OP(hard_sigmoid_keras2, true)                       \
  FATHOM_OP(add, true) FATHOM_OP(sub, true) FATHOM_OP(mul, true) FATHOM_OP(div, true)      \
  FATHOM_OP(pow, true) FATHOM_OP(maximum, true) FATHOM_OP(minimum, true)                   \
  FATHOM_OP(equal, false) FATHOM_OP(not_equal, false) FATHOM_OP(less, false)               \
  FATHOM_OP(less_equal, false) FATHOM_OP(greater, false) FATHOM_OP(greater_equal, false)   \
  FATHOM_OP(where, true) FATHOM_OP(cast, true) FATHOM_OP(stop_gradient, false)             \
  FATHOM_OP(sum, true) FATHOM_OP(mean, true) FATHOM_OP(max, true) FATHOM_OP(min, true)     \
  FATHOM_OP(prod, true) FATHOM_OP(var, true) FATHOM_OP(logsumexp, true)                    \
  FATHOM_OP(argmax, false) FATHOM_OP(argmin, false)                                        \
  FATHOM_OP(matmul, true) FATHOM_OP(batched_matmul, true)                                  \
  FATHOM_OP(reshape, true) FATHOM_OP(transpose, true) FATHOM_OP(expand_dims, true)         \
  FATHOM_OP(squeeze, true) FATHOM_OP(broadcast_to, true) FATHOM_OP(sum_to, true)           \
  FATHOM_OP(slice, true) FATHOM_OP(concat, true) FATHOM_OP(stack, true)                    \
  FATHOM_OP(split, true) FATHOM_OP(pad, true) FATHOM_OP(gather, true)                      \
  FATHOM_OP(one_hot, false) FATHOM_OP(softmax, true) FATHOM_OP(log_softmax, true)       \
  FATHOM_OP(extract_patches, true) FATHOM_OP(lstm_cell, true)                           \
  FATHOM_OP(check_values, true)

namespace fathom::ops {

struct OpInfo {
  const char* name;
  bool differentiable;
};

#define FATHOM_OP_INFO(name, diff) OpInfo{#name, diff},
inline constexpr OpInfo kOpList[] = {FATHOM_OP_LIST(FATHOM_OP_INFO)};
#undef FATHOM_OP_INFO

}  // namespace fathom::ops
