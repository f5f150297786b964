// SPDX-License-Identifier: Apache-2.0
// fit / evaluate / predict: the loops over batches and the callback calls around them, with
// Keras's semantics (validation split from the end before shuffling; progress bar first and
// History last among the callbacks; logs "loss", metrics, then "val_" ones).
#include <algorithm>
#include <cmath>
#include <numeric>

#include "callbacks/history.h"
#include "callbacks/progbar_logger.h"
#include "core/autograd/recorder.h"
#include "core/log.h"
#include "core/ops.h"
#include "io/pipeline.h"
#include "losses/metric.h"
#include "models/model.h"

namespace fathom::models {
namespace {

using callbacks::CallbackPtr;
using callbacks::Logs;

std::int64_t sample_count(const TensorList& x, const TensorList& y, const Tensor& sw, const std::string& who) {
  FATHOM_CHECK(!x.empty() && x[0].defined(), ValueError, who, ": x is empty");
  const std::int64_t n = x[0].dim() > 0 ? x[0].shape()[0] : 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    FATHOM_CHECK(x[i].dim() > 0 && x[i].shape()[0] == n, ValueError, who, ": input ", i, " has ",
                 x[i].dim() > 0 ? x[i].shape()[0] : 0, " samples, input 0 has ", n);
  }
  for (std::size_t i = 0; i < y.size(); ++i) {
    FATHOM_CHECK(y[i].defined() && y[i].dim() > 0 && y[i].shape()[0] == n, ValueError, who,
                 ": x and y have different numbers of samples: x has ", n, ", y", (y.size() > 1 ? std::to_string(i) : ""),
                 " has ", y[i].defined() && y[i].dim() > 0 ? y[i].shape()[0] : 0);
  }
  if (sw.defined()) {
    FATHOM_CHECK(sw.dim() == 1 && sw.shape()[0] == n, ValueError, who, ": sample_weight has shape ",
                 shape_to_string(sw.shape()), ", expected [", n, "]");
  }
  return n;
}

TensorList rows(const TensorList& xs, std::int64_t begin, std::int64_t end) {
  TensorList out;
  for (const Tensor& t : xs) out.push_back(ops::slice_axis(t, 0, begin, end).contiguous());
  return out;
}

/// Per-sample weights from class_weight: the label is the integer target, or the argmax of a
/// one-hot target.
Tensor class_weights_for(const Tensor& y, const std::map<std::int64_t, double>& class_weight) {
  const Tensor labels = y.dim() >= 2 && y.shape().back() > 1 ? ops::argmax(y, -1) : ops::reshape(y, {y.shape()[0]});
  const auto values = labels.to_vector<double>();
  std::vector<float> w(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    auto it = class_weight.find(static_cast<std::int64_t>(std::llround(values[i])));  // Keras rounds
    w[i] = it == class_weight.end() ? 1.0f : static_cast<float>(it->second);
  }
  return Tensor::from_vector(w);
}

/// Keras's CallbackList: calls each callback in order.
class CallbackList {
 public:
  CallbackList(std::vector<CallbackPtr> cbs, Model* model, const callbacks::Params& params) : cbs_(std::move(cbs)) {
    for (auto& cb : cbs_) {
      cb->set_model(model);
      cb->set_params(params);
    }
  }
  template <class F>
  void each(F f) {
    for (auto& cb : cbs_) f(*cb);
  }

 private:
  std::vector<CallbackPtr> cbs_;
};

}  // namespace

std::shared_ptr<callbacks::History> Model::fit(const Tensor& x, const Tensor& y, const FitOptions& options) {
  return fit(TensorList{x}, TensorList{y}, options);
}

