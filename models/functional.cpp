// SPDX-License-Identifier: Apache-2.0
#include "models/functional.h"

#include "core/ops.h"

#include <map>
#include <set>

#include "layers/input_layer.h"
#include "layers/registry.h"
#include "models/sequential.h"

namespace fathom::models {
namespace {

bool is_input_node(const Node& n) { return dynamic_cast<layers::InputLayer*>(n.layer.get()) != nullptr; }

Shape output_shape_for(layers::Layer& layer, const std::vector<Shape>& shapes) {
  return layer.num_inputs() == 1 && shapes.size() == 1 ? layer.compute_output_shape(shapes[0])
                                                       : layer.compute_output_shape_multi(shapes);
}

}  // namespace

const Shape& SymbolicTensor::shape() const {
  FATHOM_CHECK(node_ != nullptr, ValueError, "use of an undefined SymbolicTensor");
  return node_->output_shape;
}

SymbolicTensor Input(const Shape& shape, std::string name, std::int64_t batch_size) {
  Shape batch_shape = shape;
  batch_shape.insert(batch_shape.begin(), batch_size);
  auto layer = std::make_shared<layers::InputLayer>(batch_shape, std::move(name));
  layer->build_from_shapes({batch_shape});
  auto node = std::make_shared<Node>();
  node->layer = layer;
  node->output_shape = batch_shape;
  return SymbolicTensor(node, 0);
}

SymbolicTensor call_layer(const std::shared_ptr<layers::Layer>& layer, const SymbolicTensor& input) {
  return models::call_layer(layer, std::vector<SymbolicTensor>{input});
}

SymbolicTensor call_layer(const std::shared_ptr<layers::Layer>& layer, const std::vector<SymbolicTensor>& inputs) {
  FATHOM_CHECK(layer != nullptr, ValueError, "call_layer: the layer is null");
  std::vector<Shape> shapes;
  for (const auto& t : inputs) {
    FATHOM_CHECK(t.defined(), ValueError, layer->class_name(), " '", layer->name(), "': an input is undefined");
    shapes.push_back(t.shape());
  }
  auto node = std::make_shared<Node>();
  node->layer = layer;
  node->inputs = inputs;
  try {
    if (!layer->built()) layer->build_from_shapes(shapes);
    node->output_shape = output_shape_for(*layer, shapes);
  } catch (Error& e) {
    std::string s;
    for (const auto& sh : shapes) s += (s.empty() ? "" : ", ") + shape_to_string(sh);
    e.add_context("applying " + layer->class_name() + " '" + layer->name() + "' to input shape(s) " + s);
    throw;
  }
  return SymbolicTensor(node, 0);
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
  std::map<const Node*, Tensor> values;
  std::map<const Node*, Tensor> masks;  // Keras masks of single-input calls; multi-input layers drop them
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    // Keras casts float64 inputs (numpy's default) to the model's float32.
    const Tensor x = inputs[i].dtype() == DType::kFloat64 ? ops::cast(inputs[i], DType::kFloat32) : inputs[i];
    values[inputs_[i].node().get()] = (*inputs_[i].node()->layer)(x, training);
  }
  for (const auto& n : order_) {
    if (is_input_node(*n)) continue;
    if (n->inputs.size() == 1 && n->layer->num_inputs() == 1) {
      const Node* in = n->inputs[0].node().get();
      const auto m = masks.find(in);
      values[n.get()] = n->layer->call_with_mask(values.at(in), m == masks.end() ? Tensor() : m->second, training,
                                                 &masks[n.get()]);
      continue;
    }
    TensorList xs;
    for (const auto& in : n->inputs) xs.push_back(values.at(in.node().get()));
    values[n.get()] = (*n->layer)(xs, training);
  }
  TensorList out;
  for (const auto& t : outputs_) out.push_back(values.at(t.node().get()));
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
      if (n->layer == l) shapes.push_back(n->output_shape);
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
      Config args = Config::list();
      if (n->inputs.size() == 1) {
        args.push_back(keras_tensor(n->inputs[0]));
      } else {
        Config group = Config::list();
        for (const auto& in : n->inputs) group.push_back(keras_tensor(in));
        args.push_back(group);
      }
      Config node = Config::map();
      node.set("args", args).set("kwargs", Config::map());
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
