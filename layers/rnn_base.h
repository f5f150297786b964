// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/random.h"
#include "layers/activations.h"
#include "layers/layer.h"
#include "layers/layer_config.h"
#include "layers/weight_options.h"

namespace fathom::layers {

class Initializer;

/// The arguments SimpleRNN, LSTM and GRU share (Keras's names and defaults).
struct RNNOptions {
  std::int64_t units = 0;
  std::string activation = "tanh";
  std::string recurrent_activation = "sigmoid";  // LSTM and GRU only
  bool use_bias = true;
  WeightOptions weights = {};  // kernel/bias initializers, regularizers, constraints
  Config recurrent_initializer = "orthogonal";
  Config recurrent_regularizer = {};
  Config recurrent_constraint = {};
  // One [B, in] input mask and one [B, units] recurrent mask per call, fixed over time and shared
  // by the gates (Keras's implementation 2; with recurrent_dropout Keras draws one per gate).
  double dropout = 0.0;
  double recurrent_dropout = 0.0;  // on h before h·U (not on the carried state)
  std::optional<std::uint64_t> seed = std::nullopt;
  bool return_sequences = false;
  bool return_state = false;  // recorded; the states come from call_with_states
  bool go_backwards = false;
  bool unroll = false;  // accepted, no effect
  bool zero_output_for_mask = false;
};

/// The time loop shared by the recurrent layers (Keras's RNN around a cell), on inputs
/// [batch, timesteps, features]:
///  - the input projection x_t · kernel [in, G*units] + bias is one matmul per step (the bias as
///    a column of ones), or one over all steps when in > G*units (project_inputs says why);
///  - each step then does one h·recurrent_kernel [units, G*units] matmul (step() in the subclass);
///  - a mask [B, T] (bool) keeps the states of masked steps and repeats the previous output there
///    (zeros before the first unmasked step, or always with zero_output_for_mask), as Keras;
///  - go_backwards processes the reversed sequence and returns outputs in processing order;
///  - like Keras, only the rank and the feature dimension are checked: lengths may vary by call.
/// Output: [B, units], or [B, T, units] with return_sequences. Weights (in this order):
/// kernel, recurrent_kernel, bias. All of it is built from core ops, so gradients flow.
class RNNBase : public Layer {
 public:
  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  Tensor call_masked(const Tensor& x, const Tensor& mask, bool training) override;
  /// {output, h} (SimpleRNN, GRU) or {output, h, c} (LSTM). `mask` and `initial_states` may be
  /// undefined / empty (zeros); each initial state is [B, units]. Builds on first use.
  TensorList call_with_states(const Tensor& x, const Tensor& mask, const TensorList& initial_states,
                              bool training);
  int num_states() const { return num_states_; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  /// As a graph node: inputs [x, initial states...] (Keras 2 passes them as extra inputs, Keras 3
  /// as the initial_state keyword); outputs [output, states...] with return_state, else [output].
  std::vector<std::string> node_kwargs() const override { return {"initial_state"}; }
  void build_node(const std::vector<Shape>& input_shapes, const NodeArgs& call) override;
  std::vector<Shape> node_output_shapes(const std::vector<Shape>& input_shapes, const NodeArgs& call) const override;
  TensorList call_node(const TensorList& inputs, const Tensor& mask, const NodeArgs& call, bool training,
                       Tensor* out_mask) override;
  bool supports_masking() const override { return true; }
  /// The input mask with return_sequences, else none.
  Tensor compute_mask(const Tensor& x, const Tensor& mask) const override;

  const RNNOptions& rnn_options() const { return rnn_; }
  /// Bidirectional sets this to return_sequences on its copies, as Keras does.
  void set_zero_output_for_mask(bool zero) { rnn_.zero_output_for_mask = zero; }

 protected:
  RNNBase(RNNOptions options, std::string name, const std::string& class_name, const std::string& prefix, int gates,
          int num_states);

  /// Reads the shared keys (and rejects unknown ones: `extra_keys` are the subclass's own) and
  /// checks Keras 2 leftovers (stateful, time_major, implementation, use_cudnn).
  static RNNOptions parse_options(const Config& c, const std::vector<std::string>& extra_keys,
                                  const std::string& class_name, BaseLayerArgs& base);
  /// Keras's get_config keys in Keras's order; `recurrent_activation` only for LSTM/GRU; the
  /// subclass's own keys go where Keras puts them (after bias_initializer / recurrent_dropout).
  void add_config(Config& c, bool with_recurrent_activation, const Config& after_bias_init,
                  const Config& after_dropout) const;

  /// One step: the projected input xp_t [B, G*units] (input bias included) and the states;
  /// returns the new states, states[0] being the output. `rec_mask` is the recurrent dropout
  /// mask [B, units], undefined when off.
  virtual TensorList step(const Tensor& xp_t, const TensorList& states, const Tensor& rec_mask) = 0;
  /// Called once per sequence before the steps (slices of the weights the steps reuse).
  virtual void begin_sequence() {}
  /// The bias weight's shape and initializer, and the part added to the input projection.
  virtual Shape bias_shape() const { return {gates_ * rnn_.units}; }
  virtual std::shared_ptr<Initializer> bias_initializer() const;
  virtual Tensor input_bias() const { return bias_; }

  /// h·U, with the recurrent dropout mask applied to h when given.
  static Tensor recurrent_matmul(const Tensor& h, const Tensor& u, const Tensor& rec_mask);

  RNNOptions rnn_;
  ResolvedWeights resolved_;
  std::shared_ptr<Initializer> recurrent_initializer_;
  std::shared_ptr<Regularizer> recurrent_regularizer_;
  std::shared_ptr<Constraint> recurrent_constraint_;
  ActivationFn activation_, recurrent_activation_;
  Variable kernel_, recurrent_kernel_, bias_;
  int gates_;

 private:
  /// The whole forward pass: {output, states...}.
  TensorList run(const Tensor& x, const Tensor& mask, const TensorList& initial_states, bool training);

 public:
  Config random_state() const override;
  void set_random_state(const Config& state) override;

 private:
  void check_sequence_input(const Shape& s) const;
  /// The mask as bool [B, T] in processing order (undefined stays undefined).
  Tensor sequence_mask(const Tensor& mask, std::int64_t batch, std::int64_t steps) const;
  /// The given states, checked, or zeros.
  TensorList initial_states(const TensorList& given, std::int64_t batch, DType dtype) const;
  /// Applies input dropout (and draws the recurrent mask into `rec_mask`) and projects every
  /// step: T tensors [B, G*units], input bias included.
  TensorList project_inputs(Tensor x, bool training, Tensor& rec_mask);
  /// rows [n*R, F] -> n views [R, F], differentiable.
  static TensorList row_blocks(const Tensor& rows, std::int64_t n);
  Tensor dropout_mask(const Shape& shape, double rate, random::Generator& g) const;

  int num_states_;
  random::Generator stream_{0};  // the dropout masks' draws; a traced call draws when replayed
  // call_with_states passes these through Layer::call_with_mask (which builds, checks the input
  // and keeps the losses' bookkeeping) to call_masked and back.
  TensorList pending_initial_states_;
  bool want_states_ = false;
  TensorList last_states_;
};

}  // namespace fathom::layers
