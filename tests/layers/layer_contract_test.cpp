// SPDX-License-Identifier: Apache-2.0
// Tests of the test helper: expect_layer_contract must fail for deliberately broken layers (a
// check that cannot fail proves nothing) and pass for their correct twins.
#include "tests/support/layer_contract.h"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <functional>

#include "core/ops.h"
#include "layers/initializers.h"
#include "layers/layer_config.h"
#include "layers/registry.h"

namespace fathom::layers {
namespace {

using testing::expect_layer_contract;
using testing::layer_spec;

/// y = f(x) * (1 + error), f(x) = x * w (one weight) or tanh(x) (none), with the `error` part
/// hidden from the tape (stop_gradient): the analytic gradients are off by a factor 1/(1 + error).
/// `drop` makes get_config forget `error`; `wrong_shape` breaks compute_output_shape.
class Probe final : public Layer {
 public:
  struct Options {
    double error = 0.0;
    bool drop_error_from_config = false;
    bool with_weight = true;
    bool wrong_output_shape = false;
  };
  Probe(Options o, std::string name) : Layer(std::move(name), "probe"), o_(o) {}
  static std::unique_ptr<Layer> from_config(const Config& c) {
    const BaseLayerArgs base =
        parse_base_args(c, {"error", "drop", "with_weight", "wrong_shape"}, "Probe");
    Options o;
    o.error = c.get_or("error", 0.0);
    o.drop_error_from_config = c.get_or("drop", false);
    o.with_weight = c.get_or("with_weight", true);
    o.wrong_output_shape = c.get_or("wrong_shape", false);
    return std::make_unique<Probe>(o, base.name);
  }
  std::string class_name() const override { return "Probe"; }
  void build(const Shape& s) override {
    if (o_.with_weight) {
      w_ = add_weight("w", {s.back()}, *get_initializer(Config("glorot_uniform")));
    }
  }
  Tensor call(const Tensor& x, bool) override {
    const Tensor y = o_.with_weight ? ops::mul(x, w_.value()) : ops::tanh(x);
    return ops::add(y, stop_gradient(ops::mul(y, o_.error)));
  }
  Shape compute_output_shape(const Shape& s) const override {
    Shape out = s;
    if (o_.wrong_output_shape) out.back() += 1;
    return out;
  }
  Config get_config() const override {
    Config c = Layer::get_config();
    if (!o_.drop_error_from_config) c.set("error", o_.error);
    c.set("drop", o_.drop_error_from_config)
        .set("with_weight", o_.with_weight)
        .set("wrong_shape", o_.wrong_output_shape);
    return c;
  }

 private:
  Options o_;
  Variable w_;
};

/// Every failure message the contract reports (none when it passes).
std::vector<std::string> contract_failures(const Config& config, int num_weights) {
  register_layer("Probe", &Probe::from_config);
  ::testing::TestPartResultArray results;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &results);
    expect_layer_contract(layer_spec("Probe", config), {{3, 4}}, {3, 4}, num_weights);
  }
  std::vector<std::string> messages;
  for (int i = 0; i < results.size(); ++i)
    messages.push_back(results.GetTestPartResult(i).message());
  return messages;
}

bool any_contains(const std::vector<std::string>& messages, const std::string& part) {
  for (const auto& m : messages) {
    if (m.find(part) != std::string::npos) return true;
  }
  return false;
}

Config probe(double error, bool with_weight) {
  Config c = Config::map();
  c.set("error", error).set("with_weight", with_weight);
  return c;
}

std::string joined(const std::vector<std::string>& messages) {
  std::string s;
  for (const auto& m : messages) s += m + "\n";
  return s;
}

TEST(LayerContractTest, PassesForCorrectLayers) {
  EXPECT_TRUE(contract_failures(probe(0.0, true), 1).empty())
      << joined(contract_failures(probe(0.0, true), 1));
  EXPECT_TRUE(contract_failures(probe(0.0, false), 0).empty())
      << joined(contract_failures(probe(0.0, false), 0));
}

TEST(LayerContractTest, CatchesWrongInputGradientsInFloat64) {
  // No weights: the float64 check sees a 0.1% error.
  const auto failures = contract_failures(probe(1e-3, false), 0);
  EXPECT_TRUE(any_contains(failures, "gradient element(s) differ")) << joined(failures);
}

TEST(LayerContractTest, CatchesWrongWeightGradientsInFloat32) {
  // With a weight the check runs in float32; a 3% error is caught, on the inputs and the weight.
  const auto failures = contract_failures(probe(0.03, true), 1);
  EXPECT_TRUE(any_contains(failures, "float32 check")) << joined(failures);
  EXPECT_TRUE(any_contains(failures, "weight 'probe")) << joined(failures);
}

TEST(LayerContractTest, CatchesAConfigThatLosesAKey) {
  Config c = probe(0.0, false);
  c.set("drop", true).set("error", 0.5);
  const auto failures = contract_failures(c, 0);
  EXPECT_TRUE(any_contains(failures, "lacks the key 'error'")) << joined(failures);
}

TEST(LayerContractTest, CatchesWrongComputeOutputShapeAndWeightCount) {
  Config c = probe(0.0, true);
  c.set("wrong_shape", true);
  auto failures = contract_failures(c, 1);
  EXPECT_TRUE(any_contains(failures, "compute_output_shape")) << joined(failures);
  failures = contract_failures(probe(0.0, true), 2);
  EXPECT_TRUE(any_contains(failures, "number of weights")) << joined(failures);
}

TEST(LayerContractTest, KerasPatternMatchesTheFixtureScript) {
  // ((i * 7) % 11 - 5) / 4 for i = 0..5, as make_keras_fixtures.py's pattern().
  EXPECT_EQ(testing::keras_pattern({2, 3}, 7, 11, 5, 4).to_vector<float>(),
            (std::vector<float>{-1.25f, 0.5f, -0.5f, 1.25f, 0.25f, -0.75f}));
}

}  // namespace
}  // namespace fathom::layers
