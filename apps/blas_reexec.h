// SPDX-License-Identifier: Apache-2.0
#pragma once

namespace fathom::apps {

/// OpenBLAS picks its kernels when it is loaded; when it picked generic ones for a CPU it does
/// not know (core/blas_info.h), re-executes this program with OPENBLAS_CORETYPE set. A user's
/// own OPENBLAS_CORETYPE wins. Returns only when no re-exec happened.
void maybe_reexec_with_better_blas(char** argv);

}  // namespace fathom::apps
