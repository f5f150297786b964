// SPDX-License-Identifier: Apache-2.0
// keras/src/layers/rnn/time_distributed.py. Keras loops over the steps; one call on the
// [B*T, ...] view computes the same thing with one kernel launch.
#include "layers/time_distributed.h"

#include "core/ops.h"
#include "layers/layer_config.h"
#include "layers/registry.h"

namespace fathom::layers {
namespace {

std::string without_prefix(const std::string& s, const std::string& prefix) {
  return s.starts_with(prefix) ? s.substr(prefix.size()) : s;
}

/// [B, T, rest...] -> [B*T, rest...] (B or T may be -1 in a build shape).
Shape merge_steps(const Shape& s) {
  Shape out(s.begin() + 1, s.end());
  out[0] = s[0] < 0 || s[1] < 0 ? -1 : s[0] * s[1];
  return out;
}

}  // namespace

TimeDistributed::TimeDistributed(const Layer& layer, std::string name)
    : Layer(std::move(name), "time_distributed") {
  FATHOM_CHECK(layer.num_inputs() == 1, ValueError, "TimeDistributed '", this->name(),
               "': the wrapped layer must take one input. Received: ", layer.class_name(), " '", layer.name(), "'");
  Config c = layer.get_config();
  c.set("name", this->name() + "/" + layer.name());
  inner_ = make_layer(layer.class_name(), c);
}

std::unique_ptr<Layer> TimeDistributed::from_config(const Config& c) {
  const BaseLayerArgs base = parse_base_args(c, {"layer"}, "TimeDistributed");
  FATHOM_CHECK(c.has("layer") && c.at("layer").is_map(), ConfigError, c.where(),
               "TimeDistributed: the key 'layer' ({class_name, config}) is required");
  const std::unique_ptr<Layer> layer = layer_from_config(c.at("layer"));
  auto out = std::make_unique<TimeDistributed>(*layer, base.name);
  apply_base_args(*out, base);
  return out;
}

void TimeDistributed::build(const Shape& input_shape) {
  if (input_shape.size() < 3) {
    fail("expected an input of rank >= 3 ([batch, time, ...]), received shape " + shape_to_string(input_shape));
  }
  Shape child(input_shape.begin() + 1, input_shape.end());
  child[0] = input_shape[0];  // Keras builds the layer with (batch, *input_shape[2:])
  inner_->build_from_shapes({child});
}

Tensor TimeDistributed::call(const Tensor& x, bool training) { return call_masked(x, Tensor(), training); }

Tensor TimeDistributed::call_masked(const Tensor& x, const Tensor& mask, bool training) {
  const Shape& s = x.shape();
  if (s.size() < 3) fail("expected an input of rank >= 3 ([batch, time, ...]), received shape " + shape_to_string(s));
  Tensor steps_mask;
  if (mask.defined()) {
    const Shape& m = mask.shape();
    if (m.size() < 2 || m[0] != s[0] || m[1] != s[1]) {
      fail("the mask must be at least 2D with the input's batch size and timesteps. Expected a mask shape prefix (" +
           std::to_string(s[0]) + ", " + std::to_string(s[1]) + "), received mask shape " + shape_to_string(m) +
           " for input shape " + shape_to_string(s));
    }
    steps_mask = ops::reshape(mask, merge_steps(m));
  }
  const Tensor y = inner_->call_with_mask(ops::reshape(x, merge_steps(s)), steps_mask, training, nullptr);
  Shape out = y.shape();
  out[0] = s[1];
  out.insert(out.begin(), s[0]);
  return ops::reshape(y, out);
}

Shape TimeDistributed::compute_output_shape(const Shape& input_shape) const {
  if (input_shape.size() < 3) {
    fail("expected an input of rank >= 3 ([batch, time, ...]), received shape " + shape_to_string(input_shape));
  }
  Shape child(input_shape.begin() + 1, input_shape.end());
  child[0] = input_shape[0];
  Shape out = inner_->compute_output_shape(child);
  out.insert(out.begin() + 1, input_shape[1]);
  return out;
}

Config TimeDistributed::get_config() const {
  Config c = Layer::get_config();
  Config spec = serialize_layer(*inner_);
  Config config = inner_->get_config();
  config.set("name", without_prefix(inner_->name(), name() + "/"));
  spec.set("config", std::move(config));
  c.set("layer", std::move(spec));
  return c;
}

std::vector<Variable> TimeDistributed::weights() const { return inner_->weights(); }

void TimeDistributed::set_trainable(bool trainable) {
  Layer::set_trainable(trainable);
  inner_->set_trainable(trainable);
}

TensorList TimeDistributed::losses() const { return inner_->losses(); }

}  // namespace fathom::layers
