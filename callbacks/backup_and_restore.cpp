// SPDX-License-Identifier: Apache-2.0
#include "callbacks/backup_and_restore.h"

#include <filesystem>

#include "callbacks/callback_utils.h"
#include "core/random.h"
#include "models/checkpoint.h"
#include "models/model.h"

namespace fathom::callbacks {

BackupAndRestore::BackupAndRestore(Options options) : options_(std::move(options)) {
  FATHOM_CHECK(!options_.backup_dir.empty(), ValueError, "BackupAndRestore: backup_dir is required");
  FATHOM_CHECK(options_.save_freq >= 0, ValueError, "BackupAndRestore: save_freq must be 'epoch' or a positive "
               "integer. Received: save_freq=", options_.save_freq);
}

std::string BackupAndRestore::backup_path() const {
  return (std::filesystem::path(options_.backup_dir) / "latest.fathom").string();
}

void BackupAndRestore::on_train_begin(const Logs&) {
  FATHOM_CHECK(model() != nullptr, ValueError, "BackupAndRestore: no model (set_model was not called)");
  batches_since_save_ = 0;
  const std::string path = backup_path();
  if (!std::filesystem::exists(path)) return;
  const models::CheckpointContents saved = models::read_checkpoint(path);
  try {
    FATHOM_CHECK(saved.training.is_map() && saved.training.has("epoch") && saved.training.has("step"), IoError, path,
                 ": not a BackupAndRestore backup (no training epoch/step)");
    std::vector<Variable> vars = model()->weights();
    FATHOM_CHECK(vars.size() == saved.weights.size(), ValueError, "the backup has ", saved.weights.size(),
                 " weights, the model ", vars.size());
    for (std::size_t i = 0; i < vars.size(); ++i) {
      FATHOM_CHECK(vars[i].shape() == saved.weights[i].second.shape(), ShapeError, "weight '", vars[i].name(),
                   "': the backup's shape is ", shape_to_string(saved.weights[i].second.shape()), ", the model's ",
                   shape_to_string(vars[i].shape()));
    }
    models::load_optimizer_state(*model(), saved);  // checks before it changes anything
    for (std::size_t i = 0; i < vars.size(); ++i) vars[i].assign(saved.weights[i].second);
  } catch (Error& e) {
    e.add_context("BackupAndRestore: restoring " + path);
    throw;
  }
  const Config& t = saved.training;
  if (t.has("global_generator")) {
    random::global_generator().set_state(models::generator_state_from_config(t.at("global_generator")));
  }
  if (t.has("random_state")) model()->set_random_state(t.at("random_state"));
  model()->resume_point = models::Model::ResumePoint{static_cast<int>(t.get<std::int64_t>("epoch")),
                                                     t.get<std::int64_t>("step")};
}

void BackupAndRestore::on_epoch_begin(int epoch, const Logs&) { current_epoch_ = epoch; }

void BackupAndRestore::on_train_batch_end(int batch, const Logs&) {
  if (options_.save_freq == 0 || ++batches_since_save_ < options_.save_freq) return;
  batches_since_save_ = 0;
  backup(current_epoch_, batch + 1);
}

void BackupAndRestore::on_epoch_end(int epoch, Logs&) {
  if (options_.save_freq == 0) backup(epoch + 1, 0);
}

void BackupAndRestore::backup(int epoch, std::int64_t step) {
  std::filesystem::create_directories(options_.backup_dir);
  Config training = Config::map();
  training.set("epoch", epoch).set("step", step);
  training.set("global_generator", models::generator_state_to_config(random::global_generator().state()));
  if (model()->fit_seed) training.set("fit_seed", std::to_string(*model()->fit_seed));
  Config rng = model()->random_state();
  if (!rng.is_null()) training.set("random_state", rng);
  models::save_checkpoint(backup_path(), *model(), training);
}

void BackupAndRestore::on_train_end(const Logs&) {
  if (!options_.delete_checkpoint) return;
  std::error_code ignored;
  std::filesystem::remove(backup_path(), ignored);
}

Config BackupAndRestore::get_config() const {
  Config c = Config::map();
  c.set("backup_dir", options_.backup_dir);
  c.set("save_freq", options_.save_freq == 0 ? Config("epoch") : Config(options_.save_freq));
  c.set("delete_checkpoint", options_.delete_checkpoint);
  return c;
}

std::unique_ptr<Callback> BackupAndRestore::from_config(const Config& config) {
  config.reject_unknown_keys({"backup_dir", "save_freq", "delete_checkpoint", "double_checkpoint"}, "BackupAndRestore");
  Options o;
  FATHOM_CHECK(config.has("backup_dir"), ConfigError, config.where(), "BackupAndRestore: backup_dir is required");
  o.backup_dir = config.get<std::string>("backup_dir");
  o.delete_checkpoint = config.get_or<bool>("delete_checkpoint", o.delete_checkpoint);
  if (config.has("save_freq") && !config.at("save_freq").is_null()) {
    const Config& f = config.at("save_freq");
    if (f.is_string()) {
      FATHOM_CHECK(f.as_string() == "epoch", ConfigError, config.where_of("save_freq"),
                   "BackupAndRestore: save_freq must be 'epoch' or a positive integer. Received: save_freq='",
                   f.as_string(), "'");
    } else {
      o.save_freq = static_cast<int>(f.as_int());
      FATHOM_CHECK(o.save_freq > 0, ConfigError, config.where_of("save_freq"),
                   "BackupAndRestore: save_freq must be 'epoch' or a positive integer. Received: save_freq=", o.save_freq);
    }
  }
  return detail::construct_from_config(config, [&] { return std::make_unique<BackupAndRestore>(o); });
}

}  // namespace fathom::callbacks
