// SPDX-License-Identifier: Apache-2.0
// Noise layers (keras/src/layers/regularization): SpatialDropout1D/2D, GaussianNoise,
// GaussianDropout. All are active only in training, identity in inference, and pass the input
// mask on. Random numbers come from a per-layer Philox stream, as Dropout's: seeded by `seed`, or
// without one by a key drawn from the global generator at construction (random::set_global_seed
// repeats it); each training call takes the stream's next draw.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/random.h"
#include "layers/layer.h"

namespace fathom::layers {

/// SpatialDropout1D / SpatialDropout2D: Dropout that drops whole channels. The keep mask has
/// shape [B, 1, C] (input [B, steps, C]) or [B, 1, 1, C] (input [B, H, W, C]); kept channels are
/// scaled by 1 / (1 - rate). Config: rate in [0, 1), seed (null), data_format (2D only,
/// channels_last only). As Keras 3, get_config has no "trainable" (Keras's constructor takes
/// none); Keras 2's noise_shape key is accepted and ignored, as Keras 2 ignored it.
class SpatialDropout final : public Layer {
 public:
  struct Options {
    double rate = 0.0;
    std::optional<std::uint64_t> seed;
  };
  SpatialDropout(int spatial_rank, Options options, std::string name = "");
  static std::unique_ptr<Layer> from_config(int spatial_rank, const Config& config);
  std::string class_name() const override { return "SpatialDropout" + std::to_string(rank_) + "D"; }
  bool supports_masking() const override { return true; }
  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  Config get_config() const override;
  Config random_state() const override;
  void set_random_state(const Config& state) override;

 private:
  int rank_;
  Options options_;
  random::Generator generator_;
};

/// Adds N(0, stddev^2) noise in training. Config: stddev (>= 0), seed (null).
/// (Keras 3.15 also rejects stddev > 1; Fathom accepts it, so Keras 2 models with larger noise load.)
class GaussianNoise final : public Layer {
 public:
  struct Options {
    double stddev = 0.0;
    std::optional<std::uint64_t> seed;
  };
  explicit GaussianNoise(Options options, std::string name = "");
  static std::unique_ptr<Layer> from_config(const Config& config);
  std::string class_name() const override { return "GaussianNoise"; }
  bool supports_masking() const override { return true; }
  Tensor call(const Tensor& x, bool training) override;
  Config get_config() const override;
  Config random_state() const override;
  void set_random_state(const Config& state) override;

 private:
  Options options_;
  random::Generator generator_;
};

/// Multiplies by N(1, rate / (1 - rate)) noise in training. Config: rate in [0, 1), seed (null).
class GaussianDropout final : public Layer {
 public:
  struct Options {
    double rate = 0.0;
    std::optional<std::uint64_t> seed;
  };
  explicit GaussianDropout(Options options, std::string name = "");
  static std::unique_ptr<Layer> from_config(const Config& config);
  std::string class_name() const override { return "GaussianDropout"; }
  bool supports_masking() const override { return true; }
  Tensor call(const Tensor& x, bool training) override;
  Config get_config() const override;
  Config random_state() const override;
  void set_random_state(const Config& state) override;

 private:
  Options options_;
  random::Generator generator_;
};

}  // namespace fathom::layers
