// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "callbacks/callback.h"
#include "core/config.h"
#include "layers/layer.h"

namespace fathom {
class Function;
}
namespace fathom::losses {
class Loss;
class Metric;
}  // namespace fathom::losses
namespace fathom::optimizers {
class Optimizer;
}
namespace fathom::callbacks {
class History;
}
namespace fathom::io {
class Dataset;
}

namespace fathom::models {

/// compile()'s arguments. Strings and {class_name, config} mappings resolve through the
/// registries; the *_object fields take ready-made objects instead.
struct CompileOptions {
  Config optimizer = "rmsprop";  // Keras's default
  std::shared_ptr<optimizers::Optimizer> optimizer_object = nullptr;
  Config loss = {};  // one loss, or a list with one per output
  std::vector<std::shared_ptr<losses::Loss>> loss_objects = {};
  Config metrics = Config::list();  // names or configs, applied to every output
  std::vector<double> loss_weights = {};  // one per output; default all 1
  /// fit/evaluate/predict run traced steps (fathom::function) unless this is set: eager steps
  /// are for debugging (host reads, printing) and give the same numbers.
  bool run_eagerly = false;
};

/// fit()'s arguments, as Keras's (verbose: 0 silent, 1 progress bar, 2 one line per epoch).
struct FitOptions {
  int batch_size = 32;
  int epochs = 1;
  int verbose = 1;
  double validation_split = 0.0;
  std::optional<std::pair<TensorList, TensorList>> validation_data = std::nullopt;
  bool shuffle = true;
  std::map<std::int64_t, double> class_weight = {};
  Tensor sample_weight = {};
  int initial_epoch = 0;
  int steps_per_epoch = 0;  // 0: the whole data set
  int validation_freq = 1;
  std::vector<callbacks::CallbackPtr> callbacks = {};
  std::optional<std::uint64_t> seed = std::nullopt;  // shuffling; unset: drawn from the global generator
};

struct EvaluateOptions {
  int batch_size = 32;
  int verbose = 1;
  Tensor sample_weight = {};
  std::vector<callbacks::CallbackPtr> callbacks = {};
};

/// A trainable graph of layers (Keras's Model): Sequential and the functional Model derive
/// from it. A Model is also a Layer, so models nest.
class Model : public layers::Layer {
 public:
  Model(std::string name, const std::string& prefix);
  ~Model() override;

  void compile(CompileOptions options);
  bool compiled() const { return compiled_; }

  std::shared_ptr<callbacks::History> fit(const TensorList& x, const TensorList& y, const FitOptions& options = {});
  std::shared_ptr<callbacks::History> fit(const Tensor& x, const Tensor& y, const FitOptions& options = {});
  /// Trains on a batched io::Dataset (its own shuffling and batching apply; batch_size,
  /// shuffle, validation_split, class_weight and sample_weight of `options` must be unset).
  std::shared_ptr<callbacks::History> fit(const io::Dataset& data, const FitOptions& options = {});
  callbacks::Logs evaluate(const TensorList& x, const TensorList& y, const EvaluateOptions& options = {});
  callbacks::Logs evaluate(const Tensor& x, const Tensor& y, const EvaluateOptions& options = {});
  TensorList predict_multi(const TensorList& x, int batch_size = 32, int verbose = 0);
  Tensor predict(const Tensor& x, int batch_size = 32, int verbose = 0);

  callbacks::Logs train_on_batch(const TensorList& x, const TensorList& y, const Tensor& sample_weight = {});
  callbacks::Logs train_on_batch(const Tensor& x, const Tensor& y, const Tensor& sample_weight = {});
  callbacks::Logs test_on_batch(const TensorList& x, const TensorList& y, const Tensor& sample_weight = {});
  callbacks::Logs test_on_batch(const Tensor& x, const Tensor& y, const Tensor& sample_weight = {});
  Tensor predict_on_batch(const Tensor& x);

  /// The traced steps' graphs ("train", "test", "predict"), most recent signature, as text; empty
  /// when that step has not run traced. For introspection (fathom summary --graph) and tests.
  std::string traced_graph(const std::string& step) const;
  /// The step's most recently used traced function, or null (introspection: its memory plan).
  const Function* traced_function(const std::string& step) const;
  /// Forgets the traced steps (compile() does it too).
  void reset_traced_steps();

  /// Keras's summary table: layer (type), output shape, params; totals.
  std::string summary() const;

  /// The model's forward pass on several inputs/outputs (Layer::call is the one-output form).
  virtual TensorList call_model(const TensorList& inputs, bool training) = 0;
  Tensor call(const Tensor& x, bool training) override;
  Tensor call_multi(const TensorList& inputs, bool training) override;
  int num_inputs() const override { return 0; }

