// SPDX-License-Identifier: Apache-2.0
// Model: compile, the weights of all layers, and the train/test steps (fit's loops are in
// model_fit.cpp, summary() in summary.cpp).
#include "models/model.h"

#include <set>

#include "core/autograd/gradient_tape.h"
#include "core/autograd/recorder.h"
#include "core/ops.h"
#include "losses/loss.h"
#include "losses/metric.h"
#include "models/sequential.h"
#include "models/traced_steps.h"
#include "optimizers/optimizer.h"

namespace fathom::models {
namespace {
// Sequential, Functional and Model join the layer registry as soon as this library is linked
// in (this file is, by every program that uses a model), so that configs can nest models.
const bool model_classes_registered = (register_model_classes(), true);
}  // namespace

Model::Model(std::string name, const std::string& prefix)
    : layers::Layer(std::move(name), prefix), traced_(std::make_unique<TracedSteps>()) {
  (void)model_classes_registered;
}

Model::~Model() = default;

void Model::require_compiled(const char* what) const {
  FATHOM_CHECK(compiled_, ValueError, class_name(), " '", name(), "': ", what,
               " needs a compiled model; call compile(optimizer, loss, metrics) first");
}

Tensor Model::call(const Tensor& x, bool training) { return call_multi({x}, training); }

Tensor Model::call_multi(const TensorList& inputs, bool training) {
  TensorList outputs = call_model(inputs, training);
  FATHOM_CHECK(outputs.size() == 1, ValueError, class_name(), " '", name(), "' has ", outputs.size(),
               " outputs; use call_model() to get them all");
  return outputs[0];
}

void Model::set_trainable(bool trainable) {
  layers::Layer::set_trainable(trainable);
  for (layers::Layer* l : layers()) l->set_trainable(trainable);
}

std::vector<Variable> Model::weights() const {
  std::vector<Variable> out;
  std::set<std::uint64_t> seen;  // shared layers contribute their weights once
  for (layers::Layer* l : layers()) {
    for (const Variable& v : l->weights()) {
      if (seen.insert(v.value().id()).second) out.push_back(v);
    }
  }
  return out;
}

TensorList Model::losses() const {
  TensorList out;
  for (layers::Layer* l : layers()) {
    for (const Tensor& t : l->losses()) out.push_back(t);
  }
  return out;
}

std::vector<Tensor> Model::get_weights() const {
  std::vector<Tensor> out;
  for (const Variable& v : weights()) out.push_back(v.value().clone());
  return out;
}

void Model::set_weights(const std::vector<Tensor>& values) {
  const std::vector<Variable> vars = weights();
  FATHOM_CHECK(values.size() == vars.size(), ValueError, class_name(), " '", name(), "': set_weights received ",
               values.size(), " arrays for ", vars.size(), " weights");
  for (std::size_t i = 0; i < vars.size(); ++i) {
    FATHOM_CHECK(values[i].shape() == vars[i].shape(), ShapeError, class_name(), " '", name(), "': weight '",
                 vars[i].name(), "' has shape ", shape_to_string(vars[i].shape()), ", the value has ",
                 shape_to_string(values[i].shape()), "; nothing was changed");
  }
  for (std::size_t i = 0; i < vars.size(); ++i) {
    Variable v = vars[i];
    v.assign(values[i].dtype() == v.dtype() ? values[i] : ops::cast(values[i], v.dtype()));
  }
}

layers::Layer* Model::get_layer(const std::string& layer_name) const {
  std::string names;
  for (layers::Layer* l : layers()) {
    if (l->name() == layer_name) return l;
    names += (names.empty() ? "" : ", ") + l->name();
  }
  throw ValueError(class_name() + " '" + name() + "' has no layer '" + layer_name + "'. Layers: " + names);
}

std::vector<std::string> Model::output_names() const {
  const auto all = layers();
  return {all.empty() ? name() : all.back()->name()};
}

void Model::compile(CompileOptions options) {
  optimizer_ = options.optimizer_object ? options.optimizer_object : optimizers::get_optimizer(options.optimizer);
  losses_.clear();
  if (!options.loss_objects.empty()) {
    losses_ = options.loss_objects;
  } else if (options.loss.is_list()) {
    for (const Config& l : options.loss.items()) losses_.push_back(losses::get_loss(l));
  } else if (!options.loss.is_null()) {
    losses_.push_back(losses::get_loss(options.loss));
  }
  FATHOM_CHECK(!losses_.empty(), ValueError, class_name(), " '", name(), "': compile needs a loss");
  loss_weights_ = options.loss_weights;
  FATHOM_CHECK(loss_weights_.size() <= 1 || losses_.size() == 1 || loss_weights_.size() == losses_.size(), ValueError,
               class_name(), " '", name(), "': loss_weights has ", loss_weights_.size(), " entries for ", losses_.size(),
               " losses");
  loss_tracker_ = std::make_unique<losses::Mean>("loss");
  output_loss_trackers_.clear();
  metrics_.clear();
  compile_options_ = std::move(options);
  reset_traced_steps();  // the steps captured the old optimizer and losses
  compiled_ = true;
}

Tensor Model::total_loss(const TensorList& y, const TensorList& y_pred, const Tensor& sample_weight) {
  FATHOM_CHECK(y.size() == y_pred.size(), ValueError, class_name(), " '", name(), "': ", y.size(),
               " targets for ", y_pred.size(), " outputs");
  FATHOM_CHECK(losses_.size() == 1 || losses_.size() == y_pred.size(), ValueError, class_name(), " '", name(), "': ",
               losses_.size(), " losses for ", y_pred.size(), " outputs");
  FATHOM_CHECK(loss_weights_.size() <= 1 || loss_weights_.size() == y_pred.size(), ValueError, class_name(), " '",
               name(), "': loss_weights has ", loss_weights_.size(), " entries for ", y_pred.size(),
               " outputs (give one per output, or one for all)");
  Tensor total;
  last_loss_terms_.clear();
  for (std::size_t i = 0; i < y_pred.size(); ++i) {
    const losses::Loss& loss = *losses_[losses_.size() == 1 ? 0 : i];
    Tensor term;
    try {
      term = loss(y[i], y_pred[i], sample_weight);
    } catch (Error& e) {
      if (y_pred.size() > 1) e.add_context("loss of output '" + output_names().at(i) + "'");
      throw;
    }
    last_loss_terms_.push_back(term);  // logged unweighted, as Keras
    if (!loss_weights_.empty()) term = ops::mul(term, loss_weights_[loss_weights_.size() == 1 ? 0 : i]);
    total = total.defined() ? ops::add(total, term) : term;
  }
  for (const Tensor& reg : losses()) total = ops::add(total, ops::cast(reg, total.dtype()));
  return total;
}

void Model::update_metrics(const TensorList& y, const TensorList& y_pred, const Tensor& sample_weight) {
  autograd::NoRecordGuard no_record;
  if (metrics_.empty() && compile_options_.metrics.is_list() && !compile_options_.metrics.items().empty()) {
    // Resolved on first use: "accuracy" depends on the loss and the output shape (Keras).
    for (std::size_t o = 0; o < y_pred.size(); ++o) {
      const std::string loss_name = losses_[losses_.size() == 1 ? 0 : o]->class_name();
      Shape out_shape = y_pred[o].shape();
      if (!out_shape.empty()) out_shape[0] = -1;
      for (const Config& m : compile_options_.metrics.items()) {
        metrics_.push_back(losses::get_metric(m, loss_name, out_shape));
        if (y_pred.size() > 1) metrics_.back()->set_name(output_names().at(o) + "_" + metrics_.back()->name());
      }
    }
  }
  const std::size_t per_output = y_pred.empty() ? 0 : metrics_.size() / y_pred.size();
  for (std::size_t i = 0; i < metrics_.size(); ++i) {
    const std::size_t o = per_output ? i / per_output : 0;
    metrics_[i]->update_state(y[o], y_pred[o], sample_weight);
  }
}

callbacks::Logs Model::metric_logs(const std::string& prefix) const {
  callbacks::Logs logs;
  if (loss_tracker_) logs.set(prefix + "loss", loss_tracker_->result());
  for (const auto& t : output_loss_trackers_) logs.set(prefix + t->name(), t->result());
  for (const auto& m : metrics_) logs.set(prefix + m->name(), m->result());
  return logs;
}

void Model::reset_metrics() {
  if (loss_tracker_) loss_tracker_->reset_state();
  for (auto& t : output_loss_trackers_) t->reset_state();
  for (auto& m : metrics_) m->reset_state();
}

void Model::track_losses(const Tensor& total, std::int64_t batch) {
  const Tensor weight = Tensor::scalar(static_cast<double>(batch), total.dtype());
  static_cast<losses::Mean&>(*loss_tracker_).update_values(total, weight);
  if (last_loss_terms_.size() > 1) {
    if (output_loss_trackers_.empty()) {
      for (const std::string& n : output_names()) output_loss_trackers_.push_back(std::make_unique<losses::Mean>(n + "_loss"));
    }
    for (std::size_t i = 0; i < last_loss_terms_.size() && i < output_loss_trackers_.size(); ++i) {
      static_cast<losses::Mean&>(*output_loss_trackers_[i]).update_values(last_loss_terms_[i], weight);
    }
  }
}

callbacks::Logs Model::train_on_batch(const TensorList& x, const TensorList& y, const Tensor& sample_weight) {
  require_compiled("train_on_batch");
  reset_metrics();
  train_step(x, y, sample_weight);
  return metric_logs("");
}

callbacks::Logs Model::train_on_batch(const Tensor& x, const Tensor& y, const Tensor& sample_weight) {
  return train_on_batch(TensorList{x}, TensorList{y}, sample_weight);
}

callbacks::Logs Model::test_on_batch(const TensorList& x, const TensorList& y, const Tensor& sample_weight) {
  require_compiled("test_on_batch");
  reset_metrics();
  test_step(x, y, sample_weight);
  return metric_logs("");
}

callbacks::Logs Model::test_on_batch(const Tensor& x, const Tensor& y, const Tensor& sample_weight) {
  return test_on_batch(TensorList{x}, TensorList{y}, sample_weight);
}

Tensor Model::predict_on_batch(const Tensor& x) {
  autograd::NoRecordGuard no_record;
  TensorList out = run_predict_step({x});
  FATHOM_CHECK(out.size() == 1, ValueError, class_name(), " '", name(), "' has ", out.size(),
               " outputs; use predict_multi");
  return out[0];
}

}  // namespace fathom::models

namespace fathom::models {

void Model::apply_constraints() {
  for (layers::Layer* l : layers()) l->apply_constraints();
}

Config Model::random_state() const {
  Config states = Config::map();
  for (const layers::Layer* layer : layers()) {
    Config s = layer->random_state();
    if (!s.is_null()) states.set(layer->name(), std::move(s));
  }
  return states.entries().empty() ? Config() : states;
}

void Model::set_random_state(const Config& state) {
  if (state.is_null()) return;
  FATHOM_CHECK(state.is_map(), ValueError, class_name(), " '", name(), "': a random state must be a mapping by layer name");
  for (layers::Layer* layer : layers()) {
    if (state.has(layer->name())) layer->set_random_state(state.at(layer->name()));
  }
}

}  // namespace fathom::models
