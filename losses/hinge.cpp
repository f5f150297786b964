// SPDX-License-Identifier: Apache-2.0
#include "losses/hinge.h"

#include <algorithm>

#include "core/ops.h"
#include "losses/loss_utils.h"

namespace fathom::losses {
namespace {

/// Keras's convert_binary_labels_to_hinge: when every label is 0 or 1, map them to -1 and 1.
Tensor to_hinge_labels(const Tensor& t) {
  // With ops, not a host read, so that a traced step decides it for every batch.
  const Tensor zero_or_one = ops::cast(ops::where(ops::equal(t, ops::scalar_like(t, 0.0)), ops::scalar_like(t, 1.0),
                                                  ops::cast(ops::equal(t, ops::scalar_like(t, 1.0)), t.dtype())),
                                       DType::kFloat32);
  const Tensor binary = ops::greater(ops::min(zero_or_one), ops::scalar_like(ops::min(zero_or_one), 0.5));
  return ops::where(binary, ops::sub(ops::mul(t, 2.0), 1.0), t);
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
