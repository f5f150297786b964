// SPDX-License-Identifier: Apache-2.0
#include "callbacks/lambda_callback.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/random.h"
#include "layers/dense.h"
#include "tests/callbacks/tiny_model.h"
#include "models/sequential.h"

namespace fathom::callbacks {
namespace {

using test_support::tiny_model;

/// A LambdaCallback that appends "<hook> <index>" to `calls` for every hook.
std::shared_ptr<LambdaCallback> recorder(std::vector<std::string>& calls) {
  auto logs_fn = [&calls](const std::string& name) { return [&calls, name](const Logs&) { calls.push_back(name); }; };
  auto index_fn = [&calls](const std::string& name) {
    return [&calls, name](int i, const Logs&) { calls.push_back(name + " " + std::to_string(i)); };
  };
  return std::make_shared<LambdaCallback>(LambdaCallback::Hooks{
      .on_epoch_begin = index_fn("epoch_begin"),
      .on_epoch_end = index_fn("epoch_end"),
      .on_train_begin = logs_fn("train_begin"),
      .on_train_end = logs_fn("train_end"),
      .on_train_batch_begin = index_fn("train_batch_begin"),
      .on_train_batch_end = index_fn("train_batch_end"),
      .on_test_begin = logs_fn("test_begin"),
      .on_test_end = logs_fn("test_end"),
      .on_test_batch_begin = index_fn("test_batch_begin"),
      .on_test_batch_end = index_fn("test_batch_end"),
      .on_predict_begin = logs_fn("predict_begin"),
      .on_predict_end = logs_fn("predict_end"),
      .on_predict_batch_begin = index_fn("predict_batch_begin"),
      .on_predict_batch_end = index_fn("predict_batch_end"),
  });
}

TEST(LambdaCallbackTest, EveryHookCallsItsFunction) {
  std::vector<std::string> calls;
  auto cb = recorder(calls);
  cb->on_train_begin({});
  cb->on_epoch_begin(3, {});
  cb->on_train_batch_begin(4, {});
  cb->on_train_batch_end(4, {});
  cb->on_test_begin({});
  cb->on_test_batch_begin(5, {});
  cb->on_test_batch_end(5, {});
  cb->on_test_end({});
  Logs none;
  cb->on_epoch_end(3, none);
  cb->on_train_end({});
  cb->on_predict_begin({});
  cb->on_predict_batch_begin(6, {});
  cb->on_predict_batch_end(6, {});
  cb->on_predict_end({});
  const std::vector<std::string> expected = {
      "train_begin",    "epoch_begin 3", "train_batch_begin 4",   "train_batch_end 4",   "test_begin",
      "test_batch_begin 5", "test_batch_end 5", "test_end",       "epoch_end 3",         "train_end",
      "predict_begin",  "predict_batch_begin 6", "predict_batch_end 6", "predict_end"};
  EXPECT_EQ(calls, expected);
}

TEST(LambdaCallbackTest, EmptyHooksDoNothing) {
  int epochs = 0;
  LambdaCallback cb({.on_epoch_end = [&](int, const Logs&) { ++epochs; }});
  cb.on_train_begin({});
  cb.on_epoch_begin(0, {});
  Logs none;
  cb.on_epoch_end(0, none);
  cb.on_train_end({});
  EXPECT_EQ(epochs, 1);
  EXPECT_EQ(cb.class_name(), "LambdaCallback");
}

TEST(LambdaCallbackTest, OrderOfHooksInFitAndEvaluate) {
  random::set_global_seed(3);
  auto model = tiny_model();
  const Tensor x = Tensor::from_vector(std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8}, {4, 2});
  const Tensor y = Tensor::from_vector(std::vector<float>{1, 2, 3, 4}, {4, 1});
  std::vector<std::string> calls;
  std::vector<std::string> epoch_end_keys;
  auto keys = std::make_shared<LambdaCallback>(LambdaCallback::Hooks{.on_epoch_end = [&](int, const Logs& logs) {
    for (const auto& [k, v] : logs.entries()) epoch_end_keys.push_back(k);
  }});
  models::FitOptions fit;
  fit.batch_size = 2;
  fit.epochs = 2;
  fit.verbose = 0;
  fit.seed = 1;
  fit.validation_data = std::make_pair(TensorList{x}, TensorList{y});  // 2 test batches of 2
  fit.callbacks = {recorder(calls), keys};
  model->fit(x, y, fit);
  std::vector<std::string> expected = {"train_begin"};
  for (const std::string ep : {"0", "1"}) {
    const std::vector<std::string> epoch = {
        "epoch_begin " + ep, "train_batch_begin 0", "train_batch_end 0", "train_batch_begin 1", "train_batch_end 1",
        "test_begin",        "test_batch_begin 0",  "test_batch_end 0",  "test_batch_begin 1",  "test_batch_end 1",
        "test_end",          "epoch_end " + ep};
    expected.insert(expected.end(), epoch.begin(), epoch.end());
  }
  expected.push_back("train_end");
  EXPECT_EQ(calls, expected);
  EXPECT_EQ(epoch_end_keys, (std::vector<std::string>{"loss", "val_loss", "loss", "val_loss"}));

  calls.clear();
  models::EvaluateOptions evaluate;
  evaluate.batch_size = 4;
  evaluate.verbose = 0;
  evaluate.callbacks = {recorder(calls)};
  model->evaluate(x, y, evaluate);
  EXPECT_EQ(calls, (std::vector<std::string>{"test_begin", "test_batch_begin 0", "test_batch_end 0", "test_end"}));
}

}  // namespace
}  // namespace fathom::callbacks
