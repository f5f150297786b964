// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/config.h"
#include "core/tensor.h"
#include "core/variable.h"
#include "optimizers/schedules.h"

namespace fathom::optimizers {

/// Options every Keras 3 optimizer takes (keras.optimizers.Optimizer's constructor arguments).
/// A null learning_rate means the optimizer's own default (0.01 for SGD, 0.001 for the others).
struct BaseOptions {
  std::shared_ptr<LearningRateSchedule> learning_rate{};  // a constant or a schedule
  std::optional<double> weight_decay{};
  std::optional<double> clipnorm{};
  std::optional<double> clipvalue{};
  std::optional<double> global_clipnorm{};
  bool use_ema = false;                                       // not supported yet: ConfigError
  double ema_momentum = 0.99;                                 // kept for the config round trip
  std::optional<std::int64_t> ema_overwrite_frequency{};      // idem
  std::optional<double> loss_scale_factor{};                  // not supported yet: ConfigError
  std::optional<std::int64_t> gradient_accumulation_steps{};  // not supported yet: ConfigError
  std::string name{};  // empty: Keras's automatic name ("adam", "adam_1", ...)
};

/// Base of every optimizer, with Keras 3 semantics: apply(grads, vars) clips (clipnorm per
/// variable, else global_clipnorm, else clipvalue), applies decoupled weight decay
/// (var -= var * wd * lr, for variables not excluded), then update_step() per variable, then
/// increments `iterations`. The learning rate for a step is schedule(iterations) before the
/// increment. Slot variables are created on first apply (or build()), named
/// "<optimizer>/<var name with / -> _>_<slot>", and listed by variables() in a stable order
/// (checkpoints rely on it). Updates run without recording and write variables in place.
class Optimizer {
 public:
  explicit Optimizer(BaseOptions options, std::string default_name);
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  virtual std::string class_name() const = 0;
  const std::string& name() const { return options_.name; }

  /// One step. grads[i] is the gradient of vars[i]; an undefined gradient skips that variable.
  /// Empty lists are a no-op; all gradients undefined is a ValueError (as Keras).
  void apply(const TensorList& grads, const std::vector<Variable>& vars);
  /// Creates the slots of variables not seen before (Keras's optimizer.build): call it before
  /// loading optimizer weights from a checkpoint. apply() calls it too.
  void build(const std::vector<Variable>& vars);

  std::int64_t iterations() const;
  /// The learning rate the next step will use.
  double learning_rate() const;
  /// Replaces the learning rate with a constant (ReduceLROnPlateau, LearningRateScheduler).
  void set_learning_rate(double lr);
  const LearningRateSchedule& schedule() const { return *options_.learning_rate; }

  /// Variables whose name contains one of `name_parts`, or that are in `vars`, get no weight
  /// decay (Keras's exclude_from_weight_decay; Keras matches a regex, this a substring).
  void exclude_from_weight_decay(const std::vector<Variable>& vars,
                                 const std::vector<std::string>& name_parts = {});

  /// iterations first, then slots (and other optimizer variables) in creation order.
  std::vector<Variable> variables() const;
  /// A slot by variable and Keras slot name ("momentum", "velocity", ...); ValueError if absent.
  Variable slot(const Variable& var, const std::string& slot_name) const;

  virtual Config get_config() const;

 protected:
  /// Called once per variable, before its first update: create the slots with add_slot.
  virtual void build_slots(const Variable& var) { (void)var; }
  /// Called once with the variables not seen before; the default calls build_slots on each.
  /// Override to create slots in Keras's order when it is not per variable (RMSprop).
  virtual void build_variables(const std::vector<Variable>& new_vars);
  /// Once per step, after clipping and weight decay, before the update_step calls (Nadam).
  virtual void begin_step(double lr) { (void)lr; }
  /// var -= ...: the algorithm itself, for one variable. `lr` is this step's learning rate.
  virtual void update_step(const Tensor& grad, Variable& var, double lr) = 0;

  Variable add_slot(const Variable& var, const std::string& slot_name, double initial_value = 0.0);
  Variable& slot_ref(const Variable& var, const std::string& slot_name);
  /// A non-slot optimizer variable ("<optimizer>/<var_name>"), listed by variables().
  Variable add_variable(const std::string& var_name, const Tensor& initial_value);
  /// Step count as the update sees it (iterations + 1), for bias corrections.
  double local_step() const;

  const BaseOptions& base_options() const { return options_; }
  /// `base` with learning_rate set to `lr` when it is null (each optimizer's own default).
  static BaseOptions with_default_learning_rate(BaseOptions base, double lr);
  /// The base config (name, learning_rate, weight_decay, clip*, use_ema, ...) for get_config.
  Config base_config() const;

 private:
  struct Slots;
  /// apply() once its checks are done and its slots built: the step itself, run eagerly.
  void apply_now(const TensorList& grads, const std::vector<Variable>& vars);
  TensorList clip_gradients(const TensorList& grads) const;
  void apply_weight_decay(const std::vector<Variable>& vars, double lr);
  bool uses_weight_decay(const Variable& var) const;

  BaseOptions options_;
  Variable iterations_;
  std::unordered_map<std::uint64_t, std::shared_ptr<Slots>> slots_;  // by variable value id
  std::vector<Variable> slot_order_;  // slots and add_variable()s, in creation order
  std::vector<std::uint64_t> decay_excluded_ids_;
  std::vector<std::string> decay_excluded_names_;
};

/// An optimizer from a Keras name ("adam", "Adam") or {class_name, config}; ConfigError with a
/// did-you-mean for unknown names or keys.
std::unique_ptr<Optimizer> get_optimizer(const Config& name_or_config);
/// The Keras class names: Adadelta, Adagrad, Adam, AdamW, Adamax, Nadam, RMSprop, SGD.
std::vector<std::string> registered_optimizers();
/// {module, class_name, config, registered_name}, as keras.optimizers.serialize.
Config serialize_optimizer(const Optimizer& optimizer);

/// Parses the keys every optimizer shares (learning_rate may be a number or a schedule config).
BaseOptions parse_base_options(const Config& config, double default_learning_rate,
                               const std::string& owner);
/// The base keys (parse_base_options reads them) followed by `own_keys`, for reject_unknown_keys.
std::vector<std::string> optimizer_config_keys(const std::vector<std::string>& own_keys);

}  // namespace fathom::optimizers
