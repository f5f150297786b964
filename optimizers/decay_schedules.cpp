// SPDX-License-Identifier: Apache-2.0
#include "optimizers/decay_schedules.h"

#include <algorithm>
#include <cmath>

#include "optimizers/internal.h"

namespace fathom::optimizers {
namespace {

void check_common(const std::string& owner, double initial_learning_rate, double decay_steps) {
  FATHOM_CHECK(initial_learning_rate >= 0, ValueError, owner,
               ": argument `initial_learning_rate` must be >= 0. Received: initial_learning_rate=",
               initial_learning_rate);
  FATHOM_CHECK(decay_steps > 0, ValueError, owner,
               ": argument `decay_steps` must be > 0. Received: decay_steps=", decay_steps);
}

/// step / decay_steps, floored when staircase (Exponential and InverseTime share it).
double decay_fraction(std::int64_t step, double decay_steps, bool staircase) {
  const double p = static_cast<double>(step) / decay_steps;
  return staircase ? std::floor(p) : p;
}

Config numbers(const std::vector<double>& values, bool as_counts) {
  Config list = Config::list();
  for (double v : values) list.push_back(as_counts ? detail::count_config(v) : Config(v));
  return list;
}

std::vector<double> read_numbers(const Config& c, const std::string& key) {
  const Config& list = c.at(key);
  FATHOM_CHECK(list.is_list(), ConfigError, list.where(), "PiecewiseConstantDecay: `", key,
               "` must be a list of numbers, received ", list.to_json());
  std::vector<double> out;
  for (const Config& v : list.items()) out.push_back(v.as_double());
  return out;
}

}  // namespace

// ~~~ ExponentialDecay ~~~

ExponentialDecay::ExponentialDecay(Options options) : options_(std::move(options)) {
  check_common("ExponentialDecay", options_.initial_learning_rate, options_.decay_steps);
}

double ExponentialDecay::operator()(std::int64_t step) const {
  const double p = decay_fraction(step, options_.decay_steps, options_.staircase);
  return options_.initial_learning_rate * std::pow(options_.decay_rate, p);
}

Config ExponentialDecay::get_config() const {
  Config c = Config::map();
  c.set("initial_learning_rate", options_.initial_learning_rate);
  c.set("decay_steps", detail::count_config(options_.decay_steps));
  c.set("decay_rate", options_.decay_rate);
  c.set("staircase", options_.staircase);
  c.set("name", options_.name);
  return c;
}

std::shared_ptr<LearningRateSchedule> ExponentialDecay::from_config(const Config& c) {
  c.reject_unknown_keys({"initial_learning_rate", "decay_steps", "decay_rate", "staircase", "name"},
                        "ExponentialDecay");
  Options o;
  o.initial_learning_rate = c.get<double>("initial_learning_rate");
  o.decay_steps = c.get<double>("decay_steps");
  o.decay_rate = c.get<double>("decay_rate");
  o.staircase = c.get_or<bool>("staircase", o.staircase);
  o.name = c.get_or<std::string>("name", o.name);
  return detail::construct_from_config(c, [&] { return std::make_shared<ExponentialDecay>(o); });
}

// ~~~ PiecewiseConstantDecay ~~~

PiecewiseConstantDecay::PiecewiseConstantDecay(Options options) : options_(std::move(options)) {
  const auto& b = options_.boundaries;
  FATHOM_CHECK(
      b.size() + 1 == options_.values.size(), ValueError,
      "PiecewiseConstantDecay: the length of boundaries should be 1 less than the length of "
      "values. Received: ",
      b.size(), " boundaries and ", options_.values.size(), " values");
  FATHOM_CHECK(std::is_sorted(b.begin(), b.end()), ValueError,
               "PiecewiseConstantDecay: boundaries must be in increasing order");
}

double PiecewiseConstantDecay::operator()(std::int64_t step) const {
  // Keras casts the boundaries to the step's integer dtype (truncation) before comparing.
  const auto& b = options_.boundaries;
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (step <= static_cast<std::int64_t>(b[i])) return options_.values[i];
  }
  return options_.values.back();
}

