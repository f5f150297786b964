// SPDX-License-Identifier: Apache-2.0
#include "layers/rnn_base.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "core/ops.h"
#include "layers/initializers.h"
#include "layers/random_state.h"
#include "layers/regularizers.h"

namespace fathom::layers {

RNNBase::RNNBase(RNNOptions options, std::string name, const std::string& class_name, const std::string& prefix,
                 int gates, int num_states)
    : Layer(std::move(name), prefix), rnn_(std::move(options)), resolved_(rnn_.weights),
      recurrent_initializer_(get_initializer(rnn_.recurrent_initializer)),
      recurrent_regularizer_(get_regularizer(rnn_.recurrent_regularizer)),
      recurrent_constraint_(get_constraint(rnn_.recurrent_constraint)),
      activation_(activation_fn(rnn_.activation)),
      recurrent_activation_(activation_fn(rnn_.recurrent_activation)), gates_(gates), num_states_(num_states) {
  const std::string who = class_name + " '" + this->name();  // class_name() is not callable here
  FATHOM_CHECK(rnn_.units > 0, ValueError, who, "': units must be a positive integer. Received: units=", rnn_.units);
  FATHOM_CHECK(rnn_.dropout >= 0 && rnn_.dropout <= 1, ValueError, who,
               "': dropout must be in [0, 1]. Received: dropout=", rnn_.dropout);
  FATHOM_CHECK(rnn_.recurrent_dropout >= 0 && rnn_.recurrent_dropout <= 1, ValueError, who,
               "': recurrent_dropout must be in [0, 1]. Received: recurrent_dropout=", rnn_.recurrent_dropout);
  // A layer without a seed takes one from the global generator, so set_global_seed repeats it
  // (only when it drops anything, so that other layers' initial weights do not move).
  const bool drops = rnn_.dropout > 0 || rnn_.recurrent_dropout > 0;
  stream_ = random::Generator(rnn_.seed ? *rnn_.seed : drops ? random::global_generator().next_key() : 0);
}

RNNOptions RNNBase::parse_options(const Config& c, const std::vector<std::string>& extra_keys,
                                  const std::string& class_name, BaseLayerArgs& base) {
  std::vector<std::string> keys = {"units", "activation", "use_bias", "recurrent_initializer", "recurrent_regularizer",
                                   "recurrent_constraint", "dropout", "recurrent_dropout", "seed", "return_sequences",
                                   "return_state", "go_backwards", "stateful", "unroll", "zero_output_for_mask",
                                   "implementation", "time_major", "use_cudnn"};
  keys.insert(keys.end(), WeightOptions::keys().begin(), WeightOptions::keys().end());
  keys.insert(keys.end(), extra_keys.begin(), extra_keys.end());
  base = parse_base_args(c, keys, class_name);
  FATHOM_CHECK(!c.get_or("stateful", false), ConfigError, c.where_of("stateful"), class_name,
               ": stateful=True is not supported (states are not kept between batches)");
  FATHOM_CHECK(!c.get_or("time_major", false), ConfigError, c.where_of("time_major"), class_name,
               ": time_major=True is not supported; inputs are [batch, timesteps, features]");
  if (c.has("use_cudnn") && !c.at("use_cudnn").is_null()) {
    const Config& v = c.at("use_cudnn");
    FATHOM_CHECK(v.is_string() ? v.as_string() == "auto" : v.kind() == Config::Kind::kBool, ConfigError,
                 c.where_of("use_cudnn"), class_name, ": use_cudnn must be 'auto', true or false. Received: use_cudnn=",
                 v.to_json());
  }
  if (c.has("implementation") && !c.at("implementation").is_null()) (void)c.get<std::int64_t>("implementation");
  RNNOptions o;
  o.units = c.get<std::int64_t>("units");
  // Keras: activation=None is the identity ("linear").
  auto activation = [&](const std::string& key, const std::string& fallback) {
    if (c.has(key) && c.at(key).is_null()) return std::string("linear");
    return c.get_or<std::string>(key, fallback);
  };
  o.activation = activation("activation", o.activation);
  o.recurrent_activation = activation("recurrent_activation", o.recurrent_activation);
  o.use_bias = c.get_or("use_bias", true);
  o.weights = WeightOptions::from_config(c);
  o.recurrent_initializer = c.get_or<Config>("recurrent_initializer", o.recurrent_initializer);
  o.recurrent_regularizer = c.get_or<Config>("recurrent_regularizer", Config());
  o.recurrent_constraint = c.get_or<Config>("recurrent_constraint", Config());
  o.dropout = c.get_or("dropout", 0.0);
  o.recurrent_dropout = c.get_or("recurrent_dropout", 0.0);
  if (c.has("seed") && !c.at("seed").is_null()) o.seed = static_cast<std::uint64_t>(c.get<std::int64_t>("seed"));
  o.return_sequences = c.get_or("return_sequences", false);
  o.return_state = c.get_or("return_state", false);
  o.go_backwards = c.get_or("go_backwards", false);
  o.unroll = c.get_or("unroll", false);
  o.zero_output_for_mask = c.get_or("zero_output_for_mask", false);
  return o;
}

void RNNBase::add_config(Config& c, bool with_recurrent_activation, const Config& after_bias_init,
                         const Config& after_dropout) const {
  c.set("return_sequences", rnn_.return_sequences).set("return_state", rnn_.return_state);
  c.set("go_backwards", rnn_.go_backwards).set("stateful", false).set("unroll", rnn_.unroll);
  c.set("zero_output_for_mask", rnn_.zero_output_for_mask).set("units", rnn_.units);
  c.set("activation", rnn_.activation);
  if (with_recurrent_activation) c.set("recurrent_activation", rnn_.recurrent_activation);
  c.set("use_bias", rnn_.use_bias);
  c.set("kernel_initializer", serialize_initializer(*resolved_.kernel_initializer));
  c.set("recurrent_initializer", serialize_initializer(*recurrent_initializer_));
  c.set("bias_initializer", serialize_initializer(*resolved_.bias_initializer));
  for (const auto& [k, v] : after_bias_init.entries()) c.set(k, v);
  c.set("kernel_regularizer", serialize_regularizer(resolved_.kernel_regularizer.get()));
  c.set("recurrent_regularizer", serialize_regularizer(recurrent_regularizer_.get()));
  c.set("bias_regularizer", serialize_regularizer(resolved_.bias_regularizer.get()));
  c.set("activity_regularizer", serialize_regularizer(resolved_.activity_regularizer.get()));
  c.set("kernel_constraint", serialize_constraint(resolved_.kernel_constraint.get()));
  c.set("recurrent_constraint", serialize_constraint(recurrent_constraint_.get()));
  c.set("bias_constraint", serialize_constraint(resolved_.bias_constraint.get()));
  c.set("dropout", rnn_.dropout).set("recurrent_dropout", rnn_.recurrent_dropout);
  for (const auto& [k, v] : after_dropout.entries()) c.set(k, v);
  c.set("seed", rnn_.seed ? Config(static_cast<std::int64_t>(*rnn_.seed)) : Config());
}

std::shared_ptr<Initializer> RNNBase::bias_initializer() const { return resolved_.bias_initializer; }

void RNNBase::check_sequence_input(const Shape& s) const {
  if (s.size() != 3) {
    fail("expected an input of rank 3 [batch, timesteps, features], received shape " + shape_to_string(s));
  }
}

void RNNBase::build(const Shape& input_shape) {
  check_sequence_input(input_shape);
  const std::int64_t in = input_shape[2];
  if (in < 0) fail("the feature dimension of the input must be known, received shape " + shape_to_string(input_shape));
  const std::int64_t width = gates_ * rnn_.units;
  kernel_ = add_weight("kernel", {in, width}, *resolved_.kernel_initializer, true, resolved_.kernel_regularizer,
                       resolved_.kernel_constraint);
  recurrent_kernel_ = add_weight("recurrent_kernel", {rnn_.units, width}, *recurrent_initializer_, true,
                                 recurrent_regularizer_, recurrent_constraint_);
  if (rnn_.use_bias) {
    bias_ = add_weight("bias", bias_shape(), *bias_initializer(), true, resolved_.bias_regularizer,
                       resolved_.bias_constraint);
  }
}

Shape RNNBase::compute_output_shape(const Shape& s) const {
  check_sequence_input(s);
  if (rnn_.return_sequences) return {s[0], s[1], rnn_.units};
  return {s[0], rnn_.units};
}

Tensor RNNBase::compute_mask(const Tensor& x, const Tensor& mask) const {
  (void)x;
  return rnn_.return_sequences ? mask : Tensor();
}

Tensor RNNBase::recurrent_matmul(const Tensor& h, const Tensor& u, const Tensor& rec_mask) {
  return ops::matmul(rec_mask.defined() ? ops::mul(h, rec_mask) : h, u);
}

Tensor RNNBase::dropout_mask(const Shape& shape, double rate, random::Generator& g) const {
  // Keras's dropout of ones: keep with probability 1 - rate, scaled by 1 / (1 - rate).
  const Tensor u = random::uniform(shape, 0, 1, kernel_.dtype(), g);
  const Tensor keep = ops::cast(ops::greater_equal(u, ops::scalar_like(u, rate)), kernel_.dtype());
  return ops::mul(keep, 1.0 / (1.0 - rate));
}

TensorList RNNBase::row_blocks(const Tensor& rows, std::int64_t n) {
  // The adjoint of a slice is a zero tensor of the sliced tensor's size, so n slices of `rows`
  // would cost O(n^2) in the backward pass. Slicing groups of ~sqrt(n) blocks first, then the
  // blocks out of each group, costs O(n^1.5) (n = 200: ~7x less).
  const std::int64_t size = rows.shape()[0] / n;
  const auto group = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(std::sqrt(n))));
  TensorList out;
  for (std::int64_t start = 0; start < n; start += group) {
    const std::int64_t len = std::min(group, n - start);
    const Tensor g = len == n ? rows : ops::slice_axis(rows, 0, start * size, (start + len) * size);
    for (std::int64_t b = 0; b < len; ++b) {
      out.push_back(len == 1 ? g : ops::slice_axis(g, 0, b * size, (b + 1) * size));
    }
  }
  return out;
}