  /// The layers in order (for Sequential, as added; for functional models, topologically).
  virtual std::vector<layers::Layer*> layers() const = 0;
  std::vector<layers::Layer*> sublayers() const override { return layers(); }
  /// A layer by name (Keras's get_layer); ValueError listing the names when absent.
  layers::Layer* get_layer(const std::string& name) const;
  /// Names of the outputs (their layers' names): prefixes of per-output logs such as
  /// "out1_loss" and "out1_accuracy" when the model has several outputs.
  virtual std::vector<std::string> output_names() const;
  /// Output shapes per layer, for summary(); empty when the model is not built.
  virtual std::vector<std::vector<Shape>> layer_output_shapes() const = 0;

  std::vector<Variable> weights() const override;
  /// Freezes or unfreezes every layer of the model, nested models included (Keras).
  void set_trainable(bool trainable) override;
  TensorList losses() const override;
  std::vector<Tensor> get_weights() const;
  /// Values in weights() order; ShapeError naming the weight on a mismatch, nothing changed.
  void set_weights(const std::vector<Tensor>& values);

  optimizers::Optimizer* optimizer() const { return optimizer_.get(); }
  const std::vector<std::shared_ptr<losses::Loss>>& loss_functions() const { return losses_; }
  /// Set by callbacks (EarlyStopping, TerminateOnNaN) to end fit after the current batch/epoch.
  bool stop_training = false;
  /// Where fit starts: set by a callback in on_train_begin (BackupAndRestore) to resume an
  /// interrupted run at `epoch`, after its first `step` batches (which are skipped, not trained).
  /// fit clears it once read.
  struct ResumePoint {
    int epoch = 0;
    std::int64_t step = 0;
  };
  std::optional<ResumePoint> resume_point;
  /// The shuffling seed of the fit that runs now (or ran last): FitOptions::seed or the one drawn.
  /// BackupAndRestore records it so that a resumed run can shuffle as the interrupted one did.
  std::optional<std::uint64_t> fit_seed;

  /// The random-stream states of every layer that has one, by layer name (nested models nest).
  Config random_state() const override;
  /// Applies the weight constraints of every layer (nested models and wrappers included).
  void apply_constraints() override;
  void set_random_state(const Config& state) override;

 private:
  /// One optimizer step on a batch; updates the loss tracker and metrics (no reset).
  void train_step(const TensorList& x, const TensorList& y, const Tensor& sample_weight);
  void test_step(const TensorList& x, const TensorList& y, const Tensor& sample_weight);
  void require_compiled(const char* what) const;
  void track_losses(const Tensor& total, std::int64_t batch);
  std::shared_ptr<callbacks::History> run_fit(const io::Dataset& train, const TensorList& x_val,
                                              const TensorList& y_val, const Tensor& sw_val, const FitOptions& options);
  callbacks::Logs run_test_loop(const TensorList& x, const TensorList& y, const Tensor& sample_weight, int batch_size,
                                const std::vector<callbacks::CallbackPtr>& callbacks);
  Tensor total_loss(const TensorList& y, const TensorList& y_pred, const Tensor& sample_weight);
  void update_metrics(const TensorList& y, const TensorList& y_pred, const Tensor& sample_weight);
  callbacks::Logs metric_logs(const std::string& prefix) const;
  void reset_metrics();
  /// The step functions: TensorList in, [loss, per-output losses..., predictions...] out.
  TensorList run_train_step(const TensorList& x, const TensorList& y, const Tensor& sample_weight);
  TensorList run_test_step(const TensorList& x, const TensorList& y, const Tensor& sample_weight);
  TensorList run_predict_step(const TensorList& x);
  /// Builds a model that is not built yet (a Sequential without an input shape) for inputs like x.
  void build_for(const TensorList& x);
  /// Which variables train, as a trace key: freezing a layer changes the step's graph.
  std::uint64_t trainable_key() const;
  /// Every layer once (nested models and wrappers' inner layers included), in a fixed order.
  std::vector<layers::Layer*> all_layers() const;
  /// After a replayed step: hands the activity losses among its outputs (from `first` on) back
  /// to the layers, so that losses() shows this step's terms.
  void restore_activity_losses(const TensorList& out, std::size_t first);

  struct TracedSteps;
  std::unique_ptr<TracedSteps> traced_;
  bool compiled_ = false;
  CompileOptions compile_options_;
  std::shared_ptr<optimizers::Optimizer> optimizer_;
  std::vector<std::shared_ptr<losses::Loss>> losses_;
  std::vector<double> loss_weights_;
  std::unique_ptr<losses::Metric> loss_tracker_;
  std::vector<std::unique_ptr<losses::Metric>> output_loss_trackers_;  // one per output when there are several
  TensorList last_loss_terms_;  // each output's weighted loss in the last step
  std::vector<std::unique_ptr<losses::Metric>> metrics_;  // per output, in order
};

}  // namespace fathom::models
