// SPDX-License-Identifier: Apache-2.0
#include "layers/layer.h"

#include <map>
#include <mutex>

#include "core/autograd/recorder.h"
#include "core/ops.h"
#include "layers/initializers.h"
#include "layers/regularizers.h"

namespace fathom::layers {
namespace {

std::mutex& names_mutex() {
  static std::mutex m;
  return m;
}

std::map<std::string, int>& name_counters() {
  static std::map<std::string, int> counters;
  return counters;
}

/// Keras's automatic names: the first `dense`, then `dense_1`, `dense_2`, ...
std::string unique_name(const std::string& prefix) {
  std::lock_guard lock(names_mutex());
  const int n = name_counters()[prefix]++;
  return n == 0 ? prefix : prefix + "_" + std::to_string(n);
}

}  // namespace

void reset_layer_names() {
  std::lock_guard lock(names_mutex());
  name_counters().clear();
}

Layer::Layer(std::string name, const std::string& prefix) : name_(name.empty() ? unique_name(prefix) : std::move(name)) {}

Layer::~Layer() = default;

void Layer::set_trainable(bool trainable) {
  trainable_ = trainable;
  for (auto& w : weights_) w.variable.set_trainable(trainable && w.created_trainable);
}

void Layer::fail(const std::string& message) const {
  throw ShapeError(class_name() + " '" + name_ + "': " + message);
}

Tensor Layer::call(const Tensor& x, bool training) {
  (void)x;
  (void)training;
  fail("call() is not defined for one input; this layer takes several inputs (call it with a list)");
}

void Layer::build_multi(const std::vector<Shape>& input_shapes) {
  if (input_shapes.size() != 1) fail("expected 1 input, received " + std::to_string(input_shapes.size()));
  build(input_shapes[0]);
}

Tensor Layer::call_multi(const TensorList& inputs, bool training) {
  if (inputs.size() != 1) fail("expected 1 input, received " + std::to_string(inputs.size()));
  return call(inputs[0], training);
}

Shape Layer::compute_output_shape_multi(const std::vector<Shape>& input_shapes) const {
  if (input_shapes.size() != 1) fail("expected 1 input, received " + std::to_string(input_shapes.size()));
  return compute_output_shape(input_shapes[0]);
}

void Layer::build_from_shapes(const std::vector<Shape>& input_shapes) {
  if (built_) return;
  if (num_inputs() == 1 && input_shapes.size() != 1) {
    fail("expected 1 input, received " + std::to_string(input_shapes.size()));
  }
  {
    autograd::PauseTracing creating_state;  // weights are made once, not replayed by a traced step
    build_multi(input_shapes);
  }
  built_input_shapes_ = input_shapes;
  built_ = true;
}

void Layer::check_input(const std::vector<Shape>& shapes) {
  if (!built_) return;
  if (shapes.size() != built_input_shapes_.size()) {
    fail("expected " + std::to_string(built_input_shapes_.size()) + " input(s), received " +
         std::to_string(shapes.size()));
  }
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    const Shape& seen = built_input_shapes_[i];
    const Shape& now = shapes[i];
    // As Keras's input specs: the rank and the feature (last) dimension must match what build()
    // saw (unless built with None there); the others may vary from call to call (sequence
    // lengths, image sizes), and a layer that cannot take that fails in its ops, named below.
    bool ok = seen.size() == now.size();
    if (ok && now.size() >= 2 && fixes_input_features()) ok = seen.back() < 0 || seen.back() == now.back();
    if (!ok) {
      fail("input " + std::to_string(i) + " is incompatible with the layer: expected shape " + shape_to_string(seen) +
           ", received " + shape_to_string(now));
    }
  }
}

Tensor Layer::operator()(const Tensor& x, bool training) { return (*this)(TensorList{x}, training); }

std::pair<std::size_t, std::size_t> NodeArgs::find(const std::string& name) const {
  std::size_t at = num_args;
  for (const TensorKwarg& kw : tensor_kwargs) {
    if (kw.name == name) return {at, kw.count};
    at += kw.count;
  }
  return {at, 0};
}

void Layer::build_node(const std::vector<Shape>& input_shapes, const NodeArgs& call) {
  (void)call;
  if (!built_) build_from_shapes(input_shapes);
}

std::vector<Shape> Layer::node_output_shapes(const std::vector<Shape>& input_shapes, const NodeArgs& call) const {
  (void)call;
  return {num_inputs() == 1 && input_shapes.size() == 1 ? compute_output_shape(input_shapes[0])
                                                         : compute_output_shape_multi(input_shapes)};
}