std::shared_ptr<callbacks::History> Model::fit(const TensorList& x_all, const TensorList& y_all, const FitOptions& o) {
  require_compiled("fit");
  const std::string who = class_name() + " '" + name() + "' fit";
  FATHOM_CHECK(o.batch_size > 0, ValueError, who, ": batch_size must be positive. Received: batch_size=", o.batch_size);
  FATHOM_CHECK(o.epochs >= 0 && o.initial_epoch >= 0, ValueError, who, ": epochs and initial_epoch must be >= 0");
  FATHOM_CHECK(o.validation_split >= 0 && o.validation_split < 1, ValueError, who,
               ": validation_split must be in [0, 1). Received: validation_split=", o.validation_split);
  FATHOM_CHECK(o.validation_freq > 0, ValueError, who, ": validation_freq must be positive");
  FATHOM_CHECK(o.verbose >= 0 && o.verbose <= 2, ValueError, who, ": verbose must be 0, 1 or 2");
  const std::int64_t n_all = sample_count(x_all, y_all, o.sample_weight, who);

  const Tensor& sw_all = o.sample_weight;
  FATHOM_CHECK(o.class_weight.empty() || !sw_all.defined(), ValueError, who,
               ": class_weight and sample_weight cannot be used at the same time (Keras)");
  FATHOM_CHECK(o.class_weight.empty() || y_all.size() == 1, ValueError, who, ": class_weight needs a model with one output");

  // The validation split comes from the end of the data, before shuffling (Keras).
  TensorList x = x_all, y = y_all, x_val, y_val;
  Tensor sw = sw_all, sw_val;
  std::int64_t n = n_all;
  if (o.validation_data) {
    x_val = o.validation_data->first;
    y_val = o.validation_data->second;
    sample_count(x_val, y_val, {}, who + " (validation_data)");
  } else if (o.validation_split > 0) {
    n = static_cast<std::int64_t>(std::floor(static_cast<double>(n_all) * (1.0 - o.validation_split)));
    FATHOM_CHECK(n > 0 && n < n_all, ValueError, who, ": validation_split=", o.validation_split, " leaves ", n,
                 " training and ", n_all - n, " validation samples of ", n_all);
    x = rows(x_all, 0, n);
    y = rows(y_all, 0, n);
    x_val = rows(x_all, n, n_all);
    y_val = rows(y_all, n, n_all);
    if (sw_all.defined()) {
      sw = ops::slice_axis(sw_all, 0, 0, n).contiguous();
      sw_val = ops::slice_axis(sw_all, 0, n, n_all).contiguous();
    }
  }

  // Class weights apply to the training samples only, after the validation split (Keras).
  if (!o.class_weight.empty()) sw = class_weights_for(y[0], o.class_weight);
  const std::uint64_t seed = o.seed ? *o.seed : random::global_generator().next_key();
  fit_seed = o.shuffle ? std::optional<std::uint64_t>(seed) : std::nullopt;
  io::Dataset train = io::Dataset::from_tensors(x, y, sw);
  if (o.shuffle) train = train.shuffle(seed);  // epoch e's order depends only on (seed, e)
  return run_fit(train.batch(o.batch_size), x_val, y_val, sw_val, o);
}

std::shared_ptr<callbacks::History> Model::fit(const io::Dataset& data, const FitOptions& o) {
  require_compiled("fit");
  const std::string who = class_name() + " '" + name() + "' fit";
  FATHOM_CHECK(o.validation_split == 0 && o.class_weight.empty() && !o.sample_weight.defined(), ValueError, who,
               ": validation_split, class_weight and sample_weight cannot be used with a Dataset; build them into "
               "the dataset (Dataset::from_tensors takes sample weights)");
  FATHOM_CHECK(o.epochs >= 0 && o.initial_epoch >= 0, ValueError, who, ": epochs and initial_epoch must be >= 0");
  FATHOM_CHECK(o.validation_freq > 0, ValueError, who, ": validation_freq must be positive");
  TensorList x_val, y_val;
  if (o.validation_data) {
    x_val = o.validation_data->first;
    y_val = o.validation_data->second;
    sample_count(x_val, y_val, {}, who + " (validation_data)");
  }
  fit_seed.reset();  // the dataset shuffles itself
  return run_fit(data, x_val, y_val, {}, o);
}

std::shared_ptr<callbacks::History> Model::run_fit(const io::Dataset& train, const TensorList& x_val,
                                                   const TensorList& y_val, const Tensor& sw_val, const FitOptions& o) {
  const std::int64_t batches = train.steps_per_epoch();
  if (o.steps_per_epoch > batches) {
    log::warn("fit: steps_per_epoch=" + std::to_string(o.steps_per_epoch) + " exceeds the " + std::to_string(batches) +
              " batches of the data; each epoch runs " + std::to_string(batches) + " steps");
  }
  const std::int64_t steps = o.steps_per_epoch > 0 ? std::min<std::int64_t>(o.steps_per_epoch, batches) : batches;

  std::vector<CallbackPtr> cbs = o.callbacks;
  std::shared_ptr<callbacks::History> history;
  bool has_progbar = false;
  for (auto& cb : cbs) {
    if (auto h = std::dynamic_pointer_cast<callbacks::History>(cb)) history = h;
    if (std::dynamic_pointer_cast<callbacks::ProgbarLogger>(cb)) has_progbar = true;
  }
  // Keras 3: History, then the progress bar, after the user's callbacks (so the bar shows what
  // callbacks add to the logs, such as learning_rate).
  if (!history) {
    history = std::make_shared<callbacks::History>();
    cbs.push_back(history);
  }
  if (o.verbose > 0 && !has_progbar) cbs.push_back(std::make_shared<callbacks::ProgbarLogger>());
  CallbackList list(cbs, this, {o.epochs, static_cast<int>(steps), o.verbose});

  stop_training = false;
  resume_point.reset();
  list.each([](auto& cb) { cb.on_train_begin({}); });
  // A callback may resume an interrupted run (BackupAndRestore): start there.
  const ResumePoint resume = resume_point.value_or(ResumePoint{o.initial_epoch, 0});
  resume_point.reset();
  Logs epoch_logs;
  std::optional<io::Iterator> stream;  // the data, continued across epochs when steps < batches
  std::int64_t pass = 0;
  for (int epoch = resume.epoch; epoch < o.epochs && !stop_training; ++epoch) {
    reset_metrics();
    list.each([&](auto& cb) { cb.on_epoch_begin(epoch, {}); });
    // With fewer steps than batches, Keras keeps walking the data across epochs instead of
    // restarting it. Epoch e starts at batch e * steps of the stream of data passes (pass p in
    // the order of (seed, p)), so a run resumed at initial_epoch sees the same batches.
    const bool continuing = steps < batches;
    const std::int64_t first_step = epoch == resume.epoch ? std::min(resume.step, steps) : 0;
    if (!continuing || !stream) {
      const std::int64_t start = static_cast<std::int64_t>(epoch) * steps + first_step;
      pass = continuing ? start / batches : epoch;
      stream.emplace(train.epoch(pass));
      for (std::int64_t skip = continuing ? start % batches : first_step; skip > 0; --skip) stream->next();
    }
    for (std::int64_t step = first_step; step < steps; ++step) {
      const int s = static_cast<int>(step);
      list.each([&](auto& cb) { cb.on_train_batch_begin(s, {}); });
      std::optional<io::Batch> batch = stream->next();
      if (!batch && continuing) {
        stream.emplace(train.epoch(++pass));
        batch = stream->next();
      }
      if (!batch) break;
      train_step(batch->x, batch->y, batch->sample_weight);
      const Logs logs = metric_logs("");
      list.each([&](auto& cb) { cb.on_train_batch_end(s, logs); });
      if (stop_training) break;
    }
    epoch_logs = metric_logs("");
    if (!x_val.empty() && (epoch + 1) % o.validation_freq == 0) {
      const Logs val = run_test_loop(x_val, y_val, sw_val, o.batch_size, cbs);
      for (const auto& [k, v] : val.entries()) epoch_logs.set("val_" + k, v);
    }
    list.each([&](auto& cb) { cb.on_epoch_end(epoch, epoch_logs); });
  }
  list.each([&](auto& cb) { cb.on_train_end(epoch_logs); });
  return history;
}

