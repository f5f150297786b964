// SPDX-License-Identifier: Apache-2.0
// `fathom summary CONFIG|MODEL_FILE`: Keras's summary table.
#include <cstdio>

#include "apps/commands/commands.h"
#include "apps/commands/report.h"
#include "apps/commands/run_setup.h"
#include "models/checkpoint.h"

namespace fathom::apps {

int run_summary(const std::string& config_or_model, const std::vector<std::string>& overrides) {
  try {
    std::unique_ptr<models::Model> model = models::is_fathom_checkpoint(config_or_model)
                                               ? models::load_model(config_or_model)
                                               : set_up_run(config_or_model, overrides).model;
    std::fputs(model->summary().c_str(), stdout);
    return kExitOk;
  } catch (const Error& e) {
    return report_usage_error(e);
  } catch (const std::exception& e) {  // std::filesystem and the like, before anything is written
    return report_usage_error(ConfigError(e.what()));
  }
}

}  // namespace fathom::apps
