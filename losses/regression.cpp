// SPDX-License-Identifier: Apache-2.0
#include "losses/regression.h"

#include <cmath>

#include "core/ops.h"
#include "losses/loss_utils.h"

namespace fathom::losses {

using detail::prepare;

MeanSquaredError::MeanSquaredError(Reduction reduction, std::string name) : Loss(std::move(name), reduction) {}

std::unique_ptr<Loss> MeanSquaredError::from_config(const Config& c) {
  return detail::simple_from_config<MeanSquaredError>(c, "MeanSquaredError", "mean_squared_error");
}

Tensor MeanSquaredError::call(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = prepare(detail::owner(*this), y_true, y_pred);
  return ops::mean(ops::square(ops::sub(t, p)), -1);
}

MeanAbsoluteError::MeanAbsoluteError(Reduction reduction, std::string name) : Loss(std::move(name), reduction) {}

std::unique_ptr<Loss> MeanAbsoluteError::from_config(const Config& c) {
  return detail::simple_from_config<MeanAbsoluteError>(c, "MeanAbsoluteError", "mean_absolute_error");
}

Tensor MeanAbsoluteError::call(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = prepare(detail::owner(*this), y_true, y_pred);
  return ops::mean(ops::abs(ops::sub(t, p)), -1);
}

MeanAbsolutePercentageError::MeanAbsolutePercentageError(Reduction reduction, std::string name)
    : Loss(std::move(name), reduction) {}

std::unique_ptr<Loss> MeanAbsolutePercentageError::from_config(const Config& c) {
  return detail::simple_from_config<MeanAbsolutePercentageError>(c, "MeanAbsolutePercentageError",
                                                                 "mean_absolute_percentage_error");
}

Tensor MeanAbsolutePercentageError::call(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = prepare(detail::owner(*this), y_true, y_pred);
  const Tensor diff = ops::abs(ops::div(ops::sub(t, p), ops::maximum(ops::abs(t), kEpsilon)));
  return ops::mul(ops::mean(diff, -1), 100.0);
}

MeanSquaredLogarithmicError::MeanSquaredLogarithmicError(Reduction reduction, std::string name)
    : Loss(std::move(name), reduction) {}

std::unique_ptr<Loss> MeanSquaredLogarithmicError::from_config(const Config& c) {
  return detail::simple_from_config<MeanSquaredLogarithmicError>(c, "MeanSquaredLogarithmicError",
                                                                 "mean_squared_logarithmic_error");
}

Tensor MeanSquaredLogarithmicError::call(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = prepare(detail::owner(*this), y_true, y_pred);
  const Tensor first_log = ops::log(ops::add(ops::maximum(p, kEpsilon), 1.0));
  const Tensor second_log = ops::log(ops::add(ops::maximum(t, kEpsilon), 1.0));
  return ops::mean(ops::square(ops::sub(first_log, second_log)), -1);
}

namespace {

/// Keras's l2 normalize: x * min(rsqrt(sum(x^2)), 1/eps), written as rsqrt(max(sum, eps^2)) so
/// that a zero vector has a zero (not NaN) gradient.
Tensor l2_normalize(const Tensor& x, std::int64_t axis) {
  const Tensor square_sum = ops::sum(ops::square(x), axis, /*keepdims=*/true);
  return ops::mul(x, ops::reciprocal(ops::sqrt(ops::maximum(square_sum, kEpsilon * kEpsilon))));
}

}  // namespace

CosineSimilarity::CosineSimilarity(std::int64_t axis, Reduction reduction, std::string name)
    : Loss(std::move(name), reduction), axis_(axis) {}

std::unique_ptr<Loss> CosineSimilarity::from_config(const Config& c) {
  detail::BaseArgs base = detail::parse_base(c, "CosineSimilarity", "cosine_similarity", {"axis"});
  const std::int64_t axis = c.is_map() ? c.get_or<std::int64_t>("axis", -1) : -1;
  return std::make_unique<CosineSimilarity>(axis, base.reduction, std::move(base.name));
}

Tensor CosineSimilarity::call(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = prepare(detail::owner(*this), y_true, y_pred);
  const std::int64_t axis = detail::loss_axis(detail::owner(*this), axis_, p.dim());
  return ops::neg(ops::sum(ops::mul(l2_normalize(t, axis), l2_normalize(p, axis)), axis));
}

Config CosineSimilarity::get_config() const { return Loss::get_config().set("axis", axis_); }

Huber::Huber(double delta, Reduction reduction, std::string name) : Loss(std::move(name), reduction), delta_(delta) {
  FATHOM_CHECK(delta_ > 0, ValueError, "Huber '", this->name(), "': delta must be positive. Received: delta=", delta_);
}

std::unique_ptr<Loss> Huber::from_config(const Config& c) {
  detail::BaseArgs base = detail::parse_base(c, "Huber", "huber_loss", {"delta"});
  const double delta = c.is_map() ? c.get_or<double>("delta", 1.0) : 1.0;
  return std::make_unique<Huber>(delta, base.reduction, std::move(base.name));
}

Tensor Huber::call(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = prepare(detail::owner(*this), y_true, y_pred);
  const Tensor error = ops::sub(p, t);
  const Tensor abs_error = ops::abs(error);
  const Tensor quadratic = ops::mul(ops::square(error), 0.5);
  const Tensor linear = ops::sub(ops::mul(abs_error, delta_), 0.5 * delta_ * delta_);
  return ops::mean(ops::where(ops::less_equal(abs_error, ops::scalar_like(p, delta_)), quadratic, linear), -1);
}

Config Huber::get_config() const { return Loss::get_config().set("delta", delta_); }

LogCosh::LogCosh(Reduction reduction, std::string name) : Loss(std::move(name), reduction) {}

std::unique_ptr<Loss> LogCosh::from_config(const Config& c) {
  return detail::simple_from_config<LogCosh>(c, "LogCosh", "log_cosh");
}

Tensor LogCosh::call(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = prepare(detail::owner(*this), y_true, y_pred);
  const Tensor x = ops::sub(p, t);
  // log(cosh(x)) = x + softplus(-2x) - log(2): no overflow for large |x|.
  return ops::mean(ops::sub(ops::add(x, ops::softplus(ops::mul(x, -2.0))), std::log(2.0)), -1);
}

}  // namespace fathom::losses
