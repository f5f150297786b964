// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <optional>
#include <vector>

#include "layers/attention_masks.h"
#include "layers/layer.h"
#include "layers/weight_options.h"

namespace fathom::layers {

class Dropout;

/// Multi-head scaled dot-product attention (Keras 3's MultiHeadAttention, Vaswani et al. 2017):
///   Q = query·Wq + bq, K = key·Wk + bk, V = value·Wv + bv          (per head h)
///   P = softmax(Q Kᵀ / sqrt(key_dim)) over the key axis, masked positions set to -1e9 first.
///       A fully masked row follows Keras 3.15's two paths: uniform on its fused path (rank-3
///       inputs, dropout 0, no scores asked for), zeros otherwise (its masked Softmax).
///   out = concat_h(dropout(P) V)·Wo + bo
/// Inputs: query [B, Tq, dq], value [B, Tv, dv], key [B, Tv, dk] (default: value). Rank > 3 inputs
/// ([B, *dims, d]) attend over all axes between batch and features, as Keras's attention_axes=None
/// does. Output [B, Tq, dq] ([B, Tq, *output_shape] when output_shape is set). Scores: [B, H, Tq, Tv].
/// Weights, in Keras 3's creation order and paths (a Keras 3 .weights.h5 stores each pair under
/// layers/<name>/{query,key,value,output}_dense/vars/{0,1}):
///   query/kernel [dq, H, key_dim], query/bias [H, key_dim], key/kernel [dk, H, key_dim],
///   key/bias [H, key_dim], value/kernel [dv, H, value_dim], value/bias [H, value_dim],
///   attention_output/kernel [H, value_dim, *output_shape or dq], attention_output/bias [*output_shape or dq]
/// (no biases with use_bias=false). Kernel initializers of the VarianceScaling family take their
/// fans as Keras's EinsumDense does (fan_in = the contracted dims, fan_out = the produced ones).
/// Config: num_heads, key_dim (> 0), value_dim (null: key_dim), dropout (0), use_bias (true),
/// output_shape (null, an int or a list), attention_axes (null; otherwise only the axes between
/// batch and features, all of them), kernel/bias initializers, regularizers (the activity one
/// applies to each of the four projections' outputs, as Keras's sub-layers), constraints, seed
/// (the dropout's). Keras 3.15's use_gate=true and sliding_window are ConfigErrors; Keras 2's
/// query_shape/value_shape/key_shape build the layer. Through operator() the inputs are
/// [query, value] or [query, value, key], and the count is fixed by the first call; attend()
/// takes the full call signature.
class MultiHeadAttention final : public Layer {
 public:
  struct Options {
    std::int64_t num_heads = 0;
    std::int64_t key_dim = 0;
    std::optional<std::int64_t> value_dim;  // nullopt: key_dim
    double dropout = 0.0;
    bool use_bias = true;
    Shape output_shape;  // empty: the query's last dim
    std::optional<std::vector<std::int64_t>> attention_axes;  // nullopt: Keras's None
    WeightOptions weights = {};
    std::optional<std::uint64_t> seed;
  };
  /// Keras's call arguments besides query and value: the masks (see AttentionMasks; Keras passes
  /// query_mask on as the output's mask), key (default: value), training, and where to store the
  /// attention scores [B, H, *q_dims, *v_dims] (the probabilities before dropout).
  struct CallArgs : AttentionMasks {
    Tensor key;
    bool training = false;
    Tensor* scores = nullptr;
  };

  explicit MultiHeadAttention(Options options, std::string name = "");
  ~MultiHeadAttention() override;
  static std::unique_ptr<Layer> from_config(const Config& config);
  std::string class_name() const override { return "MultiHeadAttention"; }
  int num_inputs() const override { return 0; }

  /// The full call (Keras's layer(query, value, key=..., attention_mask=..., ...)).
  Tensor attend(const Tensor& query, const Tensor& value, const Tensor& key = {},
                const Tensor& attention_mask = {}, bool use_causal_mask = false, bool training = false,
                Tensor* scores = nullptr);
  Tensor attend(const Tensor& query, const Tensor& value, const CallArgs& args);

  /// As a graph node: positional query, value (and key), keywords key and attention_mask
  /// (tensors), use_causal_mask and return_attention_scores (then a second output, the scores
  /// [B, H, Tq, Tv]). The query's mask is applied and passed on (Keras).
  std::vector<std::string> node_kwargs() const override {
    return {"key", "attention_mask", "use_causal_mask", "return_attention_scores"};
  }
  void build_node(const std::vector<Shape>& input_shapes, const NodeArgs& call) override;
  std::vector<Shape> node_output_shapes(const std::vector<Shape>& input_shapes, const NodeArgs& call) const override;
  TensorList call_node(const TensorList& inputs, const Tensor& mask, const NodeArgs& call, bool training,
                       Tensor* out_mask) override;

  void build_multi(const std::vector<Shape>& input_shapes) override;
  Tensor call_multi(const TensorList& inputs, bool training) override;
  Shape compute_output_shape_multi(const std::vector<Shape>& input_shapes) const override;
  Config get_config() const override;
  Config random_state() const override;
  void set_random_state(const Config& state) override;

 private:
  // call_node hands these to call_multi through Layer::operator() (which builds and keeps losses).
  Tensor pending_query_mask_, pending_attention_mask_;
  bool pending_causal_ = false;
  Tensor* pending_scores_ = nullptr;
  struct Shapes;
  Shapes check_shapes(const std::vector<Shape>& shapes) const;
  void check_feature_dims(const Tensor& query, const Tensor& value, const Tensor& key) const;
  Tensor project(const Tensor& x, const Variable& kernel, const Variable& bias, std::int64_t width);
  /// The attention itself on [B, T, d] inputs; returns [B, Tq, *out].
  Tensor compute(const Tensor& query, const Tensor& value, const Tensor& key, const Tensor& mask, const Shapes& s,
                 const CallArgs& args);

  Options options_;
  ResolvedWeights resolved_;
  std::unique_ptr<Dropout> dropout_;
  Variable query_kernel_, query_bias_, key_kernel_, key_bias_, value_kernel_, value_bias_;
  Variable output_kernel_, output_bias_;
};

}  // namespace fathom::layers
