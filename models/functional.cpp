// SPDX-License-Identifier: Apache-2.0
#include "models/functional.h"

#include "core/ops.h"

#include <algorithm>
#include <map>
#include <set>

#include "layers/input_layer.h"
#include "layers/registry.h"
#include "models/sequential.h"

namespace fathom::models {
namespace {

bool is_input_node(const Node& n) { return dynamic_cast<layers::InputLayer*>(n.layer.get()) != nullptr; }

}  // namespace

const Shape& SymbolicTensor::shape() const {
  FATHOM_CHECK(node_ != nullptr, ValueError, "use of an undefined SymbolicTensor");
  if (node_->output_shapes.empty()) return node_->output_shape;
  FATHOM_CHECK(index_ >= 0 && index_ < static_cast<int>(node_->output_shapes.size()), ValueError, "output ", index_,
               " of a call of '", node_->layer->name(), "', which has ", node_->output_shapes.size(), " output(s)");
  return node_->output_shapes[static_cast<std::size_t>(index_)];
}

SymbolicTensor Input(const Shape& shape, std::string name, std::int64_t batch_size) {
  Shape batch_shape = shape;
  batch_shape.insert(batch_shape.begin(), batch_size);
  auto layer = std::make_shared<layers::InputLayer>(batch_shape, std::move(name));
  layer->build_from_shapes({batch_shape});
  auto node = std::make_shared<Node>();
  node->layer = layer;
  node->output_shape = batch_shape;
  node->output_shapes = {batch_shape};
  return SymbolicTensor(node, 0);
}

SymbolicTensor call_layer(const std::shared_ptr<layers::Layer>& layer, const SymbolicTensor& input) {
  return models::call_layer(layer, std::vector<SymbolicTensor>{input});
}

SymbolicTensor call_layer(const std::shared_ptr<layers::Layer>& layer, const std::vector<SymbolicTensor>& inputs) {
  const std::vector<SymbolicTensor> out = call_layer_outputs(layer, inputs);
  FATHOM_CHECK(out.size() == 1, ValueError, layer->class_name(), " '", layer->name(), "' returns ", out.size(),
               " outputs here (return_state?); use call_layer_outputs");
  return out[0];
}

std::vector<SymbolicTensor> call_layer_outputs(const std::shared_ptr<layers::Layer>& layer,
                                               const std::vector<SymbolicTensor>& args, const CallKwargs& kwargs) {
  FATHOM_CHECK(layer != nullptr, ValueError, "call_layer: the layer is null");
  auto node = std::make_shared<Node>();
  node->layer = layer;
  node->inputs = args;
  node->call.num_args = args.size();
  for (const auto& [kw, tensors] : kwargs.tensors) {
    FATHOM_CHECK(kw.count == tensors.size(), ValueError, layer->class_name(), " '", layer->name(), "': keyword '",
                 kw.name, "' declares ", kw.count, " tensor(s) but holds ", tensors.size());
    node->call.tensor_kwargs.push_back(kw);
    node->inputs.insert(node->inputs.end(), tensors.begin(), tensors.end());
  }
  node->call.values = kwargs.values.is_map() ? kwargs.values : Config::map();
  const std::vector<std::string> known = layer->node_kwargs();
  std::vector<std::string> given = node->call.values.keys();
  for (const TensorKwarg& kw : node->call.tensor_kwargs) given.push_back(kw.name);
  for (const std::string& key : given) {
    FATHOM_CHECK(std::find(known.begin(), known.end(), key) != known.end(), ConfigError, layer->class_name(), " '",
                 layer->name(), "': the call argument '", key, "' is not supported",
                 known.empty() ? std::string() : " (supported: " + [&] {
                   std::string k;
                   for (const auto& n : known) k += (k.empty() ? "" : ", ") + n;
                   return k;
                 }() + ")");
  }
  std::vector<Shape> shapes;
  for (const auto& t : node->inputs) {
    FATHOM_CHECK(t.defined(), ValueError, layer->class_name(), " '", layer->name(), "': an input is undefined");
    shapes.push_back(t.shape());
  }
  try {
    layer->build_node(shapes, node->call);
    node->output_shapes = layer->node_output_shapes(shapes, node->call);
    node->output_shape = node->output_shapes.at(0);
  } catch (Error& e) {
    std::string s;
    for (const auto& sh : shapes) s += (s.empty() ? "" : ", ") + shape_to_string(sh);
    e.add_context("applying " + layer->class_name() + " '" + layer->name() + "' to input shape(s) " + s);
    throw;
  }
  std::vector<SymbolicTensor> out;
  for (std::size_t i = 0; i < node->output_shapes.size(); ++i) out.emplace_back(node, static_cast<int>(i));
  return out;
}

Functional::Functional(std::vector<SymbolicTensor> inputs, std::vector<SymbolicTensor> outputs, std::string name)
    : Model(std::move(name), "functional"), inputs_(std::move(inputs)), outputs_(std::move(outputs)) {
  register_model_classes();
  FATHOM_CHECK(!inputs_.empty() && !outputs_.empty(), ValueError, "Functional '", this->name(),
               "': needs at least one input and one output");
  std::set<const Node*> input_nodes;
  for (const auto& t : inputs_) {
    FATHOM_CHECK(t.defined() && is_input_node(*t.node()), ValueError, "Functional '", this->name(),
                 "': inputs must come from Input(), not from a layer's output");
    input_nodes.insert(t.node().get());
  }
  // Depth-first from the outputs: post-order gives every node after its inputs.
  std::set<const Node*> done, active;
  std::function<void(const std::shared_ptr<Node>&)> visit = [&](const std::shared_ptr<Node>& n) {
    if (done.count(n.get())) return;
    FATHOM_CHECK(!active.count(n.get()), ValueError, "Functional '", this->name(), "': the graph has a cycle");
    if (is_input_node(*n)) {
      FATHOM_CHECK(input_nodes.count(n.get()), ValueError, "Functional '", this->name(), "': an output depends on input '",
                   n->layer->name(), "', which is not among the model's inputs");
    }
    active.insert(n.get());
    for (const auto& in : n->inputs) visit(in.node());
    active.erase(n.get());
    done.insert(n.get());
    order_.push_back(n);
  };
  for (const auto& t : outputs_) {
    FATHOM_CHECK(t.defined(), ValueError, "Functional '", this->name(), "': an output is undefined");
    visit(t.node());
  }
  for (const auto& t : inputs_) {
    if (!done.count(t.node().get())) order_.insert(order_.begin(), t.node());  // an unused input still counts
  }
  std::set<const layers::Layer*> seen;
  std::map<const layers::Layer*, int> calls;
  std::set<std::string> names;
  for (const auto& n : order_) {
    n->node_index = calls[n->layer.get()]++;
    if (seen.insert(n->layer.get()).second) {
      FATHOM_CHECK(names.insert(n->layer->name()).second, ValueError, "Functional '", this->name(),
                   "': two different layers are named '", n->layer->name(), "'; layer names must be unique");
      layers_.push_back(n->layer);
    }
  }
  std::vector<Shape> shapes;
  for (const auto& t : inputs_) shapes.push_back(t.shape());
  build_from_shapes(shapes);
}

void Functional::build_multi(const std::vector<Shape>& input_shapes) {
  FATHOM_CHECK(input_shapes.size() == inputs_.size(), ShapeError, "Functional '", name(), "': expected ",
               inputs_.size(), " inputs, received ", input_shapes.size());
}

Shape Functional::compute_output_shape_multi(const std::vector<Shape>& input_shapes) const {
  (void)input_shapes;
  FATHOM_CHECK(outputs_.size() == 1, ValueError, "Functional '", name(), "' has ", outputs_.size(),
               " outputs; only single-output models can be used as a layer");
  return outputs_[0].shape();
}

TensorList Functional::call_model(const TensorList& inputs, bool training) {
  FATHOM_CHECK(inputs.size() == inputs_.size(), ValueError, "Functional '", name(), "': expected ", inputs_.size(),
               " inputs, received ", inputs.size());
  std::map<const Node*, TensorList> values;  // every output of every call
  std::map<const Node*, Tensor> masks;       // the Keras mask of each call's first output
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    // Keras casts float64 inputs (numpy's default) to the model's float32.
    const Tensor x = inputs[i].dtype() == DType::kFloat64 ? ops::cast(inputs[i], DType::kFloat32) : inputs[i];
    values[inputs_[i].node().get()] = {(*inputs_[i].node()->layer)(x, training)};
  }
  auto value_of = [&](const SymbolicTensor& t) -> const Tensor& {
    return values.at(t.node().get()).at(static_cast<std::size_t>(t.index()));
  };
  for (const auto& n : order_) {
    if (is_input_node(*n)) continue;
    TensorList xs;
    for (const auto& in : n->inputs) xs.push_back(value_of(in));
    // The first input's mask, when it is a call's first output (states carry none).
    Tensor mask;
    if (!n->inputs.empty() && n->inputs[0].index() == 0) {
      const auto m = masks.find(n->inputs[0].node().get());
      if (m != masks.end()) mask = m->second;
    }
    values[n.get()] = n->layer->call_node(xs, mask, n->call, training, &masks[n.get()]);
  }
  TensorList out;
  for (const auto& t : outputs_) out.push_back(value_of(t));
  return out;
}

