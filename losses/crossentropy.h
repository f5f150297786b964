// SPDX-License-Identifier: Apache-2.0
// Crossentropy losses. Probabilities are clipped to [1e-7, 1 - 1e-7] where Keras clips them;
// from_logits=true takes the stable paths (softplus / log_softmax) instead.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "losses/loss.h"

namespace fathom::losses {

/// BinaryCrossentropy's options; the field names are its config keys.
struct BinaryCrossentropyOptions {
  bool from_logits = false;
  double label_smoothing = 0.0;
  std::int64_t axis = -1;
};

/// Binary crossentropy, averaged over `axis`: y_true and y_pred [B, ..., d] -> [B, ...].
/// Probabilities: -(t log p + (1 - t) log(1 - p)) with p clipped to [eps, 1 - eps].
/// Logits x: max(x, 0) - x t + log1p(exp(-|x|)) (= softplus(x) - x t).
/// Config: from_logits (false), label_smoothing (0, in [0, 1]: t (1 - s) + s / 2), axis (-1).
class BinaryCrossentropy final : public Loss {
 public:
  using Options = BinaryCrossentropyOptions;
  explicit BinaryCrossentropy(Options options = {}, Reduction reduction = Reduction::kSumOverBatchSize,
                              std::string name = "binary_crossentropy");
  static std::unique_ptr<Loss> from_config(const Config& config);
  std::string class_name() const override { return "BinaryCrossentropy"; }
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
  Config get_config() const override;
  const Options& options() const { return options_; }

 private:
  Options options_;
};

/// CategoricalCrossentropy's options; the field names are its config keys.
struct CategoricalCrossentropyOptions {
  bool from_logits = false;
  double label_smoothing = 0.0;
  std::int64_t axis = -1;
};

/// Categorical crossentropy with one-hot (or soft) y_true: [B, ..., C] x2 -> [B, ...].
/// Probabilities are renormalized over `axis`, clipped to [eps, 1 - eps], then -sum(t log p);
/// logits use log_softmax. Config: from_logits (false), label_smoothing (0: t (1 - s) + s / C),
/// axis (-1).
class CategoricalCrossentropy final : public Loss {
 public:
  using Options = CategoricalCrossentropyOptions;
  explicit CategoricalCrossentropy(Options options = {}, Reduction reduction = Reduction::kSumOverBatchSize,
                                   std::string name = "categorical_crossentropy");
  static std::unique_ptr<Loss> from_config(const Config& config);
  std::string class_name() const override { return "CategoricalCrossentropy"; }
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
  Config get_config() const override;
  const Options& options() const { return options_; }

 private:
  Options options_;
};

/// SparseCategoricalCrossentropy's options; the field names are its config keys.
struct SparseCategoricalCrossentropyOptions {
  bool from_logits = false;
  std::optional<std::int64_t> ignore_class{};
};

/// Crossentropy with integer labels: y_true [B, ...] or [B, ..., 1] (int32, int64, or floats
/// holding integers) and y_pred [B, ..., C] -> [B, ...]. A label outside [0, C) is a ValueError,
/// except ignore_class, whose entries count zero and are masked out of the mean (Keras).
/// Probabilities: TF's -log_softmax(log(clip(p, eps, 1 - eps)))[label]; logits: log_softmax.
/// Config: from_logits (false), ignore_class (null). Only axis -1 is supported, as in TF.
class SparseCategoricalCrossentropy final : public Loss {
 public:
  using Options = SparseCategoricalCrossentropyOptions;
  explicit SparseCategoricalCrossentropy(Options options = {}, Reduction reduction = Reduction::kSumOverBatchSize,
                                         std::string name = "sparse_categorical_crossentropy");
  static std::unique_ptr<Loss> from_config(const Config& config);
  std::string class_name() const override { return "SparseCategoricalCrossentropy"; }
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
  Tensor loss_mask(const Tensor& y_true, const Tensor& y_pred) const override;
  Config get_config() const override;
  const Options& options() const { return options_; }

 private:
  /// Checked labels as int64 on y_pred's device, shape y_pred.shape[:-1]; ignored entries are -1.
  Tensor labels(const Tensor& y_true, const Tensor& y_pred) const;
  Options options_;
};

}  // namespace fathom::losses
