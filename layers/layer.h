// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/tensor.h"
#include "core/variable.h"

namespace fathom::layers {

class Initializer;
class Regularizer;
class Constraint;

/// A keyword argument of a layer call that holds tensors (Keras's initial_state=[h, c], key=k).
struct TensorKwarg {
  std::string name;
  std::size_t count = 1;
  bool as_list = false;  // initial_state is a list even with one tensor; key is a single tensor
};

/// How a functional graph calls a layer: the call's inputs are `num_args` positional tensors,
/// then the tensors of each entry of `tensor_kwargs` in order; `values` holds the other keyword
/// arguments (use_causal_mask).
struct NodeArgs {
  std::size_t num_args = 0;
  std::vector<TensorKwarg> tensor_kwargs;
  Config values = Config::map();
  /// The first input of keyword `name` and how many there are; {inputs.size(), 0} when absent.
  std::pair<std::size_t, std::size_t> find(const std::string& name) const;
};

/// Base of every layer, with Keras's contract:
/// - the constructor only stores the config (named Options structs whose fields are the Keras
///   argument names);
/// - build(input_shape) creates the weights through add_weight (shapes include the batch
///   dimension, -1 when unknown, as Keras's None);
/// - call(inputs, training) computes; operator() builds on first use and checks later inputs
///   against the shape seen at build time, with errors that name the layer;
/// - get_config() returns the Keras argument names; each subclass has a static from_config.
/// Layers with several inputs (merge layers) override the *_multi methods instead.
class Layer {
 public:
  /// An empty `name` is replaced by Keras's automatic name: `prefix`, `prefix_1`, ...
  Layer(std::string name, const std::string& prefix);
  virtual ~Layer();
  Layer(const Layer&) = delete;
  Layer& operator=(const Layer&) = delete;

  virtual std::string class_name() const = 0;
  const std::string& name() const { return name_; }
  bool trainable() const { return trainable_; }
  /// Freezes or unfreezes the layer and its weights (Keras's layer.trainable = ...).
  virtual void set_trainable(bool trainable);
  bool built() const { return built_; }

  Tensor operator()(const Tensor& x, bool training = false);
  Tensor operator()(const TensorList& inputs, bool training = false);

  virtual void build(const Shape& input_shape) { (void)input_shape; }
  virtual Tensor call(const Tensor& x, bool training);
  virtual Shape compute_output_shape(const Shape& input_shape) const { return input_shape; }
  /// Multi-input forms; the defaults accept exactly one input and forward to the forms above.
  virtual void build_multi(const std::vector<Shape>& input_shapes);
  virtual Tensor call_multi(const TensorList& inputs, bool training);
  virtual Shape compute_output_shape_multi(const std::vector<Shape>& input_shapes) const;
  /// Whether calls after the first must keep the last (feature) dimension the layer was built
  /// for; the rank is always kept. Embedding's last axis is the sequence length: it says false.
  virtual bool fixes_input_features() const { return true; }
  /// How many inputs call accepts: 1 for most layers, 0 for "two or more" (merge layers).
  virtual int num_inputs() const { return 1; }

  // ---- A call as a node of a functional graph (Keras's layer(*args, **kwargs)). Tensors passed
  // as keyword arguments (an RNN's initial_state, attention's key) come after the positional
  // inputs; other keyword arguments (use_causal_mask) are in `kwargs`.
  /// The keyword arguments call_node understands (tensor ones included); call_layer rejects others.
  virtual std::vector<std::string> node_kwargs() const { return {}; }
  /// Builds for a call on inputs of these shapes. Default: build_from_shapes (once).
  virtual void build_node(const std::vector<Shape>& input_shapes, const NodeArgs& call);
  /// The shape of every output of such a call: one for most layers; an RNN with return_state
  /// adds its states. Default: compute_output_shape(_multi).
  virtual std::vector<Shape> node_output_shapes(const std::vector<Shape>& input_shapes, const NodeArgs& call) const;
  /// Runs one call: every output, and the first output's mask in `*out_mask` (`mask` is the first
  /// input's). Default: call_with_mask for one input, operator() for several (masks dropped).
  virtual TensorList call_node(const TensorList& inputs, const Tensor& mask, const NodeArgs& call, bool training,
                               Tensor* out_mask);

