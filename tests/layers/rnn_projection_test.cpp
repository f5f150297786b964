// SPDX-License-Identifier: Apache-2.0
// Recurrent layers on inputs wider than G*units, where RNNBase projects all steps with one
// matmul and slices the projection (narrower inputs, the other tests' case, are sliced and
// projected step by step): values against Keras 3.15 (tests/layers/data/
// make_rnn_projection_fixtures.py) with go_backwards and a mask, and gradients.
#include <gtest/gtest.h>

#include "tests/layers/rnn_test_util.h"

namespace fathom::layers {
namespace {

using testing::expect_tensor_near;
using testing::keras_pattern;

Tensor wide_input() { return keras_pattern({2, 4, 5}, 7, 11, 5, 4); }

/// `class_name` with `units`, return_sequences and go_backwards, built for [None, 4, 5] and
/// given the script's weights.
std::unique_ptr<Layer> make_wide(const std::string& class_name, std::int64_t units, int gates, Config config) {
  config.set("units", units).set("return_sequences", true).set("go_backwards", true);
  std::unique_ptr<Layer> layer = make_layer(class_name, config);
  layer->build_from_shapes({{-1, 4, 5}});
  layer->weight("kernel").assign(keras_pattern({5, gates * units}, 5, 7, 3, 5));
  layer->weight("recurrent_kernel").assign(keras_pattern({units, gates * units}, 3, 7, 3, 5));
  layer->weight("bias").assign(keras_pattern({gates * units}, 2, 5, 2, 10));
  return layer;
}

TEST(RNNProjectionTest, WideInputsMatchKeras) {
  const Tensor x = wide_input();
  expect_tensor_near(make_wide("LSTM", 1, 4, Config::map())->call_masked(x, rnn_test::mask(), false), {2, 4, 1},
                     {-0.14814024, 0.16425957, 0.16425957, -0.038333002, 0, 0.15822901, 0.085446976, 0.085446976},
                     2e-6);
  expect_tensor_near(make_wide("SimpleRNN", 2, 1, Config::map())->call_masked(x, rnn_test::mask(), false),
                     {2, 4, 2},
                     {-0.14888503, 0.53704959, 0.8514939, 0.59964335, 0.8514939, 0.59964335, -0.051065929,
                      -0.93154222, 0, 0, 0.60436785, 2.9802322e-08, -0.96128935, -0.33637556, -0.96128935,
                      -0.33637556},
                     2e-6);
  Config gru = Config::map();
  gru.set("reset_after", false);
  expect_tensor_near(make_wide("GRU", 1, 3, gru)->call_masked(x, rnn_test::mask(), false), {2, 4, 1},
                     {0.47740161, -0.012343705, -0.012343705, 0.2187285, 0, -0.29073089, 0.18022607, 0.18022607},
                     2e-6);
}

TEST(RNNProjectionTest, WideInputGradients) {
  const Tensor x = wide_input();
  for (const char* name : {"LSTM", "SimpleRNN"}) {
    SCOPED_TRACE(name);
    const bool lstm = std::string(name) == "LSTM";
    auto layer = make_wide(name, lstm ? 1 : 2, lstm ? 4 : 1, Config::map());
    EXPECT_TRUE(rnn_test::float32_gradients_match(
        [&] { return layer->call_masked(x, rnn_test::mask(), false); }, rnn_test::input_and_weights(x, *layer)));
  }
}

}  // namespace
}  // namespace fathom::layers
