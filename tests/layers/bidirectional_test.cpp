// SPDX-License-Identifier: Apache-2.0
// Bidirectional against Keras 3.15 (tests/layers/data/make_rnn_fixtures.py: forward weights are
// the rnn_test_util.h patterns, backward weights the same times -0.5): merge modes, masks (zeros
// at masked steps with return_sequences, as Keras forces), states, names, configs in the Keras 2
// and 3 forms, gradients and errors.
#include "layers/bidirectional.h"

#include <gtest/gtest.h>

#include "layers/dense.h"
#include "layers/lstm.h"
#include "tests/layers/rnn_test_util.h"

namespace fathom::layers {
namespace {

using rnn_test::units;
using testing::expect_tensor_near;
using testing::expect_throws_with;

constexpr double kTol = 2e-6;

Config spec(const std::string& class_name, Config inner) {
  Config s = Config::map();
  s.set("class_name", class_name).set("config", std::move(inner));
  return s;
}

/// Bidirectional(class_name(units, return_sequences)) with the fixture weights.
std::unique_ptr<Bidirectional> make_bi(const std::string& class_name, std::int64_t n, int gates, bool sequences,
                                      Config merge_mode = "concat") {
  Config inner = units(n);
  inner.set("return_sequences", sequences).set("name", class_name == "GRU" ? "gru" : "lstm");
  Config c = Config::map();
  c.set("layer", spec(class_name, inner)).set("merge_mode", std::move(merge_mode));
  std::unique_ptr<Layer> layer = make_layer("Bidirectional", c);
  auto* bi = dynamic_cast<Bidirectional*>(layer.release());
  bi->build_from_shapes({{-1, 4, 3}});
  rnn_test::set_weights(bi->forward_layer(), gates, n);
  rnn_test::set_weights(bi->backward_layer(), gates, n, -0.5);
  return std::unique_ptr<Bidirectional>(bi);
}

TEST(BidirectionalTest, MatchesKerasMergeModes) {
  const Tensor x = rnn_test::input();
  expect_tensor_near((*make_bi("LSTM", 2, 4, true))(x), {2, 4, 4},
                     {-0.12213155,  -0.078876108, -0.048971612, -0.10611825, 0.043441884,   0.10661065,
                      -0.18676494,  -0.23191592,  0.088982321,  0.17337899,  -0.12812732,   -0.2088127,
                      0.10251543,   0.21591336,   -0.064248227, -0.14291129, 0.011075403,   -0.11230327,
                      0.05306435,   0.021059552,  -0.0033504453, -0.13881406, 0.068467893, -0.017196003,
                      -0.052405037, -0.12970373,  0.075102367,  -0.044595458, -0.13572721, -0.10146894,
                      0.062133789,  -0.047321439},
                     kTol);
  expect_tensor_near((*make_bi("LSTM", 2, 4, true, "sum"))(x), {2, 4, 2},
                     {-0.17110316, -0.18499437, -0.14332306, -0.12530527, -0.039145, -0.03543371, 0.038267203,
                      0.07300207, 0.064139754, -0.091243722, 0.065117449, -0.15601006, 0.02269733, -0.17429918,
                      -0.073593423, -0.14879037},
                     kTol);
  expect_tensor_near((*make_bi("LSTM", 2, 4, true, "mul"))(x), {2, 4, 2},
                     {0.0059809787, 0.0083701946, -0.0081134206, -0.024724707, -0.011401067, -0.036203735,
                      -0.0065864343, -0.030856455, 0.00058770902, -0.0023650567, -0.00022939793, 0.002387047,
                      -0.0039357422, 0.0057841972, -0.0084332461, 0.0048016561},
                     kTol);
  expect_tensor_near((*make_bi("LSTM", 2, 4, true, "ave"))(x), {2, 4, 2},
                     {-0.085551582, -0.092497185, -0.071661532, -0.062652633, -0.0195725, -0.017716855,
                      0.019133601, 0.036501035, 0.032069877, -0.045621861, 0.032558724, -0.078005031, 0.011348665,
                      -0.08714959, -0.036796711, -0.074395187},
                     kTol);
  expect_tensor_near((*make_bi("GRU", 3, 3, false, "sum"))(x), {2, 3},
                     {-0.17548096, -0.3838945, 0.29286122, -0.29526687, 0.71664399, 0.087516218}, kTol);
}

TEST(BidirectionalTest, MasksGiveZerosAtMaskedStepsWithSequences) {
  auto bi = make_bi("LSTM", 2, 4, true);
  Tensor out_mask;
  const Tensor y = bi->call_with_mask(rnn_test::input(), rnn_test::mask(), false, &out_mask);
  expect_tensor_near(y, {2, 4, 4},
                     {-0.12213155, -0.078876108, -0.014815308, -0.09853515, 0, 0, 0, 0, 0.042809073, 0.13960031,
                      -0.12812732, -0.2088127, 0.084542245, 0.20830065, -0.064248227, -0.14291129, 0, 0, 0, 0,
                      -0.023577647, -0.098356031, 0.059832137, -0.0085618626, -0.073968984, -0.11482277,
                      0.051916149, -0.02407332, 0, 0, 0, 0},
                     kTol);
  EXPECT_EQ(out_mask.to_vector<bool>(), rnn_test::mask().to_vector<bool>());
  auto last = make_bi("LSTM", 2, 4, false);
  expect_tensor_near(last->call_with_mask(rnn_test::input(), rnn_test::mask(), false, &out_mask), {2, 4},
                     {0.084542245, 0.20830065, -0.014815308, -0.09853515, -0.073968984, -0.11482277, 0.059832137,
                      -0.0085618626},
                     kTol);
  EXPECT_FALSE(out_mask.defined());
}

TEST(BidirectionalTest, MergeModeNoneAndStates) {
  auto none = make_bi("GRU", 3, 3, true, Config());
  EXPECT_EQ(none->num_outputs(), 2);
  EXPECT_EQ(none->compute_output_shape({-1, 4, 3}), (Shape{-1, 4, 3})) << "each output's shape";
  const TensorList out = none->call_with_states(rnn_test::input(), Tensor(), {}, false);
  ASSERT_EQ(out.size(), 4u) << "two outputs, then one state per direction";
  expect_tensor_near(out[0], {2, 4, 3},
                     {0.1922605,   0.41792426, -0.2413889,  0.11413021,  -0.14814816, -0.089273266,
                      0.10636195,  -0.46486786, 0.041206695, 0.12352114,  -0.64043677, 0.12054089,
                      -0.28691858, 0.22258584,  0.34118119,  -0.41099709, 0.45063809,  0.42132217,
                      -0.47815329, 0.61134875,  0.40143222,  -0.51850295, 0.7058146,   0.35653386},
                     kTol);
  expect_tensor_near(out[1], {2, 4, 3},
                     {-0.29900211, 0.25654227,  0.17232034,   -0.14982051, 0.57504082,   -0.084932372,
                      -0.12922411, 0.51986665,  -0.064581774, -0.08174587, 0.37738538,   -0.040342212,
                      0.2232361,   0.010829366, -0.26901764,  0.20258713,  0.0043392372, -0.22286853,
                      0.17294806,  -0.0054757968, -0.16548219, 0.11953674, -0.015262805, -0.092601426},
                     kTol);
  expect_throws_with<ValueError>([&] { (*none)(rnn_test::input()); }, {"merge_mode=None", "call_with_states"});
  Config inner = units(3);
  inner.set("return_state", true);
  Config c = Config::map();
  c.set("layer", spec("SimpleRNN", inner));
  auto* bi = dynamic_cast<Bidirectional*>(make_layer("Bidirectional", c).release());
  std::unique_ptr<Bidirectional> owned(bi);
  bi->build_from_shapes({{-1, 4, 3}});
  rnn_test::set_weights(bi->forward_layer(), 1, 3);
  rnn_test::set_weights(bi->backward_layer(), 1, 3, -0.5);
  EXPECT_EQ(bi->num_states(), 2);
  const TensorList s = bi->call_with_states(rnn_test::input(), Tensor(), {}, false);
  ASSERT_EQ(s.size(), 3u);
  expect_tensor_near(s[0], {2, 6},
                     {-0.44825432, 0.93477899, -0.67742825, -0.520895, 0.11383972, 0.1595159, 0.52925378,
                      -0.95895505, 0.54109281, -0.090818897, 0.3944335, 0.17385367},
                     kTol);
  expect_tensor_near(s[1], {2, 3}, {-0.44825432, 0.93477899, -0.67742825, 0.52925378, -0.95895505, 0.54109281}, kTol);
  expect_tensor_near(s[2], {2, 3}, {-0.520895, 0.11383972, 0.1595159, -0.090818897, 0.3944335, 0.17385367}, kTol);
  // Initial states: the forward ones, then the backward ones.
  const TensorList z = bi->call_with_states(rnn_test::input(), Tensor(), {Tensor::zeros({2, 3}), Tensor::zeros({2, 3})}, false);
  EXPECT_EQ(z[0].to_vector<float>(), s[0].to_vector<float>());
  expect_throws_with<ShapeError>([&] { bi->call_with_states(rnn_test::input(), Tensor(), {Tensor::zeros({2, 3})}, false); },
                                 {"Bidirectional", "expected 2 initial states"});
}

TEST(BidirectionalTest, NamesWeightsAndShapesFollowKeras) {
  LSTM::Options o;
  o.rnn.units = 2;
  o.rnn.return_sequences = true;
  LSTM inner(o, "lstm");
  Bidirectional bi(inner, {}, "bi");
  // Keras's forward_lstm / backward_lstm, under this layer's name so that the weights are
  // named as Keras's paths (bi/forward_lstm/lstm_cell/kernel there).
  EXPECT_EQ(bi.forward_layer().name(), "bi/forward_lstm");
  EXPECT_EQ(bi.backward_layer().name(), "bi/backward_lstm");
  EXPECT_EQ(bi.get_config().at("layer").at("config").get<std::string>("name"), "forward_lstm");
  EXPECT_EQ(bi.get_config().at("backward_layer").at("config").get<std::string>("name"), "backward_lstm");
  EXPECT_FALSE(bi.forward_layer().rnn_options().go_backwards);
  EXPECT_TRUE(bi.backward_layer().rnn_options().go_backwards);
  EXPECT_TRUE(bi.forward_layer().rnn_options().zero_output_for_mask) << "Keras forces it with return_sequences";
  EXPECT_EQ(bi.compute_output_shape({-1, 7, 3}), (Shape{-1, 7, 4}));
  EXPECT_EQ(bi(Tensor::ones({2, 5, 3})).shape(), (Shape{2, 5, 4}));
  std::vector<std::string> names;
  for (const Variable& w : bi.weights()) names.push_back(w.name());
  EXPECT_EQ(names, (std::vector<std::string>{"bi/forward_lstm/kernel", "bi/forward_lstm/recurrent_kernel",
                                             "bi/forward_lstm/bias", "bi/backward_lstm/kernel",
                                             "bi/backward_lstm/recurrent_kernel", "bi/backward_lstm/bias"}));
  EXPECT_EQ(bi.count_params(), 2 * (3 * 8 + 2 * 8 + 8));
  bi.set_trainable(false);
  EXPECT_TRUE(bi.trainable_weights().empty());
  EXPECT_FALSE(bi.backward_layer().trainable());
  bi.set_trainable(true);
  EXPECT_EQ(bi.trainable_weights().size(), 6u);
  // A layer already named forward_x keeps one prefix (Keras's removeprefix).
  LSTM named(o, "forward_enc");
  EXPECT_EQ(Bidirectional(named, {}, "b2").forward_layer().name(), "b2/forward_enc");
}

TEST(BidirectionalTest, ConfigRoundTripAndKerasForms) {
  auto bi = make_bi("GRU", 3, 3, true, "ave");
  const Config c1 = bi->get_config();
  EXPECT_EQ(c1.at("layer").get<std::string>("class_name"), "GRU");
  EXPECT_EQ(c1.at("backward_layer").at("config").get<std::string>("name"), "backward_gru");
  auto copy = make_layer("Bidirectional", c1);
  EXPECT_EQ(copy->get_config(), c1);
  copy->build_from_shapes({{-1, 4, 3}});
  const std::vector<Variable> from = bi->weights();
  std::vector<Variable> to = copy->weights();
  for (std::size_t i = 0; i < to.size(); ++i) to[i].assign(from[i].value());
  EXPECT_EQ((*copy)(rnn_test::input()).to_vector<float>(), (*bi)(rnn_test::input()).to_vector<float>());
  EXPECT_EQ(layer_from_config(serialize_layer(*bi))->get_config(), c1);
  // Keras 3 writes module/registered_name/build_config around the nested layers.
  const Config k3 = testing::parse_json(R"({"name": "bidirectional", "trainable": true, "dtype": "float32",
      "merge_mode": "concat", "layer": {"module": "keras.layers", "class_name": "LSTM", "config": {"name":
      "forward_lstm_1", "units": 3, "return_sequences": false, "zero_output_for_mask": false},
      "registered_name": null, "build_config": {"input_shape": [null, 4, 2]}}, "backward_layer": {"module":
      "keras.layers", "class_name": "LSTM", "config": {"name": "backward_lstm_1", "units": 3,
      "go_backwards": true}, "registered_name": null, "build_config": {"input_shape": [null, 4, 2]}}})");
  auto loaded = make_layer("Bidirectional", k3);
  auto& lb = dynamic_cast<Bidirectional&>(*loaded);
  EXPECT_EQ(lb.forward_layer().name(), "bidirectional/forward_lstm_1");
  EXPECT_EQ(lb.backward_layer().name(), "bidirectional/backward_lstm_1");
  EXPECT_EQ(loaded->get_config().at("backward_layer").at("config").get<std::string>("name"), "backward_lstm_1");
  EXPECT_EQ((*loaded)(Tensor::ones({2, 4, 2})).shape(), (Shape{2, 6}));
  // Keras 2 (tf.keras): the original layer, no module, no backward_layer.
  const Config k2 = testing::parse_json(R"({"name": "bidirectional_1", "trainable": true, "dtype": "float32",
      "layer": {"class_name": "GRU", "config": {"name": "gru", "units": 2, "return_sequences": true,
      "reset_after": false, "implementation": 1, "time_major": false}}, "merge_mode": "sum"})");
  auto old = make_layer("Bidirectional", k2);
  auto& ob = dynamic_cast<Bidirectional&>(*old);
  EXPECT_EQ(ob.forward_layer().name(), "bidirectional_1/forward_gru");
  EXPECT_EQ(ob.backward_layer().name(), "bidirectional_1/backward_gru");
  EXPECT_EQ((*old)(Tensor::ones({2, 4, 2})).shape(), (Shape{2, 4, 2}));
  EXPECT_EQ(old->weights()[2].shape(), (Shape{6})) << "reset_after=false carried into both copies";
}

