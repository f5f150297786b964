// SPDX-License-Identifier: Apache-2.0
// Gradient checks against central finite differences, in double precision.
#pragma once
#include <gtest/gtest.h>

#include <functional>

#include "core/tensor.h"

namespace fathom::testing {

struct GradcheckOptions {
  double eps = 1e-6;
  double atol = 1e-6;
  double rtol = 1e-5;
};

using TensorFn = std::function<Tensor(const TensorList&)>;

/// Checks d L / d input for every floating input, where L = sum(r * f(inputs)) with a fixed
/// random r (one backward and 2n forwards instead of a full Jacobian). Integer inputs (indices)
/// are passed through unchecked. Reports the worst element on failure.
::testing::AssertionResult gradients_match(const TensorFn& f, const TensorList& inputs,
                                           GradcheckOptions options = {});

/// Uniform values in [lo, hi) as a float64 tensor, from a fixed seed.
Tensor uniform_f64(const Shape& shape, double lo, double hi, std::uint64_t seed);
/// Moves every element at least `margin` away from each kink (where the derivative jumps).
Tensor away_from(const Tensor& x, const std::vector<double>& kinks, double margin = 0.05);

}  // namespace fathom::testing
