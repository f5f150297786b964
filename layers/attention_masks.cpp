// SPDX-License-Identifier: Apache-2.0
// keras/src/layers/attention/multi_head_attention.py: _compute_attention_mask, _compute_causal_mask
// and the mask expansion of _masked_softmax.
#include "layers/attention_masks.h"

#include "core/error.h"
#include "core/ops.h"

namespace fathom::layers {
namespace {

Shape concat_shapes(Shape a, const Shape& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

Tensor as_bool(const Tensor& m) {
  return m.dtype() == DType::kBool ? m : ops::not_equal(m, Tensor::zeros({}, m.dtype()).to(m.device()));
}

Tensor mask_and(const Tensor& a, const Tensor& b) { return a.defined() ? ops::where(a, b, a) : b; }  // a ? b : false

/// attention_mask -> [m0, m1, Tq, Tv], Keras's expansion: 1s inserted before the last 2n dims
/// (n attention axes) until the mask has the scores' rank 2n + 2.
Tensor expand_attention_mask(const Tensor& mask, const AttentionDims& d, const std::string& who) {
  const auto n = static_cast<std::int64_t>(d.q_dims.size());
  const Shape& m = mask.shape();
  const auto r = static_cast<std::int64_t>(m.size());
  Shape expanded(m.begin(), m.begin() + std::max<std::int64_t>(0, r - 2 * n));
  expanded.resize(2, 1);
  if (r >= 2 * n) expanded.insert(expanded.end(), m.end() - 2 * n, m.end());
  const Shape full = concat_shapes(concat_shapes({d.batch, d.heads}, d.q_dims), d.v_dims);
  bool ok = r >= 2 * n && r <= 2 * n + 2;
  for (std::size_t i = 0; ok && i < full.size(); ++i) ok = expanded[i] == 1 || expanded[i] == full[i];
  FATHOM_CHECK(ok, ShapeError, who, "attention_mask must broadcast to the attention scores ", shape_to_string(full),
               " (as [Tq, Tv], [B, Tq, Tv] or [B, H, Tq, Tv]). Received: attention_mask.shape=", shape_to_string(m));
  const Shape lead = {expanded[0], expanded[1]};
  const Tensor b = ops::broadcast_to(ops::reshape(as_bool(mask), expanded),
                                     concat_shapes(concat_shapes(lead, d.q_dims), d.v_dims));
  return ops::reshape(b, {lead[0], lead[1], shape_numel(d.q_dims), shape_numel(d.v_dims)});
}

}  // namespace

Tensor combine_attention_masks(const AttentionMasks& masks, const AttentionDims& d, const std::string& who) {
  const std::int64_t tq = shape_numel(d.q_dims), tv = shape_numel(d.v_dims);
  Tensor mask;
  if (masks.attention_mask.defined()) mask = expand_attention_mask(masks.attention_mask, d, who);
  const auto input_mask = [&](const Tensor& m, const Shape& dims, const char* what, const Shape& to) {
    if (!m.defined()) return;
    const Shape expected = concat_shapes({d.batch}, dims);
    FATHOM_CHECK(m.shape() == expected, ShapeError, who, what, " must have the shape ", shape_to_string(expected),
                 " (batch and sequence). Received: ", what, ".shape=", shape_to_string(m.shape()));
    mask = mask_and(mask, ops::reshape(as_bool(m), to));
  };
  input_mask(masks.query_mask, d.q_dims, "query_mask", {d.batch, 1, tq, 1});
  input_mask(masks.value_mask, d.v_dims, "value_mask", {d.batch, 1, 1, tv});
  input_mask(masks.key_mask, d.v_dims, "key_mask", {d.batch, 1, 1, tv});
  if (masks.use_causal_mask) {
    FATHOM_CHECK(d.q_dims.size() == 1, ShapeError, who,
                 "use_causal_mask needs rank-3 inputs [batch, sequence, features]. Received query dims ",
                 shape_to_string(d.q_dims));
    // A lower triangle from the top left, as Keras's cumsum construction.
    const Tensor rows = ops::reshape(Tensor::arange(tq), {tq, 1});
    const Tensor cols = ops::reshape(Tensor::arange(tv), {1, tv});
    mask = mask_and(mask, ops::reshape(ops::greater_equal(rows, cols), {1, 1, tq, tv}).to(d.device));
  }
  return mask;
}

}  // namespace fathom::layers
