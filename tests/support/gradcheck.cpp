// SPDX-License-Identifier: Apache-2.0
#include "tests/support/gradcheck.h"

#include <cmath>
#include <sstream>

#include "core/ops.h"

namespace fathom::testing {

Tensor uniform_f64(const Shape& shape, double lo, double hi, std::uint64_t seed) {
  return random::uniform(shape, lo, hi, DType::kFloat64, seed);
}

Tensor away_from(const Tensor& x, const std::vector<double>& kinks, double margin) {
  Tensor out = x.clone();
  double* p = out.data<double>();
  for (std::int64_t i = 0; i < out.numel(); ++i) {
    for (double k : kinks) {
      if (std::abs(p[i] - k) < margin) p[i] = k + (p[i] < k ? -2 * margin : 2 * margin);
    }
  }
  return out;
}

namespace {

double weighted_sum(const TensorFn& f, const TensorList& inputs, const Tensor& r) {
  const Tensor y = ops::cast(f(inputs), DType::kFloat64);
  return ops::sum(ops::mul(y, r)).item<double>();
}

}  // namespace

::testing::AssertionResult gradients_match(const TensorFn& f, const TensorList& inputs, GradcheckOptions options) {
  // Analytic: one backward through the tape.
  Tensor r;
  TensorList analytic;
  {
    GradientTape tape;
    for (const Tensor& x : inputs) {
      if (is_floating(x.dtype())) tape.watch(x);
    }
    const Tensor y = ops::cast(f(inputs), DType::kFloat64);
    r = uniform_f64(y.shape(), 0.5, 1.5, 977);
    const Tensor loss = ops::sum(ops::mul(y, r));
    analytic = tape.gradient(loss, inputs, {}, UnconnectedGradients::kZero);
  }
  // Numeric: central differences, element by element.
  std::ostringstream failures;
  int failed = 0;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (!is_floating(inputs[i].dtype())) continue;
    if (analytic[i].shape() != inputs[i].shape()) {
      return ::testing::AssertionFailure() << "input " << i << ": gradient shape " << shape_to_string(analytic[i].shape())
                                           << " != input shape " << shape_to_string(inputs[i].shape());
    }
    const auto a = analytic[i].to_vector<double>();
    for (std::int64_t j = 0; j < inputs[i].numel(); ++j) {
      TensorList shifted = inputs;
      shifted[i] = inputs[i].clone();
      double* p = shifted[i].data<double>();
      const double original = p[j];
      p[j] = original + options.eps;
      const double plus = weighted_sum(f, shifted, r);
      p[j] = original - options.eps;
      const double minus = weighted_sum(f, shifted, r);
      const double numeric = (plus - minus) / (2 * options.eps);
      if (!(std::abs(a[j] - numeric) <= options.atol + options.rtol * std::abs(numeric))) {
        if (failed++ < 5) {
          failures << "\n  input " << i << " element " << j << ": analytic " << a[j] << ", numeric " << numeric;
        }
      }
    }
  }
  if (failed) return ::testing::AssertionFailure() << failed << " gradient element(s) differ:" << failures.str();
  return ::testing::AssertionSuccess();
}

}  // namespace fathom::testing
