// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdint>

#include "core/function_ref.h"

namespace fathom {

/// Sets the number of threads Fathom computes with. There is one pool: OpenBLAS is kept
/// single-threaded and large GEMMs are split over Fathom's pool, so two pools never fight over
/// the cores (docs/performance.md, lesson 1). Idle workers spin for at most 50 us, then sleep.
/// n <= 0 means all hardware threads.
void set_num_threads(int n);
int num_threads();

/// Runs fn(begin, end) over [0, n) split into chunks of at least `grain` items, on Fathom's pool.
/// Runs inline when n <= grain, with one thread, or when already inside a parallel_for.
/// The split depends only on n, grain and the thread count.
/// Chunks run with denormal floats flushed to zero (FTZ and DAZ on x86), as TensorFlow runs its
/// kernels: an optimizer's second moments decay into the denormal range, where each operation
/// costs ~100 cycles (a Fashion-MNIST MLP step at batch 32 ran 4x slower with them).
void parallel_for(std::int64_t n, std::int64_t grain, FunctionRef<void(std::int64_t begin, std::int64_t end)> fn);

}  // namespace fathom
