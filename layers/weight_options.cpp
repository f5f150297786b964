// SPDX-License-Identifier: Apache-2.0
#include "layers/weight_options.h"

#include "layers/initializers.h"
#include "layers/regularizers.h"

namespace fathom::layers {

const std::vector<std::string>& WeightOptions::keys() {
  static const std::vector<std::string> k = {"kernel_initializer", "bias_initializer",     "kernel_regularizer",
                                             "bias_regularizer",   "activity_regularizer", "kernel_constraint",
                                             "bias_constraint"};
  return k;
}

WeightOptions WeightOptions::from_config(const Config& c) {
  WeightOptions o;
  o.kernel_initializer = c.get_or<Config>("kernel_initializer", o.kernel_initializer);
  o.bias_initializer = c.get_or<Config>("bias_initializer", o.bias_initializer);
  o.kernel_regularizer = c.get_or<Config>("kernel_regularizer", Config());
  o.bias_regularizer = c.get_or<Config>("bias_regularizer", Config());
  o.activity_regularizer = c.get_or<Config>("activity_regularizer", Config());
  o.kernel_constraint = c.get_or<Config>("kernel_constraint", Config());
  o.bias_constraint = c.get_or<Config>("bias_constraint", Config());
  return o;
}

ResolvedWeights::ResolvedWeights(const WeightOptions& o)
    : kernel_initializer(get_initializer(o.kernel_initializer)),
      bias_initializer(get_initializer(o.bias_initializer)),
      kernel_regularizer(get_regularizer(o.kernel_regularizer)),
      bias_regularizer(get_regularizer(o.bias_regularizer)),
      activity_regularizer(get_regularizer(o.activity_regularizer)),
      kernel_constraint(get_constraint(o.kernel_constraint)),
      bias_constraint(get_constraint(o.bias_constraint)) {}

void ResolvedWeights::add_to_config(Config& c) const {
  c.set("kernel_initializer", serialize_initializer(*kernel_initializer));
  c.set("bias_initializer", serialize_initializer(*bias_initializer));
  c.set("kernel_regularizer", serialize_regularizer(kernel_regularizer.get()));
  c.set("bias_regularizer", serialize_regularizer(bias_regularizer.get()));
  c.set("activity_regularizer", serialize_regularizer(activity_regularizer.get()));
  c.set("kernel_constraint", serialize_constraint(kernel_constraint.get()));
  c.set("bias_constraint", serialize_constraint(bias_constraint.get()));
}

}  // namespace fathom::layers