TEST(BidirectionalTest, GradientsForInputsAndBothDirections) {
  auto bi = make_bi("LSTM", 2, 4, true);
  const Tensor x = rnn_test::input();
  EXPECT_TRUE(rnn_test::float32_gradients_match([&] { return bi->call_masked(x, rnn_test::mask(), false); },
                                                rnn_test::input_and_weights(x, *bi)));
  auto gru = make_bi("GRU", 2, 3, false, "mul");
  EXPECT_TRUE(rnn_test::float32_gradients_match([&] { return (*gru)(x); }, rnn_test::input_and_weights(x, *gru)));
}

TEST(BidirectionalTest, CollectsTheInnerLayersLosses) {
  Config inner = units(2);
  inner.set("kernel_regularizer", "l2").set("activity_regularizer", "l1");
  Config c = Config::map();
  c.set("layer", spec("SimpleRNN", inner));
  auto bi = make_layer("Bidirectional", c);
  (*bi)(rnn_test::input());
  EXPECT_EQ(bi->losses().size(), 4u) << "kernel and activity terms of both directions";
  (*bi)(rnn_test::input());
  EXPECT_EQ(bi->losses().size(), 4u) << "not accumulated over calls";
}

TEST(BidirectionalTest, RejectsBadConfigsAndInputs) {
  Config c = Config::map();
  c.set("layer", spec("LSTM", units(2))).set("merge_mode", "max");
  expect_throws_with<ValueError>([&] { make_layer("Bidirectional", c); }, {"Bidirectional", "merge_mode", "max"});
  Config dense = Config::map();
  dense.set("layer", spec("Dense", units(2)));
  expect_throws_with<ValueError>([&] { make_layer("Bidirectional", dense); }, {"Bidirectional", "recurrent", "Dense"});
  Config stateful = units(2);
  stateful.set("stateful", true);
  Config s = Config::map();
  s.set("layer", spec("LSTM", stateful));
  expect_throws_with<ConfigError>([&] { make_layer("Bidirectional", s); }, {"LSTM", "stateful=True"});
  Config both_backwards = Config::map();
  Config back = units(2);
  back.set("go_backwards", true);
  both_backwards.set("layer", spec("LSTM", back));
  expect_throws_with<ValueError>([&] { make_layer("Bidirectional", both_backwards); }, {"go_backwards"});
  Config missing = Config::map();
  expect_throws_with<ConfigError>([&] { make_layer("Bidirectional", missing); }, {"Bidirectional", "layer"});
  Config ok = Config::map();
  ok.set("layer", spec("GRU", units(2))).set("name", "bi");
  auto layer = make_layer("Bidirectional", ok);
  expect_throws_with<ShapeError>([&] { (*layer)(Tensor::ones({2, 3})); }, {"rank 3", "[None, 3]"});
}

}  // namespace
}  // namespace fathom::layers