Tensor RNNBase::call(const Tensor& x, bool training) { return call_masked(x, Tensor(), training); }

Tensor RNNBase::call_masked(const Tensor& x, const Tensor& mask, bool training) {
  const TensorList initial = std::exchange(pending_initial_states_, {});
  const bool want_states = std::exchange(want_states_, false);
  if (!built()) {  // called directly rather than through operator() / call_with_mask
    check_sequence_input(x.shape());
    build_from_shapes({{-1, x.shape()[1], x.shape()[2]}});
  }
  // Keras checks only the rank and the feature dimension: later calls may have other lengths.
  const Shape& seen = built_input_shapes()[0];
  if (seen[1] >= 0) mark_built({{-1, -1, seen[2]}});
  TensorList out = run(x, mask, initial, training);
  if (const auto& reg = resolved_.activity_regularizer) {
    // Keras applies it to every tensor the layer returns (the states too with return_state),
    // divided by the batch size.
    const std::size_t n = rnn_.return_state ? out.size() : 1;
    for (std::size_t i = 0; i < n; ++i) add_loss(ops::div((*reg)(out[i]), static_cast<double>(x.shape()[0])));
  }
  last_states_ = want_states ? TensorList(out.begin() + 1, out.end()) : TensorList{};
  return out[0];
}

