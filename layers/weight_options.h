// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/config.h"

namespace fathom::layers {

class Initializer;
class Regularizer;
class Constraint;

/// The kernel/bias arguments Keras's Dense, Conv and recurrent layers share, as configured:
/// kernel_initializer ("glorot_uniform"), bias_initializer ("zeros"), kernel/bias/activity
/// regularizer and kernel/bias constraint (null).
struct WeightOptions {
  Config kernel_initializer = "glorot_uniform";
  Config bias_initializer = "zeros";
  Config kernel_regularizer = {}, bias_regularizer = {}, activity_regularizer = {};
  Config kernel_constraint = {}, bias_constraint = {};

  /// The config keys above, for a layer's reject_unknown_keys list.
  static const std::vector<std::string>& keys();
  /// Reads those keys from a layer config (missing or null: the defaults).
  static WeightOptions from_config(const Config& c);
};

/// The same options resolved to objects: once, at construction (a typo fails there, and a layer's
/// call() does no config parsing).
struct ResolvedWeights {
  explicit ResolvedWeights(const WeightOptions& options);
  /// Appends the seven keys in Keras's order and serialization to a layer's config.
  void add_to_config(Config& c) const;

  std::shared_ptr<Initializer> kernel_initializer, bias_initializer;
  std::shared_ptr<Regularizer> kernel_regularizer, bias_regularizer, activity_regularizer;
  std::shared_ptr<Constraint> kernel_constraint, bias_constraint;
};

}  // namespace fathom::layers
