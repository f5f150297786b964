// SPDX-License-Identifier: Apache-2.0
// Regression losses (keras/src/losses/losses.py). Each takes y_true and y_pred of one shape
// [B, ..., d] (a trailing 1 on either side is squeezed or expanded as Keras does) and returns
// the per-sample loss [B, ...]. Config keys: name, reduction, plus the ones listed.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "losses/loss.h"

namespace fathom::losses {

/// mean((y_true - y_pred)^2, axis=-1).
class MeanSquaredError final : public Loss {
 public:
  explicit MeanSquaredError(Reduction reduction = Reduction::kSumOverBatchSize,
                            std::string name = "mean_squared_error");
  static std::unique_ptr<Loss> from_config(const Config& config);
  std::string class_name() const override { return "MeanSquaredError"; }
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
};

/// mean(|y_true - y_pred|, axis=-1).
class MeanAbsoluteError final : public Loss {
 public:
  explicit MeanAbsoluteError(Reduction reduction = Reduction::kSumOverBatchSize,
                             std::string name = "mean_absolute_error");
  static std::unique_ptr<Loss> from_config(const Config& config);
  std::string class_name() const override { return "MeanAbsoluteError"; }
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
};

/// 100 * mean(|(y_true - y_pred) / max(|y_true|, 1e-7)|, axis=-1).
class MeanAbsolutePercentageError final : public Loss {
 public:
  explicit MeanAbsolutePercentageError(Reduction reduction = Reduction::kSumOverBatchSize,
                                       std::string name = "mean_absolute_percentage_error");
  static std::unique_ptr<Loss> from_config(const Config& config);
  std::string class_name() const override { return "MeanAbsolutePercentageError"; }
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
};

/// mean((log(max(y_pred, 1e-7) + 1) - log(max(y_true, 1e-7) + 1))^2, axis=-1).
class MeanSquaredLogarithmicError final : public Loss {
 public:
  explicit MeanSquaredLogarithmicError(Reduction reduction = Reduction::kSumOverBatchSize,
                                       std::string name = "mean_squared_logarithmic_error");
  static std::unique_ptr<Loss> from_config(const Config& config);
  std::string class_name() const override { return "MeanSquaredLogarithmicError"; }
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
};

/// -sum(l2_normalize(y_true) * l2_normalize(y_pred), axis): -1 for aligned vectors, 0 when
/// either is zero. Config: axis (-1). Keras 3 leaves axis out of get_config; we keep it.
class CosineSimilarity final : public Loss {
 public:
  explicit CosineSimilarity(std::int64_t axis = -1, Reduction reduction = Reduction::kSumOverBatchSize,
                            std::string name = "cosine_similarity");
  static std::unique_ptr<Loss> from_config(const Config& config);
  std::string class_name() const override { return "CosineSimilarity"; }
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
  Config get_config() const override;

 private:
  std::int64_t axis_;
};

/// mean(0.5 e^2 where |e| <= delta, else delta |e| - 0.5 delta^2), e = y_pred - y_true.
/// Config: delta (1.0, > 0); default name "huber_loss". Keras 3 leaves delta out of get_config;
/// we keep it so that a round trip is exact.
class Huber final : public Loss {
 public:
  explicit Huber(double delta = 1.0, Reduction reduction = Reduction::kSumOverBatchSize,
                 std::string name = "huber_loss");
  static std::unique_ptr<Loss> from_config(const Config& config);
  std::string class_name() const override { return "Huber"; }
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
  Config get_config() const override;

 private:
  double delta_;
};

/// mean(log(cosh(y_pred - y_true)), axis=-1), computed stably as x + softplus(-2x) - log 2.
class LogCosh final : public Loss {
 public:
  explicit LogCosh(Reduction reduction = Reduction::kSumOverBatchSize, std::string name = "log_cosh");
  static std::unique_ptr<Loss> from_config(const Config& config);
  std::string class_name() const override { return "LogCosh"; }
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
};

}  // namespace fathom::losses
