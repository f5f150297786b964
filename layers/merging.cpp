// SPDX-License-Identifier: Apache-2.0
#include "layers/merging.h"

#include <algorithm>

#include "core/ops.h"
#include "layers/layer_config.h"

namespace fathom::layers {
namespace {

const char* kind_name(ElementwiseMerge::Kind k) {
  switch (k) {
    case ElementwiseMerge::Kind::kAdd: return "Add";
    case ElementwiseMerge::Kind::kSubtract: return "Subtract";
    case ElementwiseMerge::Kind::kMultiply: return "Multiply";
    case ElementwiseMerge::Kind::kAverage: return "Average";
    case ElementwiseMerge::Kind::kMaximum: return "Maximum";
    case ElementwiseMerge::Kind::kMinimum: return "Minimum";
  }
  return "?";
}

std::string prefix_of(ElementwiseMerge::Kind k) {
  std::string p = kind_name(k);
  for (auto& ch : p) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return p;
}

}  // namespace

ElementwiseMerge::ElementwiseMerge(Kind kind, std::string name) : Layer(std::move(name), prefix_of(kind)), kind_(kind) {}

std::string ElementwiseMerge::class_name() const { return kind_name(kind_); }

std::unique_ptr<Layer> ElementwiseMerge::from_config(Kind kind, const Config& c) {
  const BaseLayerArgs base = parse_base_args(c, {}, kind_name(kind));
  auto layer = std::make_unique<ElementwiseMerge>(kind, base.name);
  apply_base_args(*layer, base);
  return layer;
}

void ElementwiseMerge::build_multi(const std::vector<Shape>& shapes) {
  if (kind_ == Kind::kSubtract && shapes.size() != 2) {
    fail("expects exactly 2 inputs, received " + std::to_string(shapes.size()));
  }
  if (shapes.size() < 2) fail("expects at least 2 inputs, received " + std::to_string(shapes.size()));
  compute_output_shape_multi(shapes);
}

Tensor ElementwiseMerge::call_multi(const TensorList& inputs, bool /*training*/) {
  if (inputs.size() < 2) fail("expects at least 2 inputs, received " + std::to_string(inputs.size()));
  // Keras: inputs of lower rank get size-1 axes inserted at axis 1 until the ranks agree.
  std::int64_t rank = 0;
  for (const Tensor& t : inputs) rank = std::max(rank, t.dim());
  TensorList xs;
  for (const Tensor& t : inputs) {
    if (t.dim() > 0 && t.shape()[0] != inputs[0].shape()[0]) {
      fail("cannot merge tensors with different batch sizes: " + shape_to_string(inputs[0].shape()) + " and " +
           shape_to_string(t.shape()));
    }
    Tensor x = t;
    while (x.dim() < rank) x = ops::expand_dims(x, 1);
    xs.push_back(x);
  }
  Tensor y = xs[0];
  for (std::size_t i = 1; i < xs.size(); ++i) {
    switch (kind_) {
      case Kind::kAdd: case Kind::kAverage: y = ops::add(y, xs[i]); break;
      case Kind::kSubtract: y = ops::sub(y, xs[i]); break;
      case Kind::kMultiply: y = ops::mul(y, xs[i]); break;
      case Kind::kMaximum: y = ops::maximum(y, xs[i]); break;
      case Kind::kMinimum: y = ops::minimum(y, xs[i]); break;
    }
  }
  if (kind_ == Kind::kAverage) y = ops::div(y, static_cast<double>(xs.size()));
  return y;
}

Shape ElementwiseMerge::compute_output_shape_multi(const std::vector<Shape>& input_shapes) const {
  std::size_t rank = 0;
  for (const Shape& s : input_shapes) rank = std::max(rank, s.size());
  std::vector<Shape> shapes;
  for (Shape s : input_shapes) {
    while (s.size() < rank) s.insert(s.begin() + 1, 1);  // as call_multi expands them
    shapes.push_back(s);
  }
  Shape out = shapes.at(0);
  for (std::size_t i = 1; i < shapes.size(); ++i) {
    // None (-1) broadcasts like an unknown: keep it unknown.
    Shape a = out, b = shapes[i];
    for (auto& d : a) d = d < 0 ? 1 : d;
    for (auto& d : b) d = d < 0 ? 1 : d;
    try {
      Shape s = broadcast_shapes(a, b, kind_name(kind_));
      const std::size_t r = s.size();
      for (std::size_t d = 0; d < r; ++d) {
        const std::int64_t x = d + out.size() >= r ? out[d + out.size() - r] : 1;
        const std::int64_t y = d + shapes[i].size() >= r ? shapes[i][d + shapes[i].size() - r] : 1;
        if (x < 0 && y < 0) s[d] = -1;
      }
      out = s;
    } catch (const ShapeError&) {
      fail("inputs have incompatible shapes " + shape_to_string(out) + " and " + shape_to_string(shapes[i]));
    }
  }
  return out;
}

Concatenate::Concatenate(std::int64_t axis, std::string name) : Layer(std::move(name), "concatenate"), axis_(axis) {}

std::unique_ptr<Layer> Concatenate::from_config(const Config& c) {
  const BaseLayerArgs base = parse_base_args(c, {"axis"}, "Concatenate");
  auto layer = std::make_unique<Concatenate>(c.get_or<std::int64_t>("axis", -1), base.name);
  apply_base_args(*layer, base);
  return layer;
}

void Concatenate::build_multi(const std::vector<Shape>& shapes) {
  if (shapes.size() < 2) fail("expects at least 2 inputs, received " + std::to_string(shapes.size()));
  compute_output_shape_multi(shapes);
}

Tensor Concatenate::call_multi(const TensorList& xs, bool /*training*/) { return ops::concat(xs, axis_); }

Shape Concatenate::compute_output_shape_multi(const std::vector<Shape>& shapes) const {
  const auto rank = static_cast<std::int64_t>(shapes.at(0).size());
  std::int64_t axis = 0;
  try {
    axis = normalize_axis(axis_, rank, "Concatenate");
  } catch (const ShapeError& e) {
    fail(e.message());
  }
  Shape out = shapes[0];
  for (std::size_t i = 1; i < shapes.size(); ++i) {
    const Shape& s = shapes[i];
    bool ok = static_cast<std::int64_t>(s.size()) == rank;
    for (std::int64_t d = 0; ok && d < rank; ++d) ok = d == axis || s[d] < 0 || out[d] < 0 || s[d] == out[d];
    if (!ok) {
      fail("inputs must match except along axis " + std::to_string(axis_) + "; received " + shape_to_string(shapes[0]) +
           " and " + shape_to_string(s));
    }
    out[axis] = (out[axis] < 0 || s[axis] < 0) ? -1 : out[axis] + s[axis];
  }
  return out;
}

Config Concatenate::get_config() const {
  Config c = Layer::get_config();
  c.set("axis", axis_);
  return c;
}

Dot::Dot(std::vector<std::int64_t> axes, bool normalize, std::string name)
    : Layer(std::move(name), "dot"), axes_(std::move(axes)), normalize_(normalize) {
  FATHOM_CHECK(axes_.size() == 1 || axes_.size() == 2, ValueError, "Dot '", this->name(),
               "': axes must be one axis or a pair. Received: axes=", shape_to_string(axes_));
}

std::unique_ptr<Layer> Dot::from_config(const Config& c) {
  const BaseLayerArgs base = parse_base_args(c, {"axes", "normalize"}, "Dot");
  std::vector<std::int64_t> axes;
  const Config& a = c.at("axes");
  axes = a.is_list() ? a.as_shape() : std::vector<std::int64_t>{a.as_int()};
  auto layer = std::make_unique<Dot>(axes, c.get_or("normalize", false), base.name);
  apply_base_args(*layer, base);
  return layer;
}

std::pair<std::int64_t, std::int64_t> Dot::resolved_axes(std::int64_t rank_a, std::int64_t rank_b) const {
  const std::int64_t a = axes_[0], b = axes_.size() == 2 ? axes_[1] : axes_[0];
  return {a < 0 ? a + rank_a : a, b < 0 ? b + rank_b : b};
}

void Dot::build_multi(const std::vector<Shape>& shapes) {
  if (shapes.size() != 2) fail("expects exactly 2 inputs, received " + std::to_string(shapes.size()));
  compute_output_shape_multi(shapes);
}

Tensor Dot::call_multi(const TensorList& xs, bool /*training*/) {
  if (xs.size() != 2) fail("expects exactly 2 inputs, received " + std::to_string(xs.size()));
  Tensor a = xs[0], b = xs[1];
  const auto [ax, bx] = resolved_axes(a.dim(), b.dim());
  if (normalize_) {
    a = ops::div(a, ops::sqrt(ops::maximum(ops::sum(ops::square(a), ax, true), 1e-12)));
    b = ops::div(b, ops::sqrt(ops::maximum(ops::sum(ops::square(b), bx, true), 1e-12)));
  }
  // Move the contracted axis last in a and second-to-last in b, then one batched matmul.
  auto move_to = [](const Tensor& t, std::int64_t from, std::int64_t to) {
    std::vector<std::int64_t> perm;
    for (std::int64_t d = 0; d < t.dim(); ++d) {
      if (d != from) perm.push_back(d);
    }
    perm.insert(perm.begin() + to, from);
    return ops::transpose(t, perm);
  };
  // ops::reshape copies a non-contiguous view as a recorded op (Tensor::contiguous() would not
  // be recorded and would cut the gradient).
  const Tensor a3 = ops::reshape(move_to(a, ax, a.dim() - 1), {a.shape()[0], -1, a.shape()[ax]});
  const Tensor b3 = ops::reshape(move_to(b, bx, 1), {b.shape()[0], b.shape()[bx], -1});
  Tensor y = ops::matmul(a3, b3);  // [B, Ra, Rb]
  Shape out = compute_output_shape_multi({a.shape(), b.shape()});
  out[0] = a.shape()[0];
  return ops::reshape(y, out);
}

Shape Dot::compute_output_shape_multi(const std::vector<Shape>& shapes) const {
  const Shape& a = shapes.at(0);
  const Shape& b = shapes.at(1);
  const auto [ax, bx] = resolved_axes(static_cast<std::int64_t>(a.size()), static_cast<std::int64_t>(b.size()));
  if (ax <= 0 || bx <= 0 || ax >= static_cast<std::int64_t>(a.size()) || bx >= static_cast<std::int64_t>(b.size())) {
    fail("axes " + shape_to_string(axes_) + " are out of range (or the batch axis) for inputs " + shape_to_string(a) +
         " and " + shape_to_string(b));
  }
  if (a[ax] >= 0 && b[bx] >= 0 && a[ax] != b[bx]) {
    fail("dimension " + std::to_string(ax) + " of " + shape_to_string(a) + " and " + std::to_string(bx) + " of " +
         shape_to_string(b) + " differ");
  }
  Shape out = {a[0]};
  for (std::int64_t d = 1; d < static_cast<std::int64_t>(a.size()); ++d) {
    if (d != ax) out.push_back(a[d]);
  }
  for (std::int64_t d = 1; d < static_cast<std::int64_t>(b.size()); ++d) {
    if (d != bx) out.push_back(b[d]);
  }
  if (out.size() == 1) out.push_back(1);  // Keras keeps [B, 1] for 2-D inputs
  return out;
}

Config Dot::get_config() const {
  Config c = Layer::get_config();
  c.set("axes", axes_.size() == 1 ? Config(axes_[0]) : Config(axes_));
  c.set("normalize", normalize_);
  return c;
}

}  // namespace fathom::layers
