// SPDX-License-Identifier: Apache-2.0
// The Layer contract check (Keras's run_layer_test) and small helpers for Keras-derived fixtures.
#pragma once
#include <gtest/gtest.h>

#include <cstdint>
#include <exception>
#include <ostream>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/tensor.h"

namespace fathom {
/// gtest prints Configs as JSON in failure messages.
inline void PrintTo(const Config& config, std::ostream* os) { *os << config.to_json(); }
}  // namespace fathom

namespace fathom::testing {

struct LayerContractOptions {
  /// Random inputs are uniform in [input_low, input_high) ...
  double input_low = -1.0;
  double input_high = 1.0;
  /// ... and moved at least 0.05 away from these points (kinks of relu-like layers).
  std::vector<double> kinks;
  /// Short weight names in creation order ({"kernel", "bias"}); empty: only the prefix is checked.
  std::vector<std::string> weight_names;
  /// How many of the weights are created non-trainable (BatchNormalization's moving statistics);
  /// they stay non-trainable after set_trainable(true).
  int num_non_trainable_weights = 0;
  bool check_gradients = true;
  std::uint64_t seed = 1234;
};

/// Keras's run_layer_test for a layer spec {class_name, config}:
/// - makes the layer through the registry (layer_from_config) and calls it on random float32
///   inputs, which builds it;
/// - checks the output shape, compute_output_shape (with the batch given and as -1), a second
///   call with another batch size, and that inference is deterministic;
/// - checks the number of weights, their names ("<layer name>/<short name>"), count_params and
///   trainable/non-trainable bookkeeping (also after set_trainable(false));
/// - checks d(output)/d(inputs) and d(output)/d(weights) against central finite differences
///   (see layer_contract.cpp for the precision argument);
/// - round-trips get_config -> make_layer(class_name, config) -> get_config (equal configs), and
///   serialize_layer -> layer_from_config; the rebuilt layer given the same weights must compute
///   the same outputs; every key of spec.config must come back from get_config.
/// Failures are non-fatal gtest failures, traced with the spec.
void expect_layer_contract(const Config& spec, const std::vector<Shape>& input_shapes,
                           const Shape& expected_output_shape, int expected_num_weights,
                           const LayerContractOptions& options = {});

/// {class_name, config}; `config` defaults to an empty map.
Config layer_spec(const std::string& class_name, Config config = Config::map());

/// Parses JSON (as Keras's get_config / model.to_json writes it) into a Config: ints stay ints,
/// other numbers become doubles. Throws ConfigError with the offset of the first bad character.
Config parse_json(const std::string& text);

/// ((i * mul) % mod - off) / div for i = 0..n-1 as float32, the input pattern of
/// tests/layers/data/make_keras_fixtures.py (small multiples of 1/div, exact in float32).
Tensor keras_pattern(const Shape& shape, int mul, int mod, int off, double div);

/// Expects `actual` to have `shape` and each element within atol + rtol * |expected|.
void expect_tensor_near(const Tensor& actual, const Shape& shape,
                        const std::vector<double>& expected, double atol = 1e-6,
                        double rtol = 1e-5);

/// The what() of the E that `f` throws; "no exception" or "wrong exception type: ..." otherwise.
template <class E, class F>
std::string thrown_message(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("wrong exception type: ") + e.what();
  }
  return "no exception";
}

/// Expects `f` to throw E whose message contains every fragment (STYLE 2.7: type and message).
template <class E, class F>
void expect_throws_with(F&& f, const std::vector<std::string>& fragments) {
  const std::string m = thrown_message<E>(f);
  for (const std::string& part : fragments) {
    EXPECT_NE(m.find(part), std::string::npos) << "expected '" << part << "' in: " << m;
  }
}

}  // namespace fathom::testing
