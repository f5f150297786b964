// SPDX-License-Identifier: Apache-2.0
#include "callbacks/model_checkpoint.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/ops.h"
#include "core/random.h"
#include "callbacks/history.h"
#include "models/keras_saving.h"
#include "optimizers/optimizer.h"
#include "tests/callbacks/tiny_model.h"

namespace fathom::callbacks {
namespace {

namespace fs = std::filesystem;
using test_support::tiny_model;

struct Data {
  Tensor x = random::normal({64, 2}, 0, 1, DType::kFloat32, 11);
  Tensor y = ops::sum(x, {1}, true);
};

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::path(::testing::TempDir()) / name;
  fs::remove_all(dir);
  return dir;
}

models::FitOptions fit_options(int epochs, std::shared_ptr<Callback> cb) {
  models::FitOptions o;
  o.epochs = epochs;
  o.batch_size = 16;
  o.verbose = 0;
  o.seed = 5;
  o.validation_split = 0.25;
  o.callbacks = {std::move(cb)};
  return o;
}

TEST(ModelCheckpointTest, SavesEveryEpochUnderTheFormattedNameAndTheFileLoads) {
  const fs::path dir = fresh_dir("mc_every");
  auto model = tiny_model();
  Data d;
  auto cb = std::make_shared<ModelCheckpoint>(
      ModelCheckpoint::Options{.filepath = (dir / "sub" / "m-{epoch:02d}-{val_loss:.4f}.keras").string()});
  auto history = model->fit(d.x, d.y, fit_options(3, cb));
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir / "sub")) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 3) << "one file per epoch, in a folder ModelCheckpoint created";
  char name[64];
  std::snprintf(name, sizeof name, "m-03-%.4f.keras", history->history().at("val_loss").back());
  ASSERT_EQ(cb->last_saved(), (dir / "sub" / name).string());
  auto back = models::load_model_file(cb->last_saved());
  EXPECT_EQ(back->weights()[0].value().to_vector<float>(), model->weights()[0].value().to_vector<float>());
}

TEST(ModelCheckpointTest, SaveBestOnlyKeepsTheBestEpochsWeights) {
  const fs::path dir = fresh_dir("mc_best");
  auto model = tiny_model();
  Data d;
  // A huge learning rate makes the loss go up after the first epochs: the best is early.
  model->optimizer()->set_learning_rate(0.9);
  auto cb = std::make_shared<ModelCheckpoint>(ModelCheckpoint::Options{
      .filepath = (dir / "best.weights.h5").string(), .monitor = "loss", .save_best_only = true,
      .save_weights_only = true});
  std::vector<std::vector<float>> weights_per_epoch;
  std::vector<double> losses;
  struct Recorder : Callback {
    std::vector<std::vector<float>>* w;
    std::vector<double>* l;
    std::string class_name() const override { return "Recorder"; }
    void on_epoch_end(int, Logs& logs) override {
      w->push_back(model()->weights()[0].value().to_vector<float>());
      l->push_back(logs.at("loss"));
    }
  };
  auto rec = std::make_shared<Recorder>();
  rec->w = &weights_per_epoch;
  rec->l = &losses;
  models::FitOptions o = fit_options(6, cb);
  o.callbacks.push_back(rec);
  model->fit(d.x, d.y, o);
  const std::size_t best = static_cast<std::size_t>(std::min_element(losses.begin(), losses.end()) - losses.begin());
  auto check = tiny_model();
  models::load_weights_file(*check, (dir / "best.weights.h5").string());
  EXPECT_EQ(check->weights()[0].value().to_vector<float>(), weights_per_epoch[best]) << "best epoch " << best;
}

TEST(ModelCheckpointTest, SaveFreqInBatchesFormatsTheBatch) {
  const fs::path dir = fresh_dir("mc_batches");
  auto model = tiny_model();
  Data d;
  auto cb = std::make_shared<ModelCheckpoint>(ModelCheckpoint::Options{
      .filepath = (dir / "e{epoch}-b{batch}.h5").string(), .save_weights_only = true, .save_freq = 2});
  model->fit(d.x, d.y, fit_options(2, cb));  // 48 training samples / 16 = 3 batches per epoch
  // Batches counted across epochs: saves after batches 2 (e1 b2), 4 (e2 b1), 6 (e2 b3).
  EXPECT_TRUE(fs::exists(dir / "e1-b2.h5"));
  EXPECT_TRUE(fs::exists(dir / "e2-b1.h5"));
  EXPECT_TRUE(fs::exists(dir / "e2-b3.h5"));
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir)) files += e.is_regular_file();
  EXPECT_EQ(files, 3);
}

TEST(ModelCheckpointTest, BadArgumentsAreClearErrors) {
  EXPECT_THROW(ModelCheckpoint(ModelCheckpoint::Options{.filepath = "m.weights.h5"}), ValueError);
  EXPECT_THROW(ModelCheckpoint(ModelCheckpoint::Options{.filepath = "m.keras", .save_weights_only = true}), ValueError);
  EXPECT_THROW(ModelCheckpoint(ModelCheckpoint::Options{.filepath = "m.txt"}), ValueError);
  Config c = Config::map();
  c.set("filepath", "m.keras").set("save_freq", "batch");
  EXPECT_THROW(ModelCheckpoint::from_config(c), ConfigError);
  Config missing = Config::map();
  EXPECT_THROW(ModelCheckpoint::from_config(missing), ConfigError);
  Config full = Config::map();
  full.set("filepath", "m.keras").set("save_freq", 5).set("monitor", "val_accuracy").set("save_best_only", true);
  auto cb = ModelCheckpoint::from_config(full);
  EXPECT_EQ(cb->get_config().get<std::int64_t>("save_freq"), 5);
  EXPECT_EQ(cb->get_config().get<std::string>("monitor"), "val_accuracy");
}

TEST(ModelCheckpointTest, AMissingLogKeyInTheTemplateIsAnError) {
  const fs::path dir = fresh_dir("mc_missing");
  auto model = tiny_model();
  Data d;
  auto cb = std::make_shared<ModelCheckpoint>(ModelCheckpoint::Options{.filepath = (dir / "{val_auc:.2f}.keras").string()});
  EXPECT_THROW(model->fit(d.x, d.y, fit_options(1, cb)), ValueError);
}

}  // namespace
}  // namespace fathom::callbacks
