// SPDX-License-Identifier: Apache-2.0
// `fathom train CONFIG`: check everything, then write the run folder: config.yaml (resolved),
// history.csv (CSVLogger), model.h5 (the trained model in Keras's legacy full-model layout, which
// tf.keras and Keras 3 load; model.keras for the rare model that layout cannot express),
// test_metrics.json when a test set is configured, and with --dump-graphs the traced steps'
// graphs (train_step.txt/.dot, test_step.txt/.dot).
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>

#include "apps/commands/commands.h"
#include "apps/commands/report.h"
#include "apps/commands/run_setup.h"
#include "callbacks/backup_and_restore.h"
#include "callbacks/csv_logger.h"
#include "configs/yaml_config.h"
#include "io/atomic_file.h"
#include "io/data_source.h"
#include "layers/registry.h"
#include "core/function.h"
#include "core/log.h"
#include "models/checkpoint.h"
#include "models/keras_saving.h"

namespace fathom::apps {
namespace {

/// What a BackupAndRestore backup of this run holds: the epoch it resumes at and the seed the
/// interrupted run shuffled with. Empty when there is no backup.
struct Resume {
  int epoch = 0;
  std::optional<std::uint64_t> fit_seed;
};
std::optional<Resume> find_resume(const models::FitOptions& fit) {
  for (const auto& cb : fit.callbacks) {
    const auto backup = std::dynamic_pointer_cast<callbacks::BackupAndRestore>(cb);
    if (!backup || !std::filesystem::exists(backup->backup_path())) continue;
    const Config training = models::read_checkpoint(backup->backup_path()).training;
    if (!training.is_map() || !training.has("epoch")) continue;
    Resume r{static_cast<int>(training.get<std::int64_t>("epoch")), std::nullopt};
    if (training.has("fit_seed")) r.fit_seed = std::stoull(training.get<std::string>("fit_seed"));
    return r;
  }
  return std::nullopt;
}

/// Rewrites history.csv (atomically) without the rows of epochs >= `epoch`, which the resumed
/// run writes again; a missing file stays missing.
void keep_history_before(const std::string& path, int epoch) {
  std::ifstream in(path);
  if (!in) return;
  std::string line, kept;
  bool header = true;
  while (std::getline(in, line)) {
    if (!header) {
      int row_epoch = -1;
      if (std::sscanf(line.c_str(), "%d", &row_epoch) != 1 || row_epoch >= epoch) continue;
    }
    kept += line + "\n";
    header = false;
  }
  write_text_atomically(path, kept);
}

/// model.h5; a model that Keras 2's layout cannot express (Keras 3's hard_sigmoid) goes to
/// model.keras instead, so that a finished run never loses its result.
void save_final_model(const models::Model& model, const std::filesystem::path& dir) {
  try {
    models::save_model_file(model, (dir / "model.h5").string());
  } catch (const ValueError& e) {
    log::warn(std::string("model.h5: ") + e.what() + "; writing model.keras instead");
    models::save_model_file(model, (dir / "model.keras").string());
  }
}

/// The run folder, normalised (so "out/../x" never creates "out"), after checking that it can
/// be created: the nearest existing ancestor must be a writable folder.
std::filesystem::path checked_output_dir(const Config& value) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::absolute(value.as_string()).lexically_normal();
  FATHOM_CHECK(!fs::exists(dir) || fs::is_directory(dir), ConfigError, value.where(), "output.dir '", value.as_string(),
               "' exists and is not a folder");
  fs::path ancestor = dir;
  while (!ancestor.empty() && ancestor != ancestor.root_path() && !fs::exists(ancestor)) ancestor = ancestor.parent_path();
  FATHOM_CHECK(fs::is_directory(ancestor), ConfigError, value.where(), "output.dir '", value.as_string(),
               "' cannot be created: '", ancestor.string(), "' is not a folder");
  FATHOM_CHECK(access(ancestor.c_str(), W_OK) == 0, ConfigError, value.where(), "output.dir '", value.as_string(),
               "' cannot be created: '", ancestor.string(), "' is not writable");
  return dir;
}

/// <step>_step.txt and .dot for each traced step the run used (none when compiled run_eagerly).
void write_step_graphs(const models::Model& model, const std::filesystem::path& dir) {
  for (const char* step : {"train", "test"}) {
    const Function* f = model.traced_function(step);
    if (f == nullptr) continue;
    write_text_atomically((dir / (std::string(step) + "_step.txt")).string(), f->graph_text());
    write_text_atomically((dir / (std::string(step) + "_step.dot")).string(), f->graph_dot());
  }
}

}  // namespace

int run_train(const TrainArgs& args) {
  RunSetup s;
  std::filesystem::path dir;
  try {
    s = set_up_run(args.config, args.overrides);
    dir = checked_output_dir(s.run.output.at("dir"));
  } catch (const Error& e) {
    return report_usage_error(e);
  } catch (const std::exception& e) {  // std::filesystem and the like, before anything is written
    return report_usage_error(ConfigError(e.what()));
  }
  try {
    // An existing run folder is reused: files are replaced as the run writes them.
    std::filesystem::create_directories(dir);
    // The resolved config: the model as Keras serializes it (every layer default filled in).
    configs::RunConfig resolved = s.run;
    resolved.model = layers::serialize_layer(*s.model);
    // ... and every data source with its defaults written out.
    if (resolved.data.is_map()) {
      for (const std::string& role : resolved.data.keys()) {
        resolved.data.set(role, io::resolved_data_source(resolved.data.at(role), role));
      }
    }
    models::FitOptions fit = configs::fit_options(s.run, {});
    // A run that BackupAndRestore resumes shuffles with the interrupted run's seed (a config
    // without fit.seed draws a new one each time) and continues its history.csv.
    const std::string history = (dir / "history.csv").string();
    const std::optional<Resume> resume = find_resume(fit);
    if (resume && resume->fit_seed && fit.seed != resume->fit_seed) {
      log::info("resuming with the interrupted run's seed " + std::to_string(*resume->fit_seed));
      fit.seed = resume->fit_seed;
      resolved.fit.set("seed", static_cast<std::int64_t>(*resume->fit_seed));
    }
    write_text_atomically((dir / "config.yaml").string(), configs::to_yaml(resolved.to_config()));
    if (resume) keep_history_before(history, resume->epoch);
    fit.callbacks.push_back(std::make_shared<callbacks::CSVLogger>(history, ",", /*append=*/resume.has_value()));
    if (s.validation) fit.validation_data = std::make_pair(s.validation->x, s.validation->y);
    s.model->fit(s.train.x, s.train.y, fit);
    save_final_model(*s.model, dir);
    if (s.test) {
      const callbacks::Logs logs = s.model->evaluate(s.test->x, s.test->y, {.batch_size = 256, .verbose = 0});
      write_metrics(logs, (dir / "test_metrics.json").string());
    }
    if (args.dump_graphs) write_step_graphs(*s.model, dir);
    std::printf("Run folder: %s\n", dir.string().c_str());
    return kExitOk;
  } catch (const Error& e) {
    return report_run_error(e);
  } catch (const std::exception& e) {  // std::filesystem errors and the like
    return report_run_error(IoError(std::string("while writing the run folder: ") + e.what()));
  }
}

}  // namespace fathom::apps