TensorList RNNBase::call_with_states(const Tensor& x, const Tensor& mask, const TensorList& initial_states,
                                     bool training) {
  pending_initial_states_ = initial_states;
  want_states_ = true;
  Tensor y;
  try {
    y = call_with_mask(x, mask, training, nullptr);  // builds, checks the input, collects losses
  } catch (...) {
    pending_initial_states_.clear();
    want_states_ = false;
    throw;
  }
  TensorList out{y};
  out.insert(out.end(), last_states_.begin(), last_states_.end());
  last_states_.clear();
  return out;
}

namespace {

Tensor reversed_in_time(const Tensor& t) { return ops::slice_axis(t, 1, std::nullopt, std::nullopt, -1); }

}  // namespace

Tensor RNNBase::sequence_mask(const Tensor& mask, std::int64_t batch, std::int64_t steps) const {
  if (!mask.defined()) return mask;
  if (mask.shape() != Shape{batch, steps}) {
    fail("the mask must have shape [batch, timesteps] = " + shape_to_string({batch, steps}) + ", received " +
         shape_to_string(mask.shape()));
  }
  const Tensor m = mask.dtype() == DType::kBool ? mask : ops::not_equal(mask, ops::scalar_like(mask, 0));
  return rnn_.go_backwards ? reversed_in_time(m) : m;
}

