// SPDX-License-Identifier: Apache-2.0
// keras/src/layers/attention/multi_head_attention.py, with its four EinsumDense projections
// written as matmuls on [.., H * width] views of the kernels.
#include "layers/multi_head_attention.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <tuple>

#include "core/ops.h"
#include "layers/activation.h"
#include "layers/einsum_initializer.h"
#include "layers/initializers.h"
#include "layers/layer_config.h"
#include "layers/regularizers.h"

namespace fathom::layers {
namespace {

constexpr double kLargeNegative = -1e9;  // Keras's _large_negative_number for float32

/// An int or a list of ints (Keras accepts both for output_shape and attention_axes).
std::vector<std::int64_t> int_or_list(const Config& c, const std::string& key) {
  const Config& v = c.at(key);
  if (v.is_number()) return {c.get<std::int64_t>(key)};
  FATHOM_CHECK(v.is_list(), ConfigError, c.where_of(key), "MultiHeadAttention: ", key,
               " must be null, an int or a list of ints. Received: ", key, "=", v.to_json());
  return c.get<Shape>(key);
}

Shape concat_shapes(Shape a, const Shape& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

/// The inputs' shapes: the dims between batch and features (flattened: Tq, Tv) and the features.
struct MultiHeadAttention::Shapes {
  AttentionDims dims;
  std::int64_t tq = 1, tv = 1, dq = 0, dv = 0, dk = 0;
};

MultiHeadAttention::MultiHeadAttention(Options options, std::string name)
    : Layer(std::move(name), "multi_head_attention"), options_(std::move(options)), resolved_(options_.weights) {
  const std::string who = "MultiHeadAttention '" + this->name() + "': ";
  FATHOM_CHECK(options_.num_heads > 0, ValueError, who,
               "num_heads must be a positive integer. Received: num_heads=", options_.num_heads);
  FATHOM_CHECK(options_.key_dim > 0, ValueError, who,
               "key_dim must be a positive integer. Received: key_dim=", options_.key_dim);
  FATHOM_CHECK(!options_.value_dim || *options_.value_dim > 0, ValueError, who,
               "value_dim must be a positive integer or None. Received: value_dim=", options_.value_dim.value_or(0));
  FATHOM_CHECK(options_.dropout >= 0 && options_.dropout < 1, ValueError, who,
               "dropout must be in [0, 1). Received: dropout=", options_.dropout);
  FATHOM_CHECK(std::all_of(options_.output_shape.begin(), options_.output_shape.end(), [](auto d) { return d > 0; }),
               ValueError, who, "output_shape must hold positive integers. Received: output_shape=",
               shape_to_string(options_.output_shape));
  // Keras's Dropout sub-layer (seeded by `seed`), only when it does something.
  if (options_.dropout > 0) dropout_ = std::make_unique<Dropout>(Dropout::Options{options_.dropout, {}, options_.seed},
                                                                  this->name() + "/dropout");
}

MultiHeadAttention::~MultiHeadAttention() = default;

std::unique_ptr<Layer> MultiHeadAttention::from_config(const Config& c) {
  // flash_attention is an execution hint (Keras does not save it); query/value/key_shape: Keras 2.
  std::vector<std::string> keys = {"num_heads", "key_dim", "value_dim", "dropout", "use_bias", "output_shape",
                                   "attention_axes", "use_gate", "sliding_window", "flash_attention", "seed",
                                   "query_shape", "value_shape", "key_shape"};
  keys.insert(keys.end(), WeightOptions::keys().begin(), WeightOptions::keys().end());
  const BaseLayerArgs base = parse_base_args(c, keys, "MultiHeadAttention");
  const auto given = [&](const char* key) { return c.has(key) && !c.at(key).is_null(); };
  FATHOM_CHECK(!c.get_or("use_gate", false), ConfigError, c.where_of("use_gate"),
               "MultiHeadAttention: use_gate=True is not supported");
  FATHOM_CHECK(!given("sliding_window"), ConfigError, c.where_of("sliding_window"),
               "MultiHeadAttention: sliding_window is not supported (only null). Received: sliding_window=",
               c.at("sliding_window").to_json());
  Options o;
  o.num_heads = c.get<std::int64_t>("num_heads");
  o.key_dim = c.get<std::int64_t>("key_dim");
  if (given("value_dim")) o.value_dim = c.get<std::int64_t>("value_dim");
  o.dropout = c.get_or("dropout", 0.0);
  o.use_bias = c.get_or("use_bias", true);
  if (given("output_shape")) o.output_shape = int_or_list(c, "output_shape");
  if (given("attention_axes")) o.attention_axes = int_or_list(c, "attention_axes");
  o.weights = WeightOptions::from_config(c);
  if (given("seed")) o.seed = static_cast<std::uint64_t>(c.get<std::int64_t>("seed"));
  auto layer = std::make_unique<MultiHeadAttention>(std::move(o), base.name);
  apply_base_args(*layer, base);
  // Keras 2 stores the build shapes and builds the layer in from_config.
  if (given("query_shape") && given("value_shape")) {
    std::vector<Shape> shapes = {c.get<Shape>("query_shape"), c.get<Shape>("value_shape")};
    if (given("key_shape")) shapes.push_back(c.get<Shape>("key_shape"));
    layer->build_from_shapes(shapes);
  }
  return layer;
}

MultiHeadAttention::Shapes MultiHeadAttention::check_shapes(const std::vector<Shape>& in) const {
  if (in.size() != 2 && in.size() != 3) {
    fail("expected the inputs [query, value] or [query, value, key], received " + std::to_string(in.size()) +
         " inputs");
  }
  const char* names[] = {"query", "value", "key"};
  std::string received = "Received: ";
  for (std::size_t i = 0; i < in.size(); ++i) {
    received += std::string(i ? ", " : "") + names[i] + "_shape=" + shape_to_string(in[i]);
  }
  const Shape& q = in[0];
  const Shape& v = in[1];
  const Shape& k = in.size() == 3 ? in[2] : in[1];
  if (q.size() < 3 || v.size() != q.size() || k.size() != q.size()) {
    fail("query, value and key must have the same rank >= 3 ([batch, sequence, features]). " + received);
  }
  if (!std::equal(v.begin() + 1, v.end() - 1, k.begin() + 1)) {
    fail("all dimensions of value and key, except the last one, must be equal. " + received);
  }
  for (const Shape* other : {&v, &k}) {
    if ((*other)[0] >= 0 && q[0] >= 0 && (*other)[0] != q[0]) {
      fail("query, value and key must have the same batch size. " + received);
    }
  }
  if (q.back() < 0 || v.back() < 0 || k.back() < 0) {
    fail("the last dimension of query, value and key must be known. " + received);
  }
  Shapes s{{q[0], options_.num_heads, Shape(q.begin() + 1, q.end() - 1), Shape(v.begin() + 1, v.end() - 1)},
           1, 1, q.back(), v.back(), k.back()};
  s.tq = shape_numel(s.dims.q_dims);
  s.tv = shape_numel(s.dims.v_dims);
  return s;
}

void MultiHeadAttention::build_multi(const std::vector<Shape>& input_shapes) {
  const Shapes s = check_shapes(input_shapes);
  // Keras resolves attention_axes against the projected rank (input rank + 1); Fathom attends
  // over all the axes between batch and features, which is what None means.
  const auto rank = static_cast<std::int64_t>(input_shapes[0].size());
  std::vector<std::int64_t> axes;
  for (std::int64_t a = 1; a < rank - 1; ++a) axes.push_back(a);
  if (options_.attention_axes) {
    std::set<std::int64_t> given;
    for (std::int64_t a : *options_.attention_axes) given.insert(a >= 0 ? a : rank + a);
    FATHOM_CHECK(given == std::set<std::int64_t>(axes.begin(), axes.end()), ConfigError, "MultiHeadAttention '",
                 name(), "': attention_axes=", shape_to_string(*options_.attention_axes),
                 " is not supported for inputs of rank ", rank, "; Fathom attends over all the axes between batch ",
                 "and features (", shape_to_string(axes), ", attention_axes=None)");
  }
  options_.attention_axes = axes;  // Keras's get_config reports the resolved axes after build
  const std::int64_t h = options_.num_heads, kd = options_.key_dim, vd = options_.value_dim.value_or(kd);
  const Shape out = options_.output_shape.empty() ? Shape{s.dq} : options_.output_shape;
  const auto& r = resolved_;
  const auto kernel = [&](const std::string& n, const Shape& shape, const Shape& fans) {
    return add_weight(n + "/kernel", shape, *einsum_kernel_initializer(r.kernel_initializer, fans), true,
                      r.kernel_regularizer, r.kernel_constraint);
  };
  const auto bias = [&](const std::string& n, const Shape& shape) {
    return options_.use_bias
               ? add_weight(n + "/bias", shape, *r.bias_initializer, true, r.bias_regularizer, r.bias_constraint)
               : Variable();
  };
  query_kernel_ = kernel("query", {s.dq, h, kd}, {s.dq, h * kd});
  query_bias_ = bias("query", {h, kd});
  key_kernel_ = kernel("key", {s.dk, h, kd}, {s.dk, h * kd});
  key_bias_ = bias("key", {h, kd});
  value_kernel_ = kernel("value", {s.dv, h, vd}, {s.dv, h * vd});
  value_bias_ = bias("value", {h, vd});
  output_kernel_ = kernel("attention_output", concat_shapes({h, vd}, out), {h * vd, shape_numel(out)});
  output_bias_ = bias("attention_output", out);
}

void MultiHeadAttention::check_feature_dims(const Tensor& query, const Tensor& value, const Tensor& key) const {
  const std::tuple<const char*, const Tensor*, const Variable*> inputs[] = {
      {"query", &query, &query_kernel_}, {"value", &value, &value_kernel_}, {"key", &key, &key_kernel_}};
  for (const auto& [what, x, kernel] : inputs) {
    if (x->shape().back() != kernel->shape()[0]) {
      fail(std::string(what) + " is incompatible with the layer: expected a last dimension of " +
           std::to_string(kernel->shape()[0]) + ", received " + what + ".shape=" + shape_to_string(x->shape()));
    }
  }
}

Tensor MultiHeadAttention::project(const Tensor& x, const Variable& kernel, const Variable& bias, std::int64_t width) {
  // x [B, T, in] x kernel [in, H, w] viewed as [in, H * w] -> [B, T, H * w]
  Tensor y = ops::matmul(x, ops::reshape(kernel, {kernel.shape()[0], width}));
  if (bias.defined()) y = ops::add(y, ops::reshape(bias, {width}));
  if (const auto& reg = resolved_.activity_regularizer) {
    add_loss(ops::div((*reg)(y), static_cast<double>(x.shape()[0])));  // Keras: per sample
  }
  return y;
}

Tensor MultiHeadAttention::attend(const Tensor& query, const Tensor& value, const Tensor& key,
                                  const Tensor& attention_mask, bool use_causal_mask, bool training, Tensor* scores) {
  const CallArgs args{{attention_mask, {}, {}, {}, use_causal_mask}, key, training, scores};
  return attend(query, value, args);
}

Tensor MultiHeadAttention::attend(const Tensor& query, const Tensor& value, const CallArgs& args) {
  FATHOM_CHECK(query.defined() && value.defined(), ValueError, "MultiHeadAttention '", name(),
               "': query and value must be defined tensors");
  const Tensor key = args.key.defined() ? args.key : value;
  std::vector<Shape> shapes = {query.shape(), value.shape()};
  if (args.key.defined()) shapes.push_back(key.shape());
  Shapes s = check_shapes(shapes);
  if (!built()) {
    for (Shape& shape : shapes) shape[0] = -1;
    build_from_shapes(shapes);
  }
  check_feature_dims(query, value, key);
  s.dims.device = query.device();
  const Tensor mask = combine_attention_masks(args, s.dims, "MultiHeadAttention '" + name() + "': ");
  clear_losses();  // attend() may be called directly, not only through Layer::operator()
  const std::int64_t b = s.dims.batch;
  const Tensor y = compute(ops::reshape(query, {b, s.tq, s.dq}), ops::reshape(value, {b, s.tv, s.dv}),
                           ops::reshape(key, {b, s.tv, s.dk}), mask, s, args);
  Shape out = y.shape();
  out.erase(out.begin(), out.begin() + 2);
  return ops::reshape(y, concat_shapes(concat_shapes({b}, s.dims.q_dims), out));
}

Tensor MultiHeadAttention::compute(const Tensor& query, const Tensor& value, const Tensor& key, const Tensor& mask,
                                   const Shapes& s, const CallArgs& args) {
  const std::int64_t b = s.dims.batch, h = options_.num_heads, kd = options_.key_dim;
  const std::int64_t vd = options_.value_dim.value_or(kd);
  const auto heads = [&](const Tensor& y, std::int64_t t, std::int64_t w) {  // [B, T, H * w] -> [B, H, T, w]
    return ops::transpose(ops::reshape(y, {b, t, h, w}), {0, 2, 1, 3});
  };
  const Tensor q = heads(project(query, query_kernel_, query_bias_, h * kd), s.tq, kd);
  const Tensor k = heads(project(key, key_kernel_, key_bias_, h * kd), s.tv, kd);
  const Tensor v = heads(project(value, value_kernel_, value_bias_, h * vd), s.tv, vd);
  // [B, H, Tq, kd] x [B, H, Tv, kd]^T -> [B, H, Tq, Tv]; Keras scales the query first.
  Tensor logits = ops::matmul(ops::mul(q, 1.0 / std::sqrt(static_cast<double>(kd))), k, false, true);
  if (mask.defined()) logits = ops::where(mask, logits, ops::scalar_like(logits, kLargeNegative));
  Tensor probs = ops::softmax(logits, -1);
  // Keras 3.15 has two paths: its fused dot_product_attention (rank-3 inputs, no dropout, no
  // scores asked for) leaves a fully masked row uniform; the explicit one (Softmax with a mask)
  // zeroes masked positions, so such a row is all zeros. Both are reproduced.
  const bool fused = s.dims.q_dims.size() == 1 && options_.dropout == 0 && args.scores == nullptr;
  if (mask.defined() && !fused) probs = ops::where(mask, probs, ops::scalar_like(probs, 0.0));
  if (args.scores != nullptr) {
    *args.scores = ops::reshape(probs, concat_shapes(concat_shapes({b, h}, s.dims.q_dims), s.dims.v_dims));
  }
  if (dropout_) probs = dropout_->call(probs, args.training);
  // [B, H, Tq, vd] -> [B, Tq, H * vd] x [H * vd, out] -> [B, Tq, *out]
  const Tensor attended = ops::reshape(ops::transpose(ops::matmul(probs, v), {0, 2, 1, 3}), {b, s.tq, h * vd});
  const Shape out(output_kernel_.shape().begin() + 2, output_kernel_.shape().end());
  Tensor y = ops::matmul(attended, ops::reshape(output_kernel_, {h * vd, shape_numel(out)}));
  if (output_bias_.defined()) y = ops::add(y, ops::reshape(output_bias_, {shape_numel(out)}));
  if (const auto& reg = resolved_.activity_regularizer) add_loss(ops::div((*reg)(y), static_cast<double>(b)));
  return ops::reshape(y, concat_shapes({b, s.tq}, out));
}

Tensor MultiHeadAttention::call_multi(const TensorList& inputs, bool training) {
  if (inputs.size() != 2 && inputs.size() != 3) check_shapes(std::vector<Shape>(inputs.size()));  // throws
  CallArgs args;
  if (inputs.size() == 3) args.key = inputs[2];
  args.training = training;
  args.query_mask = pending_query_mask_;
  args.attention_mask = pending_attention_mask_;
  args.use_causal_mask = pending_causal_;
  args.scores = pending_scores_;
  return attend(inputs[0], inputs[1], args);
}

namespace {

/// Which of a node's inputs are query, value (and key): the attention mask is not a layer input.
template <class T>
std::vector<T> attention_operands(const std::vector<T>& inputs, const NodeArgs& call) {
  std::vector<T> out(inputs.begin(), inputs.begin() + static_cast<std::ptrdiff_t>(std::min(call.num_args, inputs.size())));
  const auto [key_at, key_count] = call.find("key");
  if (key_count == 1 && out.size() == 2) out.push_back(inputs.at(key_at));
  return out;
}

}  // namespace

void MultiHeadAttention::build_node(const std::vector<Shape>& input_shapes, const NodeArgs& call) {
  if (!built()) build_from_shapes(attention_operands(input_shapes, call));
}

std::vector<Shape> MultiHeadAttention::node_output_shapes(const std::vector<Shape>& input_shapes,
                                                          const NodeArgs& call) const {
  const std::vector<Shape> shapes = attention_operands(input_shapes, call);
  std::vector<Shape> out = {compute_output_shape_multi(shapes)};
  if (call.values.is_map() && call.values.get_or<bool>("return_attention_scores", false)) {
    const Shape& q = shapes.at(0);
    const Shape& v = shapes.at(1);
    if (q.size() != 3 || v.size() != 3) {
      fail("return_attention_scores in a functional graph needs rank-3 query and value, received " +
           shape_to_string(q) + " and " + shape_to_string(v));
    }
    out.push_back({q[0], options_.num_heads, q[1], v[1]});
  }
  return out;
}

TensorList MultiHeadAttention::call_node(const TensorList& inputs, const Tensor& mask, const NodeArgs& call,
                                         bool training, Tensor* out_mask) {
  const auto [mask_at, mask_count] = call.find("attention_mask");
  const bool want_scores = call.values.is_map() && call.values.get_or<bool>("return_attention_scores", false);
  Tensor scores;
  pending_query_mask_ = mask;
  pending_attention_mask_ = mask_count == 1 ? inputs.at(mask_at) : Tensor();
  pending_causal_ = call.values.is_map() && call.values.get_or<bool>("use_causal_mask", false);
  pending_scores_ = want_scores ? &scores : nullptr;
  struct Reset {
    MultiHeadAttention* self;
    ~Reset() {
      self->pending_query_mask_ = Tensor();
      self->pending_attention_mask_ = Tensor();
      self->pending_causal_ = false;
      self->pending_scores_ = nullptr;
    }
  } reset{this};
  Tensor y = (*this)(attention_operands(inputs, call), training);
  if (out_mask != nullptr) *out_mask = mask;
  if (want_scores) return {y, scores};
  return {y};
}

Shape MultiHeadAttention::compute_output_shape_multi(const std::vector<Shape>& input_shapes) const {
  check_shapes(input_shapes);
  const Shape& q = input_shapes[0];
  if (options_.output_shape.empty()) return q;
  return concat_shapes(Shape(q.begin(), q.end() - 1), options_.output_shape);
}

Config MultiHeadAttention::get_config() const {
  Config c = Layer::get_config();
  c.set("num_heads", options_.num_heads).set("key_dim", options_.key_dim);
  c.set("value_dim", options_.value_dim.value_or(options_.key_dim));
  c.set("dropout", options_.dropout).set("use_bias", options_.use_bias).set("use_gate", false);
  c.set("output_shape", options_.output_shape.empty() ? Config() : Config(options_.output_shape));
  c.set("attention_axes", options_.attention_axes ? Config(Shape(*options_.attention_axes)) : Config());
  c.set("sliding_window", Config());
  resolved_.add_to_config(c);
  c.set("seed", options_.seed ? Config(static_cast<std::int64_t>(*options_.seed)) : Config());
  return c;
}

Config MultiHeadAttention::random_state() const { return dropout_ ? dropout_->random_state() : Config(); }

void MultiHeadAttention::set_random_state(const Config& state) {
  if (dropout_) dropout_->set_random_state(state);
}

}  // namespace fathom::layers
