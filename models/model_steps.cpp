// SPDX-License-Identifier: Apache-2.0
// Model's train/test/predict steps, traced (fathom::function) unless compiled with run_eagerly.
// A traced step is one graph: forward, loss, gradients, the optimizer's update and the weight
// constraints. Metrics stay on the host and are updated from the step's outputs. A short last
// batch has its own shape, so it is its own trace (replayed every epoch, not padded: padding
// would change BatchNormalization's statistics and the loss's mean).
#include <algorithm>
#include <functional>

#include "core/autograd/gradient_tape.h"
#include "core/autograd/recorder.h"
#include "core/ops.h"
#include "models/traced_steps.h"
#include "optimizers/optimizer.h"

namespace fathom::models {
namespace {

TensorList joined(const TensorList& a, const TensorList& b, const Tensor& c = {}) {
  TensorList out = a;
  out.insert(out.end(), b.begin(), b.end());
  if (c.defined()) out.push_back(c);
  return out;
}

/// Every layer once, nested models and wrappers' inner layers included, in a fixed order.
void collect_layers(const std::vector<layers::Layer*>& ls, std::vector<layers::Layer*>& out) {
  for (layers::Layer* l : ls) {
    if (std::find(out.begin(), out.end(), l) != out.end()) continue;
    out.push_back(l);
    collect_layers(l->sublayers(), out);
  }
}

/// [loss, each output's loss..., each prediction..., every layer's activity losses...]. The
/// activity losses are outputs so that a replay can hand them back to the layers (losses()).
TensorList step_outputs(const Tensor& loss, const TensorList& terms, const TensorList& y_pred,
                        const std::vector<layers::Layer*>& all_layers, std::vector<std::size_t>* counts) {
  TensorList out{loss};
  out.insert(out.end(), terms.begin(), terms.end());
  out.insert(out.end(), y_pred.begin(), y_pred.end());
  counts->clear();
  for (const layers::Layer* l : all_layers) {
    const TensorList a = l->activity_losses();
    counts->push_back(a.size());
    out.insert(out.end(), a.begin(), a.end());
  }
  return out;
}

}  // namespace

void Model::reset_traced_steps() { traced_ = std::make_unique<TracedSteps>(); }

void Model::build_for(const TensorList& x) {
  if (built() || x.empty()) return;
  std::vector<Shape> shapes;
  for (const Tensor& t : x) {
    Shape s = t.shape();
    if (!s.empty()) s[0] = -1;  // the batch dimension is free
    shapes.push_back(s);
  }
  build_from_shapes(shapes);
}

namespace {

/// FNV-1a over the layers' own trainable flags (nested models and wrappers' inner layers
/// recursed): a frozen layer may compute differently (BatchNormalization runs in inference mode)
/// even without weights.
void hash_layer_flags(const std::vector<layers::Layer*>& layers, std::uint64_t& h) {
  for (const layers::Layer* l : layers) {
    h = (h ^ (l->trainable() ? 0x51U : 0x3AU)) * 1099511628211ULL;
    hash_layer_flags(l->sublayers(), h);
  }
}

}  // namespace

std::uint64_t Model::trainable_key() const {
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a over the trainable flags
  for (const Variable& v : weights()) h = (h ^ (v.trainable() ? 0x9E37U : 0x7F4AU)) * 1099511628211ULL;
  hash_layer_flags(layers(), h);
  return h;
}

TensorList Model::run_train_step(const TensorList& x, const TensorList& y, const Tensor& sample_weight) {
  auto body = [this, nx = x.size(), ny = y.size()](const TensorList& a) {
    const TensorList xs(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(nx));
    const TensorList ys(a.begin() + static_cast<std::ptrdiff_t>(nx), a.begin() + static_cast<std::ptrdiff_t>(nx + ny));
    const Tensor sw = a.size() > nx + ny ? a.back() : Tensor();
    TensorList y_pred;
    Tensor loss;
    {
      GradientTape tape;
      y_pred = call_model(xs, true);
      loss = total_loss(ys, y_pred, sw);
      const std::vector<Variable> vars = trainable_weights();
      const TensorList grads = tape.gradient(loss, vars);
      optimizer_->apply(grads, vars);
    }
    apply_constraints();
    return step_outputs(loss, last_loss_terms_, y_pred, all_layers(), &traced_->activity_counts);
  };
  if (compile_options_.run_eagerly) return body(joined(x, y, sample_weight));
  build_for(x);  // before the key: weights made by the first step would change it
  const TracedSteps::Layout layout{'t', x.size(), y.size(), sample_weight.defined()};
  // The step's results (loss, predictions) are used at once by the loss tracker and the metrics,
  // so they may live in the step's memory: a replayed step allocates no tensor memory at all.
  Function& step = traced_->get(layout, body, name() + ".train_step", true);
  traced_->last_train = layout;
  traced_->has_train = true;
  return step(joined(x, y, sample_weight), trainable_key());
}

TensorList Model::run_test_step(const TensorList& x, const TensorList& y, const Tensor& sample_weight) {
  auto body = [this, nx = x.size(), ny = y.size()](const TensorList& a) {
    autograd::NoRecordGuard no_record;
    const TensorList xs(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(nx));
    const TensorList ys(a.begin() + static_cast<std::ptrdiff_t>(nx), a.begin() + static_cast<std::ptrdiff_t>(nx + ny));
    const Tensor sw = a.size() > nx + ny ? a.back() : Tensor();
    const TensorList y_pred = call_model(xs, false);
    const Tensor loss = total_loss(ys, y_pred, sw);
    return step_outputs(loss, last_loss_terms_, y_pred, all_layers(), &traced_->activity_counts);
  };
  if (compile_options_.run_eagerly) return body(joined(x, y, sample_weight));
  const TracedSteps::Layout layout{'e', x.size(), y.size(), sample_weight.defined()};
  Function& step = traced_->get(layout, body, name() + ".test_step", true);
  traced_->last_test = layout;
  traced_->has_test = true;
  return step(joined(x, y, sample_weight));
}

TensorList Model::run_predict_step(const TensorList& x) {
  auto body = [this](const TensorList& xs) {
    autograd::NoRecordGuard no_record;
    return call_model(xs, false);
  };
  if (compile_options_.run_eagerly) return body(x);
  const TracedSteps::Layout layout{'p', x.size(), 0, false};
  Function& step = traced_->get(layout, body, name() + ".predict_step", false);  // predict returns them
  traced_->last_predict = layout;
  traced_->has_predict = true;
  return step(x);
}

std::vector<layers::Layer*> Model::all_layers() const {
  std::vector<layers::Layer*> out;
  collect_layers(layers(), out);
  return out;
}

void Model::restore_activity_losses(const TensorList& out, std::size_t first) {
  if (compile_options_.run_eagerly) return;  // the layers hold them already
  if (out.size() <= first) return;  // no activity losses (the usual case): no walk per step
  const std::vector<layers::Layer*> ls = all_layers();
  const std::vector<std::size_t>& counts = traced_->activity_counts;
  if (counts.size() != ls.size()) return;
  std::size_t at = first;
  for (std::size_t i = 0; i < ls.size() && at <= out.size(); ++i) {
    if (counts[i] == 0 && ls[i]->activity_losses().empty()) continue;
    TensorList mine;
    for (std::size_t k = 0; k < counts[i] && at < out.size(); ++k) mine.push_back(out[at++].clone());
    ls[i]->set_activity_losses(std::move(mine));
  }
}

void Model::train_step(const TensorList& x, const TensorList& y, const Tensor& sample_weight) {
  const std::int64_t batch = x.at(0).shape().at(0);
  const TensorList out = run_train_step(x, y, sample_weight);
  const std::size_t n = y.size();
  last_loss_terms_.assign(out.begin() + 1, out.begin() + 1 + static_cast<std::ptrdiff_t>(n));
  const TensorList y_pred(out.begin() + 1 + static_cast<std::ptrdiff_t>(n), out.begin() + 1 + 2 * static_cast<std::ptrdiff_t>(n));
  restore_activity_losses(out, 1 + 2 * n);
  {
    autograd::NoRecordGuard no_record;
    // Keras weights each batch's loss by its size, so a short last batch counts less.
    track_losses(out[0], batch);
  }
  update_metrics(y, y_pred, sample_weight);
}

void Model::test_step(const TensorList& x, const TensorList& y, const Tensor& sample_weight) {
  autograd::NoRecordGuard no_record;
  const TensorList out = run_test_step(x, y, sample_weight);
  const std::size_t n = y.size();
  last_loss_terms_.assign(out.begin() + 1, out.begin() + 1 + static_cast<std::ptrdiff_t>(n));
  const TensorList y_pred(out.begin() + 1 + static_cast<std::ptrdiff_t>(n), out.begin() + 1 + 2 * static_cast<std::ptrdiff_t>(n));
  restore_activity_losses(out, 1 + 2 * n);
  track_losses(out[0], x.at(0).shape().at(0));
  update_metrics(y, y_pred, sample_weight);
}

const Function* Model::traced_function(const std::string& step) const {
  const TracedSteps& t = *traced_;
  FATHOM_CHECK(step == "train" || step == "test" || step == "predict", ValueError, class_name(), " '", name(),
               "': a traced step is \"train\", \"test\" or \"predict\". Received: step=", step);
  const bool has = step == "train" ? t.has_train : step == "test" ? t.has_test : t.has_predict;
  if (!has) return nullptr;
  return &t.functions.at(step == "train" ? t.last_train : step == "test" ? t.last_test : t.last_predict);
}

std::string Model::traced_graph(const std::string& step) const {
  const Function* f = traced_function(step);
  return f != nullptr ? f->graph_text() : std::string();
}

}  // namespace fathom::models
