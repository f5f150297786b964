// SPDX-License-Identifier: Apache-2.0
// fit on an io::Dataset, and what fit prints with verbose=2.
#include <gtest/gtest.h>

#include "callbacks/history.h"
#include "core/ops.h"
#include "io/pipeline.h"
#include "layers/dense.h"
#include "models/sequential.h"

namespace fathom::models {
namespace {

std::unique_ptr<Sequential> linear_model() {
  auto model = std::make_unique<Sequential>();
  model->add(std::make_shared<layers::Dense>(layers::Dense::Options{.units = 1}));
  model->build_from_shapes({{-1, 2}});  // initialise the weights now, from the global seed
  CompileOptions o;
  o.loss = "mse";
  Config adam = Config::map();
  adam.set("class_name", "Adam").set("config", Config::map().set("learning_rate", 0.05));
  o.optimizer = adam;
  model->compile(o);
  return model;
}

TEST(FitDatasetTest, TrainsFromAPipelineLikeFromArrays) {
  random::set_global_seed(11);
  const Tensor x = random::uniform({200, 2}, -1, 1);
  const Tensor y = ops::matmul(x, Tensor::from_vector<float>({2.0f, -1.0f}, {2, 1}));
  const auto ds = io::Dataset::from_tensors({x}, {y}).shuffle(3).batch(20).prefetch(2);
  auto from_dataset = linear_model();
  FitOptions fit;
  fit.epochs = 40;
  fit.verbose = 0;
  const auto history = from_dataset->fit(ds, fit);
  EXPECT_EQ(history->at("loss").size(), 40u);
  EXPECT_LT(history->at("loss").back(), 1e-3);

  // The array path is the same pipeline (shuffle with the fit seed, then batch): same weights.
  layers::reset_layer_names();
  random::set_global_seed(11);
  auto a = linear_model();
  random::set_global_seed(11);
  auto b = linear_model();
  FitOptions seeded;
  seeded.epochs = 3;
  seeded.batch_size = 20;
  seeded.verbose = 0;
  seeded.seed = 3;
  a->fit(x, y, seeded);
  FitOptions plain;
  plain.epochs = 3;
  plain.verbose = 0;
  b->fit(io::Dataset::from_tensors({x}, {y}).shuffle(3).batch(20), plain);
  EXPECT_EQ(a->get_weights()[0].to_vector<float>(), b->get_weights()[0].to_vector<float>());

  FitOptions bad;
  bad.validation_split = 0.1;
  EXPECT_THROW(from_dataset->fit(ds, bad), ValueError);
}

TEST(FitDatasetTest, VerboseTwoPrintsOneLinePerEpochLikeKeras) {
  auto model = linear_model();
  FitOptions fit;
  fit.epochs = 2;
  fit.batch_size = 4;
  fit.verbose = 2;
  ::testing::internal::CaptureStdout();
  model->fit(Tensor::ones({8, 2}), Tensor::zeros({8, 1}), fit);
  const std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("Epoch 1/2\n"), std::string::npos) << out;
  EXPECT_NE(out.find("Epoch 2/2\n"), std::string::npos) << out;
  EXPECT_NE(out.find("2/2 - "), std::string::npos) << out;
  EXPECT_NE(out.find("/step - loss: "), std::string::npos) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 4) << out;  // no per-batch lines when not a terminal
}

}  // namespace
}  // namespace fathom::models

namespace fathom::models {
namespace {

TEST(FitDatasetTest, StepsPerEpochContinuesThroughTheDataLikeKeras) {
  // 8 samples, batch 2 -> 4 batches; 3 steps per epoch: epoch 1 must start at the 4th batch.
  const Tensor x = ops::reshape(ops::cast(Tensor::arange(8), DType::kFloat32), {8, 1});
  std::vector<float> seen;
  auto model = std::make_unique<Sequential>();
  model->add(std::make_shared<layers::Dense>(layers::Dense::Options{.units = 1}));
  CompileOptions o;
  o.loss = "mse";
  o.optimizer = "sgd";
  model->compile(o);
  struct Recorder final : callbacks::Callback {
    std::string class_name() const override { return "Recorder"; }
  };
  FitOptions fit;
  fit.epochs = 2;
  fit.batch_size = 2;
  fit.steps_per_epoch = 3;
  fit.shuffle = false;
  fit.verbose = 0;
  // Record the batches through a dataset map: every produced batch's first value.
  auto ds = io::Dataset::from_tensors({x}, {x}).batch(2).map([&](io::Batch b) {
    seen.push_back(b.x[0].to_vector<float>()[0]);
    return b;
  });
  model->fit(ds, fit);
  // Epoch 0: batches 0, 1, 2 (values 0, 2, 4); epoch 1: batch 3 then the next pass: 0, 1.
  EXPECT_EQ(seen, (std::vector<float>{0, 2, 4, 6, 0, 2}));
}

}  // namespace
}  // namespace fathom::models
