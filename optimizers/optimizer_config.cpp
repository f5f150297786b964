// SPDX-License-Identifier: Apache-2.0
// The optimizer configs: get_config's base keys and parsing them back (Keras's constructor
// arguments), with the options Fathom refuses.
#include <optional>
#include <string>
#include <vector>

#include "optimizers/internal.h"
#include "optimizers/optimizer.h"

namespace fathom::optimizers {
namespace {

Config optional_config(const std::optional<double>& v) { return v ? Config(*v) : Config(); }
Config optional_config(const std::optional<std::int64_t>& v) { return v ? Config(*v) : Config(); }

}  // namespace

namespace detail {

void check_supported(const BaseOptions& o, const std::string& where, const std::string& who) {
  FATHOM_CHECK(!o.use_ema, ConfigError, where, who,
               ": use_ema=true (moving average of the weights) is not supported yet");
  FATHOM_CHECK(!o.loss_scale_factor, ConfigError, where, who,
               ": loss_scale_factor is not supported yet. ",
               "Received: loss_scale_factor=", *o.loss_scale_factor);
  FATHOM_CHECK(
      !o.gradient_accumulation_steps, ConfigError, where, who,
      ": gradient accumulation is not supported yet. Received: gradient_accumulation_steps=",
      *o.gradient_accumulation_steps);
}

}  // namespace detail

Config Optimizer::base_config() const {
  const auto& o = options_;
  Config c = Config::map();
  c.set("name", o.name);
  c.set("learning_rate", serialize_schedule(*o.learning_rate));
  c.set("weight_decay", optional_config(o.weight_decay));
  c.set("clipnorm", optional_config(o.clipnorm));
  c.set("global_clipnorm", optional_config(o.global_clipnorm));
  c.set("clipvalue", optional_config(o.clipvalue));
  c.set("use_ema", o.use_ema);
  c.set("ema_momentum", o.ema_momentum);
  c.set("ema_overwrite_frequency", optional_config(o.ema_overwrite_frequency));
  c.set("loss_scale_factor", optional_config(o.loss_scale_factor));
  c.set("gradient_accumulation_steps", optional_config(o.gradient_accumulation_steps));
  return c;
}

Config Optimizer::get_config() const { return base_config(); }

std::vector<std::string> optimizer_config_keys(const std::vector<std::string>& own_keys) {
  std::vector<std::string> keys = {"name",
                                   "learning_rate",
                                   "weight_decay",
                                   "clipnorm",
                                   "global_clipnorm",
                                   "clipvalue",
                                   "use_ema",
                                   "ema_momentum",
                                   "ema_overwrite_frequency",
                                   "loss_scale_factor",
                                   "gradient_accumulation_steps",
                                   "decay"};
  keys.insert(keys.end(), own_keys.begin(), own_keys.end());
  return keys;
}

BaseOptions parse_base_options(const Config& config, double default_learning_rate,
                               const std::string& owner) {
  auto number = [&](const char* key) -> std::optional<double> {
    if (!config.has(key) || config.at(key).is_null()) return std::nullopt;
    return config.get<double>(key);
  };
  auto count = [&](const char* key) -> std::optional<std::int64_t> {
    if (!config.has(key) || config.at(key).is_null()) return std::nullopt;
    return config.get<std::int64_t>(key);
  };
  BaseOptions o;
  o.name = config.get_or<std::string>("name", "");
  o.learning_rate = config.has("learning_rate") && !config.at("learning_rate").is_null()
                        ? get_schedule(config.at("learning_rate"))
                        : constant_learning_rate(default_learning_rate);
  o.weight_decay = number("weight_decay");
  o.clipnorm = number("clipnorm");
  o.clipvalue = number("clipvalue");
  o.global_clipnorm = number("global_clipnorm");
  o.use_ema = config.get_or<bool>("use_ema", false);
  o.ema_momentum = config.get_or<double>("ema_momentum", o.ema_momentum);
  o.ema_overwrite_frequency = count("ema_overwrite_frequency");
  o.loss_scale_factor = number("loss_scale_factor");
  o.gradient_accumulation_steps = count("gradient_accumulation_steps");
  detail::check_supported(o, config.where(), owner);
  // Keras 2 files carry `decay` (time-based decay); Keras 3 ignores it. 0 is harmless, anything
  // else would silently change training, so it is refused.
  const std::optional<double> decay = number("decay");
  FATHOM_CHECK(
      !decay || *decay == 0.0, ConfigError, config.where(), owner,
      ": `decay` (Keras 2 time-based decay) is not supported; use a learning rate schedule "
      "such as InverseTimeDecay. Received: decay=",
      *decay);
  return o;
}

}  // namespace fathom::optimizers
