// SPDX-License-Identifier: Apache-2.0
// EarlyStopping driven hook by hook. The expected epochs were worked out from Keras 3's
// early_stopping.py and checked against keras 3.15 (same value sequences, same arguments).
#include "callbacks/early_stopping.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "layers/dense.h"
#include "tests/callbacks/tiny_model.h"
#include "models/sequential.h"

namespace fathom::callbacks {
namespace {

using test_support::tiny_model;

/// Every weight of the model set to `value` (a stand-in for an epoch of training).
void fill_weights(models::Model& model, float value) {
  std::vector<Tensor> w;
  for (const Tensor& t : model.get_weights()) w.push_back(Tensor::full(t.shape(), value));
  model.set_weights(w);
}

float first_weight(const models::Model& model) { return model.get_weights()[0].to_vector<float>()[0]; }

struct Outcome {
  int last_epoch = -1;  // the epoch after which fit would stop (or the last one run)
  bool stopped = false;
};

/// What fit does with the callback: epochs 0.. with `values` as the monitored quantity,
/// stopping when the callback sets stop_training; the weights of epoch e are all e.
Outcome drive(EarlyStopping& cb, models::Model& model, const std::vector<double>& values,
          const std::string& key = "val_loss") {
  cb.set_model(&model);
  model.stop_training = false;
  cb.on_train_begin({});
  Outcome run;
  for (int epoch = 0; epoch < static_cast<int>(values.size()) && !model.stop_training; ++epoch) {
    fill_weights(model, static_cast<float>(epoch));
    Logs logs;
    logs.set("loss", 1.0);
    logs.set(key, values[epoch]);
    cb.on_epoch_end(epoch, logs);
    run.last_epoch = epoch;
  }
  run.stopped = model.stop_training;
  cb.on_train_end({});
  return run;
}

TEST(EarlyStoppingTest, StopsWhenPatienceRunsOut) {
  auto model = tiny_model();
  EarlyStopping cb({.patience = 2});
  // e0 best 1.0, e1 best 0.9, e2 wait 1, e3 wait 2 >= patience: stop after epoch 3.
  const Outcome run = drive(cb, *model, {1.0, 0.9, 0.95, 0.92, 0.8});
  EXPECT_TRUE(run.stopped);
  EXPECT_EQ(run.last_epoch, 3);
  EXPECT_EQ(cb.stopped_epoch(), 3);
  EXPECT_EQ(cb.best_epoch(), 1);
  EXPECT_EQ(cb.wait(), 2);
  EXPECT_DOUBLE_EQ(*cb.best(), 0.9);
}

TEST(EarlyStoppingTest, PatienceZeroStopsAtTheFirstNonImprovement) {
  auto model = tiny_model();
  EarlyStopping cb;
  const Outcome run = drive(cb, *model, {1.0, 0.8, 0.8, 0.7});  // equal is not better
  EXPECT_EQ(run.last_epoch, 2);
  EXPECT_TRUE(run.stopped);
}

TEST(EarlyStoppingTest, MinDeltaIsTheSmallestImprovement) {
  auto model = tiny_model();
  EarlyStopping cb({.min_delta = -0.1});  // the sign is ignored
  EXPECT_DOUBLE_EQ(cb.min_delta(), 0.1);
  const Outcome run = drive(cb, *model, {1.0, 0.95, 0.5});
  EXPECT_EQ(run.last_epoch, 1);
  EXPECT_EQ(cb.wait(), 1);
}

TEST(EarlyStoppingTest, MaxModeAndAutoModeForAccuracy) {
  for (const std::string mode : {"max", "auto"}) {
    auto model = tiny_model();
    EarlyStopping cb({.monitor = "val_accuracy", .mode = mode});
    const Outcome run = drive(cb, *model, {0.5, 0.6, 0.55, 0.9}, "val_accuracy");
    EXPECT_EQ(run.last_epoch, 2) << mode;
    EXPECT_EQ(cb.best_epoch(), 1) << mode;
  }
}

TEST(EarlyStoppingTest, AutoModeRule) {
  EXPECT_EQ(MonitorCallback::auto_mode_for("val_loss"), "min");
  EXPECT_EQ(MonitorCallback::auto_mode_for("loss"), "min");
  EXPECT_EQ(MonitorCallback::auto_mode_for("val_accuracy"), "max");
  EXPECT_EQ(MonitorCallback::auto_mode_for("acc"), "max");
  EXPECT_EQ(MonitorCallback::auto_mode_for("val_auc_1"), "max");
  EXPECT_EQ(MonitorCallback::auto_mode_for("out_b_sparse_categorical_accuracy"), "max");
  EXPECT_EQ(MonitorCallback::auto_mode_for("val_out_a_auc_2"), "max");
  EXPECT_EQ(MonitorCallback::auto_mode_for("val_mae"), "min");
  EXPECT_EQ(MonitorCallback::auto_mode_for("val_sparse_categorical_crossentropy"), "min");
  EXPECT_EQ(MonitorCallback::auto_mode_for("out_a_loss"), "min");
  EXPECT_EQ(MonitorCallback::auto_mode_for("val_my_score"), "");
}

TEST(EarlyStoppingTest, AutoModeOnAnUnknownMetricAsksForAMode) {
  auto model = tiny_model();
  EarlyStopping cb({.monitor = "val_my_score"});
  cb.set_model(model.get());
  cb.on_train_begin({});
  Logs logs;
  logs.set("val_my_score", 1.0);
  try {
    cb.on_epoch_end(0, logs);
    FAIL() << "expected a ValueError";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("monitor=val_my_score"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("mode='max'"), std::string::npos) << e.what();
  }
  EarlyStopping explicit_mode({.monitor = "val_my_score", .mode = "max"});
  explicit_mode.set_model(model.get());
  EXPECT_NO_THROW(explicit_mode.on_epoch_end(0, logs));
}

TEST(EarlyStoppingTest, UnknownModeFallsBackToAuto) {
  EarlyStopping cb({.mode = "minimum"});
  EXPECT_EQ(cb.mode(), "auto");
}

TEST(EarlyStoppingTest, BaselineKeepsTheWaitGoingUntilBeaten) {
  auto model = tiny_model();
  // Every value until e3 improves on the best but not on the baseline, so wait reaches 4;
  // the first non-improvement (e3) stops. Without a baseline e3 is only wait 1.
  EarlyStopping cb({.patience = 2, .baseline = 0.5});
  const Outcome run = drive(cb, *model, {1.0, 0.9, 0.8, 0.85, 0.7});
  EXPECT_EQ(run.last_epoch, 3);
  EXPECT_EQ(cb.wait(), 4);
  EXPECT_EQ(cb.best_epoch(), 2);

  EarlyStopping no_baseline({.patience = 2});
  const Outcome run2 = drive(no_baseline, *model, {1.0, 0.9, 0.8, 0.85, 0.7});
  EXPECT_FALSE(run2.stopped);
  EXPECT_EQ(run2.last_epoch, 4);
}

TEST(EarlyStoppingTest, NothingBeatsTheBaseline) {
  auto model = tiny_model();
  EarlyStopping cb({.patience = 2, .baseline = 0.5, .restore_best_weights = true});
  const Outcome run = drive(cb, *model, {1.0, 1.1, 1.2});
  EXPECT_EQ(run.last_epoch, 1);
  EXPECT_EQ(cb.best_epoch(), 0);
  EXPECT_EQ(first_weight(*model), 0.0f);  // the best epoch's weights, though above the baseline
}

TEST(EarlyStoppingTest, BaselineBeatenResetsTheWait) {
  auto model = tiny_model();
  EarlyStopping cb({.patience = 2, .baseline = 0.95});
  const Outcome run = drive(cb, *model, {1.0, 0.9, 0.91, 0.92, 0.93});
  EXPECT_EQ(run.last_epoch, 3);
}

TEST(EarlyStoppingTest, StartFromEpochSkipsTheWarmUp) {
  auto model = tiny_model();
  EarlyStopping cb({.start_from_epoch = 2});
  const Outcome run = drive(cb, *model, {1.0, 2.0, 3.0, 4.0});
  EXPECT_EQ(run.last_epoch, 3);
  EXPECT_EQ(cb.best_epoch(), 2);
  EarlyStopping no_warm_up;
  EXPECT_EQ(drive(no_warm_up, *model, {1.0, 2.0, 3.0, 4.0}).last_epoch, 1);
}

TEST(EarlyStoppingTest, RestoresTheBestWeightsWhenStopping) {
  auto model = tiny_model();
  EarlyStopping cb({.patience = 2, .restore_best_weights = true});
  const Outcome run = drive(cb, *model, {1.0, 0.5, 0.7, 0.8, 0.1});
  EXPECT_EQ(run.last_epoch, 3);
  EXPECT_EQ(first_weight(*model), 1.0f);  // the weights after epoch 1
  for (const Tensor& t : model->get_weights()) {
    for (float v : t.to_vector<float>()) EXPECT_EQ(v, 1.0f);
  }
}

TEST(EarlyStoppingTest, RestoresTheBestWeightsWhenTrainingEndsNormally) {
  auto model = tiny_model();
  EarlyStopping cb({.patience = 5, .restore_best_weights = true});
  const Outcome run = drive(cb, *model, {1.0, 0.5, 0.7});
  EXPECT_FALSE(run.stopped);
  EXPECT_EQ(first_weight(*model), 1.0f);
}

TEST(EarlyStoppingTest, KeepsTheLastWeightsWithoutRestore) {
  auto model = tiny_model();
  EarlyStopping cb({.patience = 2});
  drive(cb, *model, {1.0, 0.5, 0.7, 0.8});
  EXPECT_EQ(first_weight(*model), 3.0f);
}

TEST(EarlyStoppingTest, VerboseMessages) {
  auto model = tiny_model();
  EarlyStopping cb({.patience = 1, .verbose = 1, .restore_best_weights = true});
  testing::internal::CaptureStdout();
  drive(cb, *model, {1.0, 0.5, 0.7});
  const std::string out = testing::internal::GetCapturedStdout();
  EXPECT_EQ(out, "Epoch 3: early stopping\nRestoring model weights from the end of the best epoch: 2.\n");
}

TEST(EarlyStoppingTest, MissingMonitorWarnsAndSkipsTheEpoch) {
  auto model = tiny_model();
  EarlyStopping cb;
  cb.set_model(model.get());
  cb.on_train_begin({});
  Logs logs;
  logs.set("loss", 0.5);
  logs.set("mae", 0.2);
  testing::internal::CaptureStderr();
  for (int epoch = 0; epoch < 3; ++epoch) cb.on_epoch_end(epoch, logs);
  const std::string out = testing::internal::GetCapturedStderr();
  EXPECT_FALSE(model->stop_training);
  EXPECT_FALSE(cb.best().has_value());
  EXPECT_NE(out.find("Early stopping conditioned on metric `val_loss` which is not available. Available metrics "
                     "are: loss,mae"),
            std::string::npos)
      << out;
}

TEST(EarlyStoppingTest, ReusableAcrossFits) {
  auto model = tiny_model();
  EarlyStopping cb({.patience = 1});
  EXPECT_EQ(drive(cb, *model, {1.0, 0.9, 1.0, 1.0}).last_epoch, 2);
  // A second fit starts from scratch: 5.0 is a fresh best.
  const Outcome run = drive(cb, *model, {5.0, 4.0, 3.0});
  EXPECT_FALSE(run.stopped);
  EXPECT_EQ(cb.stopped_epoch(), 0);
}

TEST(EarlyStoppingTest, RejectsNegativePatience) {
  EXPECT_THROW(EarlyStopping({.patience = -1}), ValueError);
  EXPECT_THROW(EarlyStopping({.start_from_epoch = -1}), ValueError);
}

}  // namespace
}  // namespace fathom::callbacks