TensorList RNNBase::initial_states(const TensorList& given, std::int64_t batch, DType dtype) const {
  const Shape shape{batch, rnn_.units};
  if (given.empty()) return TensorList(num_states_, Tensor::zeros(shape, dtype));
  if (static_cast<int>(given.size()) != num_states_) {
    fail("expected " + std::to_string(num_states_) + " initial state(s), received " + std::to_string(given.size()));
  }
  for (std::size_t i = 0; i < given.size(); ++i) {
    if (!given[i].defined() || given[i].shape() != shape) {
      fail("initial state " + std::to_string(i) + " must have shape " + shape_to_string(shape) + ", received " +
           (given[i].defined() ? shape_to_string(given[i].shape()) : std::string("undefined")));
    }
  }
  return given;
}

TensorList RNNBase::project_inputs(Tensor x, bool training, Tensor& rec_mask) {
  const std::int64_t batch = x.shape()[0], steps = x.shape()[1], in = x.shape()[2];
  // Dropout masks, fixed over the sequence (Keras's DropoutRNNCell), drawn once per call.
  const bool drop = training && rnn_.dropout > 0 && rnn_.dropout < 1;
  const bool rec_drop = training && rnn_.recurrent_dropout > 0 && rnn_.recurrent_dropout < 1;
  if (drop || rec_drop) {
    if (drop) x = ops::mul(x, ops::expand_dims(dropout_mask({batch, in}, rnn_.dropout, stream_), 1));
    if (rec_drop) rec_mask = dropout_mask({batch, rnn_.units}, rnn_.recurrent_dropout, stream_);
  }
  // Time-major rows [T*B, in] (one copy), so that a step is a contiguous row range. A slice's
  // adjoint is a zero tensor of the sliced tensor's size, so the T per-step slices (grouped,
  // row_blocks) are taken of whichever is narrower: the input, each step then projected on its
  // own, or the projection [T*B, G*units] of all steps at once.
  const std::int64_t width = gates_ * rnn_.units;
  Tensor rows = ops::reshape(ops::transpose(x, {1, 0, 2}), {steps * batch, in});
  const bool project_first = in > width;
  if (project_first) {
    rows = ops::matmul(rows, kernel_);
    if (rnn_.use_bias) rows = ops::add(rows, input_bias());
  } else if (rnn_.use_bias) {
    // The bias as one more input column of ones, so that each step is one matmul.
    rows = ops::concat({rows, Tensor::ones({steps * batch, 1}, rows.dtype(), rows.device())}, 1);
  }
  TensorList out = row_blocks(rows, steps);
  if (!project_first) {
    const Tensor w = rnn_.use_bias ? ops::concat({kernel_, ops::reshape(input_bias(), {1, width})}, 0) : kernel_;
    for (Tensor& x_t : out) x_t = ops::matmul(x_t, w);
  }
  return out;
}

