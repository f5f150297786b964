// SPDX-License-Identifier: Apache-2.0
#include "callbacks/learning_rate_scheduler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "callbacks/lambda_callback.h"
#include "layers/dense.h"
#include "tests/callbacks/tiny_model.h"
#include "models/sequential.h"
#include "optimizers/optimizer.h"

namespace fathom::callbacks {
namespace {

using test_support::tiny_model;

TEST(LearningRateSchedulerTest, SetsTheRateAtEachEpochBegin) {
  auto model = tiny_model();
  std::vector<std::pair<int, double>> seen;
  LearningRateScheduler cb([&](int epoch, double lr) {
    seen.emplace_back(epoch, lr);
    return epoch < 1 ? lr : lr * 0.5;
  });
  cb.set_model(model.get());
  for (int epoch = 0; epoch < 3; ++epoch) cb.on_epoch_begin(epoch, {});
  EXPECT_DOUBLE_EQ(model->optimizer()->learning_rate(), 0.0025);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], std::make_pair(0, 0.01));
  EXPECT_EQ(seen[1], std::make_pair(1, 0.01));
  EXPECT_EQ(seen[2], std::make_pair(2, 0.005));
}

TEST(LearningRateSchedulerTest, VerboseMessage) {
  auto model = tiny_model();
  LearningRateScheduler cb([](int, double) { return 1e-5; }, 1);
  cb.set_model(model.get());
  testing::internal::CaptureStdout();
  cb.on_epoch_begin(4, {});
  EXPECT_EQ(testing::internal::GetCapturedStdout(), "\nEpoch 5: LearningRateScheduler setting learning rate to 1e-05.\n");
  EXPECT_EQ(cb.get_config(), Config::map().set("verbose", 1));
}

TEST(LearningRateSchedulerTest, InFitTheRateAppliesToTheWholeEpoch) {
  auto model = tiny_model();
  const Tensor x = Tensor::from_vector(std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8}, {4, 2});
  const Tensor y = Tensor::from_vector(std::vector<float>{1, 2, 3, 4}, {4, 1});
  std::vector<double> batch_rates;
  auto probe = std::make_shared<LambdaCallback>(LambdaCallback::Hooks{
      .on_train_batch_begin = [&](int, const Logs&) { batch_rates.push_back(model->optimizer()->learning_rate()); }});
  models::FitOptions fit;
  fit.batch_size = 2;
  fit.epochs = 3;
  fit.verbose = 0;
  fit.callbacks = {std::make_shared<LearningRateScheduler>([](int epoch, double) { return 0.1 / (epoch + 1); }),
                   probe};
  model->fit(x, y, fit);
  const std::vector<double> expected = {0.1, 0.1, 0.05, 0.05, 0.1 / 3, 0.1 / 3};
  ASSERT_EQ(batch_rates.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_DOUBLE_EQ(batch_rates[i], expected[i]);
}

TEST(LearningRateSchedulerTest, Errors) {
  EXPECT_THROW(LearningRateScheduler(nullptr), ValueError);
  auto model = tiny_model();
  LearningRateScheduler negative([](int, double) { return -1.0; });
  negative.set_model(model.get());
  try {
    negative.on_epoch_begin(2, {});
    FAIL() << "expected a ValueError";
  } catch (const ValueError& e) {
    EXPECT_EQ(e.message(), "LearningRateScheduler: the schedule returned -1.0 for epoch 2. Expected a finite rate >= 0.");
  }
  LearningRateScheduler nan_rate([](int, double) { return std::nan(""); });
  nan_rate.set_model(model.get());
  EXPECT_THROW(nan_rate.on_epoch_begin(0, {}), ValueError);
  models::Sequential uncompiled;
  LearningRateScheduler no_optimizer([](int, double lr) { return lr; });
  no_optimizer.set_model(&uncompiled);
  EXPECT_THROW(no_optimizer.on_epoch_begin(0, {}), ValueError);
}

}  // namespace
}  // namespace fathom::callbacks
