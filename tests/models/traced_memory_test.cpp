// SPDX-License-Identifier: Apache-2.0
// A model's traced train step, replayed: its memory plan gives every intermediate tensor, every
// kernel temporary and the returned loss and predictions (used at once by the loss tracker and
// the metrics) a slice of one arena, so that a replay allocates no tensor memory at all.
#include <gtest/gtest.h>

#include <memory>
#include <ostream>

#include "core/allocator.h"
#include "core/function.h"
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

Config cfg(std::initializer_list<std::pair<const char*, Config>> entries) {
  Config c = Config::map();
  for (const auto& [k, v] : entries) c.set(k, v);
  return c;
}

struct Case {
  const char* label;
  std::vector<std::shared_ptr<layers::Layer>> (*layers)();
  Shape input;
};

std::vector<std::shared_ptr<layers::Layer>> mlp() {
  return {layer("Flatten", cfg({{"input_shape", Config(Shape{6, 6})}})),
          layer("Dense", cfg({{"units", 32}, {"activation", "relu"}})),
          layer("Dropout", cfg({{"rate", 0.25}, {"seed", 4}})),
          layer("Dense", cfg({{"units", 16}, {"activation", "tanh"}})), layer("Dense", cfg({{"units", 4}}))};
}

std::vector<std::shared_ptr<layers::Layer>> cnn() {
  return {layer("Conv2D", cfg({{"filters", 4}, {"kernel_size", 3}, {"activation", "relu"},
                              {"input_shape", Config(Shape{6, 6, 1})}})),
          layer("BatchNormalization", Config::map()), layer("MaxPooling2D", cfg({{"pool_size", 2}})),
          layer("Flatten", Config::map()), layer("Dense", cfg({{"units", 4}}))};
}

std::vector<std::shared_ptr<layers::Layer>> lstm() {
  return {layer("LSTM", cfg({{"units", 8}, {"input_shape", Config(Shape{5, 3})}})), layer("Dense", cfg({{"units", 4}}))};
}

void PrintTo(const Case& c, std::ostream* os) { *os << c.label; }

class TracedMemoryTest : public ::testing::TestWithParam<Case> {};

TEST_P(TracedMemoryTest, AReplayedTrainStepAllocatesOnlyWhatItReturns) {
  const Case& c = GetParam();
  random::set_global_seed(3);
  Sequential model(c.layers());
  Config loss = Config::map();
  loss.set("class_name", "SparseCategoricalCrossentropy").set("config", Config::map().set("from_logits", true));
  CompileOptions o;
  o.optimizer = "adam";
  o.loss = loss;
  model.compile(o);
  Shape x_shape{8};
  x_shape.insert(x_shape.end(), c.input.begin(), c.input.end());
  const Tensor x = random::uniform(x_shape, 0, 1, DType::kFloat32, 1);
  const Tensor y = ops::cast(random::uniform({8}, 0, 4, DType::kFloat32, 2), DType::kInt64);
  for (int i = 0; i < 3; ++i) model.train_on_batch(x, y);  // trace, then warm up
  const AllocatorStats before = cpu_allocator_stats();
  model.train_on_batch(x, y);
  const AllocatorStats after = cpu_allocator_stats();
  const Function* step = model.traced_function("train");
  ASSERT_NE(step, nullptr);
  const ReplayMemory m = step->last_replay();
  EXPECT_GT(m.planned_tensors, 20u) << step->graph_text();
  EXPECT_GT(m.in_place, 0u);
  EXPECT_EQ(m.buffer_allocations, 0u) << step->graph_text();
  EXPECT_EQ(m.output_allocations, 0u);
  // The whole train_on_batch (the host-side loss tracker's scalars included) takes nothing new
  // from the system. (tests/core/function_test.cpp checks a replay alone with the allocator.)
  EXPECT_EQ(after.system_allocations, before.system_allocations);
}

INSTANTIATE_TEST_SUITE_P(Models, TracedMemoryTest,
                         ::testing::Values(Case{"mlp", &mlp, {6, 6}}, Case{"cnn", &cnn, {6, 6, 1}},
                                           Case{"lstm", &lstm, {5, 3}}),
                         [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.label); });

}  // namespace
}  // namespace fathom::models
