// SPDX-License-Identifier: Apache-2.0
#include "apps/blas_reexec.h"

#include <unistd.h>

#include <cstdlib>
#include <string>

#include "core/blas_info.h"

namespace fathom::apps {

void maybe_reexec_with_better_blas(char** argv) {
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr) return;
  const std::string coretype = suggested_blas_coretype();
  if (coretype.empty()) return;
  setenv("OPENBLAS_CORETYPE", coretype.c_str(), 1);
  execv("/proc/self/exe", argv);  // returns only on failure: carry on with the slower kernels
}

}  // namespace fathom::apps
