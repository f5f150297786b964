// SPDX-License-Identifier: Apache-2.0
#include "layers/noise.h"

#include <cmath>

#include "core/ops.h"
#include "layers/layer_config.h"
#include "layers/padding_cropping.h"
#include "layers/random_state.h"

namespace fathom::layers {
namespace {

std::optional<std::uint64_t> parse_seed(const Config& c) {
  if (!c.has("seed") || c.at("seed").is_null()) return std::nullopt;
  return static_cast<std::uint64_t>(c.get<std::int64_t>("seed"));
}

Config seed_config(const std::optional<std::uint64_t>& seed) {
  return seed ? Config(static_cast<std::int64_t>(*seed)) : Config();
}

/// A layer's stream: its own seed, or (without one) a key from the global generator.
random::Generator make_stream(const std::optional<std::uint64_t>& seed) {
  return random::Generator(seed ? *seed : random::global_generator().next_key());
}

void check_rate(const Layer& layer, double rate) {
  FATHOM_CHECK(rate >= 0 && rate < 1, ValueError, layer.class_name(), " '", layer.name(),
               "': rate must be in [0, 1). Received: rate=", rate);
}

}  // namespace

SpatialDropout::SpatialDropout(int spatial_rank, Options options, std::string name)
    : Layer(std::move(name), "spatial_dropout" + std::to_string(spatial_rank) + "d"),
      rank_(spatial_rank),
      options_(options),
      generator_(make_stream(options.seed)) {
  FATHOM_CHECK(rank_ == 1 || rank_ == 2, ValueError, "SpatialDropout '", this->name(),
               "': only 1 or 2 spatial axes are supported, received ", rank_);
  check_rate(*this, options_.rate);
}

std::unique_ptr<Layer> SpatialDropout::from_config(int spatial_rank, const Config& c) {
  const std::string owner = "SpatialDropout" + std::to_string(spatial_rank) + "D";
  std::vector<std::string> keys = {"rate", "seed", "noise_shape"};
  if (spatial_rank == 2) keys.emplace_back("data_format");
  const BaseLayerArgs base = parse_base_args(c, keys, owner);
  spatial_detail::check_channels_last(c, owner);
  Options o;
  o.rate = c.get<double>("rate");
  o.seed = parse_seed(c);
  auto layer = std::make_unique<SpatialDropout>(spatial_rank, o, base.name);
  apply_base_args(*layer, base);
  return layer;
}

void SpatialDropout::build(const Shape& s) { spatial_detail::check_rank(*this, s, static_cast<std::size_t>(rank_)); }

Tensor SpatialDropout::call(const Tensor& x, bool training) {
  if (!training || options_.rate == 0) return x;
  spatial_detail::check_rank(*this, x.shape(), static_cast<std::size_t>(rank_));
  Shape noise_shape(x.shape().size(), 1);  // [B, 1, C] or [B, 1, 1, C]: one draw per (sample, channel)
  noise_shape.front() = x.shape().front();
  noise_shape.back() = x.shape().back();
  const Tensor u = random::uniform(noise_shape, 0, 1, x.dtype(), generator_);
  const Tensor keep = ops::cast(ops::greater_equal(u, ops::scalar_like(u, options_.rate)), x.dtype());
  return ops::mul(x, ops::mul(keep, 1.0 / (1.0 - options_.rate)));
}

Config SpatialDropout::get_config() const {
  Config c = Config::map();  // Keras 3's keys and order: rate, seed, name, dtype (no trainable)
  c.set("rate", options_.rate).set("seed", seed_config(options_.seed));
  c.set("name", name()).set("dtype", "float32");
  if (rank_ == 2) c.set("data_format", "channels_last");
  return c;
}

GaussianNoise::GaussianNoise(Options options, std::string name)
    : Layer(std::move(name), "gaussian_noise"), options_(options), generator_(make_stream(options.seed)) {
  FATHOM_CHECK(options_.stddev >= 0 && std::isfinite(options_.stddev), ValueError, "GaussianNoise '", this->name(),
               "': stddev must be a non-negative number. Received: stddev=", options_.stddev);
}

std::unique_ptr<Layer> GaussianNoise::from_config(const Config& c) {
  const BaseLayerArgs base = parse_base_args(c, {"stddev", "seed"}, "GaussianNoise");
  Options o;
  o.stddev = c.get<double>("stddev");
  o.seed = parse_seed(c);
  auto layer = std::make_unique<GaussianNoise>(o, base.name);
  apply_base_args(*layer, base);
  return layer;
}

Tensor GaussianNoise::call(const Tensor& x, bool training) {
  if (!training || options_.stddev == 0) return x;
  return ops::add(x, random::normal(x.shape(), 0.0, options_.stddev, x.dtype(), generator_));
}

Config GaussianNoise::get_config() const {
  Config c = Layer::get_config();
  c.set("stddev", options_.stddev).set("seed", seed_config(options_.seed));
  return c;
}

GaussianDropout::GaussianDropout(Options options, std::string name)
    : Layer(std::move(name), "gaussian_dropout"), options_(options), generator_(make_stream(options.seed)) {
  check_rate(*this, options_.rate);
}

std::unique_ptr<Layer> GaussianDropout::from_config(const Config& c) {
  const BaseLayerArgs base = parse_base_args(c, {"rate", "seed"}, "GaussianDropout");
  Options o;
  o.rate = c.get<double>("rate");
  o.seed = parse_seed(c);
  auto layer = std::make_unique<GaussianDropout>(o, base.name);
  apply_base_args(*layer, base);
  return layer;
}

Tensor GaussianDropout::call(const Tensor& x, bool training) {
  if (!training || options_.rate == 0) return x;
  const double stddev = std::sqrt(options_.rate / (1.0 - options_.rate));
  return ops::mul(x, random::normal(x.shape(), 1.0, stddev, x.dtype(), generator_));
}

Config GaussianDropout::get_config() const {
  Config c = Layer::get_config();
  c.set("rate", options_.rate).set("seed", seed_config(options_.seed));
  return c;
}

Config SpatialDropout::random_state() const { return stream_state_config(generator_.state().seed, generator_.state().draws); }

void SpatialDropout::set_random_state(const Config& state) {
  generator_.set_state(stream_state_from(state, class_name() + " '" + name() + "'"));
}

Config GaussianNoise::random_state() const { return stream_state_config(generator_.state().seed, generator_.state().draws); }

void GaussianNoise::set_random_state(const Config& state) {
  generator_.set_state(stream_state_from(state, class_name() + " '" + name() + "'"));
}

Config GaussianDropout::random_state() const { return stream_state_config(generator_.state().seed, generator_.state().draws); }

void GaussianDropout::set_random_state(const Config& state) {
  generator_.set_state(stream_state_from(state, class_name() + " '" + name() + "'"));
}

}  // namespace fathom::layers
