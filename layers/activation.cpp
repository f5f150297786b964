// SPDX-License-Identifier: Apache-2.0
#include "layers/activation.h"

#include "core/ops.h"
#include "layers/layer_config.h"
#include "layers/random_state.h"

namespace fathom::layers {

Activation::Activation(std::string activation, std::string name)
    : Layer(std::move(name), "activation"), activation_name_(std::move(activation)), fn_(activation_fn(activation_name_)) {}

std::unique_ptr<Layer> Activation::from_config(const Config& c) {
  const BaseLayerArgs base = parse_base_args(c, {"activation"}, "Activation");
  auto layer = std::make_unique<Activation>(c.get<std::string>("activation"), base.name);
  apply_base_args(*layer, base);
  return layer;
}

Tensor Activation::call(const Tensor& x, bool /*training*/) { return fn_(x); }

Config Activation::get_config() const {
  Config c = Layer::get_config();
  c.set("activation", activation_name_);
  return c;
}

Dropout::Dropout(Options options, std::string name)
    : Layer(std::move(name), "dropout"), options_(std::move(options)) {
  FATHOM_CHECK(options_.rate >= 0 && options_.rate < 1, ValueError, "Dropout '", this->name(),
               "': rate must be in [0, 1). Received: rate=", options_.rate);
  // A layer without a seed takes one from the global generator, so set_global_seed repeats it.
  stream_ = random::Generator(options_.seed ? *options_.seed : random::global_generator().next_key());
}

std::unique_ptr<Layer> Dropout::from_config(const Config& c) {
  const BaseLayerArgs base = parse_base_args(c, {"rate", "noise_shape", "seed"}, "Dropout");
  Options o;
  o.rate = c.get<double>("rate");
  if (c.has("noise_shape") && !c.at("noise_shape").is_null()) o.noise_shape = c.get<Shape>("noise_shape");
  if (c.has("seed") && !c.at("seed").is_null()) o.seed = static_cast<std::uint64_t>(c.get<std::int64_t>("seed"));
  auto layer = std::make_unique<Dropout>(std::move(o), base.name);
  apply_base_args(*layer, base);
  return layer;
}

Tensor Dropout::call(const Tensor& x, bool training) {
  if (!training || options_.rate == 0) return x;
  Shape mask_shape = x.shape();
  if (!options_.noise_shape.empty()) {
    if (options_.noise_shape.size() != mask_shape.size()) {
      fail("noise_shape " + shape_to_string(options_.noise_shape) + " does not match the input rank " +
           std::to_string(mask_shape.size()));
    }
    for (std::size_t d = 0; d < mask_shape.size(); ++d) {
      if (options_.noise_shape[d] >= 0) mask_shape[d] = options_.noise_shape[d];
    }
  }
  const Tensor u = random::uniform(mask_shape, 0, 1, x.dtype(), stream_);
  const Tensor keep = ops::cast(ops::greater_equal(u, ops::scalar_like(u, options_.rate)), x.dtype());
  return ops::mul(x, ops::mul(keep, 1.0 / (1.0 - options_.rate)));
}

Config Dropout::random_state() const { return stream_state_config(stream_.state().seed, stream_.state().draws); }

void Dropout::set_random_state(const Config& state) {
  const random::GeneratorState g = stream_state_from(state, "Dropout '" + name() + "'");
  stream_.set_state(g);
}

Config Dropout::get_config() const {
  Config c = Layer::get_config();
  c.set("rate", options_.rate);
  c.set("noise_shape", options_.noise_shape.empty() ? Config() : Config(options_.noise_shape));
  c.set("seed", options_.seed ? Config(static_cast<std::int64_t>(*options_.seed)) : Config());
  return c;
}

}  // namespace fathom::layers
