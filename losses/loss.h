// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/tensor.h"

namespace fathom::losses {

/// Keras's reductions. sum_over_batch_size (the default) divides the weighted sum by the number
/// of elements of the per-sample loss (batch size for [B] losses), as Keras 3 does; "mean" is
/// the same; mean_with_sample_weight divides by the sum of the sample weights instead.
enum class Reduction { kSumOverBatchSize, kSum, kNone, kMean, kMeanWithSampleWeight };
Reduction parse_reduction(const std::string& name);  // ConfigError listing the valid names
std::string reduction_name(Reduction r);

/// Keras's backend.epsilon(): the clipping bound for probabilities and logs.
inline constexpr double kEpsilon = 1e-7;

/// Base of every loss: `call` computes the per-sample loss ([B] or [B, ...], the last axis
/// already reduced), and operator() applies sample weights and the reduction (Keras's
/// Loss.__call__). Config keys: name, reduction, plus each loss's own (from_logits, ...).
class Loss {
 public:
  Loss(std::string name, Reduction reduction) : name_(std::move(name)), reduction_(reduction) {}
  virtual ~Loss() = default;

  virtual std::string class_name() const = 0;
  const std::string& name() const { return name_; }
  Reduction reduction() const { return reduction_; }

  /// Per-sample loss. y_true and y_pred are checked for compatible shapes by each loss; errors
  /// name the loss and both shapes.
  virtual Tensor call(const Tensor& y_true, const Tensor& y_pred) const = 0;
  /// Keras's mask of the per-sample loss (bool, the shape of call()'s result), or an undefined
  /// tensor when every entry counts. Only SparseCategoricalCrossentropy with ignore_class sets it.
  virtual Tensor loss_mask(const Tensor& y_true, const Tensor& y_pred) const;
  /// The reduced loss; sample_weight ([B] or broadcastable to the per-sample loss) is optional.
  Tensor operator()(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight = {}) const;

  virtual Config get_config() const;

 private:
  std::string name_;
  Reduction reduction_;
};

/// Keras's reduce_weighted_values: merges `mask` into `sample_weight`, weights `values` (after
/// squeezing or expanding the last axis so that ranks agree) and reduces. `owner` names the
/// caller in errors.
Tensor reduce_weighted_values(const Tensor& values, const Tensor& sample_weight, const Tensor& mask,
                              Reduction reduction, const std::string& owner);

/// A loss from its Keras name or alias ("mse", "sparse_categorical_crossentropy", ...) or a
/// {class_name, config} mapping; unknown names are a ConfigError with a did-you-mean. A name
/// string gives the loss that name (Keras's compile does the same); a class name gives the
/// class's default name.
std::unique_ptr<Loss> get_loss(const Config& name_or_config);
/// Every string get_loss accepts: the class names first, then the function names and aliases.
std::vector<std::string> registered_losses();
/// {class_name, config}: what get_loss reads back.
Config serialize_loss(const Loss& loss);

}  // namespace fathom::losses
