// SPDX-License-Identifier: Apache-2.0
// EarlyStopping, ReduceLROnPlateau and CSVLogger inside a real model.fit.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "callbacks/csv_logger.h"
#include "callbacks/early_stopping.h"
#include "callbacks/history.h"
#include "callbacks/lambda_callback.h"
#include "callbacks/reduce_lr_on_plateau.h"
#include "core/random.h"
#include "layers/dense.h"
#include "tests/callbacks/tiny_model.h"
#include "models/sequential.h"
#include "optimizers/optimizer.h"

namespace fathom::callbacks {
namespace {

std::unique_ptr<models::Sequential> tiny_model() {
  random::set_global_seed(7);
  return test_support::tiny_model();
}

/// Training targets y = 3 x0 and validation targets -3 x0: as the model learns, the
/// validation loss rises every epoch.
models::FitOptions diverging_fit(Tensor& x, Tensor& y, int epochs) {
  std::vector<float> xs, ys, val_ys;
  for (int i = 0; i < 16; ++i) {
    const float a = 0.25f * static_cast<float>(i % 8) - 1.0f, b = 0.5f * static_cast<float>(i % 3);
    xs.push_back(a);
    xs.push_back(b);
    ys.push_back(3 * a);
    val_ys.push_back(-3 * a);
  }
  x = Tensor::from_vector(xs, {16, 2});
  y = Tensor::from_vector(ys, {16, 1});
  models::FitOptions fit;
  fit.batch_size = 4;
  fit.epochs = epochs;
  fit.verbose = 0;
  fit.seed = 1;
  fit.validation_data = std::make_pair(TensorList{x}, TensorList{Tensor::from_vector(val_ys, {16, 1})});
  return fit;
}

TEST(FitEarlyStoppingTest, StopsWhenTheValidationLossRises) {
  auto model = tiny_model();
  Tensor x, y;
  models::FitOptions fit = diverging_fit(x, y, 20);
  auto es = std::make_shared<EarlyStopping>();  // monitor val_loss, patience 0
  fit.callbacks = {es};
  const auto history = model->fit(x, y, fit);
  const auto& val = history->at("val_loss");
  ASSERT_EQ(val.size(), 2u);  // epoch 0 sets the best, epoch 1 is worse: stop
  EXPECT_GT(val[1], val[0]);
  EXPECT_EQ(es->stopped_epoch(), 1);
  EXPECT_EQ(history->epochs(), (std::vector<int>{0, 1}));
}

TEST(FitEarlyStoppingTest, RestoresTheBestEpochsWeights) {
  auto model = tiny_model();
  Tensor x, y;
  models::FitOptions fit = diverging_fit(x, y, 20);
  std::vector<std::vector<float>> kernels;  // the kernel at each epoch end
  auto es = std::make_shared<EarlyStopping>(EarlyStopping::Options{.patience = 2, .restore_best_weights = true});
  auto probe = std::make_shared<LambdaCallback>(LambdaCallback::Hooks{
      .on_epoch_end = [&](int, const Logs&) { kernels.push_back(model->get_weights()[0].to_vector<float>()); }});
  fit.callbacks = {es, probe};
  const auto history = model->fit(x, y, fit);
  ASSERT_EQ(history->at("val_loss").size(), 3u);
  EXPECT_EQ(es->best_epoch(), 0);
  EXPECT_EQ(model->get_weights()[0].to_vector<float>(), kernels[0]);
  EXPECT_NE(kernels[2], kernels[0]);
}

TEST(FitEarlyStoppingTest, ReduceLROnPlateauAndCSVLoggerInFit) {
  auto model = tiny_model();
  Tensor x, y;
  models::FitOptions fit = diverging_fit(x, y, 3);
  const std::string path =
      (std::filesystem::temp_directory_path() / ("fathom_fit_" + std::to_string(getpid()) + ".csv")).string();
  fit.callbacks = {std::make_shared<ReduceLROnPlateau>(ReduceLROnPlateau::Options{.factor = 0.5, .patience = 0}),
                   std::make_shared<CSVLogger>(path)};
  const auto history = model->fit(x, y, fit);
  EXPECT_DOUBLE_EQ(model->optimizer()->learning_rate(), 0.0025);  // reduced after epochs 1 and 2
  std::ifstream in(path, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  const std::string csv = os.str();
  EXPECT_EQ(csv.substr(0, csv.find("\r\n")), "epoch,learning_rate,loss,val_loss");  // ReduceLROnPlateau adds learning_rate to the logs, as in Keras
  int rows = 0;
  for (std::size_t p = 0; (p = csv.find("\r\n", p)) != std::string::npos; p += 2) ++rows;
  EXPECT_EQ(rows, 4);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace fathom::callbacks
