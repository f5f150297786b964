// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/config.h"
#include "core/tensor.h"
#include "core/variable.h"
#include "optimizers/schedules.h"

namespace fathom::optimizers {

/// Options every Keras 3 optimizer takes (keras.optimizers.Optimizer's constructor arguments).
struct BaseOptions {
  std::shared_ptr<LearningRateSchedule> learning_rate;  // a constant or a schedule
  std::optional<double> weight_decay;
  std::optional<double> clipnorm;
  std::optional<double> clipvalue;
  std::optional<double> global_clipnorm;
  bool use_ema = false;  // not supported yet: a ConfigError if true
  std::string name;
};

/// Base of every optimizer, with Keras 3 semantics: apply(grads, vars) clips (clipvalue,
/// clipnorm per variable, global_clipnorm), applies decoupled weight decay (var -= lr * wd *
/// var, for variables not excluded), then update_step() per variable, then increments
/// `iterations`. The learning rate for a step is schedule(iterations) before the increment.
/// Slot variables are created on first apply, named "<optimizer>/<var path with / -> _>_<slot>"
/// and listed by variables() in a stable order (checkpoints rely on it).
class Optimizer {
 public:
  explicit Optimizer(BaseOptions options, std::string default_name);
  virtual ~Optimizer() = default;

  virtual std::string class_name() const = 0;
  const std::string& name() const { return options_.name; }

  /// One step. grads[i] is the gradient of vars[i]; an undefined gradient skips that variable.
  void apply(const TensorList& grads, const std::vector<Variable>& vars);

  std::int64_t iterations() const;
  /// The learning rate the next step will use.
  double learning_rate() const;
  /// Replaces the learning rate with a constant (ReduceLROnPlateau, LearningRateScheduler).
  void set_learning_rate(double lr);
  const LearningRateSchedule& schedule() const { return *options_.learning_rate; }

  /// iterations first, then slots in creation order.
  std::vector<Variable> variables() const;
  /// A slot by variable and slot name ("m", "v", "momentum", ...); ValueError if absent.
  Variable slot(const Variable& var, const std::string& slot_name) const;

  virtual Config get_config() const;

 protected:
  /// Called once per variable, before its first update: create the slots with add_slot.
  virtual void build_slots(const Variable& var) { (void)var; }
  /// var -= ...: the algorithm itself, for one variable. `lr` is this step's learning rate.
  virtual void update_step(const Tensor& grad, Variable& var, double lr) = 0;

  Variable add_slot(const Variable& var, const std::string& slot_name, double initial_value = 0.0);
  Variable& slot_ref(const Variable& var, const std::string& slot_name);
  /// Step count as the update sees it (iterations + 1), for bias corrections.
  double local_step() const;

  const BaseOptions& base_options() const { return options_; }
  /// The base config (name, learning_rate, weight_decay, clip*, use_ema, ...) for get_config.
  Config base_config() const;

 private:
  struct Slots;
  BaseOptions options_;
  Variable iterations_;
  std::vector<std::pair<std::uint64_t, std::shared_ptr<Slots>>> slots_;  // by variable value id
  std::vector<Variable> slot_order_;
};

/// An optimizer from a Keras name ("adam") or {class_name, config}; ConfigError with a
/// did-you-mean for unknown names or keys.
std::unique_ptr<Optimizer> get_optimizer(const Config& name_or_config);
std::vector<std::string> registered_optimizers();
/// Parses the keys every optimizer shares (learning_rate may be a number or a schedule config).
BaseOptions parse_base_options(const Config& config, double default_learning_rate, const std::string& owner);

}  // namespace fathom::optimizers
