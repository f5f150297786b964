// SPDX-License-Identifier: Apache-2.0
// MultiHeadAttention against Keras 3.15 (tests/layers/data/make_attention_fixtures.py): B=2, Tq=3,
// Tv=4, H=2, key_dim=3, query [2,3,4], value [2,4,5], key [2,4,3], pattern weights; masks, causal
// masks and both of Keras's paths for a fully masked row; weights, configs, gradients, errors.
#include "layers/multi_head_attention.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "core/ops.h"
#include "layers/registry.h"
#include "tests/support/layer_contract.h"

namespace fathom::layers {
namespace {

using testing::expect_layer_contract;
using testing::expect_tensor_near;
using testing::expect_throws_with;
using testing::keras_pattern;
using testing::layer_spec;

constexpr double kTol = 2e-6;

const Tensor& query() {
  static const Tensor t = keras_pattern({2, 3, 4}, 7, 11, 5, 4);
  return t;
}
const Tensor& value() {
  static const Tensor t = keras_pattern({2, 4, 5}, 5, 9, 4, 5);
  return t;
}
const Tensor& key() {
  static const Tensor t = keras_pattern({2, 4, 3}, 3, 7, 3, 4);
  return t;
}

Config mha_config(std::int64_t value_dim = 0) {
  Config c = Config::map();
  c.set("num_heads", 2).set("key_dim", 3);
  if (value_dim > 0) c.set("value_dim", value_dim);
  return c;
}

/// The layer from `c`, built for `shapes` and given the fixture's pattern weights.
std::unique_ptr<MultiHeadAttention> make_mha(const Config& c, const std::vector<Shape>& shapes) {
  std::unique_ptr<Layer> layer = make_layer("MultiHeadAttention", c);
  auto* mha = dynamic_cast<MultiHeadAttention*>(layer.get());
  EXPECT_NE(mha, nullptr);
  layer.release();
  mha->build_from_shapes(shapes);
  const int patterns[8][4] = {{5, 7, 3, 5},  {3, 5, 2, 10}, {3, 8, 4, 5},  {2, 5, 2, 10},
                              {7, 9, 4, 6},  {3, 7, 3, 10}, {5, 11, 5, 6}, {3, 5, 2, 10}};
  const bool bias = c.get_or("use_bias", true);
  std::vector<Variable> w = mha->weights();
  for (std::size_t i = 0; i < w.size(); ++i) {
    const int* p = patterns[bias ? i : 2 * i];
    w[i].assign(keras_pattern(w[i].shape(), p[0], p[1], p[2], p[3]));
  }
  return std::unique_ptr<MultiHeadAttention>(mha);
}

std::unique_ptr<MultiHeadAttention> with_key(std::int64_t value_dim = 2) {
  return make_mha(mha_config(value_dim), {{-1, 3, 4}, {-1, 4, 5}, {-1, 4, 3}});
}

/// Keras's mask: [0,0,1:], [0,2,:] (a fully masked row) and [1,1,::2] are false.
Tensor attention_mask() {
  std::vector<bool> m(24, true);
  for (int j = 1; j < 4; ++j) m[j] = false;
  for (int j = 0; j < 4; ++j) m[8 + j] = false;
  m[12 + 4] = m[12 + 6] = false;
  return Tensor::from_vector(m, {2, 3, 4});
}

const std::vector<double> kScoresWithKey = {
    0.2968919,  0.24222139, 0.28431049, 0.17657626, 0.38492963, 0.26640022, 0.14762262, 0.20104755,
    0.11869275, 0.24041075, 0.33846781, 0.30242872, 0.25002781, 0.20252013, 0.26109216, 0.28635994,
    0.35037082, 0.34336185, 0.15931907, 0.14694816, 0.42792296, 0.10370477, 0.24162002, 0.22675222,
    0.20848261, 0.28806087, 0.15088823, 0.35256833, 0.27925593, 0.25314927, 0.33689374, 0.13070111,
    0.19574711, 0.24946299, 0.30532697, 0.24946299, 0.31578064, 0.29210269, 0.13186853, 0.26024809,
    0.1344744,  0.12656449, 0.28690356, 0.45205751, 0.30397668, 0.32018936, 0.24907778, 0.12675618};

TEST(MultiHeadAttentionTest, MatchesKerasWithValueAsKey) {
  auto mha = make_mha(mha_config(), {{-1, 3, 4}, {-1, 4, 5}});
  const std::vector<double> expected = {
      0.23517708, 0.030876406, -0.069123641, 0.1475431,   -0.0032930225, 0.029280476, -0.07071954, 0.14594716,
      0.16901989, 0.068808436, -0.031191573, 0.18547514,  0.25605565,    -0.210527,   -0.31052694, -0.093860283,
      0.48361969, -0.2024608,  -0.30246073,  -0.085794106, 0.26239467,   -0.2096405,  -0.30964053, -0.092973813};
  expect_tensor_near((*mha)({query(), value()}), {2, 3, 4}, expected, kTol);
  expect_tensor_near(mha->attend(query(), value()), {2, 3, 4}, expected, kTol);
}

TEST(MultiHeadAttentionTest, MatchesKerasWithKeyValueDimAndScores) {
  auto mha = with_key();
  Tensor scores;
  const Tensor y = mha->attend(query(), value(), key(), {}, false, false, &scores);
  const std::vector<double> expected = {
      0.082665786, -0.19573638, -0.26576754, -0.059926793, 0.22564559, -0.46141294, -0.14413843, -0.38225496,
      0.20226012,  -0.16666624, -0.34182745, -0.022427753, 0.073932037, -0.17748174, -0.20949449, -0.057208315,
      0.026550502, 0.16345933,  -0.40134424, 0.34561816,   0.09779726,  -0.1720854,  -0.3058711,  -0.039857671};
  expect_tensor_near(y, {2, 3, 4}, expected, kTol);
  expect_tensor_near(scores, {2, 2, 3, 4}, kScoresWithKey, kTol);
  expect_tensor_near((*mha)({query(), value(), key()}), {2, 3, 4}, expected, kTol);
}

TEST(MultiHeadAttentionTest, MatchesKerasCausalMask) {
  auto mha = with_key();
  const std::vector<double> expected = {
      -0.22222222, -0.34444448, 0.2555556,   -0.35555559, 0.25060546, -0.72317988, -0.071325243, -0.68416816,
      0.0012416542, -0.10423587, -0.46948129, 0.067360148, 0.077777788, -0.31666669, -0.049999975, -0.32222223,
      0.60049611,  -0.70401329, 0.027438112, -0.68993306, 0.35262966, -0.30675849, -0.32955366, -0.19367678};
  expect_tensor_near(mha->attend(query(), value(), key(), {}, true), {2, 3, 4}, expected, kTol);
  Tensor scores;
  expect_tensor_near(mha->attend(query(), value(), key(), {}, true, false, &scores), {2, 3, 4}, expected, kTol);
  expect_tensor_near(scores, {2, 2, 3, 4},
                     {1, 0, 0, 0, 0.5909903,  0.4090097,  0, 0, 0.17015141, 0.34463966, 0.4852089,  0,
                      1, 0, 0, 0, 0.50505167, 0.49494839, 0, 0, 0.55340993, 0.13411586, 0.31247428, 0,
                      1, 0, 0, 0, 0.52451771, 0.47548229, 0, 0, 0.26080939, 0.33237931, 0.40681133, 0,
                      1, 0, 0, 0, 0.51515085, 0.48484921, 0, 0, 0.34810063, 0.36666664, 0.28523281, 0},
                     kTol);
}

TEST(MultiHeadAttentionTest, MatchesKerasAttentionMaskOnBothPaths) {
  auto mha = with_key();
  // Keras's fused path (no scores, no dropout) leaves the fully masked row [0, 2] uniform; the
  // explicit path zeroes it, so that row's output is the output bias [-0.2, 0.1, -0.1, 0.2].
  std::vector<double> expected = {
      -0.22222222, -0.34444448, 0.2555556,   -0.35555559, 0.22564556, -0.46141294, -0.1441384,  -0.38225496,
      0.1902778,   -0.27777779, -0.25277776, -0.15555556, 0.073932037, -0.17748174, -0.20949449, -0.057208315,
      0.33516347,  -0.028031461, -0.15453348, 0.12448809, 0.09779726, -0.1720854,  -0.3058711,  -0.039857671};
  expect_tensor_near(mha->attend(query(), value(), key(), attention_mask()), {2, 3, 4}, expected, kTol);
  Tensor scores;
  const Tensor y = mha->attend(query(), value(), key(), attention_mask(), false, false, &scores);
  std::copy_n(std::vector<double>{-0.2, 0.1, -0.1, 0.2}.begin(), 4, expected.begin() + 8);
  expect_tensor_near(y, {2, 3, 4}, expected, kTol);
  expect_tensor_near(scores, {2, 2, 3, 4},
                     {1, 0, 0, 0, 0.38492963, 0.26640022, 0.14762262, 0.20104755, 0, 0, 0, 0,
                      1, 0, 0, 0, 0.35037082, 0.34336185, 0.15931907, 0.14694816, 0, 0, 0, 0,
                      0.20848261, 0.28806087, 0.15088823, 0.35256833, 0, 0.65949982, 0, 0.34050018,
                      0.19574711, 0.24946299, 0.30532697, 0.24946299, 0.31578064, 0.29210269, 0.13186853, 0.26024809,
                      0, 0.21873432, 0, 0.78126568, 0.30397668, 0.32018936, 0.24907778, 0.12675618},
                     kTol);
  // A float mask means nonzero = attend, as Keras's cast to bool.
  expect_tensor_near(mha->attend(query(), value(), key(), ops::cast(attention_mask(), DType::kFloat32), false, false,
                                 &scores),
                     {2, 3, 4}, expected, kTol);
}

TEST(MultiHeadAttentionTest, MatchesKerasTwoDimMaskAndCausal) {
  auto mha = with_key();
  const Tensor mask_tq_tv = ops::slice_axis(attention_mask(), 0, 1, 2).contiguous();
  expect_tensor_near(mha->attend(query(), value(), key(), ops::reshape(mask_tq_tv, {3, 4}), true), {2, 3, 4},
                     {-0.22222222, -0.34444448, 0.2555556,   -0.35555559, 0.87777787, -1.1,        -0.58333337,
                      -0.97222215, 0.0012416542, -0.10423587, -0.46948129, 0.067360148, 0.077777788, -0.31666669,
                      -0.049999975, -0.32222223, 1.1777778,  -1.1222223,  0.11111111,  -1.0888889, 0.35262966,
                      -0.30675849, -0.32955366, -0.19367678},
                     kTol);
}

TEST(MultiHeadAttentionTest, InputMasksCombineLikeAnAttentionMask) {
  auto mha = with_key();
  // query_mask [B, Tq] & value_mask [B, Tv] equals the attention mask q[:, :, None] & v[:, None, :].
  const Tensor qm = Tensor::from_vector(std::vector<bool>{true, true, false, true, false, true}, {2, 3});
  const Tensor vm = Tensor::from_vector(std::vector<bool>{true, false, true, true, false, true, true, true}, {2, 4});
  MultiHeadAttention::CallArgs args;
  args.key = key();
  args.query_mask = qm;
  args.value_mask = vm;
  const Tensor am = ops::mul(ops::reshape(ops::cast(qm, DType::kFloat32), {2, 3, 1}),
                             ops::reshape(ops::cast(vm, DType::kFloat32), {2, 1, 4}));
  EXPECT_EQ(mha->attend(query(), value(), args).to_vector<float>(),
            mha->attend(query(), value(), key(), am).to_vector<float>());
}

TEST(MultiHeadAttentionTest, MatchesKerasWithoutBiasAndOutputShape) {
  Config c = mha_config();
  c.set("use_bias", false).set("output_shape", Config(Shape{2, 3}));
  auto mha = make_mha(c, {{-1, 3, 4}, {-1, 4, 5}});
  ASSERT_EQ(mha->weights().size(), 4u);
  EXPECT_EQ(mha->weight("attention_output/kernel").shape(), (Shape{2, 3, 2, 3}));
  EXPECT_EQ(mha->compute_output_shape_multi({{-1, 3, 4}, {-1, 4, 5}}), (Shape{-1, 3, 2, 3}));
  expect_tensor_near(
      (*mha)({query(), value()}), {2, 3, 2, 3},
      {-0.20359442, 0.23721929,  -0.075060859, 0.23721927,  -0.075060852, -0.18333814, -0.17483115, 0.2585313,
       0.13295205,  0.25853127,  0.13295206,   -0.1620831,  -0.62728184,  0.43210411,  -0.42414597, 0.43210411,
       -0.42414594, 0.17198971,  0.094705701,  -0.2560181,  -0.039178766, -0.2560181,  -0.039178774, 0.10395129,
       0.23435466,  -0.11309806, -0.13082723,  -0.11309807, -0.13082722,  -0.053603895, -0.060343768, 0.02178701,
       -0.20527284, 0.021787018, -0.20527284,  0.2645067},
      kTol);
}

TEST(MultiHeadAttentionTest, MatchesKerasRank4Inputs) {
  auto mha = make_mha(mha_config(), {{-1, 2, 2, 4}, {-1, 3, 1, 5}});
  Tensor scores;
  const Tensor y = mha->attend(keras_pattern({1, 2, 2, 4}, 7, 11, 5, 4), keras_pattern({1, 3, 1, 5}, 5, 9, 4, 5), {},
                               {}, false, false, &scores);
  expect_tensor_near(y, {1, 2, 2, 4},
                     {0.45374572, -0.0027671531, -0.10276718, 0.11389953,   0.58166707, -0.17220822,
                      -0.27220824, -0.05554153,  0.46385264,  -0.040354274, -0.14035439, 0.076312423,
                      0.57816041, -0.16931716,   -0.26931721, -0.052650437},
                     kTol);
  expect_tensor_near(scores, {1, 2, 2, 2, 3, 1},
                     {0.53316617, 0.27670816, 0.19012575, 0.36359408, 0.40809834, 0.22830759, 0.27245632, 0.23940384,
                      0.48813993, 0.37464303, 0.40712169, 0.21823531, 0.24993989, 0.3633416,  0.3867186,  0.57069093,
                      0.28151086, 0.14779824, 0.27408528, 0.49963793, 0.2262768,  0.56428248, 0.27074176, 0.16497581},
                     kTol);
  EXPECT_EQ(mha->get_config().at("attention_axes"), Config(Shape{1, 2})) << "resolved at build, as Keras";
}

TEST(MultiHeadAttentionTest, MatchesKerasRegularizationLosses) {
  Config c = mha_config();
  c.set("kernel_regularizer", "l2").set("bias_regularizer", "l1").set("activity_regularizer", "l2");
  auto mha = make_mha(c, {{-1, 3, 4}, {-1, 4, 5}});
  (*mha)({query(), value()});
  for (int call = 0; call < 2; ++call) {  // a second call replaces the first call's losses
    const TensorList losses = mha->losses();
    ASSERT_EQ(losses.size(), 12u) << "8 weight penalties + 4 projections' activity penalties, as Keras";
    double total = 0;
    for (const Tensor& l : losses) total += l.item_as_double();
    EXPECT_NEAR(total, 0.50745726, 1e-6);
    mha->attend(query(), value());
  }
}

TEST(MultiHeadAttentionTest, WeightsInKerasOrderAndShapes) {
  auto mha = make_mha(mha_config(2), {{-1, 3, 4}, {-1, 4, 5}, {-1, 4, 3}});
  const std::vector<std::pair<std::string, Shape>> expected = {
      {"query/kernel", {4, 2, 3}}, {"query/bias", {2, 3}},           {"key/kernel", {3, 2, 3}},
      {"key/bias", {2, 3}},        {"value/kernel", {5, 2, 2}},      {"value/bias", {2, 2}},
      {"attention_output/kernel", {2, 2, 4}}, {"attention_output/bias", {4}}};
  const std::vector<Variable> w = mha->weights();
  ASSERT_EQ(w.size(), expected.size());
  for (std::size_t i = 0; i < w.size(); ++i) {
    EXPECT_EQ(w[i].name(), mha->name() + "/" + expected[i].first);
    EXPECT_EQ(w[i].shape(), expected[i].second) << expected[i].first;
    EXPECT_TRUE(mha->weight(expected[i].first).is(w[i]));
  }
}

TEST(MultiHeadAttentionTest, GlorotKernelsUseEinsumFans) {
  // Keras's EinsumDense: fan_in = 64 (query dim), fan_out = H * key_dim = 8 * 32; limit = sqrt(6 / (64 + 256)).
  Config c = Config::map();
  c.set("num_heads", 8).set("key_dim", 32);
  auto layer = make_layer("MultiHeadAttention", c);
  layer->build_from_shapes({{-1, 5, 64}, {-1, 5, 64}});
  const auto w = layer->weight("query/kernel").value().to_vector<float>();
  double sum_sq = 0, max_abs = 0;
  for (float x : w) {
    sum_sq += static_cast<double>(x) * x;
    max_abs = std::max(max_abs, std::abs(static_cast<double>(x)));
  }
  const double limit = std::sqrt(6.0 / (64 + 256));
  EXPECT_LE(max_abs, limit);
  EXPECT_NEAR(sum_sq / static_cast<double>(w.size()), limit * limit / 3, 0.1 * limit * limit / 3);
}

TEST(MultiHeadAttentionTest, SatisfiesLayerContract) {
  testing::LayerContractOptions o;
  o.weight_names = {"query/kernel", "query/bias", "key/kernel", "key/bias", "value/kernel", "value/bias",
                    "attention_output/kernel", "attention_output/bias"};
  expect_layer_contract(layer_spec("MultiHeadAttention", mha_config()), {{2, 3, 4}, {2, 4, 5}}, {2, 3, 4}, 8, o);
  Config c = mha_config(2);
  c.set("num_heads", 1).set("key_dim", 2).set("output_shape", Config(Shape{3})).set("name", "attn");
  expect_layer_contract(layer_spec("MultiHeadAttention", c), {{1, 2, 3}, {1, 3, 2}, {1, 3, 4}}, {1, 2, 3}, 8, o);
}

/// Float32 central differences (step 1e-2, as the layer contract) of sum(r * f()) with respect to
/// each of `targets`, perturbed in place; the analytic gradients come from one tape.
void expect_float32_gradients(const std::function<Tensor()>& f, const TensorList& targets) {
  Tensor r;
  TensorList analytic;
  {
    GradientTape tape;
    for (const Tensor& t : targets) tape.watch(t);
    const Tensor y = ops::cast(f(), DType::kFloat64);
    r = ops::cast(keras_pattern(y.shape(), 3, 7, -4, 5), DType::kFloat64);  // in [0.8, 2]
    analytic = tape.gradient(ops::sum(ops::mul(y, r)), targets, {}, UnconnectedGradients::kZero);
  }
  const auto loss = [&] { return ops::sum(ops::mul(ops::cast(f(), DType::kFloat64), r)).item<double>(); };
  for (std::size_t t = 0; t < targets.size(); ++t) {
    Tensor target = targets[t];
    float* p = target.data<float>();
    const auto a = ops::cast(analytic[t], DType::kFloat64).to_vector<double>();
    int failed = 0;
    for (std::int64_t j = 0; j < target.numel(); ++j) {
      const float original = p[j];
      p[j] = original + 1e-2f;
      const double x_plus = p[j], plus = loss();
      p[j] = original - 1e-2f;
      const double x_minus = p[j], minus = loss();
      p[j] = original;
      const double numeric = (plus - minus) / (x_plus - x_minus);
      if (!(std::abs(a[j] - numeric) <= 2e-3 + 1e-2 * std::abs(numeric)) && failed++ < 2) {
        ADD_FAILURE() << "target " << t << " element " << j << ": analytic " << a[j] << ", numeric " << numeric;
      }
    }
  }
}

TEST(MultiHeadAttentionTest, GradientsWithMasksMatchFiniteDifferences) {
  auto mha = with_key();
  const Tensor q = ops::mul(query(), 0.5), v = ops::mul(value(), 0.5), k = ops::mul(key(), 0.5);
  TensorList targets = {q, v, k};
  for (const Variable& w : mha->weights()) targets.push_back(w.value());
  // Fully masked row and causal mask together, on the explicit (zeroing) path and the fused one.
  const Tensor mask = attention_mask();
  Tensor scores;
  expect_float32_gradients([&] { return mha->attend(q, v, k, mask, true, false, &scores); }, targets);
  expect_float32_gradients([&] { return mha->attend(q, v, k, mask, false); }, targets);
}

TEST(MultiHeadAttentionTest, DropoutOnlyInTrainingAndReplayable) {
  Config c = mha_config();
  c.set("dropout", 0.5).set("seed", 7);
  auto mha = make_mha(c, {{-1, 3, 4}, {-1, 4, 5}});
  const auto inference = mha->attend(query(), value()).to_vector<float>();
  Tensor scores;
  EXPECT_EQ(mha->attend(query(), value(), {}, {}, false, false, &scores).to_vector<float>(), inference);
  const Config state = mha->random_state();
  const auto train1 = mha->attend(query(), value(), {}, {}, false, true).to_vector<float>();
  EXPECT_NE(train1, inference);
  EXPECT_NE(mha->attend(query(), value(), {}, {}, false, true).to_vector<float>(), train1) << "a new mask each call";
  mha->set_random_state(state);
  EXPECT_EQ(mha->attend(query(), value(), {}, {}, false, true).to_vector<float>(), train1);
}

TEST(MultiHeadAttentionTest, ConfigRoundTripKeras3AndKeras2) {
  const Config keras3 = testing::parse_json(R"({"name": "mha", "trainable": true,
    "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
    "num_heads": 2, "key_dim": 3, "value_dim": 4, "dropout": 0.1, "use_bias": true, "use_gate": false,
    "output_shape": null, "attention_axes": [1], "sliding_window": null,
    "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform",
      "config": {"seed": null, "input_axes": null, "output_axes": null}, "registered_name": null},
    "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
    "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null,
    "kernel_constraint": null, "bias_constraint": null, "seed": 3})");
  auto layer = make_layer("MultiHeadAttention", keras3);
  const Config c = layer->get_config();
  for (const char* k : {"num_heads", "key_dim", "value_dim", "dropout", "use_gate", "attention_axes", "seed"}) {
    EXPECT_EQ(c.at(k), keras3.at(k)) << k;
  }
  EXPECT_EQ(make_layer("MultiHeadAttention", c)->get_config(), c);
  Config int_shape = mha_config();
  int_shape.set("output_shape", 6);
  EXPECT_EQ(make_layer("MultiHeadAttention", int_shape)->get_config().at("output_shape"), Config(Shape{6}))
      << "an int output_shape is written as a tuple, as Keras";
  // Keras 2 (tf.keras 2.x) adds the build shapes; the layer comes back built.
  const Config keras2 = testing::parse_json(R"({"name": "mha2", "trainable": true, "dtype": "float32",
    "num_heads": 2, "key_dim": 3, "value_dim": 3, "dropout": 0.0, "use_bias": true, "output_shape": null,
    "attention_axes": null, "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}},
    "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": null,
    "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null,
    "query_shape": [null, 3, 4], "key_shape": null, "value_shape": [null, 4, 5]})");
  auto built = make_layer("MultiHeadAttention", keras2);
  EXPECT_TRUE(built->built());
  EXPECT_EQ(built->weights().size(), 8u);
  EXPECT_EQ((*built)({query(), value()}).shape(), (Shape{2, 3, 4}));
}

