// SPDX-License-Identifier: Apache-2.0
#include "losses/hinge.h"

#include <algorithm>

#include "core/ops.h"
#include "losses/loss_utils.h"

namespace fathom::losses {
namespace {

/// Keras's convert_binary_labels_to_hinge: when every label is 0 or 1, map them to -1 and 1.
Tensor to_hinge_labels(const Tensor& t) {
  const std::vector<double> v = detail::host_values(t);
  const bool binary = std::all_of(v.begin(), v.end(), [](double x) { return x == 0.0 || x == 1.0; });
  return binary ? ops::sub(ops::mul(t, 2.0), 1.0) : t;
}

/// max(1 - t p, 0), the margin violation of each element.
Tensor margin(const std::string& loss, const Tensor& y_true, const Tensor& y_pred) {
  auto [t, p] = detail::prepare(loss, y_true, y_pred);
  return ops::maximum(ops::sub(ops::scalar_like(p, 1.0), ops::mul(to_hinge_labels(t), p)), 0.0);
}

}  // namespace

Hinge::Hinge(Reduction reduction, std::string name) : Loss(std::move(name), reduction) {}

std::unique_ptr<Loss> Hinge::from_config(const Config& c) {
  return detail::simple_from_config<Hinge>(c, "Hinge", "hinge");
}

Tensor Hinge::call(const Tensor& y_true, const Tensor& y_pred) const {
  return ops::mean(margin(detail::owner(*this), y_true, y_pred), -1);
}

SquaredHinge::SquaredHinge(Reduction reduction, std::string name) : Loss(std::move(name), reduction) {}

std::unique_ptr<Loss> SquaredHinge::from_config(const Config& c) {
  return detail::simple_from_config<SquaredHinge>(c, "SquaredHinge", "squared_hinge");
}

Tensor SquaredHinge::call(const Tensor& y_true, const Tensor& y_pred) const {
  return ops::mean(ops::square(margin(detail::owner(*this), y_true, y_pred)), -1);
}

CategoricalHinge::CategoricalHinge(Reduction reduction, std::string name) : Loss(std::move(name), reduction) {}

std::unique_ptr<Loss> CategoricalHinge::from_config(const Config& c) {
  return detail::simple_from_config<CategoricalHinge>(c, "CategoricalHinge", "categorical_hinge");
}

Tensor CategoricalHinge::call(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = detail::prepare(detail::owner(*this), y_true, y_pred);
  const Tensor pos = ops::sum(ops::mul(t, p), -1);
  const Tensor neg = ops::max(ops::mul(ops::sub(ops::scalar_like(t, 1.0), t), p), -1);
  return ops::maximum(ops::add(ops::sub(neg, pos), 1.0), 0.0);
}

}  // namespace fathom::losses
