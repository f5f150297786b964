// SPDX-License-Identifier: Apache-2.0
// Model::predict_on_batch traced with a strided batch, then called with a contiguous one of the
// same shape: a new trace (strides are part of the signature), right predictions.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "core/ops.h"
#include "core/random.h"
#include "layers/registry.h"
#include "models/sequential.h"

namespace fathom::models {
namespace {

std::shared_ptr<layers::Layer> layer(const std::string& class_name, Config config) {
  Config spec = Config::map();
  spec.set("class_name", class_name).set("config", std::move(config));
  return std::shared_ptr<layers::Layer>(layers::layer_from_config(spec));
}

std::unique_ptr<Sequential> make() {
  random::set_global_seed(5);
  auto m = std::make_unique<Sequential>(std::vector<std::shared_ptr<layers::Layer>>{
      layer("Activation", Config::map().set("activation", "relu").set("input_shape", Config(Shape{4}))),
      layer("Dense", Config::map().set("units", 4)), layer("Dense", Config::map().set("units", 4))});
  return m;
}

void check(bool strided) {
  const Tensor x = ops::sub(random::uniform({4, 4}, 0, 1, DType::kFloat32, 7), 0.3);
  auto a = make();
  const Tensor first = random::uniform({4, 4}, 0, 1, DType::kFloat32, 8);
  a->predict_on_batch(strided ? ops::transpose(first) : first);  // traces
  const Tensor got = a->predict_on_batch(x);                     // a replay, or a new trace
  auto b = make();
  const Tensor want = b->predict_on_batch(x);  // traced here: an eager call
  const auto g = got.to_vector<float>(), w = want.to_vector<float>();
  for (std::size_t i = 0; i < g.size(); ++i) EXPECT_NEAR(g[i], w[i], 1e-5) << i;
}

TEST(TracedPredictTest, AContiguousBatchAfterAStridedOneGetsItsOwnTrace) { check(true); }
TEST(TracedPredictTest, AContiguousBatchReplaysTheContiguousTrace) { check(false); }

}  // namespace
}  // namespace fathom::models