TEST(MultiHeadAttentionTest, RejectsBadConfigs) {
  Config c = mha_config();
  c.set("num_heads", 0);
  expect_throws_with<ValueError>([&] { make_layer("MultiHeadAttention", c); }, {"num_heads=0"});
  c = mha_config();
  c.set("key_dim", -1);
  expect_throws_with<ValueError>([&] { make_layer("MultiHeadAttention", c); }, {"key_dim=-1"});
  c = mha_config();
  c.set("use_gate", true);
  expect_throws_with<ConfigError>([&] { make_layer("MultiHeadAttention", c); }, {"use_gate", "not supported"});
  c = mha_config();
  c.set("sliding_window", 2);
  expect_throws_with<ConfigError>([&] { make_layer("MultiHeadAttention", c); }, {"sliding_window=2"});
  c = mha_config();
  c.set("dropout", 1.0);
  expect_throws_with<ValueError>([&] { make_layer("MultiHeadAttention", c); }, {"dropout=1"});
  c = mha_config();
  c.set("attention_axes", 2).set("name", "ax");
  auto layer = make_layer("MultiHeadAttention", c);
  expect_throws_with<ConfigError>([&] { (*layer)({query(), value()}); },
                                  {"MultiHeadAttention 'ax'", "attention_axes=[2]", "not supported"});
  c.set("attention_axes", -2);
  EXPECT_EQ((*make_layer("MultiHeadAttention", c))({query(), value()}).shape(), (Shape{2, 3, 4}))
      << "-2 is the sequence axis of the projected rank-4 tensors";
}

