// SPDX-License-Identifier: Apache-2.0
// Losses between distributions and counts: y_true and y_pred [B, ..., d] -> [B, ...].
// Config keys: name, reduction.
#pragma once
#include <memory>
#include <string>

#include "losses/loss.h"

namespace fathom::losses {

/// Kullback-Leibler divergence: sum(t log(t / p), axis=-1), with both t and p clipped to
/// [1e-7, 1] first (Keras).
class KLDivergence final : public Loss {
 public:
  explicit KLDivergence(Reduction reduction = Reduction::kSumOverBatchSize, std::string name = "kl_divergence");
  static std::unique_ptr<Loss> from_config(const Config& config);
  std::string class_name() const override { return "KLDivergence"; }
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
};

/// Poisson negative log-likelihood (up to a constant): mean(p - t log(p + 1e-7), axis=-1).
class Poisson final : public Loss {
 public:
  explicit Poisson(Reduction reduction = Reduction::kSumOverBatchSize, std::string name = "poisson");
  static std::unique_ptr<Loss> from_config(const Config& config);
  std::string class_name() const override { return "Poisson"; }
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
};

}  // namespace fathom::losses