  // ---- Keras masks: a bool tensor (usually [batch, timesteps]) that travels beside a layer's
  // output; an undefined Tensor means "no mask". Embedding(mask_zero) and Masking create one,
  // RNNs consume it (masked steps keep the state), and layers that support_masking() pass it on.
  // Sequential and Functional carry masks from layer to layer; multi-input layers drop them.
  /// True if the layer passes its input mask on unchanged (Keras's supports_masking).
  virtual bool supports_masking() const { return false; }
  /// The mask of the output for input `x` with mask `mask` (Keras's compute_mask). Default: `mask`
  /// if supports_masking(), else none.
  virtual Tensor compute_mask(const Tensor& x, const Tensor& mask) const;
  /// The forward pass given the input's mask; mask-consuming layers override it. Default: call().
  virtual Tensor call_masked(const Tensor& x, const Tensor& mask, bool training);
  /// Builds on first use like operator() and calls call_masked; stores the output's mask in
  /// `*out_mask` when `out_mask` is not null.
  Tensor call_with_mask(const Tensor& x, const Tensor& mask, bool training, Tensor* out_mask);

  /// Builds without data (Sequential.build, summary): marks the layer built.
  void build_from_shapes(const std::vector<Shape>& input_shapes);
  const std::vector<Shape>& built_input_shapes() const { return built_input_shapes_; }

  /// {name, trainable, dtype} plus the subclass's keys.
  virtual Config get_config() const;

  /// The input shape given with the layer (Keras's input_shape / batch_input_shape on the first
  /// layer of a Sequential), batch dimension included; Sequential builds from it.
  const std::optional<Shape>& declared_input_shape() const { return declared_input_shape_; }
  void set_declared_input_shape(Shape batch_shape) { declared_input_shape_ = std::move(batch_shape); }

  /// Weights in creation order (Keras's layer.weights); nested layers' weights included.
  virtual std::vector<Variable> weights() const;
  std::vector<Variable> trainable_weights() const;
  std::vector<Variable> non_trainable_weights() const;
  /// A weight by its short name ("kernel"); ValueError listing the names if absent.
  Variable weight(const std::string& short_name) const;
  std::int64_t count_params() const;

  /// The state of the layer's random streams (Dropout's seed and draw count, ...) as a Config,
  /// for exact resume: restoring it makes the next training steps draw the same masks. Null for
  /// deterministic layers (the default).
  virtual Config random_state() const { return Config(); }
  /// Restores what random_state() returned (ValueError for a malformed state).
  virtual void set_random_state(const Config& state) { (void)state; }

  /// Regularization terms, added to the training loss by Model: the activity regularizers' terms
  /// of the last call, then each trainable weight's regularizer on the weight's current value
  /// (computed here, as Keras 3 does, so that they are right after traced steps too).
  virtual TensorList losses() const;

  /// The last call's activity regularizer terms (what losses() lists before the weight terms).
  /// A model's traced steps compute them in the graph and write them back after each replay.
  virtual TensorList activity_losses() const { return call_losses_; }
  virtual void set_activity_losses(TensorList losses) { call_losses_ = std::move(losses); }

  /// The layers this one calls (a wrapper's inner layers, a model's layers), for walks over a
  /// whole model (its traced steps' key). Empty for plain layers.
  virtual std::vector<Layer*> sublayers() const { return {}; }

 protected:
  /// Creates a weight named "<layer name>/<name>" and initializes it now.
  Variable add_weight(const std::string& name, const Shape& shape, const Initializer& initializer,
                      bool trainable = true, std::shared_ptr<Regularizer> regularizer = nullptr,
                      std::shared_ptr<Constraint> constraint = nullptr, DType dtype = DType::kFloat32);
  void add_loss(const Tensor& loss) { call_losses_.push_back(loss); }
  /// Forgets the last call's activity terms (for calls that do not go through operator()).
  void clear_losses() { call_losses_.clear(); }
  /// For layers whose build() users call directly (Sequential::build): records the shapes and
  /// marks the layer built, as build_from_shapes does.
  void mark_built(const std::vector<Shape>& input_shapes) {
    built_input_shapes_ = input_shapes;
    built_ = true;
  }
  /// Throws ShapeError "<Class> '<name>': <message>" for input checks in build/call.
  [[noreturn]] void fail(const std::string& message) const;

 private:
  struct WeightEntry {
    Variable variable;
    std::string short_name;
    std::shared_ptr<Regularizer> regularizer;
    std::shared_ptr<Constraint> constraint;
    bool created_trainable = true;  // non-trainable weights (moving statistics) stay so when unfreezing
  };
  void check_input(const std::vector<Shape>& shapes);
  /// Before a call: builds on first use (or checks the shapes) and clears the last call's losses.
  void prepare_call(const TensorList& inputs);

  std::string name_;
  std::optional<Shape> declared_input_shape_;
  bool trainable_ = true;
  bool built_ = false;
  std::vector<Shape> built_input_shapes_;
  std::vector<WeightEntry> weights_;
  TensorList call_losses_;

 public:
  /// Applies each weight's constraint in place (optimizers call it after an update); wrappers and
  /// models override it to reach the layers they hold.
  virtual void apply_constraints();
};

/// Resets the automatic name counters (keras.backend.clear_session), for tests.
void reset_layer_names();

}  // namespace fathom::layers
