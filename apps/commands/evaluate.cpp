// SPDX-License-Identifier: Apache-2.0
// `fathom evaluate CONFIG --weights FILE`: the config's model with the given weights on its test
// set (validation set when there is no test set); prints and writes test_metrics.json.
#include <filesystem>

#include "apps/commands/commands.h"
#include "apps/commands/report.h"
#include "apps/commands/run_setup.h"
#include "models/checkpoint.h"
#include "models/keras_saving.h"

namespace fathom::apps {

int run_evaluate(const EvaluateArgs& args) {
  RunSetup s;
  const io::LoadedData* data = nullptr;
  try {
    s = set_up_run(args.config, args.overrides);
    data = s.test ? &*s.test : s.validation ? &*s.validation : nullptr;
    FATHOM_CHECK(data != nullptr, ConfigError, s.run.data.where(),
                 "evaluate: the config has no data.test (or data.validation) to evaluate on");
    FATHOM_CHECK(std::filesystem::exists(args.weights), ConfigError, "--weights ", args.weights, ": no such file");
    models::load_weights_file(*s.model, args.weights);
  } catch (const Error& e) {
    return report_usage_error(e);
  } catch (const std::exception& e) {  // std::filesystem and the like, before anything is written
    return report_usage_error(ConfigError(e.what()));
  }
  try {
    const callbacks::Logs logs = s.model->evaluate(data->x, data->y, {.batch_size = 256, .verbose = 0});
    const std::filesystem::path dir = s.run.output.at("dir").as_string();
    std::filesystem::create_directories(dir);
    write_metrics(logs, (dir / "test_metrics.json").string());
    return kExitOk;
  } catch (const Error& e) {
    return report_run_error(e);
  }
}

}  // namespace fathom::apps
