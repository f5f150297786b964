// SPDX-License-Identifier: Apache-2.0
// Hinge losses for labels in {-1, 1} (labels that are all 0 or 1 are mapped to -1/1 first, as
// Keras does). y_true and y_pred [B, ..., d] -> [B, ...]. Config keys: name, reduction.
#pragma once
#include <memory>
#include <string>

#include "losses/loss.h"

namespace fathom::losses {

/// mean(max(1 - t p, 0), axis=-1).
class Hinge final : public Loss {
 public:
  explicit Hinge(Reduction reduction = Reduction::kSumOverBatchSize, std::string name = "hinge");
  static std::unique_ptr<Loss> from_config(const Config& config);
  std::string class_name() const override { return "Hinge"; }
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
};

/// mean(max(1 - t p, 0)^2, axis=-1).
class SquaredHinge final : public Loss {
 public:
  explicit SquaredHinge(Reduction reduction = Reduction::kSumOverBatchSize, std::string name = "squared_hinge");
  static std::unique_ptr<Loss> from_config(const Config& config);
  std::string class_name() const override { return "SquaredHinge"; }
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
};

/// max(neg - pos + 1, 0) with pos = sum(t p, -1) and neg = max((1 - t) p, -1); y_true one-hot
/// (no label conversion).
class CategoricalHinge final : public Loss {
 public:
  explicit CategoricalHinge(Reduction reduction = Reduction::kSumOverBatchSize,
                            std::string name = "categorical_hinge");
  static std::unique_ptr<Loss> from_config(const Config& config);
  std::string class_name() const override { return "CategoricalHinge"; }
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
};

}  // namespace fathom::losses