TensorList RNNBase::run(const Tensor& x_in, const Tensor& mask_in, const TensorList& initial, bool training) {
  check_sequence_input(x_in.shape());
  const std::int64_t batch = x_in.shape()[0], steps = x_in.shape()[1];
  if (steps < 1) fail("needs at least one timestep, received shape " + shape_to_string(x_in.shape()));
  const Tensor mask = sequence_mask(mask_in, batch, steps);
  TensorList states = initial_states(initial, batch, x_in.dtype());
  Tensor rec_mask;
  const TensorList step_inputs = project_inputs(rnn_.go_backwards ? reversed_in_time(x_in) : x_in, training, rec_mask);
  begin_sequence();
  const Tensor zeros = Tensor::zeros({batch, rnn_.units}, x_in.dtype());
  Tensor prev_output = zeros;  // what a masked step outputs (Keras: zeros before the first step)
  TensorList outputs;
  for (std::int64_t t = 0; t < steps; ++t) {
    TensorList next = step(step_inputs[t], states, rec_mask);
    Tensor output = next[0];
    if (mask.defined()) {
      const Tensor m = ops::slice_axis(mask, 1, t, t + 1);  // [B, 1], broadcasts over units
      for (std::size_t i = 0; i < next.size(); ++i) next[i] = ops::where(m, next[i], states[i]);
      output = ops::where(m, output, rnn_.zero_output_for_mask ? zeros : prev_output);
    }
    states = std::move(next);
    prev_output = output;
    if (rnn_.return_sequences) outputs.push_back(output);
  }
  TensorList result{rnn_.return_sequences ? ops::stack(outputs, 1) : prev_output};
  result.insert(result.end(), states.begin(), states.end());
  return result;
}

Config RNNBase::random_state() const {
  const random::GeneratorState s = stream_.state();
  return s.seed == 0 && s.draws == 0 ? Config() : stream_state_config(s.seed, s.draws);
}

void RNNBase::set_random_state(const Config& state) {
  const random::GeneratorState g = stream_state_from(state, class_name() + " '" + name() + "'");
  stream_.set_state(g);
}

void RNNBase::build_node(const std::vector<Shape>& input_shapes, const NodeArgs& call) {
  (void)call;
  const std::size_t states = input_shapes.empty() ? 0 : input_shapes.size() - 1;
  if (input_shapes.empty() || (states != 0 && states != static_cast<std::size_t>(num_states_))) {
    fail("expected the sequence and, optionally, " + std::to_string(num_states_) + " initial state(s); received " +
         std::to_string(input_shapes.size()) + " input(s)");
  }
  for (std::size_t i = 1; i < input_shapes.size(); ++i) {
    const Shape& st = input_shapes[i];
    if (st.size() != 2 || (st[1] >= 0 && st[1] != rnn_.units)) {
      fail("initial state " + std::to_string(i - 1) + " must have shape (batch, " + std::to_string(rnn_.units) +
           "), received " + shape_to_string(st));
    }
  }
  if (!built()) build_from_shapes({input_shapes[0]});
}

std::vector<Shape> RNNBase::node_output_shapes(const std::vector<Shape>& input_shapes, const NodeArgs& call) const {
  (void)call;
  std::vector<Shape> out = {compute_output_shape(input_shapes.at(0))};
  if (rnn_.return_state) {
    for (int i = 0; i < num_states_; ++i) out.push_back({input_shapes[0][0], rnn_.units});
  }
  return out;
}

TensorList RNNBase::call_node(const TensorList& inputs, const Tensor& mask, const NodeArgs& call, bool training,
                              Tensor* out_mask) {
  (void)call;
  const TensorList states(inputs.begin() + 1, inputs.end());
  TensorList out = call_with_states(inputs.at(0), mask, states, training);
  if (out_mask != nullptr) *out_mask = compute_mask(inputs[0], mask);
  if (!rnn_.return_state) out.resize(1);
  return out;
}

}  // namespace fathom::layers
