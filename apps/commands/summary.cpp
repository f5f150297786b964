// SPDX-License-Identifier: Apache-2.0
// `fathom summary CONFIG|MODEL_FILE`: Keras's summary table. MODEL_FILE is a Keras .h5 / .keras /
// JSON file or a Fathom checkpoint (told by its bytes).
#include <cstdio>

#include "apps/commands/commands.h"
#include "apps/commands/report.h"
#include "apps/commands/run_setup.h"
#include "io/zip_archive.h"
#include "models/checkpoint.h"
#include "models/keras_saving.h"

namespace fathom::apps {

int run_summary(const std::string& config_or_model, const std::vector<std::string>& overrides) {
  try {
    std::unique_ptr<models::Model> model;
    const io::FileKind kind = io::sniff_file_kind(config_or_model);
    if (kind == io::FileKind::kHdf5 || kind == io::FileKind::kZip || models::is_fathom_checkpoint(config_or_model)) {
      model = models::load_model_file(config_or_model);
    } else if (kind == io::FileKind::kJson) {
      model = models::model_from_keras_json_file(config_or_model);
    } else {
      model = set_up_run(config_or_model, overrides).model;
    }
    std::fputs(model->summary().c_str(), stdout);
    return kExitOk;
  } catch (const Error& e) {
    return report_usage_error(e);
  } catch (const std::exception& e) {  // std::filesystem and the like, before anything is written
    return report_usage_error(ConfigError(e.what()));
  }
}

}  // namespace fathom::apps
