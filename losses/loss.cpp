// SPDX-License-Identifier: Apache-2.0
#include "losses/loss.h"

#include <array>
#include <utility>

#include "core/ops.h"
#include "losses/loss_utils.h"

namespace fathom::losses {
namespace {

constexpr std::array<std::pair<const char*, Reduction>, 5> kReductions = {{
    {"sum_over_batch_size", Reduction::kSumOverBatchSize},
    {"sum", Reduction::kSum},
    {"none", Reduction::kNone},
    {"mean", Reduction::kMean},
    {"mean_with_sample_weight", Reduction::kMeanWithSampleWeight},
}};

/// Keras's apply_mask: the mask becomes a weight. For the mean reductions the valid entries
/// weigh total/valid, so that the mean runs over valid entries only.
Tensor merge_mask(const Tensor& sample_weight, const Tensor& mask, DType dtype, Reduction reduction) {
  if (!mask.defined()) return sample_weight;
  Tensor float_mask = ops::cast(mask, dtype);
  if (reduction == Reduction::kSumOverBatchSize || reduction == Reduction::kMean) {
    // total / valid, or 0 when nothing is valid; tensors, so that a traced step recomputes it.
    const Tensor valid = ops::sum(ops::cast(mask, DType::kFloat64));
    const Tensor is_empty = ops::equal(valid, ops::scalar_like(valid, 0.0));
    const Tensor scale = ops::where(is_empty, ops::scalar_like(valid, 0.0),
                                    ops::div(ops::scalar_like(valid, static_cast<double>(mask.numel())),
                                             ops::where(is_empty, ops::scalar_like(valid, 1.0), valid)));
    float_mask = ops::mul(float_mask, ops::cast(scale, dtype));
  }
  if (!sample_weight.defined()) return float_mask;
  auto [m, w] = detail::squeeze_or_expand_to_same_rank(float_mask, ops::cast(sample_weight, dtype));
  return ops::mul(w, m);
}

/// a / b, or 0 where b is 0 (Keras's divide_no_nan), without NaN gradients.
Tensor divide_no_nan(const Tensor& a, const Tensor& b) {
  const Tensor zero = ops::scalar_like(b, 0.0);
  const Tensor is_zero = ops::equal(b, zero);
  const Tensor safe = ops::where(is_zero, ops::scalar_like(b, 1.0), b);
  return ops::where(is_zero, ops::scalar_like(a, 0.0), ops::div(a, safe));
}

}  // namespace

Reduction parse_reduction(const std::string& name) {
  std::string valid;
  for (const auto& [n, r] : kReductions) {
    if (name == n) return r;
    valid += (valid.empty() ? "" : ", ") + std::string(n);
  }
  std::vector<std::string> names;
  for (const auto& entry : kReductions) names.emplace_back(entry.first);
  throw ConfigError("Invalid value for argument `reduction`: '" + name + "'." + did_you_mean(name, names) +
                    " Expected one of: " + valid + ".");
}

std::string reduction_name(Reduction r) {
  for (const auto& [n, value] : kReductions) {
    if (value == r) return n;
  }
  return "sum_over_batch_size";
}

Tensor Loss::loss_mask(const Tensor& /*y_true*/, const Tensor& /*y_pred*/) const { return {}; }

Tensor Loss::operator()(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight) const {
  const Tensor values = call(y_true, y_pred);
  return reduce_weighted_values(values, sample_weight, loss_mask(y_true, y_pred), reduction_, detail::owner(*this));
}

Config Loss::get_config() const {
  Config c = Config::map();
  c.set("name", name_).set("reduction", reduction_name(reduction_));
  return c;
}

Tensor reduce_weighted_values(const Tensor& values_in, const Tensor& sample_weight_in, const Tensor& mask,
                              Reduction reduction, const std::string& owner) {
  FATHOM_CHECK(values_in.defined(), ValueError, owner, ": the per-sample loss is an undefined tensor");
  Tensor values = values_in;
  Tensor sample_weight = merge_mask(sample_weight_in, mask, values.dtype(), reduction);
  if (sample_weight.defined()) {
    const Shape received = sample_weight.shape();
    auto [v, w] = detail::squeeze_or_expand_to_same_rank(values, ops::cast(sample_weight, values.dtype()));
    try {
      values = ops::mul(v, w);
    } catch (const ShapeError&) {
      throw ShapeError(owner + ": sample_weight of shape " + shape_to_string(received) +
                       " does not broadcast against the per-sample loss of shape " +
                       shape_to_string(values_in.shape()) +
                       " (Keras broadcasts from the last axis; for a [B, T] loss pass [B, T] or [B, 1])");
    }
    sample_weight = w;
  }
  if (reduction == Reduction::kNone || values.dim() == 0 || values.shape() == Shape{0}) return values;
  const Tensor total = ops::sum(values);
  if (reduction == Reduction::kSum) return total;
  Tensor divisor;
  if (reduction == Reduction::kMeanWithSampleWeight && sample_weight.defined()) {
    divisor = ops::sum(sample_weight);
  } else {
    divisor = ops::scalar_like(total, static_cast<double>(values.numel()));
  }
  return divide_no_nan(total, divisor);
}

Config serialize_loss(const Loss& loss) {
  Config c = Config::map();
  c.set("class_name", loss.class_name()).set("config", loss.get_config());
  return c;
}

}  // namespace fathom::losses
