// SPDX-License-Identifier: Apache-2.0
#include "optimizers/cosine_decay.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "optimizers/internal.h"

namespace fathom::optimizers {

// ~~~ CosineDecay ~~~

CosineDecay::CosineDecay(Options options) : options_(std::move(options)) {
  FATHOM_CHECK(options_.initial_learning_rate >= 0, ValueError,
               "CosineDecay: argument `initial_learning_rate` must be >= 0. Received: "
               "initial_learning_rate=",
               options_.initial_learning_rate);
  FATHOM_CHECK(options_.decay_steps > 0, ValueError,
               "CosineDecay: argument `decay_steps` must be > 0. Received: decay_steps=",
               options_.decay_steps);
  FATHOM_CHECK(options_.warmup_steps >= 0, ValueError,
               "CosineDecay: argument `warmup_steps` must be >= 0. Received: warmup_steps=",
               options_.warmup_steps);
}

double CosineDecay::operator()(std::int64_t step) const {
  const auto& o = options_;
  auto decay = [&](double s, double from) {
    const double cosine = 0.5 * (1.0 + std::cos(std::numbers::pi * s / o.decay_steps));
    return from * ((1.0 - o.alpha) * cosine + o.alpha);
  };
  double s = static_cast<double>(step);
  if (!o.warmup_target) return decay(std::min(s, o.decay_steps), o.initial_learning_rate);
  s = std::min(s, o.decay_steps + o.warmup_steps);
  if (s < o.warmup_steps) {
    return (*o.warmup_target - o.initial_learning_rate) * (s / o.warmup_steps) +
           o.initial_learning_rate;
  }
  return decay(s - o.warmup_steps, *o.warmup_target);
}

Config CosineDecay::get_config() const {
  Config c = Config::map();
  c.set("initial_learning_rate", options_.initial_learning_rate);
  c.set("decay_steps", detail::count_config(options_.decay_steps));
  c.set("alpha", options_.alpha);
  c.set("name", options_.name);
  c.set("warmup_target", options_.warmup_target ? Config(*options_.warmup_target) : Config());
  c.set("warmup_steps", detail::count_config(options_.warmup_steps));
  return c;
}

std::shared_ptr<LearningRateSchedule> CosineDecay::from_config(const Config& c) {
  c.reject_unknown_keys(
      {"initial_learning_rate", "decay_steps", "alpha", "name", "warmup_target", "warmup_steps"},
      "CosineDecay");
  Options o;
  o.initial_learning_rate = c.get<double>("initial_learning_rate");
  o.decay_steps = c.get<double>("decay_steps");
  o.alpha = c.get_or<double>("alpha", o.alpha);
  o.name = c.get_or<std::string>("name", o.name);
  if (c.has("warmup_target") && !c.at("warmup_target").is_null()) {
    o.warmup_target = c.get<double>("warmup_target");
  }
  o.warmup_steps = c.get_or<double>("warmup_steps", o.warmup_steps);
  return detail::construct_from_config(c, [&] { return std::make_shared<CosineDecay>(o); });
}

// ~~~ CosineDecayRestarts ~~~

CosineDecayRestarts::CosineDecayRestarts(Options options) : options_(std::move(options)) {
  FATHOM_CHECK(options_.initial_learning_rate >= 0, ValueError,
               "CosineDecayRestarts: argument `initial_learning_rate` must be >= 0. Received: "
               "initial_learning_rate=",
               options_.initial_learning_rate);
  FATHOM_CHECK(options_.first_decay_steps > 0, ValueError,
               "CosineDecayRestarts: argument `first_decay_steps` must be > 0. Received: "
               "first_decay_steps=",
               options_.first_decay_steps);
  FATHOM_CHECK(
      options_.t_mul > 0, ValueError,
      "CosineDecayRestarts: argument `t_mul` must be > 0. Received: t_mul=", options_.t_mul);
}

double CosineDecayRestarts::operator()(std::int64_t step) const {
  const auto& o = options_;
  double fraction = static_cast<double>(step) / o.first_decay_steps;
  double i_restart = 0.0;
  if (o.t_mul == 1.0) {
    i_restart = std::floor(fraction);
    fraction -= i_restart;
  } else {
    // Period i lasts t_mul^i first periods; sum_r is the length of the periods before it.
    i_restart = std::floor(std::log(1.0 - fraction * (1.0 - o.t_mul)) / std::log(o.t_mul));
    const double sum_r = (1.0 - std::pow(o.t_mul, i_restart)) / (1.0 - o.t_mul);
    fraction = (fraction - sum_r) / std::pow(o.t_mul, i_restart);
  }
  const double m_fac = std::pow(o.m_mul, i_restart);
  const double cosine = 0.5 * m_fac * (1.0 + std::cos(std::numbers::pi * fraction));
  return o.initial_learning_rate * ((1.0 - o.alpha) * cosine + o.alpha);
}

Config CosineDecayRestarts::get_config() const {
  Config c = Config::map();
  c.set("initial_learning_rate", options_.initial_learning_rate);
  c.set("first_decay_steps", detail::count_config(options_.first_decay_steps));
  c.set("t_mul", options_.t_mul);
  c.set("m_mul", options_.m_mul);
  c.set("alpha", options_.alpha);
  c.set("name", options_.name);
  return c;
}

std::shared_ptr<LearningRateSchedule> CosineDecayRestarts::from_config(const Config& c) {
  c.reject_unknown_keys(
      {"initial_learning_rate", "first_decay_steps", "t_mul", "m_mul", "alpha", "name"},
      "CosineDecayRestarts");
  Options o;
  o.initial_learning_rate = c.get<double>("initial_learning_rate");
  o.first_decay_steps = c.get<double>("first_decay_steps");
  o.t_mul = c.get_or<double>("t_mul", o.t_mul);
  o.m_mul = c.get_or<double>("m_mul", o.m_mul);
  o.alpha = c.get_or<double>("alpha", o.alpha);
  o.name = c.get_or<std::string>("name", o.name);
  return detail::construct_from_config(c, [&] { return std::make_shared<CosineDecayRestarts>(o); });
}

}  // namespace fathom::optimizers
