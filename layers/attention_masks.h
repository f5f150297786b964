// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <string>

#include "core/tensor.h"

namespace fathom::layers {

/// The masks Keras's MultiHeadAttention combines (with AND): bool tensors, or any dtype where
/// nonzero means "attend" (Keras casts them to bool).
struct AttentionMasks {
  /// Broadcasts to the scores [B, H, *q_dims, *v_dims] after Keras's expansion (1s inserted
  /// before the query/key dims): [*q_dims, *v_dims], [B, *q_dims, *v_dims] or the full shape.
  Tensor attention_mask;
  /// The inputs' Keras masks: query_mask [B, *q_dims]; value_mask and key_mask [B, *v_dims].
  Tensor query_mask, value_mask, key_mask;
  /// Query position i attends to key positions j <= i (rank-3 inputs only).
  bool use_causal_mask = false;
};

/// The attention shape: batch B, heads H, the query's and the value's dims between batch and
/// features (flattened to Tq and Tv in the result).
struct AttentionDims {
  std::int64_t batch = 0, heads = 0;
  Shape q_dims, v_dims;
  Device device = {};  // where the causal mask is made
};

/// The combined mask as [B or 1, H or 1, Tq, Tv] bool, or an undefined tensor when no mask is
/// given. A mask that does not fit is a ShapeError starting with `who`.
Tensor combine_attention_masks(const AttentionMasks& masks, const AttentionDims& dims, const std::string& who);

}  // namespace fathom::layers
