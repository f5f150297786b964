// SPDX-License-Identifier: Apache-2.0
#include "core/threading.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
#define FATHOM_HAVE_MXCSR 1
#endif

#include "core/blas_info.h"
#include "core/log.h"

extern "C" void openblas_set_num_threads(int num_threads);

namespace fathom {
namespace {

thread_local bool tls_in_parallel_region = false;

/// Sets FTZ (flush results) and DAZ (treat inputs as zero) for denormals on this thread while
/// alive, restoring the caller's mode after (TensorFlow's ScopedFlushDenormal).
class FlushDenormals {
 public:
#ifdef FATHOM_HAVE_MXCSR
  FlushDenormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | 0x8040U); }
  ~FlushDenormals() { _mm_setcsr(saved_); }

 private:
  unsigned int saved_;
#else
  FlushDenormals() = default;
#endif

 public:
  FlushDenormals(const FlushDenormals&) = delete;
  FlushDenormals& operator=(const FlushDenormals&) = delete;
};

/// Chunk i of a job runs on worker i - 1 (chunk 0 on the caller). After a job, workers spin for
/// a short, bounded time (kSpinTime) before sleeping on a condition variable: waking a sleeping
/// thread costs 50-70 us on our VMs, longer than most kernels, while a bounded spin cannot turn
/// into two pools fighting over the cores for long (docs/performance.md, lesson 1).
class ThreadPool {
 public:
  explicit ThreadPool(int threads) {
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
  }
  ~ThreadPool() {
    stop_.store(true);
    {
      std::lock_guard lock(mutex_);
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
  }
  int size() const { return static_cast<int>(workers_.size()) + 1; }

  void run(int chunks, const FunctionRef<void(int)>& task) {
    task_ = &task;
    chunks_ = chunks;
    error_ = nullptr;
    // Every worker checks in, even those without a chunk, so that none can read the next job's
    // task_/chunks_ while still looking at this one.
    pending_.store(static_cast<int>(workers_.size()));
    generation_.fetch_add(1);  // seq_cst: pairs with the sleeping_ increment in worker_loop
    if (sleeping_.load() > 0) {
      { std::lock_guard lock(mutex_); }
      wake_.notify_all();
    }
    run_chunk(0);
    for (int spins = 0; pending_.load(std::memory_order_acquire) > 0; ++spins) {
      if (spins < 1 << 14) {
        cpu_relax();
      } else {
        std::this_thread::yield();
      }
    }
    task_ = nullptr;
    if (error_) std::rethrow_exception(error_);
  }

 private:
  static constexpr auto kSpinTime = std::chrono::microseconds(50);

  static void cpu_relax() {
#if defined(__x86_64__)
    __builtin_ia32_pause();
#endif
  }

  void run_chunk(int chunk) {
    tls_in_parallel_region = true;
    try {
      (*task_)(chunk);
    } catch (...) {
      std::lock_guard lock(mutex_);
      if (!error_) error_ = std::current_exception();
    }
    tls_in_parallel_region = false;
  }

  /// Waits until the generation moves past `seen` (or the pool stops): spin, then sleep.
  std::uint64_t wait_for_job(std::uint64_t seen) {
    const auto spin_until = std::chrono::steady_clock::now() + kSpinTime;
    for (int i = 0;; ++i) {
      const std::uint64_t g = generation_.load();
      if (g != seen || stop_.load()) return g;
      cpu_relax();
      if ((i & 63) == 63 && std::chrono::steady_clock::now() > spin_until) break;
    }
    std::unique_lock lock(mutex_);
    sleeping_.fetch_add(1);
    wake_.wait(lock, [&] { return generation_.load() != seen || stop_.load(); });
    sleeping_.fetch_sub(1);
    return generation_.load();
  }

  void worker_loop(int index) {
    FlushDenormals flush;  // for the worker's whole life: it runs nothing but kernel chunks
    std::uint64_t seen = 0;
    while (true) {
      seen = wait_for_job(seen);
      if (stop_.load()) return;
      if (index < chunks_) run_chunk(index);
      pending_.fetch_sub(1, std::memory_order_release);
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<std::thread> workers_;
  const FunctionRef<void(int)>* task_ = nullptr;
  int chunks_ = 0;
  std::atomic<int> pending_{0};
  std::atomic<int> sleeping_{0};
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<bool> stop_{false};
  std::exception_ptr error_;
};

int hardware_threads() { return std::max(1u, std::thread::hardware_concurrency()); }

std::mutex& pool_mutex() {
  static std::mutex m;
  return m;
}

std::unique_ptr<ThreadPool>& pool_slot() {
  static std::unique_ptr<ThreadPool> pool;
  return pool;
}

int& thread_setting() {
  static int n = 0;
  return n;
}

void warn_about_generic_blas_once() {
  static const bool warned = [] {
    const std::string coretype = suggested_blas_coretype();
    if (!coretype.empty() && std::getenv("OPENBLAS_CORETYPE") == nullptr) {
      log::warn("OpenBLAS runs its generic '" + blas_core_name() + "' kernels on this CPU; set OPENBLAS_CORETYPE=" +
                coretype + " before starting the program for several times faster matmul");
    }
    return true;
  }();
  (void)warned;
}

ThreadPool& pool() {
  auto& slot = pool_slot();
  if (!slot) {
    warn_about_generic_blas_once();
    const int n = thread_setting() > 0 ? thread_setting() : hardware_threads();
    // One pool: OpenBLAS stays single-threaded and large GEMMs are split over this pool
    // (core/kernels/cpu/matmul.cpp).
    openblas_set_num_threads(1);
    slot = std::make_unique<ThreadPool>(n);
  }
  return *slot;
}

}  // namespace

void set_num_threads(int n) {
  std::lock_guard lock(pool_mutex());
  thread_setting() = n > 0 ? n : hardware_threads();
  pool_slot().reset();
  pool();
}

int num_threads() {
  std::lock_guard lock(pool_mutex());
  return pool().size();
}

void parallel_for(std::int64_t n, std::int64_t grain, FunctionRef<void(std::int64_t, std::int64_t)> fn) {
  if (n <= 0) return;
  grain = std::max<std::int64_t>(grain, 1);
  FlushDenormals flush;
  if (n <= grain || tls_in_parallel_region) {
    fn(0, n);
    return;
  }
  std::lock_guard lock(pool_mutex());  // one parallel_for at a time from user threads
  ThreadPool& p = pool();
  const int chunks = static_cast<int>(std::min<std::int64_t>(p.size(), (n + grain - 1) / grain));
  if (chunks <= 1) {
    fn(0, n);
    return;
  }
  const std::int64_t step = (n + chunks - 1) / chunks;
  p.run(chunks, [&](int c) {
    const std::int64_t begin = c * step;
    const std::int64_t end = std::min(n, begin + step);
    if (begin < end) fn(begin, end);
  });
}

}  // namespace fathom
