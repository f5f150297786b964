// SPDX-License-Identifier: Apache-2.0
#include "losses/crossentropy.h"

#include <cmath>

#include "core/ops.h"
#include "losses/loss_utils.h"

namespace fathom::losses {
namespace {

void check_label_smoothing(const std::string& owner, const std::string& name, double s) {
  FATHOM_CHECK(s >= 0.0 && s <= 1.0, ValueError, owner, " '", name,
               "': label_smoothing must be in [0, 1]. Received: label_smoothing=", s);
}

template <class Options>
Options parse_smoothing_options(const Config& c) {
  Options o;
  if (!c.is_map()) return o;
  o.from_logits = c.get_or<bool>("from_logits", o.from_logits);
  o.label_smoothing = c.get_or<double>("label_smoothing", o.label_smoothing);
  o.axis = c.get_or<std::int64_t>("axis", o.axis);
  return o;
}

template <class Options>
Config smoothing_config(Config c, const Options& o) {
  c.set("from_logits", o.from_logits).set("label_smoothing", o.label_smoothing).set("axis", o.axis);
  return c;
}

}  // namespace

// ~~~ BinaryCrossentropy ~~~

BinaryCrossentropy::BinaryCrossentropy(Options options, Reduction reduction, std::string name)
    : Loss(std::move(name), reduction), options_(options) {
  check_label_smoothing("BinaryCrossentropy", this->name(), options_.label_smoothing);
}

std::unique_ptr<Loss> BinaryCrossentropy::from_config(const Config& c) {
  auto base = detail::parse_base(c, "BinaryCrossentropy", "binary_crossentropy",
                                 {"from_logits", "label_smoothing", "axis"});
  return std::make_unique<BinaryCrossentropy>(parse_smoothing_options<Options>(c), base.reduction,
                                              std::move(base.name));
}

Tensor BinaryCrossentropy::call(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = detail::prepare(detail::owner(*this), y_true, y_pred);
  const std::int64_t axis = detail::loss_axis(detail::owner(*this), options_.axis, p.dim());
  const double s = options_.label_smoothing;
  if (s > 0) t = ops::add(ops::mul(t, 1.0 - s), 0.5 * s);
  Tensor bce;
  if (options_.from_logits) {
    // max(x, 0) - x t + log1p(exp(-|x|)), which is softplus(x) - x t (softplus is the stable
    // kernel, and its gradient is sigmoid(x) everywhere, also at x = 0).
    bce = ops::sub(ops::softplus(p), ops::mul(p, t));
  } else {
    const Tensor q = ops::clip(p, kEpsilon, 1.0 - kEpsilon);
    const Tensor pos = ops::mul(t, ops::log(q));
    const Tensor neg = ops::mul(ops::sub(ops::scalar_like(t, 1.0), t), ops::log(ops::sub(ops::scalar_like(q, 1.0), q)));
    bce = ops::neg(ops::add(pos, neg));
  }
  return ops::mean(bce, axis);
}

Config BinaryCrossentropy::get_config() const { return smoothing_config(Loss::get_config(), options_); }

// ~~~ CategoricalCrossentropy ~~~

CategoricalCrossentropy::CategoricalCrossentropy(Options options, Reduction reduction, std::string name)
    : Loss(std::move(name), reduction), options_(options) {
  check_label_smoothing("CategoricalCrossentropy", this->name(), options_.label_smoothing);
}

std::unique_ptr<Loss> CategoricalCrossentropy::from_config(const Config& c) {
  auto base = detail::parse_base(c, "CategoricalCrossentropy", "categorical_crossentropy",
                                 {"from_logits", "label_smoothing", "axis"});
  return std::make_unique<CategoricalCrossentropy>(parse_smoothing_options<Options>(c), base.reduction,
                                                   std::move(base.name));
}

Tensor CategoricalCrossentropy::call(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = detail::prepare(detail::owner(*this), y_true, y_pred);
  FATHOM_CHECK(p.dim() >= 1, ShapeError, detail::owner(*this), ": y_true and y_pred must be at least rank 1, received ",
               shape_to_string(p.shape()));
  const std::int64_t axis = detail::loss_axis(detail::owner(*this), options_.axis, p.dim());
  const double s = options_.label_smoothing;
  if (s > 0) t = ops::add(ops::mul(t, 1.0 - s), s / static_cast<double>(t.shape().back()));
  Tensor log_prob;
  if (options_.from_logits) {
    log_prob = ops::log_softmax(p, axis);
  } else {
    // Renormalize so that each distribution sums to 1, then clip (Keras).
    const Tensor q = ops::div(p, ops::sum(p, axis, /*keepdims=*/true));
    log_prob = ops::log(ops::clip(q, kEpsilon, 1.0 - kEpsilon));
  }
  return ops::neg(ops::sum(ops::mul(t, log_prob), axis));
}

Config CategoricalCrossentropy::get_config() const { return smoothing_config(Loss::get_config(), options_); }

// ~~~ SparseCategoricalCrossentropy ~~~

SparseCategoricalCrossentropy::SparseCategoricalCrossentropy(Options options, Reduction reduction, std::string name)
    : Loss(std::move(name), reduction), options_(options) {}

std::unique_ptr<Loss> SparseCategoricalCrossentropy::from_config(const Config& c) {
  auto base = detail::parse_base(c, "SparseCategoricalCrossentropy", "sparse_categorical_crossentropy",
                                 {"from_logits", "ignore_class", "axis"});
  Options o;
  if (c.is_map()) {
    o.from_logits = c.get_or<bool>("from_logits", false);
    o.ignore_class = detail::optional_int(c, "ignore_class");
    const std::int64_t axis = c.get_or<std::int64_t>("axis", -1);
    FATHOM_CHECK(axis == -1, ConfigError, c.at("axis").where(),
                 "SparseCategoricalCrossentropy: only axis=-1 is supported. Received: axis=", axis);
  }
  return std::make_unique<SparseCategoricalCrossentropy>(o, base.reduction, std::move(base.name));
}

Tensor SparseCategoricalCrossentropy::labels(const Tensor& y_true, const Tensor& y_pred) const {
  FATHOM_CHECK(y_true.defined() && y_pred.defined(), ValueError, detail::owner(*this), ": y_true and y_pred must be defined tensors");
  FATHOM_CHECK(y_pred.dim() >= 1, ShapeError, detail::owner(*this), ": y_pred must have a class axis, received shape ",
               shape_to_string(y_pred.shape()));
  Shape expected(y_pred.shape().begin(), y_pred.shape().end() - 1);
  Shape label_shape = y_true.shape();
  if (y_true.dim() == y_pred.dim() && !label_shape.empty() && label_shape.back() == 1) label_shape.pop_back();
  if (label_shape != expected) {
    detail::shape_mismatch(detail::owner(*this), y_true, y_pred,
                           "expected integer labels of shape " + shape_to_string(expected) + " or " +
                               shape_to_string([&] { Shape s = expected; s.push_back(1); return s; }()));
  }
  const std::int64_t classes = y_pred.shape().back();
  // The labels are checked by an op, so that a traced step checks every batch, not only the first.
  const auto ignore = options_.ignore_class;
  const Tensor checked = ops::check_values(y_true, [owner = detail::owner(*this), classes, ignore,
                                                    pred_shape = y_pred.shape()](const Tensor& t) {
    const std::vector<double> values = detail::host_values(t);
    for (std::size_t i = 0; i < values.size(); ++i) {
      const double v = values[i];
      if (ignore && v == static_cast<double>(*ignore)) continue;
      FATHOM_CHECK(std::floor(v) == v, ValueError, owner, ": labels must be integers, received ", v, " at index ", i);
      FATHOM_CHECK(v >= 0 && v < static_cast<double>(classes), ValueError, owner, ": label ", static_cast<std::int64_t>(v),
                   " at index ", i, " is out of range for ", classes, " classes (expected 0 <= label < ", classes,
                   ", the last dim of y_pred ", shape_to_string(pred_shape), ")");
    }
  });
  Tensor label = ops::reshape(ops::cast(checked, DType::kInt64), label_shape);
  // Ignored entries become -1.
  if (ignore) label = ops::where(ops::equal(label, ops::scalar_like(label, static_cast<double>(*ignore))),
                                 ops::scalar_like(label, -1.0), label);
  return label;
}

Tensor SparseCategoricalCrossentropy::call(const Tensor& y_true, const Tensor& y_pred) const {
  FATHOM_CHECK(y_pred.defined() && is_floating(y_pred.dtype()), ValueError, detail::owner(*this),
               ": y_pred must be a float32 or float64 tensor");
  const Tensor label = labels(y_true, y_pred);
  // Ignored entries are -1: one_hot gives them a zero row, so their loss and gradient are 0.
  const Tensor target = ops::one_hot(label, y_pred.shape().back(), 1.0, 0.0, y_pred.dtype());
  Tensor log_prob;
  if (options_.from_logits) {
    log_prob = ops::log_softmax(y_pred, -1);
  } else {
    // TF's path: log of the clipped probabilities, renormalized by log_softmax.
    log_prob = ops::log_softmax(ops::log(ops::clip(y_pred, kEpsilon, 1.0 - kEpsilon)), -1);
  }
  return ops::neg(ops::sum(ops::mul(target, log_prob), -1));
}

Tensor SparseCategoricalCrossentropy::loss_mask(const Tensor& y_true, const Tensor& y_pred) const {
  if (!options_.ignore_class) return {};
  const Tensor label = labels(y_true, y_pred);
  return ops::greater_equal(label, ops::scalar_like(label, 0.0));
}

Config SparseCategoricalCrossentropy::get_config() const {
  Config c = Loss::get_config();
  c.set("from_logits", options_.from_logits).set("ignore_class", detail::optional_to_config(options_.ignore_class));
  return c;
}

}  // namespace fathom::losses
