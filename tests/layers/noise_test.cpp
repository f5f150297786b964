// SPDX-License-Identifier: Apache-2.0
// SpatialDropout1D/2D, GaussianNoise, GaussianDropout: inference identity, statistics of the
// training noise (5-sigma bounds), whole-channel dropping, scaling, reproducibility by seed,
// gradients, masks, configs (Keras 3.15 and Keras 2 forms) and errors.
#include "layers/noise.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/ops.h"
#include "layers/registry.h"
#include "tests/support/layer_contract.h"

namespace fathom::layers {
namespace {

using testing::expect_layer_contract;
using testing::expect_throws_with;
using testing::layer_spec;
using testing::parse_json;

Config noise_config(const std::string& key, double value, std::optional<std::int64_t> seed = std::nullopt) {
  Config c = Config::map();
  c.set(key, value);
  if (seed) c.set("seed", *seed);
  return c;
}

std::vector<float> run(Layer& layer, const Tensor& x, bool training = true) { return layer(x, training).to_vector<float>(); }

TEST(NoiseLayersTest, SatisfyLayerContractInInference) {
  expect_layer_contract(layer_spec("SpatialDropout1D", noise_config("rate", 0.5, 3)), {{2, 3, 4}}, {2, 3, 4}, 0);
  expect_layer_contract(layer_spec("SpatialDropout2D", noise_config("rate", 0.3)), {{2, 3, 2, 4}}, {2, 3, 2, 4}, 0);
  expect_layer_contract(layer_spec("GaussianNoise", noise_config("stddev", 0.2, 1)), {{2, 5}}, {2, 5}, 0);
  expect_layer_contract(layer_spec("GaussianDropout", noise_config("rate", 0.4)), {{2, 3, 2}}, {2, 3, 2}, 0);
}

TEST(NoiseLayersTest, InferenceIsIdentityAndTrainingIsNot) {
  const Tensor x = testing::keras_pattern({4, 3, 2, 8}, 7, 11, 5, 4);
  for (const auto& [cls, key] : std::vector<std::pair<std::string, std::string>>{
           {"SpatialDropout2D", "rate"}, {"GaussianNoise", "stddev"}, {"GaussianDropout", "rate"}}) {
    auto layer = make_layer(cls, noise_config(key, 0.5, 1));
    EXPECT_EQ(run(*layer, x, false), x.to_vector<float>()) << cls;
    EXPECT_EQ((*layer)(x).to_vector<float>(), x.to_vector<float>()) << cls << ": training defaults to false";
    EXPECT_NE(run(*layer, x), x.to_vector<float>()) << cls;
    auto zero = make_layer(cls, noise_config(key, 0.0));
    EXPECT_EQ(run(*zero, x), x.to_vector<float>()) << cls << " with " << key << "=0 is the identity in training";
  }
}

/// Checks that y (from an input of ones, [B, ..., C]) is constant over each (sample, channel)
/// and holds 0 or 1/(1-rate); returns the fraction of dropped channels.
double dropped_channel_fraction(const Tensor& y, double rate) {
  const auto v = y.to_vector<float>();
  const std::int64_t batch = y.shape().front(), channels = y.shape().back();
  const std::int64_t per_sample = y.numel() / batch, positions = per_sample / channels;
  int dropped = 0;
  for (std::int64_t b = 0; b < batch; ++b) {
    for (std::int64_t c = 0; c < channels; ++c) {
      const float first = v[b * per_sample + c];
      EXPECT_TRUE(first == 0.0f || std::abs(first - 1.0 / (1.0 - rate)) < 1e-6) << first;
      for (std::int64_t p = 1; p < positions; ++p) {
        if (v[b * per_sample + p * channels + c] != first) {
          ADD_FAILURE() << "channel " << c << " of sample " << b << " is not dropped as a whole";
          return -1;
        }
      }
      dropped += first == 0.0f;
    }
  }
  return static_cast<double>(dropped) / static_cast<double>(batch * channels);
}

TEST(SpatialDropoutTest, DropsWholeChannelsAtTheRate) {
  for (double rate : {0.2, 0.5, 0.8}) {
    SCOPED_TRACE(rate);
    auto d1 = make_layer("SpatialDropout1D", noise_config("rate", rate, 5));
    auto d2 = make_layer("SpatialDropout2D", noise_config("rate", rate, 6));
    // 64 x 32 = 2048 channel draws: the dropped fraction's std is sqrt(rate(1-rate)/2048) <= 0.011.
    const double bound = 5 * std::sqrt(rate * (1 - rate) / 2048);
    EXPECT_NEAR(dropped_channel_fraction((*d1)(Tensor::ones({64, 5, 32}), true), rate), rate, bound);
    EXPECT_NEAR(dropped_channel_fraction((*d2)(Tensor::ones({64, 3, 2, 32}), true), rate), rate, bound);
  }
}

TEST(SpatialDropoutTest, ReproducibleBySeed) {
  const Tensor x = Tensor::ones({8, 3, 16});
  auto a = make_layer("SpatialDropout1D", noise_config("rate", 0.5, 42));
  auto b = make_layer("SpatialDropout1D", noise_config("rate", 0.5, 42));
  auto c = make_layer("SpatialDropout1D", noise_config("rate", 0.5, 43));
  const auto a1 = run(*a, x), a2 = run(*a, x);
  EXPECT_NE(a1, a2) << "the stream advances on each call";
  EXPECT_EQ(a1, run(*b, x));
  EXPECT_EQ(a2, run(*b, x));
  EXPECT_NE(a1, run(*c, x));
  random::set_global_seed(11);
  auto g1 = make_layer("SpatialDropout2D", noise_config("rate", 0.5));
  random::set_global_seed(11);
  auto g2 = make_layer("SpatialDropout2D", noise_config("rate", 0.5));
  EXPECT_EQ(run(*g1, Tensor::ones({4, 2, 2, 8})), run(*g2, Tensor::ones({4, 2, 2, 8})))
      << "unseeded layers repeat under the same global seed";
}

TEST(SpatialDropoutTest, GradientIsTheScaledChannelMask) {
  auto layer = make_layer("SpatialDropout2D", noise_config("rate", 0.25, 9));
  const Tensor x = Tensor::ones({3, 2, 2, 6});
  GradientTape tape;
  tape.watch(x);
  const Tensor y = (*layer)(x, true);
  // With x = 1, y is the scaled mask: d sum(y) / dx = y.
  EXPECT_EQ(tape.gradient(ops::sum(y), TensorList{x})[0].to_vector<float>(), y.to_vector<float>());
}

TEST(GaussianNoiseTest, AddsNoiseWithTheGivenStddev) {
  auto layer = make_layer("GaussianNoise", noise_config("stddev", 0.3, 7));
  const Tensor x = Tensor::full({64, 64}, 2.0);
  const Tensor y = (*layer)(x, true);
  const Tensor noise = ops::sub(y, x);
  // 4096 draws: the mean's std is 0.3/64; the sample std's relative error ~ 1/sqrt(2*4096) = 1.1%.
  EXPECT_NEAR(ops::mean(noise).item_as_double(), 0.0, 5 * 0.3 / 64);
  EXPECT_NEAR(std::sqrt(ops::var(noise).item_as_double()), 0.3, 0.3 * 0.06);
  auto same = make_layer("GaussianNoise", noise_config("stddev", 0.3, 7));
  EXPECT_EQ(run(*same, x), y.to_vector<float>()) << "same seed, same noise";
  GradientTape tape;
  tape.watch(x);
  const Tensor g = tape.gradient(ops::sum((*layer)(x, true)), TensorList{x})[0];
  EXPECT_EQ(g.to_vector<float>(), Tensor::ones({64, 64}).to_vector<float>()) << "additive noise: gradient 1";
}

TEST(GaussianDropoutTest, MultipliesByOneCenteredNoise) {
  const double rate = 0.2, stddev = std::sqrt(rate / (1 - rate));  // 0.5
  auto layer = make_layer("GaussianDropout", noise_config("rate", rate, 3));
  const Tensor x = Tensor::ones({64, 64});
  const Tensor y = (*layer)(x, true);
  EXPECT_NEAR(ops::mean(y).item_as_double(), 1.0, 5 * stddev / 64);
  EXPECT_NEAR(std::sqrt(ops::var(y).item_as_double()), stddev, stddev * 0.06);
  auto same = make_layer("GaussianDropout", noise_config("rate", rate, 3));
  const Tensor x2 = Tensor::full({64, 64}, -3.0);
  EXPECT_EQ(run(*same, x2), ops::mul(y, -3.0).to_vector<float>()) << "same seed, same noise, multiplicative";
  GradientTape tape;
  tape.watch(x);
  const Tensor y2 = (*layer)(x, true);
  EXPECT_EQ(tape.gradient(ops::sum(y2), TensorList{x})[0].to_vector<float>(), y2.to_vector<float>())
      << "with x = 1 the gradient is the noise itself";
}

TEST(NoiseLayersTest, PassTheMaskOn) {
  const Tensor mask = Tensor::from_vector(std::vector<bool>{true, false, true}, {1, 3});
  for (const auto& [cls, key] : std::vector<std::pair<std::string, std::string>>{
           {"SpatialDropout1D", "rate"}, {"GaussianNoise", "stddev"}, {"GaussianDropout", "rate"}}) {
    auto layer = make_layer(cls, noise_config(key, 0.5, 1));
    EXPECT_TRUE(layer->supports_masking()) << cls;
    Tensor out_mask;
    layer->call_with_mask(Tensor::ones({1, 3, 2}), mask, true, &out_mask);
    ASSERT_TRUE(out_mask.defined()) << cls;
    EXPECT_EQ(out_mask.to_vector<bool>(), mask.to_vector<bool>()) << cls;
  }
}

TEST(NoiseLayersTest, LoadKerasConfigs) {
  // Keras 3.15.1: SpatialDropout writes only rate, seed, name, dtype (+ data_format in 2D).
  auto s2 = make_layer("SpatialDropout2D", parse_json(R"({"rate": 0.3, "seed": null, "name": "spatial_dropout2d",
      "dtype": "float32", "data_format": "channels_last"})"));
  const Config c = s2->get_config();
  EXPECT_EQ(c.to_json(),
            R"({"rate": 0.3, "seed": null, "name": "spatial_dropout2d", "dtype": "float32", "data_format": "channels_last"})");
  // Keras 2: Dropout's config, noise_shape included (and ignored, as Keras 2 ignored it).
  auto s1 = make_layer("SpatialDropout1D", parse_json(R"({"name": "sd", "trainable": true, "dtype": "float32",
      "rate": 0.5, "noise_shape": null, "seed": 4})"));
  EXPECT_EQ(s1->get_config().to_json(), R"({"rate": 0.5, "seed": 4, "name": "sd", "dtype": "float32"})");
  auto gn = make_layer("GaussianNoise", parse_json(R"({"name": "gn", "trainable": true, "dtype": {"module": "keras",
      "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "stddev": 0.1, "seed": null})"));
  EXPECT_EQ(gn->get_config().to_json(), R"({"name": "gn", "trainable": true, "dtype": "float32", "stddev": 0.1, "seed": null})");
  auto gd = make_layer("GaussianDropout", parse_json(R"({"name": "gd", "rate": 0.2, "seed": 5})"));
  EXPECT_EQ(gd->get_config().get<std::int64_t>("seed"), 5);
}

TEST(NoiseLayersTest, RejectBadConfigsAndInputs) {
  for (double rate : {1.0, -0.1}) {
    expect_throws_with<ValueError>([&] { make_layer("SpatialDropout1D", noise_config("rate", rate)); },
                                   {"SpatialDropout1D", "rate must be in [0, 1)"});
    expect_throws_with<ValueError>([&] { make_layer("GaussianDropout", noise_config("rate", rate)); },
                                   {"GaussianDropout", "rate must be in [0, 1)"});
  }
  expect_throws_with<ValueError>([] { make_layer("GaussianNoise", noise_config("stddev", -1.0)); },
                                 {"GaussianNoise", "stddev", "-1"});
  expect_throws_with<ConfigError>([] { make_layer("GaussianNoise", Config::map()); }, {"stddev"});
  Config cf = noise_config("rate", 0.5);
  cf.set("data_format", "channels_first");
  expect_throws_with<ConfigError>([&] { make_layer("SpatialDropout2D", cf); }, {"SpatialDropout2D", "channels_first"});
  // Keras's SpatialDropout1D takes no data_format.
  expect_throws_with<ConfigError>([&] { make_layer("SpatialDropout1D", cf); }, {"SpatialDropout1D", "data_format"});
  auto layer = make_layer("SpatialDropout1D", noise_config("rate", 0.5));
  expect_throws_with<ShapeError>([&] { (*layer)(Tensor::ones({2, 3, 4, 5}), true); },
                                 {"SpatialDropout1D", "rank 3"});
}

}  // namespace
}  // namespace fathom::layers