TEST(MultiHeadAttentionTest, RejectsBadInputs) {
  Config c = mha_config();
  c.set("name", "mha");
  auto layer = make_layer("MultiHeadAttention", c);
  auto& mha = dynamic_cast<MultiHeadAttention&>(*layer);
  expect_throws_with<ShapeError>([&] { mha.attend(Tensor::ones({2, 4}), value()); },
                                 {"MultiHeadAttention 'mha'", "rank >= 3", "query_shape=[2, 4]"});
  expect_throws_with<ShapeError>([&] { mha.attend(query(), Tensor::ones({3, 4, 5})); },
                                 {"same batch size", "query_shape=[2, 3, 4]", "value_shape=[3, 4, 5]"});
  expect_throws_with<ShapeError>([&] { mha.attend(query(), value(), Tensor::ones({2, 5, 3})); },
                                 {"value and key", "value_shape=[2, 4, 5]", "key_shape=[2, 5, 3]"});
  expect_throws_with<ShapeError>([&] { (*layer)({query()}); }, {"[query, value]", "received 1"});
  mha.attend(query(), value());
  expect_throws_with<ShapeError>([&] { mha.attend(Tensor::ones({2, 3, 6}), value()); },
                                 {"query is incompatible", "expected a last dimension of 4", "[2, 3, 6]"});
  expect_throws_with<ShapeError>([&] { mha.attend(query(), value(), {}, Tensor::ones({2, 4, 3}, DType::kBool)); },
                                 {"attention_mask", "[2, 2, 3, 4]", "attention_mask.shape=[2, 4, 3]"});
  expect_throws_with<ShapeError>([&] { mha.attend(query(), value(), {}, Tensor::ones({4}, DType::kBool)); },
                                 {"attention_mask.shape=[4]"});
  MultiHeadAttention::CallArgs args;
  args.query_mask = Tensor::ones({2, 4}, DType::kBool);
  expect_throws_with<ShapeError>([&] { mha.attend(query(), value(), args); }, {"query_mask", "[2, 3]"});
  auto rank4 = make_mha(mha_config(), {{-1, 2, 2, 4}, {-1, 3, 1, 5}});
  expect_throws_with<ShapeError>(
      [&] { rank4->attend(keras_pattern({1, 2, 2, 4}, 1, 3, 1, 2), keras_pattern({1, 3, 1, 5}, 1, 3, 1, 2), {}, {}, true); },
      {"use_causal_mask", "rank-3"});
}

}  // namespace
}  // namespace fathom::layers
