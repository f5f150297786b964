// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdint>
#include <functional>

namespace fathom {

/// Sets the number of threads for every pool Fathom uses: OpenBLAS's and Fathom's own. A kernel
/// uses one or the other, never both at once, and Fathom's workers block (they do not spin)
/// when idle, so two pools never fight over the cores (docs/performance.md, lesson 1).
/// n <= 0 means all hardware threads.
void set_num_threads(int n);
int num_threads();

/// Runs fn(begin, end) over [0, n) split into chunks of at least `grain` items, on Fathom's pool.
/// Runs inline when n <= grain, with one thread, or when already inside a parallel_for.
/// The split depends only on n, grain and the thread count.
void parallel_for(std::int64_t n, std::int64_t grain,
                  const std::function<void(std::int64_t begin, std::int64_t end)>& fn);

}  // namespace fathom