TensorList Layer::call_node(const TensorList& inputs, const Tensor& mask, const NodeArgs& call, bool training,
                            Tensor* out_mask) {
  (void)call;
  if (inputs.size() == 1 && num_inputs() == 1) return {call_with_mask(inputs[0], mask, training, out_mask)};
  if (out_mask != nullptr) *out_mask = Tensor();
  return {(*this)(inputs, training)};
}

Tensor Layer::compute_mask(const Tensor& x, const Tensor& mask) const {
  (void)x;
  return supports_masking() ? mask : Tensor();
}

Tensor Layer::call_masked(const Tensor& x, const Tensor& mask, bool training) {
  (void)mask;
  return call_multi(TensorList{x}, training);
}

Tensor Layer::call_with_mask(const Tensor& x, const Tensor& mask, bool training, Tensor* out_mask) {
  prepare_call(TensorList{x});
  Tensor y;
  try {
    y = call_masked(x, mask, training);
  } catch (Error& e) {
    e.add_context("calling " + class_name() + " '" + name_ + "' on " + shape_to_string(x.shape()));
    throw;
  }
  if (out_mask != nullptr) *out_mask = compute_mask(x, mask);
  return y;
}

void Layer::prepare_call(const TensorList& inputs) {
  std::vector<Shape> shapes;
  for (const Tensor& t : inputs) {
    FATHOM_CHECK(t.defined(), ValueError, class_name(), " '", name_, "': an input is an undefined tensor");
    Shape s = t.shape();
    if (!s.empty()) s[0] = -1;  // the batch dimension is free
    shapes.push_back(s);
  }
  if (!built_) {
    build_from_shapes(shapes);
  } else {
    check_input(shapes);
  }
  call_losses_.clear();
}

Tensor Layer::operator()(const TensorList& inputs, bool training) {
  prepare_call(inputs);
  Tensor y;
  try {
    y = call_multi(inputs, training);
  } catch (Error& e) {
    std::string shapes;
    for (const Tensor& t : inputs) shapes += (shapes.empty() ? "" : ", ") + shape_to_string(t.shape());
    e.add_context("calling " + class_name() + " '" + name_ + "' on " + shapes);
    throw;
  }
  return y;
}

Config Layer::get_config() const {
  Config c = Config::map();
  c.set("name", name_).set("trainable", trainable_).set("dtype", "float32");
  return c;
}

std::vector<Variable> Layer::weights() const {
  std::vector<Variable> out;
  for (const auto& w : weights_) out.push_back(w.variable);
  return out;
}

std::vector<Variable> Layer::trainable_weights() const {
  std::vector<Variable> out;
  for (const Variable& v : weights()) {
    if (v.trainable() && trainable_) out.push_back(v);
  }
  return out;
}

std::vector<Variable> Layer::non_trainable_weights() const {
  std::vector<Variable> out;
  for (const Variable& v : weights()) {
    if (!v.trainable() || !trainable_) out.push_back(v);
  }
  return out;
}

Variable Layer::weight(const std::string& short_name) const {
  std::string names;
  for (const auto& w : weights_) {
    if (w.short_name == short_name) return w.variable;
    names += (names.empty() ? "" : ", ") + w.short_name;
  }
  throw ValueError(class_name() + " '" + name_ + "' has no weight '" + short_name + "'" +
                   (built_ ? ". Weights: " + (names.empty() ? std::string("none") : names) : " (the layer is not built yet)"));
}

std::int64_t Layer::count_params() const {
  std::int64_t n = 0;
  for (const Variable& v : weights()) n += shape_numel(v.shape());
  return n;
}

TensorList Layer::losses() const {
  TensorList out = call_losses_;
  for (const auto& w : weights_) {
    if (w.regularizer && w.variable.trainable()) out.push_back((*w.regularizer)(w.variable));
  }
  return out;
}

Variable Layer::add_weight(const std::string& name, const Shape& shape, const Initializer& initializer, bool trainable,
                           std::shared_ptr<Regularizer> regularizer, std::shared_ptr<Constraint> constraint,
                           DType dtype) {
  for (auto d : shape) {
    if (d < 0) fail("cannot create weight '" + name + "' of shape " + shape_to_string(shape) + ": unknown dimension");
  }
  autograd::NoRecordGuard no_record;
  Variable v(initializer(shape, dtype), name_ + "/" + name, trainable && trainable_);
  weights_.push_back({v, name, std::move(regularizer), std::move(constraint), trainable});
  return v;
}

void Layer::apply_constraints() {
  autograd::NoRecordGuard no_record;
  for (auto& w : weights_) {
    if (w.constraint) w.variable.assign((*w.constraint)(w.variable));
  }
}

}  // namespace fathom::layers
