// SPDX-License-Identifier: Apache-2.0
// ReduceLROnPlateau driven hook by hook. The expected rates are Keras 3.15's for the same
// sequences (its rates are float32, so they are compared to 1e-6 relative).
#include "callbacks/reduce_lr_on_plateau.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "layers/dense.h"
#include "tests/callbacks/tiny_model.h"
#include "models/sequential.h"
#include "optimizers/optimizer.h"

namespace fathom::callbacks {
namespace {

using test_support::tiny_model;

/// The learning rate after each epoch end, with `values` as val_loss.
std::vector<double> drive(ReduceLROnPlateau& cb, models::Model& model, const std::vector<double>& values) {
  cb.set_model(&model);
  cb.on_train_begin({});
  std::vector<double> rates;
  for (int epoch = 0; epoch < static_cast<int>(values.size()); ++epoch) {
    Logs logs;
    logs.set("loss", 1.0);
    logs.set("val_loss", values[epoch]);
    cb.on_epoch_end(epoch, logs);
    rates.push_back(model.optimizer()->learning_rate());
  }
  return rates;
}

void expect_rates(const std::vector<double>& actual, const std::vector<double>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR(actual[i], expected[i], expected[i] * 1e-6) << "after epoch " << i;
  }
}

TEST(ReduceLROnPlateauTest, CooldownAndMinLr) {
  auto model = tiny_model();
  ReduceLROnPlateau cb({.factor = 0.5, .patience = 1, .min_delta = 0, .cooldown = 2, .min_lr = 0.002});
  // Reductions at epochs 1, 3 and 5 (each followed by a cooldown epoch), then min_lr holds.
  expect_rates(drive(cb, *model, std::vector<double>(9, 1.0)),
               {0.01, 0.005, 0.005, 0.0025, 0.0025, 0.002, 0.002, 0.002, 0.002});
}

TEST(ReduceLROnPlateauTest, ImprovementsResetTheWait) {
  auto model = tiny_model();
  ReduceLROnPlateau cb({.factor = 0.1, .patience = 2, .min_delta = 0.01});
  // 0.85 beats 0.9 by more than min_delta at e4; 0.95 never beats 0.9.
  expect_rates(drive(cb, *model, {1.0, 0.9, 0.95, 0.95, 0.85, 0.9, 0.9, 0.9}),
               {0.01, 0.01, 0.01, 0.001, 0.001, 0.001, 1e-4, 1e-4});
}

TEST(ReduceLROnPlateauTest, PatienceZeroReducesEveryEpochWithoutImprovement) {
  auto model = tiny_model();
  ReduceLROnPlateau cb({.factor = 0.5, .patience = 0, .min_delta = 0, .min_lr = 1e-4});
  expect_rates(drive(cb, *model, std::vector<double>(6, 1.0)), {0.01, 0.005, 0.0025, 0.00125, 0.000625, 0.0003125});
}

TEST(ReduceLROnPlateauTest, StopsAtMinLrComparedInFloat32) {
  // 1e-4 is below float32(1e-4) as a double: Keras (a float32 rate) sees no room left, so only
  // two reductions happen and only two messages are printed.
  auto model = tiny_model();
  ReduceLROnPlateau cb({.factor = 0.1, .patience = 0, .verbose = 1, .min_delta = 0, .min_lr = 1e-4});
  testing::internal::CaptureStdout();
  const auto rates = drive(cb, *model, std::vector<double>(6, 1.0));
  const std::string out = testing::internal::GetCapturedStdout();
  expect_rates(rates, {0.01, 0.001, 1e-4, 1e-4, 1e-4, 1e-4});
  EXPECT_EQ(out,
            "\nEpoch 2: ReduceLROnPlateau reducing learning rate to 0.001.\n"
            "\nEpoch 3: ReduceLROnPlateau reducing learning rate to 0.0001.\n");
}

TEST(ReduceLROnPlateauTest, MaxModeForAccuracy) {
  auto model = tiny_model();
  ReduceLROnPlateau cb({.monitor = "val_accuracy", .factor = 0.5, .patience = 1});
  cb.set_model(model.get());
  cb.on_train_begin({});
  const std::vector<double> acc = {0.5, 0.6, 0.59, 0.7};
  for (int epoch = 0; epoch < 4; ++epoch) {
    Logs logs;
    logs.set("val_accuracy", acc[epoch]);
    cb.on_epoch_end(epoch, logs);
  }
  EXPECT_NEAR(model->optimizer()->learning_rate(), 0.005, 1e-12);
}

TEST(ReduceLROnPlateauTest, MonitorsTheLearningRate) {
  auto model = tiny_model();
  ReduceLROnPlateau cb({.monitor = "learning_rate", .factor = 0.5, .patience = 0, .mode = "max"});
  cb.set_model(model.get());
  cb.on_train_begin({});
  Logs none0, none1;
  cb.on_epoch_end(0, none0);
  cb.on_epoch_end(1, none1);  // 0.01 is not above 0.01: reduce
  EXPECT_NEAR(model->optimizer()->learning_rate(), 0.005, 1e-12);
}

TEST(ReduceLROnPlateauTest, MissingMonitorWarns) {
  auto model = tiny_model();
  ReduceLROnPlateau cb({.patience = 0});
  cb.set_model(model.get());
  cb.on_train_begin({});
  Logs logs;
  logs.set("loss", 0.5);
  testing::internal::CaptureStderr();
  cb.on_epoch_end(0, logs);
  cb.on_epoch_end(1, logs);
  const std::string out = testing::internal::GetCapturedStderr();
  EXPECT_DOUBLE_EQ(model->optimizer()->learning_rate(), 0.01);
  EXPECT_NE(out.find("Learning rate reduction is conditioned on metric `val_loss` which is not available. Available "
                     "metrics are: loss,learning_rate."),
            std::string::npos)
      << out;
}

TEST(ReduceLROnPlateauTest, ReusableAcrossFits) {
  auto model = tiny_model();
  ReduceLROnPlateau cb({.factor = 0.5, .patience = 1, .cooldown = 3});
  drive(cb, *model, {1.0, 1.0});
  EXPECT_TRUE(cb.in_cooldown());
  // on_train_begin clears the best value, the wait and the cooldown.
  drive(cb, *model, {7.0});
  EXPECT_FALSE(cb.in_cooldown());
  EXPECT_EQ(cb.wait(), 0);
  EXPECT_DOUBLE_EQ(*cb.best(), 7.0);
}

TEST(ReduceLROnPlateauTest, Errors) {
  try {
    ReduceLROnPlateau cb({.factor = 1.0});
    FAIL() << "expected a ValueError";
  } catch (const ValueError& e) {
    EXPECT_EQ(e.message(), "ReduceLROnPlateau does not support a factor >= 1.0. Received factor=1");
  }
  models::Sequential uncompiled;
  ReduceLROnPlateau cb;
  cb.set_model(&uncompiled);
  Logs logs;
  logs.set("val_loss", 1.0);
  EXPECT_THROW(cb.on_epoch_end(0, logs), ValueError);
}

}  // namespace
}  // namespace fathom::callbacks
