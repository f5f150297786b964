// SPDX-License-Identifier: Apache-2.0
// Internal helpers shared by the optimizers and schedules (not part of the public API).
#pragma once
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>

#include "core/config.h"
#include "core/dtype.h"
#include "core/error.h"

namespace fathom::optimizers {
struct BaseOptions;
}

namespace fathom::optimizers::detail {

/// Options Fathom does not implement yet (use_ema, loss_scale_factor, gradient accumulation):
/// a ConfigError "<where><who>: ... is not supported yet", never silently ignored.
void check_supported(const BaseOptions& options, const std::string& where, const std::string& who);

/// A step count as Keras writes it: an int when integral (decay_steps: 1000), else a float.
inline Config count_config(double v) {
  if (std::floor(v) == v && std::abs(v) < 9e15) return Config(static_cast<std::int64_t>(v));
  return Config(v);
}

/// Runs `make` (a constructor call) and turns its ValueError into a ConfigError that carries
/// where the config came from: a bad value in a file is a config problem.
template <class Make>
auto construct_from_config(const Config& config, Make&& make) -> decltype(make()) {
  try {
    return std::forward<Make>(make)();
  } catch (const ValueError& e) {
    throw ConfigError(config.where() + e.message());
  }
}

/// Evaluates `f(T{})` with T = float for float32 variables and double otherwise, so that scalar
/// coefficients such as bias corrections (1 - beta^t) are rounded as Keras rounds them: Keras
/// computes them as tensors of the variable's dtype, and 1 - beta^t amplifies that rounding.
template <class F>
double in_precision(DType dtype, F&& f) {
  return dtype == DType::kFloat32 ? static_cast<double>(f(float{}))
                                  : static_cast<double>(f(double{}));
}

}  // namespace fathom::optimizers::detail
