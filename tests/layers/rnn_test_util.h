// SPDX-License-Identifier: Apache-2.0
// Shared fixtures of the recurrent layer tests: the inputs, mask and weights of
// tests/layers/data/make_rnn_fixtures.py, and a float32 gradient check for any callable.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <memory>
#include <sstream>
#include <string>

#include "core/ops.h"
#include "layers/registry.h"
#include "layers/rnn_base.h"
#include "tests/support/gradcheck.h"
#include "tests/support/layer_contract.h"

namespace fathom::layers::rnn_test {

/// x = pattern([2, 4, 3], 7, 11, 5, 4), values in [-1.25, 1.25].
inline Tensor input() { return testing::keras_pattern({2, 4, 3}, 7, 11, 5, 4); }

/// Sample 0: step 1 masked (middle); sample 1: steps 0 and 3 masked (first and last).
inline Tensor mask() {
  return Tensor::from_vector(std::vector<bool>{true, false, true, true, false, true, true, false}, {2, 4});
}

/// kernel = pattern([3, G*u], 5, 7, 3, 5) * scale, recurrent_kernel = pattern([u, G*u], 3, 7, 3, 5)
/// * scale, bias = pattern(bias shape, 2, 5, 2, 10) (the script's `weights`).
inline void set_weights(Layer& layer, int gates, std::int64_t units, double scale = 1.0) {
  layer.weight("kernel").assign(ops::mul(testing::keras_pattern({3, gates * units}, 5, 7, 3, 5), scale));
  layer.weight("recurrent_kernel")
      .assign(ops::mul(testing::keras_pattern({units, gates * units}, 3, 7, 3, 5), scale));
  for (Variable& w : layer.weights()) {
    if (w.name() == layer.name() + "/bias") w.assign(testing::keras_pattern(w.shape(), 2, 5, 2, 10));
  }
}

/// A layer from the registry, built for [None, 4, 3] and given the fixture weights.
inline std::unique_ptr<RNNBase> make(const std::string& class_name, Config config, int gates) {
  std::unique_ptr<Layer> layer = make_layer(class_name, config);
  layer->build_from_shapes({{-1, 4, 3}});
  auto* rnn = dynamic_cast<RNNBase*>(layer.get());
  EXPECT_NE(rnn, nullptr);
  set_weights(*rnn, gates, config.get<std::int64_t>("units"));
  layer.release();
  return std::unique_ptr<RNNBase>(rnn);
}

inline Config units(std::int64_t n) {
  Config c = Config::map();
  c.set("units", n);
  return c;
}

/// d(sum(r * f()))/d(target) by the tape against central differences, perturbing each float32
/// target (an input tensor or a weight's value) in place. Tolerances as the layer contract's
/// float32 check (tests/support/layer_contract.cpp): step 1e-2, atol 2e-3, rtol 1e-2.
inline ::testing::AssertionResult float32_gradients_match(const std::function<Tensor()>& f,
                                                          const TensorList& targets) {
  Tensor r;
  TensorList analytic;
  {
    GradientTape tape(/*persistent=*/false, /*watch_accessed_variables=*/false);
    for (const Tensor& t : targets) tape.watch(t);
    const Tensor y = ops::cast(f(), DType::kFloat64);
    r = testing::uniform_f64(y.shape(), 0.5, 1.5, 977);
    analytic = tape.gradient(ops::sum(ops::mul(y, r)), targets, {}, UnconnectedGradients::kZero);
  }
  const auto loss = [&] { return ops::sum(ops::mul(ops::cast(f(), DType::kFloat64), r)).item<double>(); };
  std::ostringstream failures;
  int failed = 0;
  for (std::size_t t = 0; t < targets.size(); ++t) {
    const auto a = ops::cast(analytic[t], DType::kFloat64).to_vector<double>();
    Tensor target = targets[t];
    float* p = target.data<float>();
    for (std::int64_t j = 0; j < target.numel(); ++j) {
      const float original = p[j];
      p[j] = original + 1e-2f;
      const double x_plus = p[j], plus = loss();
      p[j] = original - 1e-2f;
      const double x_minus = p[j], minus = loss();
      p[j] = original;
      const double numeric = (plus - minus) / (x_plus - x_minus);
      if (!(std::abs(a[j] - numeric) <= 2e-3 + 1e-2 * std::abs(numeric)) && failed++ < 5) {
        failures << "\n  target " << t << " element " << j << ": analytic " << a[j] << ", numeric " << numeric;
      }
    }
  }
  if (failed) return ::testing::AssertionFailure() << failed << " gradient element(s) differ:" << failures.str();
  return ::testing::AssertionSuccess();
}

/// The input and every weight's value of `layer`, as gradient targets.
inline TensorList input_and_weights(const Tensor& x, const Layer& layer) {
  TensorList targets{x};
  for (const Variable& w : layer.weights()) targets.push_back(w.value());
  return targets;
}

}  // namespace fathom::layers::rnn_test
