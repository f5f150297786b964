// SPDX-License-Identifier: Apache-2.0
#include "layers/embedding.h"

#include "core/ops.h"
#include "layers/initializers.h"
#include "layers/layer_config.h"
#include "layers/regularizers.h"

namespace fathom::layers {
namespace {

/// Keras's "uniform" / "normal" aliases are get_initializer's too (RandomUniform / RandomNormal).
std::shared_ptr<Initializer> embedding_initializer(const Config& spec) { return get_initializer(spec); }

/// "[1, 2]" for flat index `i` of `shape` (row-major).
std::string position(std::int64_t i, const Shape& shape) {
  Shape index(shape.size());
  for (std::size_t d = shape.size(); d-- > 0;) {
    index[d] = i % shape[d];
    i /= shape[d];
  }
  return shape_to_string(index);
}

void expect_null(const Config& c, const std::string& key, const std::string& what) {
  FATHOM_CHECK(!c.has(key) || c.at(key).is_null() || (key == "sparse" && !c.get<bool>("sparse")), ConfigError,
               c.where_of(key), "Embedding: ", key, "=", c.at(key).to_json(), " is not supported (", what, ")");
}

}  // namespace

Embedding::Embedding(Options options, std::string name)
    : Layer(std::move(name), "embedding"),
      options_(std::move(options)),
      initializer_(embedding_initializer(options_.embeddings_initializer)),
      regularizer_(get_regularizer(options_.embeddings_regularizer)),
      activity_regularizer_(get_regularizer(options_.activity_regularizer)),
      constraint_(get_constraint(options_.embeddings_constraint)) {
  FATHOM_CHECK(options_.input_dim > 0, ValueError, "Embedding '", this->name(),
               "': input_dim must be a positive integer. Received: input_dim=", options_.input_dim);
  FATHOM_CHECK(options_.output_dim > 0, ValueError, "Embedding '", this->name(),
               "': output_dim must be a positive integer. Received: output_dim=", options_.output_dim);
}

std::unique_ptr<Layer> Embedding::from_config(const Config& c) {
  const BaseLayerArgs base = parse_base_args(
      c,
      {"input_dim", "output_dim", "embeddings_initializer", "embeddings_regularizer", "activity_regularizer",
       "embeddings_constraint", "mask_zero", "input_length", "sparse", "lora_rank", "lora_alpha",
       "quantization_config"},
      "Embedding");
  expect_null(c, "sparse", "sparse gradients");
  expect_null(c, "lora_rank", "LoRA");
  expect_null(c, "lora_alpha", "LoRA");
  expect_null(c, "quantization_config", "quantization");
  Options o;
  o.input_dim = c.get<std::int64_t>("input_dim");
  o.output_dim = c.get<std::int64_t>("output_dim");
  o.embeddings_initializer = c.get_or<Config>("embeddings_initializer", o.embeddings_initializer);
  o.embeddings_regularizer = c.get_or<Config>("embeddings_regularizer", Config());
  o.activity_regularizer = c.get_or<Config>("activity_regularizer", Config());
  o.embeddings_constraint = c.get_or<Config>("embeddings_constraint", Config());
  o.mask_zero = c.get_or("mask_zero", false);
  if (c.has("input_length") && !c.at("input_length").is_null()) {
    const Config& len = c.at("input_length");
    o.input_length = len.is_list() ? len.as_shape() : Shape{len.as_int()};
  }
  auto layer = std::make_unique<Embedding>(std::move(o), base.name);
  apply_base_args(*layer, base);
  return layer;
}

void Embedding::check_input_length(const Shape& s) const {
  if (options_.input_length.empty()) return;
  bool ok = s.size() == options_.input_length.size() + 1;
  for (std::size_t i = 0; ok && i < options_.input_length.size(); ++i) {
    const std::int64_t want = options_.input_length[i], got = s[i + 1];
    ok = want < 0 || got < 0 || want == got;
  }
  if (!ok) {
    fail("input_length is " + shape_to_string(options_.input_length) + ", but the input has shape " +
         shape_to_string(s));
  }
}

void Embedding::build(const Shape& input_shape) {
  check_input_length(input_shape);
  embeddings_ = add_weight("embeddings", {options_.input_dim, options_.output_dim}, *initializer_, true, regularizer_,
                           constraint_);
}

Tensor Embedding::checked_ids(const Tensor& x) const {
  // Keras casts any other dtype to int32 (floats truncate toward zero).
  const Tensor ids = x.dtype() == DType::kInt32 || x.dtype() == DType::kInt64 ? x : ops::cast(x, DType::kInt32);
  // The check is an op, so that a traced step checks every batch (a host read would be frozen).
  return ops::check_values(ids, [layer = name(), input_dim = options_.input_dim, shape = x.shape()](const Tensor& t) {
    const std::vector<std::int64_t> v = ops::cast(t, DType::kInt64).to_vector<std::int64_t>();
    for (std::size_t i = 0; i < v.size(); ++i) {
      FATHOM_CHECK(v[i] >= 0 && v[i] < input_dim, ValueError, "Embedding '", layer, "': input id ", v[i], " at position ",
                   position(static_cast<std::int64_t>(i), shape), " is out of range; ids must be in [0, input_dim=",
                   input_dim, "). Received: inputs of shape ", shape_to_string(shape));
    }
  });
}

Tensor Embedding::call(const Tensor& x, bool /*training*/) {
  check_input_length(x.shape());
  Tensor y = ops::gather(embeddings_, checked_ids(x), 0);  // [..., output_dim]
  if (activity_regularizer_) {
    // Keras 3 divides the activity penalty by the batch size (the output's first dimension).
    add_loss(ops::div((*activity_regularizer_)(y), static_cast<double>(y.shape()[0])));
  }
  return y;
}

Tensor Embedding::compute_mask(const Tensor& x, const Tensor& /*mask*/) const {
  if (!options_.mask_zero) return Tensor();
  return ops::not_equal(x, ops::scalar_like(x, 0.0));
}

Shape Embedding::compute_output_shape(const Shape& s) const {
  check_input_length(s);
  Shape out = s;
  // Keras 2: input_length fills the dimensions the input leaves unknown.
  for (std::size_t i = 0; i < options_.input_length.size(); ++i) {
    if (out[i + 1] < 0) out[i + 1] = options_.input_length[i];
  }
  out.push_back(options_.output_dim);
  return out;
}

Config Embedding::get_config() const {
  Config c = Layer::get_config();
  c.set("input_dim", options_.input_dim).set("output_dim", options_.output_dim);
  c.set("embeddings_initializer", serialize_initializer(*initializer_));
  c.set("embeddings_regularizer", serialize_regularizer(regularizer_.get()));
  c.set("activity_regularizer", serialize_regularizer(activity_regularizer_.get()));
  c.set("embeddings_constraint", serialize_constraint(constraint_.get()));
  c.set("mask_zero", options_.mask_zero).set("quantization_config", Config());
  if (options_.input_length.size() == 1 && options_.input_length[0] >= 0) {
    c.set("input_length", options_.input_length[0]);
  } else if (!options_.input_length.empty()) {
    c.set("input_length", Config(options_.input_length));
  }
  return c;
}

}  // namespace fathom::layers