std::vector<layers::Layer*> Functional::layers() const {
  std::vector<layers::Layer*> out;
  for (const auto& l : layers_) out.push_back(l.get());
  return out;
}

std::vector<std::vector<Shape>> Functional::layer_output_shapes() const {
  std::vector<std::vector<Shape>> out;
  for (const auto& l : layers_) {
    std::vector<Shape> shapes;
    for (const auto& n : order_) {
      if (n->layer == l) shapes.push_back(n->output_shape);  // the first output of each call
    }
    out.push_back(shapes);
  }
  return out;
}

std::vector<std::string> Functional::output_names() const {
  std::vector<std::string> names;
  for (const auto& t : outputs_) names.push_back(t.node()->layer->name());
  return names;
}

namespace {

Config history_of(const SymbolicTensor& t) {
  return Config(std::vector<Config>{t.node()->layer->name(), t.node()->node_index, t.index()});
}

Config keras_tensor(const SymbolicTensor& t) {
  Config c = Config::map();
  c.set("shape", Config(t.shape())).set("dtype", "float32").set("keras_history", history_of(t));
  Config kt = Config::map();
  kt.set("class_name", "__keras_tensor__").set("config", c);
  return kt;
}

}  // namespace

Config Functional::get_config() const {
  Config c = Config::map();
  c.set("name", name()).set("trainable", trainable());
  Config list = Config::list();
  for (const auto& l : layers_) {
    Config spec = layers::serialize_layer(*l);
    spec.set("name", l->name());
    Config inbound = Config::list();
    for (const auto& n : order_) {
      if (n->layer != l || n->inputs.empty()) continue;
      // Keras 3's form: one positional tensor, several as one list (merge layers) or as separate
      // arguments (attention's query, value); keyword tensors (initial_state, key) by name.
      Config args = Config::list();
      const std::size_t num_args = n->call.num_args;
      if (num_args == 1) {
        args.push_back(keras_tensor(n->inputs[0]));
      } else if (n->layer->class_name() == "MultiHeadAttention") {
        for (std::size_t i = 0; i < num_args; ++i) args.push_back(keras_tensor(n->inputs[i]));
      } else {
        Config group = Config::list();
        for (std::size_t i = 0; i < num_args; ++i) group.push_back(keras_tensor(n->inputs[i]));
        args.push_back(group);
      }
      Config kwargs = n->call.values;
      std::size_t next = num_args;
      for (const TensorKwarg& kw : n->call.tensor_kwargs) {
        if (kw.as_list) {
          Config list = Config::list();
          for (std::size_t i = 0; i < kw.count; ++i) list.push_back(keras_tensor(n->inputs[next + i]));
          kwargs.set(kw.name, list);
        } else {
          kwargs.set(kw.name, keras_tensor(n->inputs[next]));
        }
        next += kw.count;
      }
      Config node = Config::map();
      node.set("args", args).set("kwargs", kwargs);
      inbound.push_back(node);
    }
    spec.set("inbound_nodes", inbound);
    list.push_back(spec);
  }
  c.set("layers", list);
  Config ins = Config::list(), outs = Config::list();
  for (const auto& t : inputs_) ins.push_back(history_of(t));
  for (const auto& t : outputs_) outs.push_back(history_of(t));
  c.set("input_layers", ins).set("output_layers", outs);
  return c;
}

}  // namespace fathom::models
