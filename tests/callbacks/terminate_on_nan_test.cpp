// SPDX-License-Identifier: Apache-2.0
#include "callbacks/terminate_on_nan.h"

#include <gtest/gtest.h>

#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "callbacks/history.h"
#include "callbacks/lambda_callback.h"
#include "layers/dense.h"
#include "tests/callbacks/tiny_model.h"
#include "models/sequential.h"

namespace fathom::callbacks {
namespace {

using test_support::tiny_model;

Logs loss_logs(double loss) {
  Logs logs;
  logs.set("loss", loss);
  return logs;
}

TEST(TerminateOnNaNTest, StopsOnNaNOrInfLoss) {
  for (const double bad : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity()}) {
    auto model = tiny_model();
    TerminateOnNaN cb;
    cb.set_model(model.get());
    cb.on_train_batch_end(0, loss_logs(0.5));
    cb.on_train_batch_end(1, {});  // no loss: nothing to check
    EXPECT_FALSE(model->stop_training);
    testing::internal::CaptureStdout();
    cb.on_train_batch_end(2, loss_logs(bad));
    EXPECT_EQ(testing::internal::GetCapturedStdout(), "Batch 2: Invalid loss, terminating training\n");
    EXPECT_TRUE(model->stop_training);
  }
}

TEST(TerminateOnNaNTest, IgnoresOtherHooksAndMetrics) {
  auto model = tiny_model();
  TerminateOnNaN cb;
  cb.set_model(model.get());
  Logs logs = loss_logs(0.5);
  logs.set("mae", std::numeric_limits<double>::quiet_NaN());
  cb.on_train_batch_end(0, logs);
  cb.on_test_batch_end(0, loss_logs(std::numeric_limits<double>::quiet_NaN()));
  Logs epoch_logs = loss_logs(std::numeric_limits<double>::quiet_NaN());
  cb.on_epoch_end(0, epoch_logs);
  EXPECT_FALSE(model->stop_training);
}

TEST(TerminateOnNaNTest, RaiseError) {
  TerminateOnNaN cb(true);
  try {
    cb.on_train_batch_end(7, loss_logs(std::numeric_limits<double>::quiet_NaN()));
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "NaN or Inf loss encountered at batch 7. Loss value: nan. Terminating training immediately.");
  }
}

TEST(TerminateOnNaNTest, StopsFitAfterTheBadBatch) {
  auto model = tiny_model();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const Tensor x = Tensor::from_vector(std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8}, {4, 2});
  const Tensor y = Tensor::from_vector(std::vector<float>{nan, nan, nan, nan}, {4, 1});
  int batches = 0;
  auto counter = std::make_shared<LambdaCallback>(
      LambdaCallback::Hooks{.on_train_batch_end = [&](int, const Logs&) { ++batches; }});
  models::FitOptions fit;
  fit.batch_size = 1;
  fit.epochs = 5;
  fit.verbose = 0;
  fit.callbacks = {std::make_shared<TerminateOnNaN>(), counter};
  testing::internal::CaptureStdout();
  const auto history = model->fit(x, y, fit);
  const std::string out = testing::internal::GetCapturedStdout();  // may also hold a one-time BLAS notice
  EXPECT_NE(out.find("Batch 0: Invalid loss, terminating training\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("Batch 1"), std::string::npos) << out;
  EXPECT_EQ(batches, 1);  // fit stops after the batch, then ends the epoch as Keras does
  EXPECT_EQ(history->epochs(), std::vector<int>{0});
}

}  // namespace
}  // namespace fathom::callbacks