Config PiecewiseConstantDecay::get_config() const {
  Config c = Config::map();
  c.set("boundaries", numbers(options_.boundaries, true));
  c.set("values", numbers(options_.values, false));
  c.set("name", options_.name);
  return c;
}

std::shared_ptr<LearningRateSchedule> PiecewiseConstantDecay::from_config(const Config& c) {
  c.reject_unknown_keys({"boundaries", "values", "name"}, "PiecewiseConstantDecay");
  Options o;
  o.boundaries = read_numbers(c, "boundaries");
  o.values = read_numbers(c, "values");
  o.name = c.get_or<std::string>("name", o.name);
  return detail::construct_from_config(c,
                                       [&] { return std::make_shared<PiecewiseConstantDecay>(o); });
}

// ~~~ InverseTimeDecay ~~~

InverseTimeDecay::InverseTimeDecay(Options options) : options_(std::move(options)) {
  check_common("InverseTimeDecay", options_.initial_learning_rate, options_.decay_steps);
}

double InverseTimeDecay::operator()(std::int64_t step) const {
  const double p = decay_fraction(step, options_.decay_steps, options_.staircase);
  return options_.initial_learning_rate / (1.0 + options_.decay_rate * p);
}

Config InverseTimeDecay::get_config() const {
  Config c = Config::map();
  c.set("initial_learning_rate", options_.initial_learning_rate);
  c.set("decay_steps", detail::count_config(options_.decay_steps));
  c.set("decay_rate", options_.decay_rate);
  c.set("staircase", options_.staircase);
  c.set("name", options_.name);
  return c;
}

std::shared_ptr<LearningRateSchedule> InverseTimeDecay::from_config(const Config& c) {
  c.reject_unknown_keys({"initial_learning_rate", "decay_steps", "decay_rate", "staircase", "name"},
                        "InverseTimeDecay");
  Options o;
  o.initial_learning_rate = c.get<double>("initial_learning_rate");
  o.decay_steps = c.get<double>("decay_steps");
  o.decay_rate = c.get<double>("decay_rate");
  o.staircase = c.get_or<bool>("staircase", o.staircase);
  o.name = c.get_or<std::string>("name", o.name);
  return detail::construct_from_config(c, [&] { return std::make_shared<InverseTimeDecay>(o); });
}

// ~~~ PolynomialDecay ~~~

PolynomialDecay::PolynomialDecay(Options options) : options_(std::move(options)) {
  check_common("PolynomialDecay", options_.initial_learning_rate, options_.decay_steps);
}

double PolynomialDecay::operator()(std::int64_t step) const {
  double s = static_cast<double>(step);
  double decay_steps = options_.decay_steps;
  if (options_.cycle) {
    decay_steps *= s == 0 ? 1.0 : std::ceil(s / options_.decay_steps);
  } else {
    s = std::min(s, decay_steps);
  }
  const double p = s / decay_steps;
  const double end = options_.end_learning_rate;
  return (options_.initial_learning_rate - end) * std::pow(1.0 - p, options_.power) + end;
}

Config PolynomialDecay::get_config() const {
  Config c = Config::map();
  c.set("initial_learning_rate", options_.initial_learning_rate);
  c.set("decay_steps", detail::count_config(options_.decay_steps));
  c.set("end_learning_rate", options_.end_learning_rate);
  c.set("power", options_.power);
  c.set("cycle", options_.cycle);
  c.set("name", options_.name);
  return c;
}

std::shared_ptr<LearningRateSchedule> PolynomialDecay::from_config(const Config& c) {
  c.reject_unknown_keys(
      {"initial_learning_rate", "decay_steps", "end_learning_rate", "power", "cycle", "name"},
      "PolynomialDecay");
  Options o;
  o.initial_learning_rate = c.get<double>("initial_learning_rate");
  o.decay_steps = c.get<double>("decay_steps");
  o.end_learning_rate = c.get_or<double>("end_learning_rate", o.end_learning_rate);
  o.power = c.get_or<double>("power", o.power);
  o.cycle = c.get_or<bool>("cycle", o.cycle);
  o.name = c.get_or<std::string>("name", o.name);
  return detail::construct_from_config(c, [&] { return std::make_shared<PolynomialDecay>(o); });
}

}  // namespace fathom::optimizers
