// SPDX-License-Identifier: Apache-2.0
#pragma once

namespace fathom::apps {

/// OpenBLAS reads its settings when it is loaded, so this re-executes the program with them set:
/// OPENBLAS_CORETYPE when OpenBLAS picked generic kernels for a CPU it does not know
/// (core/blas_info.h), and OPENBLAS_NUM_THREADS=1 (Fathom splits GEMMs over its own pool; an
/// OpenBLAS started with more threads keeps idle server threads spinning on sched_yield, measured
/// at ~14 % of a core during an LSTM step). A user's own settings win. Returns only when no
/// re-exec happened.
void maybe_reexec_with_better_blas(char** argv);

}  // namespace fathom::apps
