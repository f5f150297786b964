// SPDX-License-Identifier: Apache-2.0
// The top-level schema of a run config: which keys exist, their types, ranges and defaults.
#include "configs/run_config.h"

#include <cmath>
#include <filesystem>
#include <random>

#include "callbacks/callback.h"
#include "configs/error_location.h"
#include "losses/metric.h"
#include "losses/loss.h"
#include "optimizers/optimizer.h"

namespace fathom::configs {
namespace {

[[noreturn]] void fail_at(const Config& value, const std::string& message) { throw ConfigError(value.where() + message); }

/// The value of `key` in `section`, or a fresh `fallback` (with the section's location) when
/// absent or null: so that every later error can still point somewhere.
Config value_or(const Config& section, const std::string& key, Config fallback) {
  if (section.has(key) && !section.at(key).is_null()) return section.at(key);
  fallback.set_location(section.location());
  return fallback;
}

/// The value itself when the section has it (keeping its file:line:column), else `fallback`.
Config keep(const Config& section, const std::string& key, const Config& fallback) {
  return value_or(section, key, fallback);
}

/// Runs `check` and locates any error inside `spec` (configs/error_location.h).
template <class F>
void located(const Config& spec, const std::string& what, F check) {
  try {
    check();
  } catch (Error& e) {
    locate_error(e, spec, what);
    throw;
  }
}

std::int64_t int_in(const Config& section, const std::string& path, const std::string& key, std::int64_t fallback,
                    std::int64_t lo, std::int64_t hi) {
  const Config v = value_or(section, key, Config(fallback));
  if (v.kind() != Config::Kind::kInt) {
    fail_at(v, path + "." + key + ": expected an integer, received " + Config::kind_name(v.kind()) +
                   (v.is_string() ? " '" + v.as_string() + "'" : ""));
  }
  if (v.as_int() < lo || v.as_int() > hi) {
    fail_at(v, path + "." + key + ": " + std::to_string(v.as_int()) + " is out of range; expected " +
                   (hi == INT64_MAX ? "an integer >= " + std::to_string(lo)
                                    : "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]"));
  }
  return v.as_int();
}

double number_in(const Config& section, const std::string& path, const std::string& key, double fallback, double lo,
                 double hi_exclusive) {
  const Config v = value_or(section, key, Config(fallback));
  if (!v.is_number()) fail_at(v, path + "." + key + ": expected a number, received " + Config::kind_name(v.kind()));
  const double x = v.as_double();
  if (!(x >= lo && x < hi_exclusive)) {
    fail_at(v, path + "." + key + ": " + v.to_json() + " is out of range; expected a number in [" + Config(lo).to_json() +
                   ", " + Config(hi_exclusive).to_json() + ")");
  }
  return x;
}

bool bool_of(const Config& section, const std::string& path, const std::string& key, bool fallback) {
  const Config v = value_or(section, key, Config(fallback));
  if (v.kind() != Config::Kind::kBool) {
    fail_at(v, path + "." + key + ": expected true or false, received " + Config::kind_name(v.kind()));
  }
  return v.as_bool();
}

const Config& mapping(const Config& root, const std::string& key, bool required, Config& storage) {
  if (!root.has(key) || root.at(key).is_null()) {
    if (required) fail_at(root, "missing required section '" + key + "'");
    storage = Config::map();
    storage.set_location(root.location());
    return storage;
  }
  const Config& v = root.at(key);
  if (!v.is_map()) fail_at(v, "section '" + key + "' must be a mapping, received " + Config::kind_name(v.kind()));
  return v;
}

Config parse_compile(const Config& c) {
  c.reject_unknown_keys({"optimizer", "loss", "metrics", "loss_weights", "run_eagerly"}, "compile");
  Config out = Config::map();
  out.set_location(c.location());
  out.set("optimizer", value_or(c, "optimizer", Config("rmsprop")));
  if (!c.has("loss") || c.at("loss").is_null()) fail_at(c, "compile: missing required key 'loss'");
  out.set("loss", c.at("loss"));
  Config metrics = value_or(c, "metrics", Config::list());
  if (metrics.is_string() || metrics.is_map()) metrics = Config(std::vector<Config>{metrics});
  if (!metrics.is_list()) fail_at(metrics, "compile.metrics: expected a list of metric names or configs");
  out.set("metrics", metrics);
  const Config weights = value_or(c, "loss_weights", Config());
  if (!weights.is_null()) {
    if (!weights.is_list()) fail_at(weights, "compile.loss_weights: expected a list of numbers, one per output");
    for (const Config& w : weights.items()) {
      if (!w.is_number() || w.as_double() < 0) fail_at(w, "compile.loss_weights: expected non-negative numbers");
    }
  }
  out.set("loss_weights", weights);
  out.set("run_eagerly", keep(c, "run_eagerly", Config(bool_of(c, "compile", "run_eagerly", false))));
  // Resolve the names now: an unknown optimizer, loss or metric is a config error, found before
  // training, pointing at the value.
  located(out.at("optimizer"), "compile.optimizer", [&] { optimizers::get_optimizer(out.at("optimizer")); });
  const Config& loss = out.at("loss");
  std::string loss_class;
  for (const Config& l : loss.is_list() ? loss.items() : std::vector<Config>{loss}) {
    located(l, "compile.loss", [&] { loss_class = losses::get_loss(l)->class_name(); });
  }
  for (const Config& m : metrics.items()) {
    located(m, "compile.metrics", [&] { losses::get_metric(m, loss_class, {}); });
  }
  return out;
}

Config parse_fit(const Config& f) {
  f.reject_unknown_keys({"epochs", "batch_size", "validation_split", "shuffle", "steps_per_epoch", "validation_freq",
                         "initial_epoch", "class_weight", "verbose", "seed", "callbacks"},
                        "fit");
  Config out = Config::map();
  out.set_location(f.location());
  const std::int64_t epochs = int_in(f, "fit", "epochs", 1, 0, 1000000);
  out.set("epochs", keep(f, "epochs", Config(epochs)));
  out.set("batch_size", keep(f, "batch_size", Config(int_in(f, "fit", "batch_size", 32, 1, 1 << 30))));
  out.set("validation_split",
          keep(f, "validation_split", Config(number_in(f, "fit", "validation_split", 0.0, 0.0, 1.0))));
  out.set("shuffle", keep(f, "shuffle", Config(bool_of(f, "fit", "shuffle", true))));
  if (f.has("steps_per_epoch") && !f.at("steps_per_epoch").is_null()) int_in(f, "fit", "steps_per_epoch", 1, 1, INT32_MAX);
  out.set("steps_per_epoch", keep(f, "steps_per_epoch", Config()));
  out.set("validation_freq", keep(f, "validation_freq", Config(int_in(f, "fit", "validation_freq", 1, 1, INT32_MAX))));
  out.set("initial_epoch", keep(f, "initial_epoch", Config(int_in(f, "fit", "initial_epoch", 0, 0, std::max<std::int64_t>(epochs, 0)))));
  const Config cw = value_or(f, "class_weight", Config());
  if (!cw.is_null()) {
    if (!cw.is_map()) fail_at(cw, "fit.class_weight: expected a mapping from class index to weight");
    for (const auto& [k, v] : cw.entries()) {
      const bool digits = !k.empty() && k.size() <= 9 && k.find_first_not_of("0123456789") == std::string::npos;
      if (!digits) {
        const std::string at = cw.key_location(k).empty() ? v.where() : cw.key_location(k) + ": ";
        throw ConfigError(at + "fit.class_weight: key '" + k + "' is not a class index (an integer >= 0)");
      }
      if (!v.is_number() || v.as_double() < 0) fail_at(v, "fit.class_weight: weights must be non-negative numbers");
    }
  }
  out.set("class_weight", cw);
  const Config verbose = value_or(f, "verbose", Config("auto"));
  if (!(verbose.is_string() && verbose.as_string() == "auto")) {
    if (verbose.kind() != Config::Kind::kInt || verbose.as_int() < 0 || verbose.as_int() > 2) {
      fail_at(verbose, "fit.verbose: expected auto, 0, 1 or 2, received " + verbose.to_json());
    }
  }
  out.set("verbose", verbose);
  // The seed is drawn when absent and written to config.yaml, so the run can be repeated.
  const Config seed = value_or(f, "seed", Config());
  if (!seed.is_null()) int_in(f, "fit", "seed", 0, 0, INT64_MAX);
  out.set("seed", seed.is_null() ? Config(static_cast<std::int64_t>(std::random_device{}() & 0x7fffffff)) : seed);
  const Config cbs = value_or(f, "callbacks", Config::list());
  if (!cbs.is_list()) fail_at(cbs, "fit.callbacks: expected a list of {class_name, config}");
  for (const Config& cb : cbs.items()) located(cb, "fit.callbacks", [&] { callbacks::get_callback(cb); });
  out.set("callbacks", cbs);
  return out;
}

}  // namespace

RunConfig parse_run_config(const Config& root, const std::string& source) {
  if (!root.is_map()) {
    throw ConfigError(root.where() + "the config must be a mapping with model, compile, data, fit and output");
  }
  root.reject_unknown_keys({"model", "compile", "data", "fit", "output"}, "config");
  RunConfig run;
  run.source = source;
  Config storage;
  run.model = mapping(root, "model", true, storage);
  run.compile = parse_compile(mapping(root, "compile", true, storage));
  run.data = mapping(root, "data", true, storage);
  run.data.reject_unknown_keys({"train", "validation", "test"}, "data");
  if (!run.data.has("train") || run.data.at("train").is_null()) fail_at(run.data, "data: missing required key 'train'");
  run.fit = parse_fit(mapping(root, "fit", false, storage));
  const Config& output = mapping(root, "output", false, storage);
  output.reject_unknown_keys({"dir"}, "output");
  run.output = Config::map();
  run.output.set_location(output.location());
  const std::string stem = std::filesystem::path(source).stem().string();
  const Config dir = value_or(output, "dir", Config("runs/" + (stem.empty() ? std::string("run") : stem)));
  if (!dir.is_string() || dir.as_string().empty()) fail_at(dir, "output.dir: expected a folder path");
  run.output.set("dir", dir);
  if (run.data.has("validation") && !run.data.at("validation").is_null() &&
      run.fit.at("validation_split").as_double() > 0) {
    fail_at(run.fit.at("validation_split"), "fit.validation_split cannot be used together with data.validation");
  }
  return run;
}

Config RunConfig::to_config() const {
  Config c = Config::map();
  c.set("model", model).set("compile", compile).set("data", data).set("fit", fit).set("output", output);
  return c;
}

models::CompileOptions compile_options(const RunConfig& run) {
  models::CompileOptions o;
  o.optimizer = run.compile.at("optimizer");
  o.loss = run.compile.at("loss");
  o.metrics = run.compile.at("metrics");
  if (!run.compile.at("loss_weights").is_null()) {
    for (const Config& w : run.compile.at("loss_weights").items()) o.loss_weights.push_back(w.as_double());
  }
  o.run_eagerly = run.compile.at("run_eagerly").as_bool();
  return o;
}

models::FitOptions fit_options(const RunConfig& run, std::vector<callbacks::CallbackPtr> extra) {
  const Config& f = run.fit;
  models::FitOptions o;
  o.epochs = static_cast<int>(f.at("epochs").as_int());
  o.batch_size = static_cast<int>(f.at("batch_size").as_int());
  o.validation_split = f.at("validation_split").as_double();
  o.shuffle = f.at("shuffle").as_bool();
  o.steps_per_epoch = f.at("steps_per_epoch").is_null() ? 0 : static_cast<int>(f.at("steps_per_epoch").as_int());
  o.validation_freq = static_cast<int>(f.at("validation_freq").as_int());
  o.initial_epoch = static_cast<int>(f.at("initial_epoch").as_int());
  if (f.at("class_weight").is_map()) {
    for (const auto& [k, v] : f.at("class_weight").entries()) o.class_weight[std::stoll(k)] = v.as_double();
  }
  // Keras's "auto": a progress bar (ProgbarLogger draws it only on a terminal, one line per
  // epoch otherwise).
  const Config& verbose = f.at("verbose");
  o.verbose = verbose.is_string() ? 1 : static_cast<int>(verbose.as_int());
  o.seed = static_cast<std::uint64_t>(f.at("seed").as_int());
  for (const Config& cb : f.at("callbacks").items()) o.callbacks.push_back(callbacks::get_callback(cb));
  for (auto& cb : extra) o.callbacks.push_back(std::move(cb));
  return o;
}

}  // namespace fathom::configs
