// SPDX-License-Identifier: Apache-2.0
#include "optimizers/optimizer.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>

#include "core/autograd/recorder.h"
#include "core/ops.h"
#include "optimizers/internal.h"

namespace fathom::optimizers {

/// One variable's slots, in creation order (a handful: a linear search is the fastest lookup).
struct Optimizer::Slots {
  std::vector<std::pair<std::string, Variable>> by_name;
};

namespace {

/// Keras's automatic names: the first `adam`, then `adam_1`, `adam_2`, ...
std::string unique_name(const std::string& prefix) {
  static std::mutex mutex;
  static std::map<std::string, int> counters;
  std::lock_guard lock(mutex);
  const int n = counters[prefix]++;
  return n == 0 ? prefix : prefix + "_" + std::to_string(n);
}

/// "dense/kernel" -> "dense_kernel", as Keras's add_variable_from_reference.
std::string sanitized(std::string name) {
  std::replace(name.begin(), name.end(), '/', '_');
  std::replace(name.begin(), name.end(), ':', '_');
  return name;
}

std::string slot_names(const std::vector<std::pair<std::string, Variable>>& slots) {
  std::string out;
  for (const auto& [name, var] : slots) out += (out.empty() ? "" : ", ") + name;
  return out.empty() ? "(none)" : out;
}

void check_non_negative(const std::optional<double>& value, const char* key,
                        const std::string& who) {
  FATHOM_CHECK(!value || *value >= 0, ValueError, who, ": `", key,
               "` must be >= 0. Received: ", key, "=", *value);
}

}  // namespace

Optimizer::Optimizer(BaseOptions options, std::string default_name) : options_(std::move(options)) {
  if (options_.name.empty()) options_.name = unique_name(default_name);
  const std::string who = "Optimizer '" + options_.name + "'";
  detail::check_supported(options_, "", who);
  FATHOM_CHECK(options_.learning_rate != nullptr, ValueError, who, ": learning_rate is missing");
  if (dynamic_cast<const ConstantLearningRate*>(options_.learning_rate.get()) != nullptr) {
    const double lr = (*options_.learning_rate)(0);
    FATHOM_CHECK(std::isfinite(lr) && lr >= 0, ValueError, who,
                 ": `learning_rate` must be a non-negative number. Received: learning_rate=", lr);
  }
  check_non_negative(options_.weight_decay, "weight_decay", who);
  check_non_negative(options_.clipnorm, "clipnorm", who);
  check_non_negative(options_.clipvalue, "clipvalue", who);
  check_non_negative(options_.global_clipnorm, "global_clipnorm", who);
  const int clip_args = (options_.clipnorm ? 1 : 0) + (options_.clipvalue ? 1 : 0) +
                        (options_.global_clipnorm ? 1 : 0);
  FATHOM_CHECK(clip_args <= 1, ValueError, who,
               ": only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set");
  iterations_ = Variable(Tensor::scalar(0, DType::kInt64), options_.name + "/iteration", false);
}

BaseOptions Optimizer::with_default_learning_rate(BaseOptions base, double lr) {
  if (!base.learning_rate) base.learning_rate = constant_learning_rate(lr);
  return base;
}

void Optimizer::build(const std::vector<Variable>& vars) {
  std::vector<Variable> fresh;
  for (const Variable& v : vars) {
    auto [it, inserted] = slots_.try_emplace(v.value().id(), nullptr);
    if (!inserted) continue;
    it->second = std::make_shared<Slots>();
    fresh.push_back(v);
  }
  if (!fresh.empty()) build_variables(fresh);
}

void Optimizer::build_variables(const std::vector<Variable>& new_vars) {
  for (const Variable& v : new_vars) build_slots(v);
}

void Optimizer::apply(const TensorList& grads, const std::vector<Variable>& vars) {
  const std::string who = "Optimizer '" + name() + "'";
  FATHOM_CHECK(grads.size() == vars.size(), ValueError, who, ": apply received ", grads.size(),
               " gradients for ", vars.size(), " variables");
  if (grads.empty()) return;  // Keras: a no-op that does not count as a step
  {
    autograd::PauseTracing creating_state;  // slots are made once, not replayed by a traced step
    build(vars);
  }
  if (autograd::active_tracer() == nullptr) {
    apply_now(grads, vars);
    return;
  }
  // Traced (fathom::function): the whole update is one step of the graph that reads the
  // gradients and writes the variables, the slots and `iterations` in place. It replays this
  // same code, so schedules, clipping and bias corrections see each call's iteration.
  TensorList writes;
  for (const Variable& v : vars) writes.push_back(v.value());
  for (const Variable& v : variables()) writes.push_back(v.value());
  autograd::run_effect("optimizer " + class_name() + " '" + name() + "'", grads, writes,
                       [this, vars](const TensorList& g) { apply_now(g, vars); });
}

void Optimizer::apply_now(const TensorList& grads, const std::vector<Variable>& vars) {
  const std::string who = "Optimizer '" + name() + "'";
  autograd::NoRecordGuard no_record;

  TensorList live_grads;
  std::vector<Variable> live_vars;
  for (std::size_t i = 0; i < grads.size(); ++i) {
    if (!grads[i].defined()) continue;
    const Variable& v = vars[i];
    FATHOM_CHECK(grads[i].shape() == v.shape(), ShapeError, who, ": the gradient of '", v.name(),
                 "' has shape ", shape_to_string(grads[i].shape()), ", the variable ",
                 shape_to_string(v.shape()));
    FATHOM_CHECK(is_floating(v.dtype()), ValueError, who, ": cannot train '", v.name(),
                 "' of dtype ", dtype_name(v.dtype()), " (float32 or float64 expected)");
    live_grads.push_back(grads[i].dtype() == v.dtype() ? grads[i] : ops::cast(grads[i], v.dtype()));
    live_vars.push_back(v);
  }
  FATHOM_CHECK(!live_grads.empty(), ValueError, who, ": no gradients provided for any variable");

  live_grads = clip_gradients(live_grads);
  const double lr = learning_rate();
  apply_weight_decay(live_vars, lr);
  begin_step(lr);
  for (std::size_t i = 0; i < live_grads.size(); ++i) update_step(live_grads[i], live_vars[i], lr);
  Tensor count = iterations_.value();  // in place: a traced step's replay allocates nothing here
  ++count.data<std::int64_t>()[0];
}

TensorList Optimizer::clip_gradients(const TensorList& grads) const {
  const auto& o = options_;
  TensorList out;
  out.reserve(grads.size());
  if (o.clipnorm && *o.clipnorm > 0) {
    // Per variable: g * clipnorm / max(||g||, clipnorm).
    const double c = *o.clipnorm;
    for (const Tensor& g : grads) {
      const Tensor norm = ops::sqrt(ops::sum(ops::square(g)));
      out.push_back(ops::div(ops::mul(g, c), ops::maximum(norm, c)));
    }
  } else if (o.global_clipnorm && *o.global_clipnorm > 0) {
    // All together: g * c * min(1 / ||all||, 1 / c), NaN when the norm is not finite (Keras).
    const double c = *o.global_clipnorm;
    Tensor squared;
    for (const Tensor& g : grads) {
      Tensor s = ops::cast(ops::sum(ops::square(g)), DType::kFloat64);
      squared = squared.defined() ? ops::add(squared, s) : s;
    }
    const Tensor norm = ops::sqrt(squared);
    const Tensor scale =
        ops::add(ops::mul(ops::minimum(ops::reciprocal(norm), 1.0 / c), c), ops::sub(norm, norm));
    for (const Tensor& g : grads) out.push_back(ops::mul(g, ops::cast(scale, g.dtype())));
  } else if (o.clipvalue && *o.clipvalue > 0) {
    for (const Tensor& g : grads) out.push_back(ops::clip(g, -*o.clipvalue, *o.clipvalue));
  } else {
    return grads;
  }
  return out;
}

void Optimizer::apply_weight_decay(const std::vector<Variable>& vars, double lr) {
  if (!options_.weight_decay) return;
  const double wd = *options_.weight_decay;
  for (Variable v : vars) {
    if (uses_weight_decay(v)) v.assign_sub(ops::mul(ops::mul(v.value(), wd), lr));  // var * wd * lr
  }
}

bool Optimizer::uses_weight_decay(const Variable& var) const {
  const auto id = var.value().id();
  if (std::find(decay_excluded_ids_.begin(), decay_excluded_ids_.end(), id) !=
      decay_excluded_ids_.end()) {
    return false;
  }
  return std::none_of(
      decay_excluded_names_.begin(), decay_excluded_names_.end(),
      [&](const std::string& part) { return var.name().find(part) != std::string::npos; });
}

void Optimizer::exclude_from_weight_decay(const std::vector<Variable>& vars,
                                          const std::vector<std::string>& name_parts) {
  for (const Variable& v : vars) decay_excluded_ids_.push_back(v.value().id());
  decay_excluded_names_.insert(decay_excluded_names_.end(), name_parts.begin(), name_parts.end());
}

std::int64_t Optimizer::iterations() const { return iterations_.value().item<std::int64_t>(); }

double Optimizer::local_step() const { return static_cast<double>(iterations() + 1); }

double Optimizer::learning_rate() const { return (*options_.learning_rate)(iterations()); }

void Optimizer::set_learning_rate(double lr) {
  FATHOM_CHECK(std::isfinite(lr) && lr >= 0, ValueError, "Optimizer '", name(),
               "': `learning_rate` must be a non-negative number. Received: learning_rate=", lr);
  options_.learning_rate = constant_learning_rate(lr);
}

Variable Optimizer::add_slot(const Variable& var, const std::string& slot_name,
                             double initial_value) {
  auto it = slots_.find(var.value().id());
  FATHOM_CHECK(it != slots_.end(), ValueError, "Optimizer '", name(), "': add_slot('", slot_name,
               "') for variable '", var.name(), "', which is not being built");
  auto& slots = it->second->by_name;
  for (const auto& s : slots) {
    FATHOM_CHECK(s.first != slot_name, ValueError, "Optimizer '", name(), "': slot '", slot_name,
                 "' of variable '", var.name(), "' already exists");
  }
  Tensor init = Tensor::full(var.shape(), initial_value, var.dtype(), var.value().device());
  Variable slot(init, name() + "/" + sanitized(var.name()) + "_" + slot_name, false);
  slots.emplace_back(slot_name, slot);
  slot_order_.push_back(slot);
  return slot;
}

Variable Optimizer::add_variable(const std::string& var_name, const Tensor& initial_value) {
  Variable v(initial_value, name() + "/" + var_name, false);
  slot_order_.push_back(v);
  return v;
}

Variable& Optimizer::slot_ref(const Variable& var, const std::string& slot_name) {
  auto it = slots_.find(var.value().id());
  FATHOM_CHECK(it != slots_.end(), ValueError, "Optimizer '", name(), "': variable '", var.name(),
               "' has no slots: the optimizer has not been applied to it (or built with it)");
  for (auto& [n, v] : it->second->by_name) {
    if (n == slot_name) return v;
  }
  throw ValueError("Optimizer '" + name() + "': variable '" + var.name() + "' has no slot '" +
                   slot_name + "'. Its slots: " + slot_names(it->second->by_name) + ".");
}

Variable Optimizer::slot(const Variable& var, const std::string& slot_name) const {
  return const_cast<Optimizer*>(this)->slot_ref(var, slot_name);
}

std::vector<Variable> Optimizer::variables() const {
  std::vector<Variable> out{iterations_};
  out.insert(out.end(), slot_order_.begin(), slot_order_.end());
  return out;
}

}  // namespace fathom::optimizers
