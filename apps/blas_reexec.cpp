// SPDX-License-Identifier: Apache-2.0
#include "apps/blas_reexec.h"

#include <unistd.h>

#include <cstdlib>
#include <string>

#include "core/blas_info.h"

namespace fathom::apps {

void maybe_reexec_with_better_blas(char** argv) {
  bool changed = false;
  if (std::getenv("OPENBLAS_CORETYPE") == nullptr) {
    const std::string coretype = suggested_blas_coretype();
    if (!coretype.empty()) {
      setenv("OPENBLAS_CORETYPE", coretype.c_str(), 1);
      changed = true;
    }
  }
  if (std::getenv("OPENBLAS_NUM_THREADS") == nullptr) {
    setenv("OPENBLAS_NUM_THREADS", "1", 1);
    changed = true;
  }
  if (changed) execv("/proc/self/exe", argv);  // returns only on failure: carry on as we are
}

}  // namespace fathom::apps
