// SPDX-License-Identifier: Apache-2.0
// BackupAndRestore: a training process killed with SIGKILL mid-epoch, resumed by a new fit, ends
// with weights bit-identical to a run never interrupted (data order, dropout masks and the
// optimizer state all restored). The kill runs in a child process (a gtest death test).
#include "callbacks/backup_and_restore.h"

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>

#include "core/ops.h"
#include "core/random.h"
#include "core/threading.h"
#include "layers/activation.h"
#include "layers/dense.h"
#include "models/checkpoint.h"
#include "models/sequential.h"

namespace fathom::callbacks {
namespace {

namespace fs = std::filesystem;

/// Kills its own process (as kill -9 would) when training reaches (epoch, batch).
class Killer final : public Callback {
 public:
  Killer(int epoch, int batch) : epoch_(epoch), batch_(batch) {}
  std::string class_name() const override { return "Killer"; }
  void on_epoch_begin(int epoch, const Logs&) override { epoch_now_ = epoch; }
  void on_train_batch_begin(int batch, const Logs&) override {
    if (epoch_now_ == epoch_ && batch == batch_) std::raise(SIGKILL);
  }

 private:
  int epoch_, batch_, epoch_now_ = -1;
};

/// Trains a small model with dropout and Adam for 4 epochs; returns the final weights.
std::vector<std::vector<float>> train(const fs::path& backup_dir, int save_freq, std::shared_ptr<Callback> extra = {}) {
  set_num_threads(1);
  random::set_global_seed(1);
  layers::reset_layer_names();
  models::Sequential model("resumable");
  auto first = std::make_shared<layers::Dense>(layers::Dense::Options{.units = 8, .activation = "relu"});
  first->set_declared_input_shape({-1, 3});
  model.add(first);
  model.add(std::make_shared<layers::Dropout>(layers::Dropout::Options{.rate = 0.5}));
  model.add(std::make_shared<layers::Dense>(layers::Dense::Options{.units = 1}));
  models::CompileOptions compile;
  compile.optimizer = "adam";
  compile.loss = "mse";
  model.compile(compile);
  const Tensor x = random::normal({80, 3}, 0, 1, DType::kFloat32, 21);
  const Tensor y = ops::sum(ops::square(x), {1}, true);
  models::FitOptions o;
  o.epochs = 4;
  o.batch_size = 16;
  o.verbose = 0;
  o.seed = 7;
  o.callbacks = {std::make_shared<BackupAndRestore>(BackupAndRestore::Options{.backup_dir = backup_dir.string(),
                                                                               .save_freq = save_freq})};
  if (extra) o.callbacks.push_back(extra);
  model.fit(x, y, o);
  std::vector<std::vector<float>> out;
  for (const Variable& v : model.weights()) out.push_back(v.value().to_vector<float>());
  return out;
}

class BackupAndRestoreTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

TEST_P(BackupAndRestoreTest, AKilledRunResumesToBitIdenticalWeights) {
  const int save_freq = GetParam();  // 0: every epoch; 2: every 2 batches
  const fs::path dir = fs::path(::testing::TempDir()) / ("bar_" + std::to_string(save_freq));
  const fs::path clean = fs::path(::testing::TempDir()) / ("bar_clean_" + std::to_string(save_freq));
  fs::remove_all(dir);
  fs::remove_all(clean);
  // 5 batches per epoch; the child dies at epoch 2 (0-based), batch 3 — mid-epoch.
  EXPECT_EXIT(train(dir, save_freq, std::make_shared<Killer>(2, 3)), ::testing::KilledBySignal(SIGKILL), "");
  ASSERT_TRUE(fs::exists(dir / "latest.fathom")) << "the killed run left its last backup";
  const auto saved = models::read_checkpoint((dir / "latest.fathom").string());
  EXPECT_EQ(saved.training.get<std::int64_t>("epoch"), 2);
  EXPECT_EQ(saved.training.get<std::int64_t>("step"), save_freq == 0 ? 0 : 2);

  const auto resumed = train(dir, save_freq);
  EXPECT_FALSE(fs::exists(dir / "latest.fathom")) << "a completed fit deletes the backup";
  const auto uninterrupted = train(clean, save_freq);
  ASSERT_EQ(resumed.size(), uninterrupted.size());
  for (std::size_t i = 0; i < resumed.size(); ++i) EXPECT_EQ(resumed[i], uninterrupted[i]) << "weight " << i;
}

INSTANTIATE_TEST_SUITE_P(SaveFreq, BackupAndRestoreTest, ::testing::Values(0, 2),
                         [](const auto& info) { return info.param == 0 ? std::string("Epoch") : std::string("Every2Batches"); });

TEST(BackupAndRestoreConfigTest, ConfigRoundTripAndErrors) {
  Config c = Config::map();
  c.set("backup_dir", "/tmp/b").set("save_freq", 10).set("delete_checkpoint", false);
  auto cb = BackupAndRestore::from_config(c);
  EXPECT_EQ(cb->get_config(), c);
  Config bad = Config::map();
  bad.set("backup_dir", "/tmp/b").set("save_freq", "sometimes");
  EXPECT_THROW(BackupAndRestore::from_config(bad), ConfigError);
  EXPECT_THROW(BackupAndRestore::from_config(Config::map()), ConfigError);
  Config unknown = Config::map();
  unknown.set("backup_dir", "/tmp/b").set("save_frequency", 1);
  EXPECT_THROW(BackupAndRestore::from_config(unknown), ConfigError);
}

TEST(BackupAndRestoreConfigTest, ABackupOfAnotherModelIsRefusedAndChangesNothing) {
  const fs::path dir = fs::path(::testing::TempDir()) / "bar_other";
  fs::remove_all(dir);
  fs::create_directories(dir);
  {
    layers::reset_layer_names();
    models::Sequential other("other");
    auto d = std::make_shared<layers::Dense>(layers::Dense::Options{.units = 2});
    d->set_declared_input_shape({-1, 5});
    other.add(d);
    models::CompileOptions compile;
    compile.optimizer = "adam";
    compile.loss = "mse";
    other.compile(compile);
    Config training = Config::map();
    training.set("epoch", 1).set("step", 0);
    models::save_checkpoint((dir / "latest.fathom").string(), other, training);
  }
  EXPECT_THROW(train(dir, 0), Error);
}

}  // namespace
}  // namespace fathom::callbacks
