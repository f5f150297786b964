// SPDX-License-Identifier: Apache-2.0
#include "losses/probabilistic.h"

#include "core/ops.h"
#include "losses/loss_utils.h"

namespace fathom::losses {

KLDivergence::KLDivergence(Reduction reduction, std::string name) : Loss(std::move(name), reduction) {}

std::unique_ptr<Loss> KLDivergence::from_config(const Config& c) {
  return detail::simple_from_config<KLDivergence>(c, "KLDivergence", "kl_divergence");
}

Tensor KLDivergence::call(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = detail::prepare(detail::owner(*this), y_true, y_pred);
  t = ops::clip(t, kEpsilon, 1.0);
  p = ops::clip(p, kEpsilon, 1.0);
  return ops::sum(ops::mul(t, ops::log(ops::div(t, p))), -1);
}

Poisson::Poisson(Reduction reduction, std::string name) : Loss(std::move(name), reduction) {}

std::unique_ptr<Loss> Poisson::from_config(const Config& c) {
  return detail::simple_from_config<Poisson>(c, "Poisson", "poisson");
}

Tensor Poisson::call(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = detail::prepare(detail::owner(*this), y_true, y_pred);
  return ops::mean(ops::sub(p, ops::mul(t, ops::log(ops::add(p, kEpsilon)))), -1);
}

}  // namespace fathom::losses
