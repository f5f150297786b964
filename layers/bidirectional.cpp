// SPDX-License-Identifier: Apache-2.0
#include "layers/bidirectional.h"

#include "core/ops.h"
#include "layers/layer_config.h"
#include "layers/registry.h"

namespace fathom::layers {
namespace {

std::unique_ptr<RNNBase> as_rnn(std::unique_ptr<Layer> layer, const std::string& what) {
  auto* rnn = dynamic_cast<RNNBase*>(layer.get());
  FATHOM_CHECK(rnn != nullptr, ValueError, "Bidirectional: ", what,
               " must be a recurrent layer (SimpleRNN, LSTM or GRU). Received: ", layer->class_name(), " '",
               layer->name(), "'");
  layer.release();
  return std::unique_ptr<RNNBase>(rnn);
}

std::string without_prefix(const std::string& s, const std::string& prefix) {
  return s.starts_with(prefix) ? s.substr(prefix.size()) : s;
}

/// A fresh copy of `layer` through its config (Keras serializes and deserializes it).
std::unique_ptr<RNNBase> copy_of(const Layer& layer, const std::string& name, bool go_backwards) {
  Config c = layer.get_config();
  c.set("name", name);
  if (go_backwards) c.set("go_backwards", true);
  return as_rnn(make_layer(layer.class_name(), c), "layer");
}

}  // namespace

Bidirectional::Bidirectional(const Layer& layer, Options options, std::string name, const Layer* backward_layer)
    : Layer(std::move(name), "bidirectional"), options_(std::move(options)) {
  const auto& mode = options_.merge_mode;
  FATHOM_CHECK(!mode || *mode == "concat" || *mode == "sum" || *mode == "mul" || *mode == "ave", ValueError,
               "Bidirectional '", this->name(), "': invalid merge_mode. Expected one of concat, sum, mul, ave, None. ",
               "Received: merge_mode='", mode.value_or("None"), "'");
  for (const Layer* l : {&layer, backward_layer}) {
    FATHOM_CHECK(l == nullptr || dynamic_cast<const RNNBase*>(l) != nullptr, ValueError, "Bidirectional '",
                 this->name(), "': ", l == &layer ? "layer" : "backward_layer",
                 " must be a recurrent layer (SimpleRNN, LSTM or GRU). Received: ", l->class_name(), " '", l->name(),
                 "'");
  }
  // Keras names the copies forward_<name> and backward_<name>; their weights live under this
  // layer ("<bidirectional>/forward_lstm/kernel", as Keras's weight paths), so the copies' own
  // names carry the prefix and get_config strips it.
  const std::string prefix = this->name() + "/";
  forward_ = copy_of(layer, prefix + "forward_" + without_prefix(layer.name(), "forward_"), false);
  backward_ = backward_layer ? copy_of(*backward_layer, prefix + backward_layer->name(), false)
                             : copy_of(layer, prefix + "backward_" + without_prefix(layer.name(), "backward_"), true);
  const RNNOptions& f = forward_->rnn_options();
  const RNNOptions& b = backward_->rnn_options();
  FATHOM_CHECK(f.go_backwards != b.go_backwards, ValueError, "Bidirectional '", this->name(),
               "': the forward and backward layers must have different go_backwards. Received: ",
               "forward_layer.go_backwards=", f.go_backwards, ", backward_layer.go_backwards=", b.go_backwards);
  FATHOM_CHECK(f.return_sequences == b.return_sequences && f.return_state == b.return_state, ValueError,
               "Bidirectional '", this->name(), "': the forward and backward layers must have the same ",
               "return_sequences and return_state. Received: forward (", f.return_sequences, ", ", f.return_state,
               "), backward (", b.return_sequences, ", ", b.return_state, ")");
  FATHOM_CHECK(forward_->num_states() == backward_->num_states(), ValueError, "Bidirectional '", this->name(),
               "': the forward layer (", forward_->class_name(), ") and the backward layer (",
               backward_->class_name(), ") have different numbers of states");
  // Keras: masked steps output zeros when the sequences are returned.
  forward_->set_zero_output_for_mask(f.return_sequences);
  backward_->set_zero_output_for_mask(b.return_sequences);
}

std::unique_ptr<Layer> Bidirectional::from_config(const Config& c) {
  const BaseLayerArgs base =
      parse_base_args(c, {"layer", "merge_mode", "backward_layer", "num_constants"}, "Bidirectional");
  FATHOM_CHECK(c.get_or<std::int64_t>("num_constants", 0) == 0, ConfigError, c.where_of("num_constants"),
               "Bidirectional: num_constants is not supported");
  FATHOM_CHECK(c.has("layer"), ConfigError, c.where(), "Bidirectional: the key 'layer' is required");
  Options o;
  if (c.has("merge_mode") && c.at("merge_mode").is_null()) {
    o.merge_mode = std::nullopt;
  } else {
    o.merge_mode = c.get_or<std::string>("merge_mode", "concat");
  }
  const std::unique_ptr<Layer> layer = layer_from_config(c.at("layer"));
  std::unique_ptr<Layer> backward;
  if (c.has("backward_layer") && !c.at("backward_layer").is_null()) {
    backward = layer_from_config(c.at("backward_layer"));
  }
  auto out = std::make_unique<Bidirectional>(*layer, std::move(o), base.name, backward.get());
  apply_base_args(*out, base);
  return out;
}

void Bidirectional::build(const Shape& input_shape) {
  forward_->build_from_shapes({input_shape});
  backward_->build_from_shapes({input_shape});
}

Tensor Bidirectional::call(const Tensor& x, bool training) { return call_masked(x, Tensor(), training); }

Tensor Bidirectional::call_masked(const Tensor& x, const Tensor& mask, bool training) {
  FATHOM_CHECK(options_.merge_mode.has_value(), ValueError, "Bidirectional '", name(),
               "': merge_mode=None gives two outputs; use call_with_states");
  return call_with_states(x, mask, {}, training)[0];
}

TensorList Bidirectional::call_with_states(const Tensor& x, const Tensor& mask, const TensorList& initial_states,
                                           bool training) {
  if (!built()) {
    Shape s = x.shape();
    if (!s.empty()) s[0] = -1;  // the batch dimension is free
    build_from_shapes({s});
  }
  const std::size_t n = forward_->num_states();
  if (!initial_states.empty() && initial_states.size() != 2 * n) {
    fail("expected " + std::to_string(2 * n) + " initial states (forward, then backward), received " +
         std::to_string(initial_states.size()));
  }
  const bool given = !initial_states.empty();
  const TensorList fw_init = given ? TensorList(initial_states.begin(), initial_states.begin() + n) : TensorList{};
  const TensorList bw_init = given ? TensorList(initial_states.begin() + n, initial_states.end()) : TensorList{};
  const TensorList fw = forward_->call_with_states(x, mask, fw_init, training);
  const TensorList bw = backward_->call_with_states(x, mask, bw_init, training);
  const Tensor y = fw[0];
  Tensor y_rev = bw[0];
  if (forward_->rnn_options().return_sequences) y_rev = ops::slice_axis(y_rev, 1, std::nullopt, std::nullopt, -1);
  TensorList out;
  if (!options_.merge_mode) {
    out = {y, y_rev};
  } else if (*options_.merge_mode == "concat") {
    out = {ops::concat({y, y_rev}, -1)};
  } else if (*options_.merge_mode == "sum") {
    out = {ops::add(y, y_rev)};
  } else if (*options_.merge_mode == "mul") {
    out = {ops::mul(y, y_rev)};
  } else {
    out = {ops::div(ops::add(y, y_rev), 2.0)};
  }
  out.insert(out.end(), fw.begin() + 1, fw.end());
  out.insert(out.end(), bw.begin() + 1, bw.end());
  return out;
}

Shape Bidirectional::compute_output_shape(const Shape& input_shape) const {
  Shape s = forward_->compute_output_shape(input_shape);
  if (options_.merge_mode == "concat") s.back() *= 2;
  return s;
}

Tensor Bidirectional::compute_mask(const Tensor& x, const Tensor& mask) const {
  (void)x;
  return forward_->rnn_options().return_sequences ? mask : Tensor();
}

Config Bidirectional::get_config() const {
  Config c = Layer::get_config();
  c.set("merge_mode", options_.merge_mode ? Config(*options_.merge_mode) : Config());
  // The nested configs carry Keras's names (forward_lstm), without this layer's prefix.
  for (const auto& [key, inner] : {std::pair{"layer", forward_.get()}, std::pair{"backward_layer", backward_.get()}}) {
    Config spec = serialize_layer(*inner);
    Config config = inner->get_config();
    config.set("name", without_prefix(inner->name(), name() + "/"));
    spec.set("config", std::move(config));
    c.set(key, std::move(spec));
  }
  return c;
}

std::vector<Variable> Bidirectional::weights() const {
  std::vector<Variable> out = forward_->weights();
  const std::vector<Variable> bw = backward_->weights();
  out.insert(out.end(), bw.begin(), bw.end());
  return out;
}

void Bidirectional::set_trainable(bool trainable) {
  Layer::set_trainable(trainable);
  forward_->set_trainable(trainable);
  backward_->set_trainable(trainable);
}

std::vector<Layer*> Bidirectional::sublayers() const { return {forward_.get(), backward_.get()}; }

TensorList Bidirectional::losses() const {
  TensorList out = Layer::losses();
  for (const RNNBase* l : {forward_.get(), backward_.get()}) {
    const TensorList more = l->losses();
    out.insert(out.end(), more.begin(), more.end());
  }
  return out;
}

void Bidirectional::apply_constraints() {
  forward_->apply_constraints();
  backward_->apply_constraints();
}

Config Bidirectional::random_state() const {
  const Config f = forward_->random_state(), b = backward_->random_state();
  if (f.is_null() && b.is_null()) return Config();
  Config c = Config::map();
  c.set("forward", f).set("backward", b);
  return c;
}

void Bidirectional::set_random_state(const Config& state) {
  if (state.is_null()) return;
  FATHOM_CHECK(state.is_map() && state.has("forward") && state.has("backward"), ValueError, "Bidirectional '", name(),
               "': a random state needs forward and backward, received ", state.to_json());
  if (!state.at("forward").is_null()) forward_->set_random_state(state.at("forward"));
  if (!state.at("backward").is_null()) backward_->set_random_state(state.at("backward"));
}

void Bidirectional::build_node(const std::vector<Shape>& input_shapes, const NodeArgs& call) {
  (void)call;
  const std::size_t states = input_shapes.empty() ? 0 : input_shapes.size() - 1;
  if (input_shapes.empty() || (states != 0 && states != static_cast<std::size_t>(num_states()))) {
    fail("expected the sequence and, optionally, " + std::to_string(num_states()) + " initial state(s); received " +
         std::to_string(input_shapes.size()) + " input(s)");
  }
  if (!built()) build_from_shapes({input_shapes[0]});
}

std::vector<Shape> Bidirectional::node_output_shapes(const std::vector<Shape>& input_shapes, const NodeArgs& call) const {
  (void)call;
  const Shape out = compute_output_shape(input_shapes.at(0));
  std::vector<Shape> shapes(static_cast<std::size_t>(num_outputs()), out);
  if (forward_->rnn_options().return_state) {
    for (int i = 0; i < num_states(); ++i) shapes.push_back({input_shapes[0][0], forward_->rnn_options().units});
  }
  return shapes;
}

TensorList Bidirectional::call_node(const TensorList& inputs, const Tensor& mask, const NodeArgs& call, bool training,
                                    Tensor* out_mask) {
  (void)call;
  const TensorList states(inputs.begin() + 1, inputs.end());
  TensorList out = call_with_states(inputs.at(0), mask, states, training);
  if (out_mask != nullptr) *out_mask = compute_mask(inputs[0], mask);
  if (!forward_->rnn_options().return_state) out.resize(static_cast<std::size_t>(num_outputs()));
  return out;
}

}  // namespace fathom::layers
