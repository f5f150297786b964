// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <memory>
#include <string>

#include "optimizers/adam.h"

namespace fathom::optimizers {

/// AdamW (Loshchilov & Hutter): Adam plus decoupled weight decay, var -= var * weight_decay * lr
/// before each Adam step (the base Optimizer applies it). Same keys as Adam; weight_decay
/// defaults to 0.004 and may not be null.
class AdamW final : public Adam {
 public:
  explicit AdamW(Options options = {}, BaseOptions base = {});
  static std::unique_ptr<Optimizer> from_config(const Config& config);

  std::string class_name() const override { return "AdamW"; }

 private:
  static BaseOptions with_default_weight_decay(BaseOptions base);
};

}  // namespace fathom::optimizers