Logs Model::run_test_loop(const TensorList& x, const TensorList& y, const Tensor& sw, int batch_size,
                          const std::vector<CallbackPtr>& cbs) {
  const std::int64_t n = x[0].shape()[0];
  const std::int64_t steps = (n + batch_size - 1) / batch_size;
  for (auto& cb : cbs) cb->on_test_begin({});
  reset_metrics();
  for (std::int64_t step = 0; step < steps; ++step) {
    const int s = static_cast<int>(step);
    for (auto& cb : cbs) cb->on_test_batch_begin(s, {});
    const std::int64_t begin = step * batch_size, end = std::min(n, begin + batch_size);
    test_step(rows(x, begin, end), rows(y, begin, end), sw.defined() ? ops::slice_axis(sw, 0, begin, end) : Tensor());
    const Logs logs = metric_logs("");
    for (auto& cb : cbs) cb->on_test_batch_end(s, logs);
  }
  const Logs logs = metric_logs("");
  for (auto& cb : cbs) cb->on_test_end(logs);
  return logs;
}

Logs Model::evaluate(const Tensor& x, const Tensor& y, const EvaluateOptions& options) {
  return evaluate(TensorList{x}, TensorList{y}, options);
}

Logs Model::evaluate(const TensorList& x, const TensorList& y, const EvaluateOptions& o) {
  require_compiled("evaluate");
  const std::string who = class_name() + " '" + name() + "' evaluate";
  FATHOM_CHECK(o.batch_size > 0, ValueError, who, ": batch_size must be positive. Received: batch_size=", o.batch_size);
  const std::int64_t n = sample_count(x, y, o.sample_weight, who);
  std::vector<CallbackPtr> cbs = o.callbacks;
  if (o.verbose > 0) cbs.push_back(std::make_shared<callbacks::ProgbarLogger>());
  CallbackList list(cbs, this, {1, static_cast<int>((n + o.batch_size - 1) / o.batch_size), o.verbose});
  return run_test_loop(x, y, o.sample_weight, o.batch_size, cbs);
}

Tensor Model::predict(const Tensor& x, int batch_size, int verbose) {
  TensorList out = predict_multi({x}, batch_size, verbose);
  FATHOM_CHECK(out.size() == 1, ValueError, class_name(), " '", name(), "' has ", out.size(),
               " outputs; use predict_multi");
  return out[0];
}

TensorList Model::predict_multi(const TensorList& x, int batch_size, int verbose) {
  (void)verbose;
  const std::string who = class_name() + " '" + name() + "' predict";
  FATHOM_CHECK(batch_size > 0, ValueError, who, ": batch_size must be positive. Received: batch_size=", batch_size);
  const std::int64_t n = sample_count(x, {}, {}, who);
  FATHOM_CHECK(n > 0, ValueError, who, ": x has no samples");
  autograd::NoRecordGuard no_record;
  std::vector<TensorList> parts;
  for (std::int64_t begin = 0; begin < n; begin += batch_size) {
    const TensorList out = run_predict_step(rows(x, begin, std::min(n, begin + batch_size)));
    if (parts.empty()) parts.resize(out.size());
    for (std::size_t i = 0; i < out.size(); ++i) parts[i].push_back(out[i]);
  }
  TensorList result;
  for (const auto& p : parts) result.push_back(p.size() == 1 ? p[0] : ops::concat(p, 0));
  return result;
}

}  // namespace fathom::models
