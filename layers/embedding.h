// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "layers/layer.h"

namespace fathom::layers {

/// Looks up integer ids in a trainable table: output[..., :] = embeddings[id].
/// Input: ids of any shape, int32/int64, or a float tensor that Keras casts to int32 (truncating
/// toward zero). An id outside [0, input_dim) is a ValueError naming the id and its position.
/// Output [..., output_dim]. Weight: embeddings [input_dim, output_dim]; its gradient is the
/// output gradient scatter-added by id (ops::gather's adjoint).
/// Config: input_dim (> 0), output_dim (> 0), embeddings_initializer ("uniform": RandomUniform
/// in [-0.05, 0.05]), embeddings_regularizer, activity_regularizer, embeddings_constraint (null),
/// mask_zero (false: with true, id 0 is padding and compute_mask gives ids != 0). Accepted for
/// Keras files: Keras 2's input_length (int or list, null entries free; checked against the
/// input's dims after the batch), Keras 3's sparse (false only), lora_rank / lora_alpha /
/// quantization_config (null only).
class Embedding final : public Layer {
 public:
  struct Options {
    std::int64_t input_dim = 0;
    std::int64_t output_dim = 0;
    Config embeddings_initializer = "uniform";
    Config embeddings_regularizer = {};
    Config activity_regularizer = {};
    Config embeddings_constraint = {};
    bool mask_zero = false;
    Shape input_length;  // empty: not given
  };
  explicit Embedding(Options options, std::string name = "");
  static std::unique_ptr<Layer> from_config(const Config& config);
  std::string class_name() const override { return "Embedding"; }
  bool fixes_input_features() const override { return false; }  // ids of any sequence length

  bool supports_masking() const override { return options_.mask_zero; }
  Tensor compute_mask(const Tensor& x, const Tensor& mask) const override;

  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) const override;
  Config get_config() const override;

 private:
  /// The ids as int32/int64 (float inputs cast as Keras does), checked against [0, input_dim).
  Tensor checked_ids(const Tensor& x) const;
  void check_input_length(const Shape& s) const;

  Options options_;
  std::shared_ptr<Initializer> initializer_;
  std::shared_ptr<Regularizer> regularizer_, activity_regularizer_;
  std::shared_ptr<Constraint> constraint_;
  Variable embeddings_;
};

}  // namespace fathom::layers
